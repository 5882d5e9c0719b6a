"""Reference oracle: KPIs recomputed straight from the full event list.

Deliberately naive and independent of ``document_state.fold_events`` /
``daily_counters.contributions`` (it works on aware datetimes, not on document states or
daily rows), so property tests can check that the incremental pipeline gives exactly the
figures of DOMAIN.md. Cost is O(events) per call; never use it on the serving path.

It applies DOMAIN.md "KPI definitions" literally, with the documented choices of the core:
an exempt document counts in ``exempt_total`` of a unit on the local date of that unit's
first event on it; an official counts a document once, online only if it qualifies online
in every unit where the official processed it; the latest evaluation is the one with the
greatest overlapping period, then the latest (occurred_at, event_id).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, tzinfo
from typing import Any

_PROVINCE_LEVELS = ("province", "department")


def _instant(value: str) -> datetime:
    dt = datetime.fromisoformat(value)
    if dt.tzinfo is None:
        raise ValueError(f"instant without offset: {value!r}")
    return dt


def _order(event: Mapping[str, Any]) -> tuple[datetime, str]:
    # "first" = earliest occurred_at (an instant, whatever the offset), ties by event_id.
    return (_instant(event["occurred_at"]), event["event_id"])


def _dedupe(events: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    seen: dict[tuple[Any, Any], Mapping[str, Any]] = {}
    for event in events:
        seen.setdefault((event.get("source_id"), event["event_id"]), event)
    return list(seen.values())


def _documents(events: list[Mapping[str, Any]]) -> dict[tuple[str, str], list[Mapping]]:
    docs: dict[tuple[str, str], list[Mapping[str, Any]]] = {}
    for event in events:
        if event["type"].startswith("document."):
            docs.setdefault((event["source_id"], event["document"]["id"]), []).append(event)
    return docs


def _is_exempt(doc_events: list[Mapping[str, Any]]) -> bool:
    for event in doc_events:
        document = event["document"]
        if document.get("security", "thuong") != "thuong":
            return True
        if document.get("state_commendation", False):
            return True
    return False


def _doc_pages(doc_events: list[Mapping[str, Any]]) -> int | None:
    pages = [e["document"]["pages"] for e in doc_events if e["document"].get("pages") is not None]
    return max(pages) if pages else None


def _of_type(events: list[Mapping[str, Any]], etype: str) -> list[Mapping[str, Any]]:
    return [e for e in events if e["type"] == etype]


def _online_for_unit(unit_events: list[Mapping[str, Any]]) -> bool:
    processed = _of_type(unit_events, "document.processed")
    no_paper = all(e["channel"] != "paper" for e in processed)
    return no_paper and not _of_type(unit_events, "document.printed")


def _on_time(event: Mapping[str, Any]) -> bool | None:
    """None when the event has no due_at, else whether it completed by then."""
    if event.get("due_at") is None:
        return None
    completed = event.get("completed_at") or event["occurred_at"]
    return _instant(completed) <= _instant(event["due_at"])


def _ratio(num: int, den: int) -> float | None:
    return num / den if den else None


def _months(start: date, end: date) -> set[str]:
    months = set()
    for year in range(start.year, end.year + 1):
        for month in range(1, 13):
            if (start.year, start.month) <= (year, month) <= (end.year, end.month):
                months.add(f"{year:04d}-{month:02d}")
    return months


def reference_unit_metrics(
    events: Iterable[Mapping[str, Any]],
    *,
    unit_id: str,
    start: date,
    end: date,
    tz: tzinfo,
    unit_levels: Mapping[str, str],
    active_official_ids: Iterable[str],
) -> dict:
    """Every unit metric of DOMAIN.md for local dates [start, end], from the raw events."""
    all_events = _dedupe(events)
    level = unit_levels[unit_id]

    def in_period(event: Mapping[str, Any]) -> bool:
        return start <= _instant(event["occurred_at"]).astimezone(tz).date() <= end

    m = dict.fromkeys(
        (
            "processed_total",
            "processed_online",
            "issued_total",
            "issued_signed_digitally",
            "issued_online",
            "sent_electronic",
            "sent_paper",
            "received_electronic",
            "received_paper",
            "on_time_total",
            "on_time",
            "exempt_total",
            "paper_pages",
        ),
        0,
    )
    # counterpart -> electronic pairs in the period, for two-way interconnection
    electronic_sent_to: set[str] = set()
    electronic_received_from: set[str] = set()

    for doc_events in _documents(all_events).values():
        mine = [e for e in doc_events if e["unit_id"] == unit_id]
        if not mine:
            continue
        if _is_exempt(doc_events):
            if in_period(min(mine, key=_order)):
                m["exempt_total"] += 1
            continue

        processed = _of_type(mine, "document.processed")
        if processed:
            first = min(processed, key=_order)
            if in_period(first):
                m["processed_total"] += 1
                if _online_for_unit(mine):
                    m["processed_online"] += 1
                on_time = _on_time(first)
                if on_time is not None:
                    m["on_time_total"] += 1
                    m["on_time"] += int(on_time)

        issued = _of_type(mine, "document.issued")
        if issued and in_period(min(issued, key=_order)):
            m["issued_total"] += 1
            signed = _of_type(mine, "document.signed")
            if any(e["method"] == "digital" for e in signed):
                m["issued_signed_digitally"] += 1
            if all(e["channel"] == "electronic" for e in issued):
                m["issued_online"] += 1

        for etype, field, prefix, electronic_set in (
            ("document.sent", "to_unit_id", "sent", electronic_sent_to),
            ("document.received", "from_unit_id", "received", electronic_received_from),
        ):
            counterparts = {e[field] for e in _of_type(mine, etype)}
            for counterpart in counterparts:
                pair = [e for e in _of_type(mine, etype) if e[field] == counterpart]
                if not in_period(min(pair, key=_order)):
                    continue
                if all(e["channel"] == "electronic" for e in pair):
                    m[f"{prefix}_electronic"] += 1
                    electronic_set.add(counterpart)
                else:
                    m[f"{prefix}_paper"] += 1

        doc_pages = _doc_pages(doc_events)
        for printed in _of_type(mine, "document.printed"):
            if in_period(printed):
                if printed.get("pages") is not None:
                    m["paper_pages"] += printed["pages"]
                else:
                    m["paper_pages"] += doc_pages or 0
        paper = [
            e
            for e in mine
            if e["type"] in ("document.processed", "document.issued") and e["channel"] == "paper"
        ]
        if paper and in_period(min(paper, key=_order)):
            m["paper_pages"] += doc_pages or 0

    if level == "division":
        two_way: bool | None = None
    else:
        wanted = _PROVINCE_LEVELS if level == "commune" else ("commune",)
        two_way = any(unit_levels.get(c) in wanted for c in electronic_sent_to) and any(
            unit_levels.get(c) in wanted for c in electronic_received_from
        )

    active = set(active_official_ids)
    months = _months(start, end)
    evaluated = {
        e["official_id"]
        for e in all_events
        if e["type"] == "official.evaluated"
        and e["official_id"] in active
        and e["period"] in months
    }

    return {
        "processed_total": m["processed_total"],
        "processed_online": m["processed_online"],
        "online_rate": _ratio(m["processed_online"], m["processed_total"]),
        "issued_total": m["issued_total"],
        "issued_signed_digitally": m["issued_signed_digitally"],
        "signing_rate": _ratio(m["issued_signed_digitally"], m["issued_total"]),
        "issued_online": m["issued_online"],
        "e_issuance_rate": _ratio(m["issued_online"], m["issued_total"]),
        "sent_electronic": m["sent_electronic"],
        "sent_paper": m["sent_paper"],
        "received_electronic": m["received_electronic"],
        "received_paper": m["received_paper"],
        "two_way_interconnection": two_way,
        "officials_active": len(active),
        "officials_evaluated": len(evaluated),
        "kpi_coverage": _ratio(len(evaluated), len(active)),
        "on_time_total": m["on_time_total"],
        "on_time": m["on_time"],
        "on_time_rate": _ratio(m["on_time"], m["on_time_total"]),
        "exempt_total": m["exempt_total"],
        "paper_pages": m["paper_pages"],
    }


def reference_official_metrics(
    events: Iterable[Mapping[str, Any]],
    *,
    official_id: str,
    start: date,
    end: date,
    tz: tzinfo,
) -> dict:
    """Individual KPIs of DOMAIN.md for local dates [start, end], from the raw events."""
    all_events = _dedupe(events)

    def in_period(event: Mapping[str, Any]) -> bool:
        return start <= _instant(event["occurred_at"]).astimezone(tz).date() <= end

    processed_total = processed_online = on_time_total = on_time = signatures = 0
    for doc_events in _documents(all_events).values():
        if _is_exempt(doc_events):
            continue
        acted = [
            e
            for e in _of_type(doc_events, "document.processed")
            if e["actor_official_id"] == official_id
        ]
        if acted:
            first = min(acted, key=_order)
            if in_period(first):
                processed_total += 1
                units = {e["unit_id"] for e in acted}
                if all(
                    _online_for_unit([e for e in doc_events if e["unit_id"] == u]) for u in units
                ):
                    processed_online += 1
                result = _on_time(first)
                if result is not None:
                    on_time_total += 1
                    on_time += int(result)
        signed = [
            e
            for e in _of_type(doc_events, "document.signed")
            if e["method"] == "digital" and e["signer_official_id"] == official_id
        ]
        if signed and in_period(min(signed, key=_order)):
            signatures += 1

    months = _months(start, end)
    evaluations = [
        e
        for e in all_events
        if e["type"] == "official.evaluated"
        and e["official_id"] == official_id
        and e["period"] in months
    ]
    latest = max(
        evaluations,
        key=lambda e: (e["period"], _instant(e["occurred_at"]), e["event_id"], e["score"]),
        default=None,
    )
    return {
        "processed_total": processed_total,
        "processed_online": processed_online,
        "online_rate": _ratio(processed_online, processed_total),
        "on_time_total": on_time_total,
        "on_time": on_time,
        "on_time_rate": _ratio(on_time, on_time_total),
        "digital_signatures": signatures,
        "latest_evaluation_score": latest["score"] if latest else None,
        "latest_evaluation_period": latest["period"] if latest else None,
    }

"""Event builders and a small in-memory pipeline for the KPI core tests."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from chalicelib.domain import daily_counters, document_state, evaluations, kpi
from tests.kpi_reference import reference_official_metrics, reference_unit_metrics

TZ = ZoneInfo("Asia/Ho_Chi_Minh")

LEVELS = {
    "P": "province",
    "D1": "department",
    "D2": "department",
    "C1": "commune",
    "C2": "commune",
    "V1": "division",
}


def ev(
    etype: str,
    event_id: str,
    at: str,
    *,
    unit: str = "C1",
    doc: str | None = "D-1",
    source: str = "s1",
    security: str | None = None,
    commendation: bool | None = None,
    doc_pages: int | None = None,
    **fields: Any,
) -> dict[str, Any]:
    """A document event in the DOMAIN.md JSON shape (plus source_id)."""
    event: dict[str, Any] = {
        "source_id": source,
        "event_id": event_id,
        "type": etype,
        "occurred_at": at,
        "unit_id": unit,
    }
    if doc is not None:
        document: dict[str, Any] = {"id": doc, "doc_type": "Công văn"}
        if security is not None:
            document["security"] = security
        if commendation is not None:
            document["state_commendation"] = commendation
        if doc_pages is not None:
            document["pages"] = doc_pages
        event["document"] = document
    event.update(fields)
    return event


def processed(
    event_id: str, at: str, *, channel: str = "electronic", actor: str = "O1", **kw: Any
) -> dict[str, Any]:
    return ev("document.processed", event_id, at, channel=channel, actor_official_id=actor, **kw)


def issued(event_id: str, at: str, *, channel: str = "electronic", **kw: Any) -> dict[str, Any]:
    return ev("document.issued", event_id, at, channel=channel, **kw)


def signed(
    event_id: str, at: str, *, method: str = "digital", signer: str = "O1", **kw: Any
) -> dict[str, Any]:
    return ev("document.signed", event_id, at, method=method, signer_official_id=signer, **kw)


def sent(
    event_id: str, at: str, to: str, *, channel: str = "electronic", **kw: Any
) -> dict[str, Any]:
    return ev("document.sent", event_id, at, to_unit_id=to, channel=channel, **kw)


def received(
    event_id: str, at: str, frm: str, *, channel: str = "electronic", **kw: Any
) -> dict[str, Any]:
    return ev("document.received", event_id, at, from_unit_id=frm, channel=channel, **kw)


def printed(event_id: str, at: str, *, pages: int | None = None, **kw: Any) -> dict[str, Any]:
    if pages is not None:
        kw["pages"] = pages
    return ev("document.printed", event_id, at, **kw)


def registered(event_id: str, at: str, *, direction: str = "incoming", **kw: Any) -> dict[str, Any]:
    return ev("document.registered", event_id, at, direction=direction, **kw)


def evaluated(
    event_id: str,
    at: str,
    official: str,
    period: str,
    score: float,
    *,
    unit: str = "C1",
    source: str = "s1",
) -> dict[str, Any]:
    return {
        "source_id": source,
        "event_id": event_id,
        "type": "official.evaluated",
        "occurred_at": at,
        "unit_id": unit,
        "official_id": official,
        "period": period,
        "score": score,
    }


def document_events(events: Iterable[Mapping[str, Any]]) -> dict[tuple[str, str], list]:
    by_doc: dict[tuple[str, str], list] = {}
    for event in events:
        if event["type"].startswith("document."):
            by_doc.setdefault(document_state.document_key(event), []).append(event)
    return by_doc


def daily_rows(
    events: Iterable[Mapping[str, Any]], tz: tzinfo = TZ
) -> daily_counters.Contributions:
    """Fold each document in one go and collect its contributions (no incremental diffs)."""
    rows: daily_counters.Contributions = {}
    for doc_events in document_events(events).values():
        for key, counters in daily_counters.contributions(
            document_state.fold_events(None, doc_events), tz
        ).items():
            row = rows.setdefault(key, {})
            for name, value in counters.items():
                row[name] = row.get(name, 0) + value
    return rows


def add_into(
    rows: daily_counters.Contributions, delta: Mapping[tuple[str, str], Mapping[str, int]]
) -> None:
    for key, counters in delta.items():
        row = rows.setdefault(key, {})
        for name, value in counters.items():
            row[name] = row.get(name, 0) + value
            if row[name] == 0:
                del row[name]
        if not row:
            del rows[key]


def dates(start: date, end: date) -> list[str]:
    return [(start + timedelta(days=i)).isoformat() for i in range((end - start).days + 1)]


def range_totals(
    rows: daily_counters.Contributions, scope: str, start: date, end: date
) -> dict[str, int]:
    return daily_counters.sum_daily(rows.get((scope, d), {}) for d in dates(start, end))


def active_evaluated(
    events: Iterable[Mapping[str, Any]], active: Iterable[str], start: date, end: date
) -> int:
    """officials_evaluated as the storage layer would compute it from merged evaluations."""
    latest: dict[tuple[str, str], dict] = {}
    for event in events:
        if event["type"] == "official.evaluated":
            key = (event["official_id"], event["period"])
            latest[key] = evaluations.merge_evaluation(latest.get(key), event)
    months = set(evaluations.months_overlapping(start, end))
    active_set = set(active)
    return len({o for (o, period) in latest if o in active_set and period in months})


def latest_eval_for(
    events: Iterable[Mapping[str, Any]], official: str, start: date, end: date
) -> Mapping[str, Any] | None:
    latest: dict[str, dict] = {}
    for event in events:
        if event["type"] == "official.evaluated" and event["official_id"] == official:
            latest[event["period"]] = evaluations.merge_evaluation(
                latest.get(event["period"]), event
            )
    return evaluations.latest_evaluation(latest.values(), start, end)


def unit_kpis(
    events: list[dict[str, Any]],
    unit_id: str,
    start: date,
    end: date | None = None,
    *,
    levels: Mapping[str, str] = LEVELS,
    active: Iterable[str] = (),
    tz: tzinfo = TZ,
    rows: daily_counters.Contributions | None = None,
) -> dict:
    """Metrics through the real pipeline, asserted equal to the reference oracle."""
    end = end or start
    active = list(active)
    rows = daily_rows(events, tz) if rows is None else rows
    metrics = kpi.unit_metrics(
        range_totals(rows, daily_counters.unit_scope(unit_id), start, end),
        level=levels[unit_id],
        unit_levels=levels,
        officials_active=len(active),
        officials_evaluated=active_evaluated(events, active, start, end),
    )
    expected = reference_unit_metrics(
        events,
        unit_id=unit_id,
        start=start,
        end=end,
        tz=tz,
        unit_levels=levels,
        active_official_ids=active,
    )
    assert metrics == expected
    assert list(metrics) == list(kpi.UNIT_METRICS)
    return metrics


def official_kpis(
    events: list[dict[str, Any]],
    official: str,
    start: date,
    end: date | None = None,
    *,
    tz: tzinfo = TZ,
) -> dict:
    end = end or start
    rows = daily_rows(events, tz)
    metrics = kpi.official_metrics(
        range_totals(rows, daily_counters.official_scope(official), start, end),
        latest_eval_for(events, official, start, end),
    )
    expected = reference_official_metrics(events, official_id=official, start=start, end=end, tz=tz)
    assert metrics == expected
    assert list(metrics) == list(kpi.OFFICIAL_METRICS)
    return metrics

"""Daily counters: what a document adds to each (scope, local date), and the rows summed back.

:func:`contributions` turns a document state (``domain.document_state``) into the
document's contribution to the per-(scope, local day) aggregates. The aggregation job keeps
the old state, folds the new events, and adds
``diff_contributions(contributions(old), contributions(new))`` to the daily rows: a late
event that changes how (or on which day) a document counts corrects the right days.
Daily rows summed over a range (:func:`sum_daily`) are what ``domain.kpi`` computes every
metric from.

Counter names, scope names and pair counter names are stored (they key the aggregates
table): they must not change.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, tzinfo
from typing import Any

from chalicelib.domain.document_state import min_entry, normalized
from chalicelib.domain.instants import local_date

# --- counter names ------------------------------------------------------------------------

PROCESSED_TOTAL = "processed_total"
PROCESSED_ONLINE = "processed_online"
ISSUED_TOTAL = "issued_total"
ISSUED_SIGNED_DIGITALLY = "issued_signed_digitally"
ISSUED_ONLINE = "issued_online"
SENT_ELECTRONIC = "sent_electronic"
SENT_PAPER = "sent_paper"
RECEIVED_ELECTRONIC = "received_electronic"
RECEIVED_PAPER = "received_paper"
ON_TIME_TOTAL = "on_time_total"
ON_TIME = "on_time"
EXEMPT_TOTAL = "exempt_total"
PAPER_PAGES = "paper_pages"
DIGITAL_SIGNATURES = "digital_signatures"

# Per-counterpart counters: "pair|<counterpart_unit_id>|<kind>". Unit ids never contain "|".
PAIR_PREFIX = "pair|"
PAIR_KINDS: tuple[str, ...] = (SENT_ELECTRONIC, SENT_PAPER, RECEIVED_ELECTRONIC, RECEIVED_PAPER)

UNIT_SCOPE_PREFIX = "unit#"
OFFICIAL_SCOPE_PREFIX = "official#"


def pair_counter(counterpart_unit_id: str, kind: str) -> str:
    """Name of the per-counterpart counter (kind is one of PAIR_KINDS)."""
    if kind not in PAIR_KINDS:
        raise ValueError(f"unknown pair counter kind: {kind!r}")
    if "|" in counterpart_unit_id:
        raise ValueError(f"invalid unit id: {counterpart_unit_id!r}")
    return f"{PAIR_PREFIX}{counterpart_unit_id}|{kind}"


def unit_scope(unit_id: str) -> str:
    """The scope under which a unit's daily rows are stored."""
    return UNIT_SCOPE_PREFIX + unit_id


def official_scope(official_id: str) -> str:
    """The scope under which an official's daily rows (individual KPIs) are stored."""
    return OFFICIAL_SCOPE_PREFIX + official_id


Counters = dict[str, int]
# (scope, local date as YYYY-MM-DD) -> counters: the key of a daily row.
Contributions = dict[tuple[str, str], Counters]

# --- a document's contributions ----------------------------------------------------------


def _add(out: Contributions, scope: str, day: date, counter: str, amount: int = 1) -> None:
    if amount:
        row = out.setdefault((scope, day.isoformat()), {})
        row[counter] = row.get(counter, 0) + amount


def _unit_online(unit: Mapping[str, Any]) -> bool:
    # DOMAIN.md: none of the unit's processed events on paper and no printed event.
    return not unit.get("processed_paper") and not unit.get("printed")


def contributions(state: Mapping[str, Any], tz: tzinfo) -> Contributions:
    """The document's contribution to the daily aggregates, keyed by (scope, local date).

    Dating: each criterion on the local date of the document's first event of that kind,
    so a document counts at most once per criterion and daily rows sum exactly to any range.

    Exempt documents (secret or state commendation, marked by any event of any unit) count
    only ``exempt_total`` = 1 for each unit with an event on them, dated by that unit's
    *first event of any type* on the document. DOMAIN.md says "with any event of the unit in
    the period"; dating by the first event keeps one day per (document, unit), so summing
    daily rows over a range counts the document once, exactly when its first event for the
    unit falls in the range (a document whose unit events span the range's start but began
    before it is attributed to the earlier period).
    """
    state = normalized(state)
    out: Contributions = {}
    units: Mapping[str, Mapping[str, Any]] = state["units"]

    def day(us: int) -> date:
        return local_date(us, tz)

    if state.get("exempt"):
        for unit_id, unit in units.items():
            _add(out, unit_scope(unit_id), day(unit["first"][0]), EXEMPT_TOTAL)
        return out

    doc_pages: int = state.get("pages") or 0
    for unit_id, unit in units.items():
        scope = unit_scope(unit_id)
        online = _unit_online(unit)
        processed = unit.get("processed")
        if processed is not None:
            d = day(processed[0])
            _add(out, scope, d, PROCESSED_TOTAL)
            if online:
                _add(out, scope, d, PROCESSED_ONLINE)
            due_us, completed_us = processed[2], processed[3]
            if due_us is not None:
                _add(out, scope, d, ON_TIME_TOTAL)
                if completed_us <= due_us:
                    _add(out, scope, d, ON_TIME)
        issued = unit.get("issued")
        if issued is not None:
            d = day(issued[0])
            _add(out, scope, d, ISSUED_TOTAL)
            if unit.get("signed_digital"):
                _add(out, scope, d, ISSUED_SIGNED_DIGITALLY)
            if not unit.get("issued_paper"):
                _add(out, scope, d, ISSUED_ONLINE)
        for key, (electronic_name, paper_name) in (
            ("sent", (SENT_ELECTRONIC, SENT_PAPER)),
            ("received", (RECEIVED_ELECTRONIC, RECEIVED_PAPER)),
        ):
            for counterpart, (us, _event_id, electronic) in unit.get(key, {}).items():
                name = electronic_name if electronic else paper_name
                d = day(us)
                _add(out, scope, d, name)
                _add(out, scope, d, pair_counter(counterpart, name))
        for us, pages in unit.get("printed", {}).values():
            _add(out, scope, day(us), PAPER_PAGES, pages if pages is not None else doc_pages)
        paper_first = unit.get("paper_first")
        if paper_first is not None:
            _add(out, scope, day(paper_first[0]), PAPER_PAGES, doc_pages)

    # Individual KPIs: one document per official even if (anomalously) the official acted
    # for several units; dated by their first processed event on the document, online only
    # if the document qualifies online in every unit where they processed it.
    actors: dict[str, tuple[list[Any], bool]] = {}
    for unit in units.values():
        online = _unit_online(unit)
        for official_id, entry in unit.get("actors", {}).items():
            if official_id in actors:
                previous, prev_online = actors[official_id]
                first = min_entry(previous, entry)
                assert first is not None
                actors[official_id] = (first, prev_online and online)
            else:
                actors[official_id] = (entry, online)
    for official_id, (entry, online) in actors.items():
        scope = official_scope(official_id)
        d = day(entry[0])
        _add(out, scope, d, PROCESSED_TOTAL)
        if online:
            _add(out, scope, d, PROCESSED_ONLINE)
        if entry[2] is not None:
            _add(out, scope, d, ON_TIME_TOTAL)
            if entry[3] <= entry[2]:
                _add(out, scope, d, ON_TIME)
    for official_id, (us, _event_id) in state.get("signers", {}).items():
        _add(out, official_scope(official_id), day(us), DIGITAL_SIGNATURES)

    return {key: row for key, row in out.items() if any(row.values())}


def diff_contributions(
    old: Mapping[tuple[str, str], Mapping[str, int]],
    new: Mapping[tuple[str, str], Mapping[str, int]],
) -> Contributions:
    """new - old per (scope, day) and counter; zero counters and empty keys dropped."""
    out: Contributions = {}
    for key in set(old) | set(new):
        old_row, new_row = old.get(key, {}), new.get(key, {})
        row = {
            name: delta
            for name in set(old_row) | set(new_row)
            if (delta := new_row.get(name, 0) - old_row.get(name, 0))
        }
        if row:
            out[key] = row
    return out


# --- reading the rows back ---------------------------------------------------------------


def sum_daily(rows: Iterable[Mapping[str, int]]) -> dict[str, int]:
    """Sum daily counter rows (of one scope) over a range."""
    totals: dict[str, int] = {}
    for row in rows:
        for name, value in row.items():
            totals[name] = totals.get(name, 0) + int(value)
    return totals


def interconnection_pairs(totals: Mapping[str, int]) -> dict[str, dict[str, int]]:
    """counterpart unit id -> its four pair counters (for the exchange matrix)."""
    pairs: dict[str, dict[str, int]] = {}
    for name, value in totals.items():
        if not name.startswith(PAIR_PREFIX):
            continue
        counterpart, _, kind = name[len(PAIR_PREFIX) :].rpartition("|")
        if kind not in PAIR_KINDS or not counterpart:
            raise ValueError(f"malformed pair counter: {name!r}")
        pairs.setdefault(counterpart, dict.fromkeys(PAIR_KINDS, 0))[kind] += int(value)
    return pairs

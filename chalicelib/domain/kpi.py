"""Pure KPI core: document state, daily contributions and the read-side formulas.

Everything here is AWS-free and I/O-free; the aggregation job (storage layer) calls it.

Write side
----------
Events of one document (identified by ``(source_id, document.id)``) are folded into a
*document state* with :func:`fold_events`. The job applies events in batches, in any order and
possibly more than once (redelivery, crash recovery), so the state is a join-semilattice: it is
a deterministic function of the *set* of events folded (identity ``(source_id, event_id)``).
Every field is combined only with min (by ``(instant, event_id)``), max, OR, AND or a union of
maps keyed by event_id / unit / official; there are no counters in the state.

:func:`contributions` turns a state into the document's contribution to per-(scope, local
day) aggregates. The job keeps the old state, folds the new events, and adds
``diff_contributions(contributions(old), contributions(new))`` to the daily rows: a late event
that changes how (or on which day) a document counts corrects the right days.

State shape (JSON / DynamoDB friendly: dict, list, str, int, bool, None; instants are int
epoch microseconds UTC; absent key = "nothing seen yet", i.e. the lattice bottom)::

    {
      "v": 1,
      "source_id": str, "document_id": str,
      "exempt": true,                      # OR; key present only when true
      "pages": int,                        # max of document.pages seen
      "units": {unit_id: {
          "first": [us, event_id],          # min over all of the unit's events (exempt dating)
          "processed": [us, event_id, due_us|None, completed_us],   # first processed (min)
          "processed_paper": true,          # OR: some processed event on paper
          "printed": {event_id: [us, pages|None]},                   # union by event_id
          "paper_first": [us, event_id],    # min over paper processed-or-issued events
          "issued": [us, event_id],         # first issued (min)
          "issued_paper": true,             # OR: some issued event on paper
          "signed_digital": true,           # OR: the unit applied a digital signature
          "sent": {to_unit_id: [us, event_id, all_electronic]},      # min + AND
          "received": {from_unit_id: [us, event_id, all_electronic]},
          "actors": {official_id: [us, event_id, due_us|None, completed_us]},  # min
      }},
      "signers": {official_id: [us, event_id]},  # first digital signature per signer (min)
    }

Once a document is exempt (absorbing), everything but ``exempt`` and each unit's ``first``
is dropped: that is all an exempt document ever contributes, and DOMAIN.md asks to keep no
more than needed to count them. The projection commutes with the join, so it stays a lattice.

Read side
---------
Daily rows summed over a range (:func:`sum_daily`) give every metric of DOMAIN.md through
:func:`unit_metrics` / :func:`official_metrics`; then :func:`compliance`, :func:`score` and
:func:`rank`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta, tzinfo
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

# Levels and criteria come from the shared vocabulary; the formulas below are written in them.
from chalicelib.domain.vocabulary import (
    CRITERIA,
    CRITERIA_BY_KEY,
    DEFAULT_TARGETS,
    DEFAULT_WEIGHTS,
    LEVEL_COMMUNE,
    LEVEL_DIVISION,
    PROVINCE_LEVELS,
    UNIT_LEVELS,
    criteria_for,
)

STATE_VERSION = 1
LEVELS = frozenset(UNIT_LEVELS)

# --- event vocabulary ---------------------------------------------------------------------

EV_REGISTERED = "document.registered"
EV_PROCESSED = "document.processed"
EV_SIGNED = "document.signed"
EV_ISSUED = "document.issued"
EV_SENT = "document.sent"
EV_RECEIVED = "document.received"
EV_PRINTED = "document.printed"
EV_EVALUATED = "official.evaluated"
DOCUMENT_EVENT_TYPES = frozenset(
    {EV_REGISTERED, EV_PROCESSED, EV_SIGNED, EV_ISSUED, EV_SENT, EV_RECEIVED, EV_PRINTED}
)
CHANNEL_ELECTRONIC = "electronic"
CHANNEL_PAPER = "paper"
METHOD_DIGITAL = "digital"
METHOD_HANDWRITTEN = "handwritten"
SECURITY_NORMAL = "thuong"

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
    return UNIT_SCOPE_PREFIX + unit_id


def official_scope(official_id: str) -> str:
    return OFFICIAL_SCOPE_PREFIX + official_id


# --- metrics ------------------------------------------------------------------------------

UNIT_METRICS: tuple[str, ...] = (
    "processed_total",
    "processed_online",
    "online_rate",
    "issued_total",
    "issued_signed_digitally",
    "signing_rate",
    "issued_online",
    "e_issuance_rate",
    "sent_electronic",
    "sent_paper",
    "received_electronic",
    "received_paper",
    "two_way_interconnection",
    "officials_active",
    "officials_evaluated",
    "kpi_coverage",
    "on_time_total",
    "on_time",
    "on_time_rate",
    "exempt_total",
    "paper_pages",
)
OFFICIAL_METRICS: tuple[str, ...] = (
    "processed_total",
    "processed_online",
    "online_rate",
    "on_time_total",
    "on_time",
    "on_time_rate",
    "digital_signatures",
    "latest_evaluation_score",
    "latest_evaluation_period",
)

Counters = dict[str, int]
Contributions = dict[tuple[str, str], Counters]

# --- instants -----------------------------------------------------------------------------

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def parse_instant_us(value: str) -> int:
    """RFC 3339 string with offset -> int epoch microseconds UTC (exact, no float)."""
    if not isinstance(value, str):
        raise ValueError(f"instant must be a string: {value!r}")
    dt = datetime.fromisoformat(value)
    if dt.tzinfo is None or dt.utcoffset() is None:
        # Without an offset the local date is unknowable; the API rejects these too.
        raise ValueError(f"instant without offset: {value!r}")
    delta = dt - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def local_date(us: int, tz: tzinfo) -> date:
    """Local calendar date of an epoch-microsecond instant in ``tz``."""
    return (_EPOCH + timedelta(microseconds=us)).astimezone(tz).date()


# --- lattice helpers ----------------------------------------------------------------------


def _sortable(entry: Sequence[Any]) -> tuple[tuple[int, Any], ...]:
    # Total order on entries whose optional fields may be None: (instant, event_id) decide;
    # later fields only break ties between conflicting payloads of one event_id, so the
    # choice never depends on arrival order.
    return tuple((0, 0) if v is None else (1, v) for v in entry)


def _min_entry(a: list[Any] | None, b: list[Any] | None) -> list[Any] | None:
    if a is None:
        return b
    if b is None:
        return a
    return a if _sortable(a) <= _sortable(b) else b


def _join_pair_entry(a: list[Any], b: list[Any]) -> list[Any]:
    # [us, event_id, all_electronic]: first event by min, channel flag by AND.
    first = a if _sortable(a[:2]) <= _sortable(b[:2]) else b
    return [first[0], first[1], bool(a[2]) and bool(b[2])]


def _join_maps(
    a: Mapping[str, list[Any]] | None,
    b: Mapping[str, list[Any]] | None,
    join: Callable[[list[Any], list[Any]], list[Any]],
) -> dict[str, list[Any]] | None:
    if not a and not b:
        return None
    out: dict[str, list[Any]] = {k: list(v) for k, v in (a or {}).items()}
    for k, v in (b or {}).items():
        out[k] = join(out[k], list(v)) if k in out else list(v)
    return out


def _min_join(a: list[Any], b: list[Any]) -> list[Any]:
    result = _min_entry(a, b)
    assert result is not None
    return list(result)


_UNIT_MIN_FIELDS = ("first", "processed", "paper_first", "issued")
_UNIT_OR_FIELDS = ("processed_paper", "issued_paper", "signed_digital")
_UNIT_MAP_FIELDS: tuple[tuple[str, Callable[[list[Any], list[Any]], list[Any]]], ...] = (
    ("printed", _min_join),
    ("sent", _join_pair_entry),
    ("received", _join_pair_entry),
    ("actors", _min_join),
)


def _join_unit(a: Mapping[str, Any], b: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in _UNIT_MIN_FIELDS:
        value = _min_entry(a.get(key), b.get(key))
        if value is not None:
            out[key] = list(value)
    for key in _UNIT_OR_FIELDS:
        if a.get(key) or b.get(key):
            out[key] = True
    for key, join in _UNIT_MAP_FIELDS:
        merged = _join_maps(a.get(key), b.get(key), join)
        if merged:
            out[key] = merged
    return out


def _project(state: dict[str, Any]) -> dict[str, Any]:
    """Canonical form: an exempt document keeps only what exempt_total needs."""
    if state.get("exempt"):
        state.pop("pages", None)
        state.pop("signers", None)
        state["units"] = {u: {"first": s["first"]} for u, s in state["units"].items()}
    return state


def merge_states(a: Mapping[str, Any], b: Mapping[str, Any]) -> dict[str, Any]:
    """Lattice join of two states of the same document (commutative, associative, idempotent).

    Useful to the storage layer too: two concurrent writers can merge instead of retrying.
    """
    if (a["source_id"], a["document_id"]) != (b["source_id"], b["document_id"]):
        raise ValueError("cannot merge states of different documents")
    return _merge(_normalized(a), _normalized(b))


def _merge(a: Mapping[str, Any], b: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "v": STATE_VERSION,
        "source_id": a["source_id"],
        "document_id": a["document_id"],
    }
    if a.get("exempt") or b.get("exempt"):
        out["exempt"] = True
    pages = [p for p in (a.get("pages"), b.get("pages")) if p is not None]
    if pages:
        out["pages"] = max(pages)
    units: dict[str, Any] = {}
    for unit_id in sorted(set(a["units"]) | set(b["units"])):
        units[unit_id] = _join_unit(a["units"].get(unit_id, {}), b["units"].get(unit_id, {}))
    out["units"] = units
    signers = _join_maps(a.get("signers"), b.get("signers"), _min_join)
    if signers:
        out["signers"] = signers
    return _project(out)


def exempt_state(source_id: str, document_id: str) -> dict[str, Any]:
    """The lattice element "this document is exempt" with no event: joined into a state
    when the service learns of a marking (a marker) without folding the marking event."""
    return {
        "v": STATE_VERSION,
        "source_id": source_id,
        "document_id": document_id,
        "exempt": True,
        "units": {},
    }


# --- events -> singleton states -----------------------------------------------------------


def _required(mapping: Mapping[str, Any], key: str, what: str) -> Any:
    value = mapping.get(key)
    if value is None:
        raise ValueError(f"{what}: missing {key!r}")
    return value


def _opt_int(value: Any, what: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{what}: pages must be a non-negative integer, got {value!r}")
    return value


def _channel(event: Mapping[str, Any], what: str) -> str:
    # Strict: an unknown channel must not silently count as electronic (or as paper).
    channel = _required(event, "channel", what)
    if channel not in (CHANNEL_ELECTRONIC, CHANNEL_PAPER):
        raise ValueError(f"{what}: unknown channel {channel!r}")
    return str(channel)


def document_key(event: Mapping[str, Any]) -> tuple[str, str]:
    """(source_id, document.id) of a document event."""
    document = event.get("document")
    if not isinstance(document, Mapping):
        raise ValueError(f"event {event.get('event_id')!r}: not a document event")
    return (
        str(_required(event, "source_id", "event")),
        str(_required(document, "id", "document")),
    )


def is_exempt_event(event: Mapping[str, Any]) -> bool:
    """Whether this event marks its document secret or a state commendation dossier."""
    document = event.get("document") or {}
    security = document.get("security") or SECURITY_NORMAL
    return security != SECURITY_NORMAL or bool(document.get("state_commendation", False))


def _event_state(event: Mapping[str, Any]) -> dict[str, Any]:
    """The state of a document that has seen only this event."""
    etype = _required(event, "type", "event")
    if etype not in DOCUMENT_EVENT_TYPES:
        raise ValueError(f"not a document event type: {etype!r}")
    source_id, document_id = document_key(event)
    event_id = str(_required(event, "event_id", "event"))
    what = f"event {event_id!r}"
    unit_id = str(_required(event, "unit_id", what))
    us = parse_instant_us(_required(event, "occurred_at", what))
    document = event["document"]

    unit: dict[str, Any] = {"first": [us, event_id]}
    state: dict[str, Any] = {
        "v": STATE_VERSION,
        "source_id": source_id,
        "document_id": document_id,
        "units": {unit_id: unit},
    }
    if is_exempt_event(event):
        state["exempt"] = True
    doc_pages = _opt_int(document.get("pages"), what)
    if doc_pages is not None:
        state["pages"] = doc_pages

    if etype == EV_PROCESSED:
        channel = _channel(event, what)
        actor = str(_required(event, "actor_official_id", what))
        due = event.get("due_at")
        due_us = parse_instant_us(due) if due is not None else None
        completed = event.get("completed_at")
        completed_us = parse_instant_us(completed) if completed is not None else us
        unit["processed"] = [us, event_id, due_us, completed_us]
        unit["actors"] = {actor: [us, event_id, due_us, completed_us]}
        if channel == CHANNEL_PAPER:
            unit["processed_paper"] = True
            unit["paper_first"] = [us, event_id]
    elif etype == EV_ISSUED:
        unit["issued"] = [us, event_id]
        if _channel(event, what) == CHANNEL_PAPER:
            unit["issued_paper"] = True
            unit["paper_first"] = [us, event_id]
    elif etype == EV_SIGNED:
        method = _required(event, "method", what)
        if method not in (METHOD_DIGITAL, METHOD_HANDWRITTEN):
            raise ValueError(f"{what}: unknown signature method {method!r}")
        if method == METHOD_DIGITAL:
            unit["signed_digital"] = True
            signer = str(_required(event, "signer_official_id", what))
            state["signers"] = {signer: [us, event_id]}
    elif etype in (EV_SENT, EV_RECEIVED):
        field, key = ("to_unit_id", "sent") if etype == EV_SENT else ("from_unit_id", "received")
        counterpart = str(_required(event, field, what))
        electronic = _channel(event, what) == CHANNEL_ELECTRONIC
        unit[key] = {counterpart: [us, event_id, electronic]}
    elif etype == EV_PRINTED:
        unit["printed"] = {event_id: [us, _opt_int(event.get("pages"), what)]}
    # document.registered: only its "first" matters (exempt dating).
    return _project(state)


def _normalized(value: Any) -> Any:
    """Deep copy with plain JSON types: DynamoDB hands integers back as Decimal."""
    if isinstance(value, Mapping):
        return {str(k): _normalized(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_normalized(v) for v in value]
    if isinstance(value, Decimal):
        if value != value.to_integral_value():
            raise ValueError(f"non-integral number in document state: {value}")
        return int(value)
    return value


def fold_events(state: Mapping[str, Any] | None, events: Iterable[Mapping[str, Any]]) -> dict:
    """Fold document events into a document state; returns a new state (input untouched).

    All events must belong to the state's document. The result depends only on the set of
    events ever folded, whatever the batching, order or repetition.
    """
    result: dict[str, Any] | None = None
    if state is not None:
        if state.get("v") != STATE_VERSION:
            raise ValueError(f"unsupported document state version: {state.get('v')!r}")
        result = _normalized(state)
    for event in events:
        single = _event_state(event)
        if result is not None and (result["source_id"], result["document_id"]) != (
            single["source_id"],
            single["document_id"],
        ):
            raise ValueError(
                f"event {event.get('event_id')!r} belongs to another document: "
                f"{(single['source_id'], single['document_id'])!r}"
            )
        result = single if result is None else _merge(result, single)
    if result is None:
        raise ValueError("cannot build a document state from no events")
    return result


# --- contributions ------------------------------------------------------------------------


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
    state = _normalized(state)
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
                first = _min_entry(previous, entry)
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


# --- evaluations --------------------------------------------------------------------------


def _evaluation_key(ev: Mapping[str, Any]) -> tuple[int, str, Any]:
    # Later occurred_at wins; event_id (then score) break ties deterministically.
    return (ev["occurred_at_us"], ev["event_id"], ev["score"])


def merge_evaluation(current: Mapping[str, Any] | None, event: Mapping[str, Any]) -> dict:
    """Keep the latest ``official.evaluated`` event per (official_id, period)."""
    if event.get("type", EV_EVALUATED) != EV_EVALUATED:
        raise ValueError(f"not an evaluation event: {event.get('type')!r}")
    event_id = str(_required(event, "event_id", "evaluation"))
    period = str(_required(event, "period", "evaluation"))
    _parse_period(period)
    score_value = _required(event, "score", "evaluation")
    if isinstance(score_value, bool) or not isinstance(score_value, int | float):
        raise ValueError(f"evaluation {event_id!r}: score must be a number")
    candidate = {
        "official_id": str(_required(event, "official_id", "evaluation")),
        "unit_id": str(_required(event, "unit_id", "evaluation")),
        "period": period,
        "score": score_value,
        "occurred_at_us": parse_instant_us(_required(event, "occurred_at", "evaluation")),
        "event_id": event_id,
    }
    if current is None:
        return candidate
    if (current["official_id"], current["period"]) != (candidate["official_id"], period):
        raise ValueError("evaluation belongs to another (official_id, period)")
    return dict(current) if _evaluation_key(current) >= _evaluation_key(candidate) else candidate


def _parse_period(period: str) -> tuple[int, int]:
    try:
        year_s, month_s = period.split("-")
        year, month = int(year_s), int(month_s)
    except ValueError as exc:
        raise ValueError(f"period must be YYYY-MM: {period!r}") from exc
    if len(year_s) != 4 or len(month_s) != 2 or not 1 <= month <= 12:
        raise ValueError(f"period must be YYYY-MM: {period!r}")
    return year, month


def months_overlapping(start: date, end: date) -> list[str]:
    """The "YYYY-MM" months touched by the inclusive local-date range [start, end]."""
    months: list[str] = []
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def latest_evaluation(
    evaluations: Iterable[Mapping[str, Any]], start: date, end: date
) -> Mapping[str, Any] | None:
    """Among stored evaluations whose period overlaps [start, end], the latest one.

    Latest = greatest period, then latest (occurred_at, event_id): a re-evaluation of an
    older month recorded late does not hide the evaluation of a more recent month.
    """
    months = set(months_overlapping(start, end))
    best: Mapping[str, Any] | None = None
    for ev in evaluations:
        if ev["period"] not in months:
            continue
        if best is None or (ev["period"], *_evaluation_key(ev)) > (
            best["period"],
            *_evaluation_key(best),
        ):
            best = ev
    return best


# --- read side ----------------------------------------------------------------------------


def sum_daily(rows: Iterable[Mapping[str, int]]) -> dict[str, int]:
    """Sum daily counter rows (of one scope) over a range."""
    totals: dict[str, int] = {}
    for row in rows:
        for name, value in row.items():
            totals[name] = totals.get(name, 0) + int(value)
    return totals


def ratio(numerator: int, denominator: int) -> float | None:
    """numerator / denominator, None ("no data", never 100%) when the denominator is 0."""
    return numerator / denominator if denominator else None


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


def two_way_interconnection(
    totals: Mapping[str, int], *, level: str, unit_levels: Mapping[str, str]
) -> bool | None:
    """Two-way electronic exchange with the other tier, by the *current* registry levels.

    commune: >=1 electronic sent pair to and >=1 electronic received pair from a province-
    level unit; province/department: the same with communes; division: None. Counterparts
    absent from the registry never count.
    """
    _check_level(level)
    if level == LEVEL_DIVISION:
        return None
    wanted = PROVINCE_LEVELS if level == LEVEL_COMMUNE else frozenset({LEVEL_COMMUNE})
    sent = received = False
    for counterpart, counts in interconnection_pairs(totals).items():
        if unit_levels.get(counterpart) not in wanted:
            continue
        sent = sent or counts[SENT_ELECTRONIC] > 0
        received = received or counts[RECEIVED_ELECTRONIC] > 0
    return sent and received


def _check_level(level: str) -> None:
    if level not in LEVELS:
        raise ValueError(f"unknown unit level: {level!r}")


def unit_metrics(
    totals: Mapping[str, int],
    *,
    level: str,
    unit_levels: Mapping[str, str],
    officials_active: int,
    officials_evaluated: int,
) -> dict:
    """Every per-unit metric of DOMAIN.md from a unit's counters summed over a range."""

    def get(name: str) -> int:
        return int(totals.get(name, 0))

    return {
        "processed_total": get(PROCESSED_TOTAL),
        "processed_online": get(PROCESSED_ONLINE),
        "online_rate": ratio(get(PROCESSED_ONLINE), get(PROCESSED_TOTAL)),
        "issued_total": get(ISSUED_TOTAL),
        "issued_signed_digitally": get(ISSUED_SIGNED_DIGITALLY),
        "signing_rate": ratio(get(ISSUED_SIGNED_DIGITALLY), get(ISSUED_TOTAL)),
        "issued_online": get(ISSUED_ONLINE),
        "e_issuance_rate": ratio(get(ISSUED_ONLINE), get(ISSUED_TOTAL)),
        "sent_electronic": get(SENT_ELECTRONIC),
        "sent_paper": get(SENT_PAPER),
        "received_electronic": get(RECEIVED_ELECTRONIC),
        "received_paper": get(RECEIVED_PAPER),
        "two_way_interconnection": two_way_interconnection(
            totals, level=level, unit_levels=unit_levels
        ),
        "officials_active": officials_active,
        "officials_evaluated": officials_evaluated,
        "kpi_coverage": ratio(officials_evaluated, officials_active),
        "on_time_total": get(ON_TIME_TOTAL),
        "on_time": get(ON_TIME),
        "on_time_rate": ratio(get(ON_TIME), get(ON_TIME_TOTAL)),
        "exempt_total": get(EXEMPT_TOTAL),
        "paper_pages": get(PAPER_PAGES),
    }


def official_metrics(totals: Mapping[str, int], latest_evaluation: Mapping | None) -> dict:
    """Individual KPIs from an official's counters summed over a range."""

    def get(name: str) -> int:
        return int(totals.get(name, 0))

    return {
        "processed_total": get(PROCESSED_TOTAL),
        "processed_online": get(PROCESSED_ONLINE),
        "online_rate": ratio(get(PROCESSED_ONLINE), get(PROCESSED_TOTAL)),
        "on_time_total": get(ON_TIME_TOTAL),
        "on_time": get(ON_TIME),
        "on_time_rate": ratio(get(ON_TIME), get(ON_TIME_TOTAL)),
        "digital_signatures": get(DIGITAL_SIGNATURES),
        "latest_evaluation_score": latest_evaluation["score"] if latest_evaluation else None,
        "latest_evaluation_period": latest_evaluation["period"] if latest_evaluation else None,
    }


def _criteria_for(level: str) -> tuple[str, ...]:
    _check_level(level)
    return criteria_for(level)


def compliance(
    metrics: Mapping[str, Any], *, level: str, targets: Mapping[str, float] | None = None
) -> dict:
    """Per-criterion compliance and the overall verdict; a None rate is never compliant, a
    criterion that does not apply at the level is None."""
    applicable = _criteria_for(level)
    merged = {**DEFAULT_TARGETS, **(targets or {})}
    result: dict[str, bool | None] = {}
    for name in CRITERIA:
        value = metrics.get(name)
        if not CRITERIA_BY_KEY[name].is_rate:
            result[name] = None if name not in applicable else value is True
        else:
            result[name] = value is not None and value >= merged[name]
    result["compliant"] = all(result[name] for name in applicable)
    return result


def score(
    metrics: Mapping[str, Any], *, level: str, weights: Mapping[str, float] | None = None
) -> float:
    """100 x weighted mean of the criteria (two-way as 1/0, left out for divisions).

    A None rate counts 0. Weights missing from ``weights`` fall back to DEFAULT_WEIGHTS.
    Rounded to 2 decimals (half up) because the displayed score is what ranks: two units
    shown with the same score must tie, not be split by float noise in the 15th digit. The
    sum is computed exactly (Fraction) and first snapped to 9 decimals so mathematically equal
    scores reached through different float rates round identically.
    """
    merged = {**DEFAULT_WEIGHTS, **(weights or {})}
    total_weight = Fraction(0)
    weighted = Fraction(0)
    for name in _criteria_for(level):
        weight = Fraction(merged[name])
        if weight < 0:
            raise ValueError(f"negative weight for {name!r}")
        value = metrics.get(name)
        if not CRITERIA_BY_KEY[name].is_rate:
            value_f = Fraction(1 if value is True else 0)
        else:
            value_f = Fraction(value) if value is not None else Fraction(0)
        total_weight += weight
        weighted += weight * value_f
    if total_weight == 0:
        raise ValueError("all criterion weights are zero")
    exact = 100 * weighted / total_weight
    snapped = (Decimal(exact.numerator) / Decimal(exact.denominator)).quantize(
        Decimal("1e-9"), rounding=ROUND_HALF_EVEN
    )
    return float(snapped.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def _rank_key(row: Mapping[str, Any]) -> tuple[Any, ...]:
    # Descending score, online_rate (None below any number), processed_total.
    def desc(value: float | int | None) -> tuple[int, float]:
        return (1, 0.0) if value is None else (0, -value)

    return (desc(row.get("score")), desc(row.get("online_rate")), desc(row.get("processed_total")))


def rank(rows: Sequence[Mapping[str, Any]]) -> list[dict]:
    """Standard competition ranking (1, 2, 2, 4); ties listed by unit_id."""
    ordered = sorted(rows, key=lambda r: (_rank_key(r), str(r["unit_id"])))
    ranked: list[dict] = []
    previous_key: tuple[Any, ...] | None = None
    current_rank = 0
    for position, row in enumerate(ordered, start=1):
        key = _rank_key(row)
        if key != previous_key:
            current_rank, previous_key = position, key
        ranked.append({**row, "rank": current_rank})
    return ranked

"""Hypothesis properties of the KPI core.

1. Document state is a join-semilattice: folding is insensitive to batching, order and
   duplicates, and merge_states is commutative, associative and idempotent.
2. The incremental pipeline (fold batches at random points, add diff_contributions to daily
   rows, sum a random range) gives exactly the reference oracle's figures for every unit and
   official, at every checkpoint.
"""

from __future__ import annotations

import itertools
import json
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chalicelib.domain import daily_counters, document_state, evaluations, kpi
from tests.unit.conftest import (
    TZ,
    add_into,
    latest_eval_for,
    official_kpis,
    range_totals,
    unit_kpis,
)

SETTINGS = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

LEVELS = {"P": "province", "D1": "department", "C1": "commune", "C2": "commune", "V1": "division"}
UNITS = sorted(LEVELS)
OFFICIALS = ["O1", "O2", "O3"]
ACTIVE = {"P": [], "D1": ["O3"], "C1": ["O1", "O2"], "C2": ["O2", "O9"], "V1": []}
SOURCES = ["s1", "s2"]
DOCS = ["A", "B", "C", "D"]
# Only some documents may be marked exempt: with ~10 events per document, a per-event mark
# would make nearly every document exempt and leave the other formulas untested.
MAY_BE_EXEMPT = {"D"}
# Around the July/August boundary so evaluation periods matter; local midnight is 17:00Z.
BASE = datetime(2025, 7, 30, 17, 0, tzinfo=UTC)
FIRST_DAY, LAST_DAY = date(2025, 7, 30), date(2025, 8, 4)
OFFSETS = [
    UTC,
    timezone(timedelta(hours=7)),
    timezone(timedelta(hours=-5)),
    timezone(timedelta(hours=9)),
    timezone(timedelta(hours=5, minutes=30)),
]
# Weighted (repeats) so that a few units and documents collect several events of each kind.
DOC_TYPES = [
    "document.registered",
    "document.processed",
    "document.processed",
    "document.processed",
    "document.signed",
    "document.signed",
    "document.issued",
    "document.issued",
    "document.sent",
    "document.sent",
    "document.received",
    "document.received",
    "document.printed",
]
ACTING_UNITS = ["C1", "C1", "C1", "D1", "D1", "C2", "P", "V1"]
# EXT.BO is outside the registry: counts in sent/received, never in two-way.
WEIGHTED_COUNTERPARTS = ["D1", "D1", "C1", "C1", "P", "C2", "V1", "EXT.BO"]
WEIGHTED_SOURCES = ["s1", "s1", "s1", "s2"]


@st.composite
def instants(draw: st.DrawFn) -> str:
    # Coarse grid (half hours, a few seconds) so equal instants and midnight edges are common.
    delta = timedelta(
        minutes=30 * draw(st.integers(-8, 9 * 48 // 2)),
        seconds=draw(st.sampled_from([0, 0, 0, -1])),
    )
    moment = (BASE + delta).astimezone(draw(st.sampled_from(OFFSETS)))
    text = moment.isoformat()
    return text.replace("+00:00", "Z") if draw(st.booleans()) else text


@st.composite
def document_events(
    draw: st.DrawFn,
    source: str | None = None,
    doc: str | None = None,
    may_be_exempt: bool | None = None,
) -> dict[str, Any]:
    etype = draw(st.sampled_from(DOC_TYPES))
    document: dict[str, Any] = {"id": doc or draw(st.sampled_from(DOCS))}
    if may_be_exempt is None:
        may_be_exempt = document["id"] in MAY_BE_EXEMPT
    marks = ["mat", "toi_mat", "tuyet_mat"] if may_be_exempt else []
    security = draw(st.sampled_from([None] * 12 + ["thuong", *marks]))
    if security is not None:
        document["security"] = security
    if may_be_exempt and draw(st.integers(0, 20)) == 0:
        document["state_commendation"] = True
    elif draw(st.integers(0, 5)) == 0:
        document["state_commendation"] = False
    if draw(st.booleans()):
        document["pages"] = draw(st.integers(0, 9))
    at = draw(instants())
    event: dict[str, Any] = {
        "source_id": source or draw(st.sampled_from(WEIGHTED_SOURCES)),
        "type": etype,
        "occurred_at": at,
        "unit_id": draw(st.sampled_from(ACTING_UNITS)),
        "document": document,
    }
    channel = st.sampled_from(["electronic", "electronic", "paper"])
    if etype == "document.registered":
        event["direction"] = draw(st.sampled_from(["incoming", "outgoing"]))
    elif etype == "document.processed":
        event["channel"] = draw(channel)
        event["actor_official_id"] = draw(st.sampled_from(OFFICIALS))
        if draw(st.booleans()):
            event["completed_at"] = draw(instants())
        due = draw(st.sampled_from(["none", "random", "exact"]))
        if due == "random":
            event["due_at"] = draw(instants())
        elif due == "exact":  # due exactly at completion, written with another offset
            completed = datetime.fromisoformat(event.get("completed_at", at))
            event["due_at"] = completed.astimezone(draw(st.sampled_from(OFFSETS))).isoformat()
    elif etype == "document.signed":
        event["method"] = draw(st.sampled_from(["digital", "digital", "handwritten"]))
        event["signer_official_id"] = draw(st.sampled_from(OFFICIALS))
    elif etype == "document.issued":
        event["channel"] = draw(channel)
    elif etype == "document.sent":
        event["to_unit_id"] = draw(st.sampled_from(WEIGHTED_COUNTERPARTS))
        event["channel"] = draw(channel)
    elif etype == "document.received":
        event["from_unit_id"] = draw(st.sampled_from(WEIGHTED_COUNTERPARTS))
        event["channel"] = draw(channel)
    elif etype == "document.printed" and draw(st.booleans()):
        event["pages"] = draw(st.integers(0, 9))
    return event


@st.composite
def evaluation_events(draw: st.DrawFn) -> dict[str, Any]:
    official = draw(st.sampled_from([*OFFICIALS, "O9"]))
    return {
        "source_id": draw(st.sampled_from(SOURCES)),
        "type": "official.evaluated",
        "occurred_at": draw(instants()),
        "unit_id": "C1",
        "official_id": official,
        "period": draw(st.sampled_from(["2025-07", "2025-08", "2025-09"])),
        "score": draw(st.integers(0, 100)),
    }


def with_ids(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Event ids unique per source; the same id recurs across sources on purpose."""
    counters: dict[str, int] = {}
    for event in events:
        n = counters.get(event["source_id"], 0)
        counters[event["source_id"]] = n + 1
        event["event_id"] = f"e{n:03d}"
    return events


@st.composite
def deliveries(draw: st.DrawFn, events: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Every event at least once, some again (redelivery), any order, in batches."""
    again = draw(st.lists(st.sampled_from(events), max_size=len(events))) if events else []
    stream = draw(st.permutations([*events, *again]))
    cuts = sorted(draw(st.sets(st.integers(1, max(len(stream) - 1, 1)), max_size=6)))
    bounds = [0, *[c for c in cuts if c < len(stream)], len(stream)]
    return [stream[a:b] for a, b in itertools.pairwise(bounds) if b > a]


def decimalized(value: Any) -> Any:
    """What a DynamoDB round trip does to a state: every number becomes a Decimal."""
    if isinstance(value, dict):
        return {k: decimalized(v) for k, v in value.items()}
    if isinstance(value, list):
        return [decimalized(v) for v in value]
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    return value


# --- (1) lattice ---------------------------------------------------------------------------


@st.composite
def one_document(draw: st.DrawFn) -> list[dict[str, Any]]:
    may_be_exempt = draw(st.booleans())
    events = draw(
        st.lists(
            document_events(source="s1", doc="A", may_be_exempt=may_be_exempt),
            min_size=1,
            max_size=14,
        )
    )
    return with_ids(events)


@SETTINGS
@given(data=st.data(), events=one_document())
def test_fold_depends_only_on_the_set_of_events(
    data: st.DataObject, events: list[dict[str, Any]]
) -> None:
    canonical = document_state.fold_events(None, events)
    batches = data.draw(deliveries(events))
    state: dict | None = None
    for i, batch in enumerate(batches):
        if state is not None and i % 2:
            # as stored and read back from DynamoDB
            state = decimalized(json.loads(json.dumps(state)))
        state = document_state.fold_events(state, batch)
    assert state == canonical
    assert json.dumps(state, sort_keys=True) == json.dumps(canonical, sort_keys=True)
    # idempotent: re-applying any subset changes nothing
    subset = data.draw(st.lists(st.sampled_from(events), max_size=len(events)))
    assert document_state.fold_events(canonical, subset) == canonical
    assert daily_counters.contributions(decimalized(canonical), TZ) == daily_counters.contributions(
        canonical, TZ
    )


@SETTINGS
@given(data=st.data(), events=one_document())
def test_merge_is_a_join(data: st.DataObject, events: list[dict[str, Any]]) -> None:
    parts = data.draw(st.lists(st.sampled_from(events), min_size=1, max_size=6), label="p")
    groups = [
        data.draw(st.lists(st.sampled_from(events), min_size=1, max_size=len(events)))
        for _ in range(3)
    ]
    a, b, c = (document_state.fold_events(None, g) for g in groups)
    assert document_state.merge_states(a, b) == document_state.merge_states(b, a)
    assert document_state.merge_states(
        document_state.merge_states(a, b), c
    ) == document_state.merge_states(a, document_state.merge_states(b, c))
    assert document_state.merge_states(a, a) == a
    assert document_state.merge_states(a, b) == document_state.fold_events(
        None, [*groups[0], *groups[1]]
    )
    assert document_state.fold_events(a, parts) == document_state.merge_states(
        a, document_state.fold_events(None, parts)
    )


# --- (2) incremental pipeline == reference ---------------------------------------------------


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[list[dict], list[list[dict]], list[tuple | None]]:
    events = draw(st.lists(document_events(), min_size=10, max_size=50))
    events += draw(st.lists(evaluation_events(), max_size=6))
    events = with_ids(events)
    batches = draw(deliveries(events))
    # after each batch: maybe a checkpoint with a random local-date range
    day = st.integers(0, (LAST_DAY - FIRST_DAY).days)
    checks: list[tuple | None] = []
    for i in range(len(batches)):
        if i == len(batches) - 1 or draw(st.booleans()):
            start = FIRST_DAY + timedelta(days=draw(day))
            checks.append((start, start + timedelta(days=draw(st.integers(0, 4)))))
        else:
            checks.append(None)
    return events, batches, checks


class Aggregator:
    """A minimal in-memory stand-in for the storage job: state per document, daily rows."""

    def __init__(self) -> None:
        self.states: dict[tuple[str, str], dict] = {}
        self.rows: daily_counters.Contributions = {}
        self.evaluations: dict[tuple[str, str], dict] = {}
        self.applied: list[dict[str, Any]] = []

    def run(self, batch: list[dict[str, Any]]) -> None:
        by_doc: dict[tuple[str, str], list[dict[str, Any]]] = {}
        for event in batch:
            if event["type"] == "official.evaluated":
                key = (event["official_id"], event["period"])
                self.evaluations[key] = evaluations.merge_evaluation(
                    self.evaluations.get(key), event
                )
            else:
                by_doc.setdefault(document_state.document_key(event), []).append(event)
        for key, doc_events in by_doc.items():
            old = self.states.get(key)
            new = document_state.fold_events(old, doc_events)
            old_c = daily_counters.contributions(old, TZ) if old is not None else {}
            add_into(
                self.rows,
                daily_counters.diff_contributions(old_c, daily_counters.contributions(new, TZ)),
            )
            self.states[key] = new
        self.applied.extend(batch)


@settings(SETTINGS, max_examples=300)
@given(scenario=scenarios())
def test_incremental_daily_sums_equal_reference(scenario) -> None:
    events, batches, checks = scenario
    agg = Aggregator()
    for batch, check in zip(batches, checks, strict=True):
        agg.run(batch)
        if check is None:
            continue
        start, end = check
        for unit_id in UNITS:
            # unit_kpis asserts pipeline metrics == reference_unit_metrics
            metrics = unit_kpis(
                agg.applied,
                unit_id,
                start,
                end,
                levels=LEVELS,
                active=ACTIVE[unit_id],
                rows=agg.rows,
            )
            # counts are consistent with their rates
            assert metrics["processed_online"] <= metrics["processed_total"]
            assert metrics["on_time"] <= metrics["on_time_total"]
            assert metrics["issued_online"] <= metrics["issued_total"]
        for official in [*OFFICIALS, "O9"]:
            from_rows = kpi.official_metrics(
                range_totals(agg.rows, daily_counters.official_scope(official), start, end),
                evaluations.latest_evaluation(
                    [v for (o, _), v in agg.evaluations.items() if o == official], start, end
                ),
            )
            assert from_rows == official_kpis(agg.applied, official, start, end)
            assert from_rows["latest_evaluation_score"] == (
                (latest_eval_for(agg.applied, official, start, end) or {}).get("score")
            )
    # no negative or zero counters left in the daily rows
    assert all(v > 0 for row in agg.rows.values() for v in row.values())
    # final rows equal a from-scratch recomputation of every document
    fresh = Aggregator()
    fresh.run(events)
    assert agg.rows == fresh.rows


# --- (3) evaluations: the latest one, against a recomputation ------------------------------


def _month_bounds(period: str) -> tuple[date, date]:
    year, month = int(period[:4]), int(period[5:])
    first = date(year, month, 1)
    following = date(year + month // 12, month % 12 + 1, 1)
    return first, following - timedelta(days=1)


@SETTINGS
@given(
    stored=st.lists(
        st.fixed_dictionaries(
            {
                "period": st.sampled_from(["2024-12", "2025-01", "2025-02", "2025-06"]),
                "occurred_at_us": st.integers(0, 5),
                "event_id": st.sampled_from(["a", "b", "c"]),
                "score": st.integers(0, 3),
                "unit_id": st.sampled_from(["C1", "C2"]),
            }
        ),
        max_size=8,
    ),
    start=st.dates(date(2024, 11, 1), date(2025, 7, 31)),
    days=st.integers(0, 120),
)
def test_the_latest_evaluation_is_the_greatest_overlapping_one(
    stored: list[dict[str, Any]], start: date, days: int
) -> None:
    # Independent of months_overlapping: a month overlaps [start, end] when its first day is
    # not after end and its last day not before start.
    end = start + timedelta(days=days)
    overlapping = [
        e
        for e in stored
        if _month_bounds(e["period"])[0] <= end and _month_bounds(e["period"])[1] >= start
    ]
    expected = max(
        overlapping,
        key=lambda e: (e["period"], e["occurred_at_us"], e["event_id"], e["score"], e["unit_id"]),
        default=None,
    )
    assert evaluations.latest_evaluation(stored, start, end) == expected
    months = evaluations.months_overlapping(start, end)
    assert months == sorted(set(months))
    assert all(_month_bounds(m)[0] <= end and _month_bounds(m)[1] >= start for m in months)
    assert len(months) == (end.year - start.year) * 12 + end.month - start.month + 1


@SETTINGS
@given(
    marks=st.lists(
        st.tuples(
            st.integers(0, 3),
            st.sampled_from(["a", "b"]),
            st.integers(0, 3),
            st.sampled_from(["C1", "C2"]),
        ),
        min_size=1,
        max_size=8,
    ),
    data=st.data(),
)
def test_merging_evaluations_keeps_the_latest_whatever_the_order(
    marks: list[tuple[int, str, int, str]], data: st.DataObject
) -> None:
    # Payloads of one event id may differ (two sources, each with its own ledger, sending
    # one id): the unit breaks the last tie, so the order of arrival never decides.
    events = [
        {
            "type": "official.evaluated",
            "event_id": event_id,
            "occurred_at": (BASE + timedelta(seconds=second)).isoformat(),
            "official_id": "O1",
            "unit_id": unit_id,
            "period": "2025-07",
            "score": score,
        }
        for second, event_id, score, unit_id in marks
    ]
    current = None
    for event in data.draw(st.permutations(events)):
        current = evaluations.merge_evaluation(current, event)
    second, event_id, score, unit_id = max(marks)
    assert current is not None
    assert (current["event_id"], current["score"], current["unit_id"]) == (event_id, score, unit_id)
    assert current["occurred_at_us"] == int((BASE + timedelta(seconds=second)).timestamp()) * 10**6

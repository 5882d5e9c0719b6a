"""An official's stored evaluation per (official, period) (domain/evaluations.merge_evaluation):
what it refuses, said by name, and a merge that never depends on the order of arrival.

The examples pin what the mutation run showed no test held (docs/benchmarks.md, "The full
run of 2026-12-07, night")."""

from __future__ import annotations

import itertools

import pytest

from chalicelib.domain import evaluations
from tests.unit.conftest import evaluated

GOOD = evaluated("e1", "2025-07-21T09:00:00+07:00", "O1", "2025-07", 80.0)


@pytest.mark.parametrize(
    "field", ["event_id", "period", "score", "official_id", "unit_id", "occurred_at"]
)
@pytest.mark.parametrize("absent", ["missing", "null"])
def test_an_evaluation_without_a_field_is_refused_naming_it(field, absent):
    # Mutants merge_evaluation 16, 22, 23, 28, 34, 35, 40, 46, 47, 57, 63, 64, 70, 76, 77,
    # 87, 93, 94: the refusal lost what it is about or which field is missing.
    event = {k: v for k, v in GOOD.items() if k != field}
    if absent == "null":
        event[field] = None
    with pytest.raises(ValueError) as refused:
        evaluations.merge_evaluation(None, event)
    assert str(refused.value) == f"evaluation: missing {field!r}"


@pytest.mark.parametrize(
    "other",
    [
        evaluated("e2", "2025-07-22T09:00:00+07:00", "O2", "2025-07", 90.0),
        evaluated("e2", "2025-07-22T09:00:00+07:00", "O1", "2025-08", 90.0),
    ],
)
def test_an_evaluation_of_another_official_or_month_is_refused_saying_so(other):
    # Mutants merge_evaluation 105-107: the refusal lost its words.
    current = evaluations.merge_evaluation(None, GOOD)
    with pytest.raises(ValueError) as refused:
        evaluations.merge_evaluation(current, other)
    assert str(refused.value) == "evaluation belongs to another (official_id, period)"


def test_payloads_of_one_event_id_merge_the_same_in_any_order():
    # Evaluations are kept per (official, period) across sources, and each source's ledger
    # holds its own event ids: two sources may send one event id, instant and score for
    # different units. Which one is kept must not depend on which arrived first.
    one = evaluated("e1", "2025-07-21T09:00:00+07:00", "O1", "2025-07", 80.0, unit="C1")
    two = evaluated("e1", "2025-07-21T09:00:00+07:00", "O1", "2025-07", 80.0, unit="C2")
    later = evaluated("e0", "2025-07-22T09:00:00+07:00", "O1", "2025-07", 10.0, unit="C1")
    for events in ([one, two], [one, two, later]):
        merged = []
        for order in itertools.permutations(events):
            current = None
            for event in order:
                current = evaluations.merge_evaluation(current, event)
            merged.append(current)
        assert all(m == merged[0] for m in merged), merged
    assert merged[0] is not None and merged[0]["event_id"] == "e0"  # the later instant wins

"""Webhook batches for the demo events (scripts/demo/simulator.py: delivery_plan)."""

from collections import Counter
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scripts.demo.province import demo_officials, demo_units
from scripts.demo.simulator import MAX_BATCH, delivery_plan, generate_month


@pytest.fixture(scope="module")
def events():
    return generate_month(
        demo_units(), demo_officials(), start=date(2025, 7, 15), days=10, seed=2025
    )


def fake_events(n):
    return [
        {"event_id": f"e{i}", "type": "document.printed", "n": i, "document": {"id": f"d{i}"}}
        for i in range(n)
    ]


def positions(plan):
    """event_id -> list of batch indexes it is delivered in."""
    where: dict[str, list[int]] = {}
    for b, batch in enumerate(plan):
        for event in batch:
            where.setdefault(event["event_id"], []).append(b)
    return where


def check_plan(events, plan, batch_size, window):
    by_id = {e["event_id"]: e for e in events}
    where = positions(plan)
    assert set(where) == set(by_id)  # every event, nothing else
    full = -(-len(events) // batch_size) - 1  # batches before the last original one
    assert all(len(batch) >= batch_size for batch in plan[:full])
    for batch in plan:
        assert 1 <= len(batch) <= MAX_BATCH
        ids = [e["event_id"] for e in batch]
        assert len(ids) == len(set(ids))  # never twice in one request
    seen = set()
    for batch in plan:
        for event in batch:
            original = by_id[event["event_id"]]
            assert event == original  # redeliveries are identical copies
            if event["event_id"] in seen:  # a deep copy, not the same objects
                assert event is not original
                if "document" in original:
                    assert event["document"] is not original["document"]
            seen.add(event["event_id"])
    # order kept up to the window: an event is never first delivered after an event that
    # happened more than `window` positions later
    first = {}
    for k, event_id in enumerate(e["event_id"] for batch in plan for e in batch):
        first.setdefault(event_id, k)
    index = {e["event_id"]: i for i, e in enumerate(events)}
    delivered = [index[event_id] for event_id in sorted(first, key=first.get)]
    smallest_after = len(events)
    for i in reversed(delivered):  # vs the earliest-happened event delivered after it
        assert i - smallest_after <= window
        smallest_after = min(smallest_after, i)


def test_demo_plan_is_complete_shuffled_and_has_redeliveries(events):
    plan = delivery_plan(events, seed=2025)
    check_plan(events, plan, 50, 150)
    sizes = Counter(len(b) for b in plan)
    assert max(sizes) <= 60 and sizes[50] > 0
    where = positions(plan)
    redelivered = [ids for ids in where.values() if len(ids) > 1]
    assert 0.015 < len(redelivered) / len(events) < 0.05
    assert all(b2 > b1 for b1, b2, *_ in redelivered)  # in a later batch
    flat = [e["event_id"] for batch in plan for e in batch]
    seen, inversions = set(), 0
    order = {e["event_id"]: i for i, e in enumerate(events)}
    last = -1
    for event_id in flat:
        if event_id in seen:
            continue
        seen.add(event_id)
        inversions += order[event_id] < last
        last = max(last, order[event_id])
    assert inversions > len(events) // 10  # out of order within the window
    assert delivery_plan(events, seed=2025) == plan  # deterministic
    assert delivery_plan(events, seed=1) != plan


def test_no_shuffle_no_duplicates_is_plain_chunking():
    events = fake_events(120)
    plan = delivery_plan(events, seed=1, batch_size=50, duplicate_rate=0, shuffle_window=0)
    assert [len(b) for b in plan] == [50, 50, 20]
    assert [e for b in plan for e in b] == events


def test_every_event_redelivered_at_the_end_adds_trailing_batches():
    events = fake_events(10)
    plan = delivery_plan(events, seed=3, batch_size=10, duplicate_rate=1.0, shuffle_window=0)
    assert len(plan) >= 2 and plan[0] == events
    assert sorted(e["n"] for b in plan[1:] for e in b) == list(range(10))


def test_bad_batch_size_is_refused():
    with pytest.raises(ValueError):
        delivery_plan(fake_events(3), seed=1, batch_size=0)
    with pytest.raises(ValueError):
        delivery_plan(fake_events(3), seed=1, batch_size=501)


def test_empty_input_gives_no_batches():
    assert delivery_plan([], seed=1) == []


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(0, 400),
    batch_size=st.integers(1, 120),
    duplicate_rate=st.floats(0, 1),
    window=st.integers(0, 300),
    seed=st.integers(0, 10**6),
)
def test_any_plan_delivers_everything_in_order_up_to_the_window(
    n, batch_size, duplicate_rate, window, seed
):
    events = fake_events(n)
    plan = delivery_plan(
        events,
        seed=seed,
        batch_size=batch_size,
        duplicate_rate=duplicate_rate,
        shuffle_window=window,
    )
    check_plan(events, plan, batch_size, window)
    where = positions(plan)
    for ids in where.values():
        assert ids == sorted(ids) and len(ids) == len(set(ids))


def test_full_batches_stay_under_the_service_limit():
    events = fake_events(2000)
    plan = delivery_plan(events, seed=5, batch_size=500, duplicate_rate=1.0)
    assert all(len(b) <= 500 for b in plan)
    assert sum(len(b) for b in plan) == 4000

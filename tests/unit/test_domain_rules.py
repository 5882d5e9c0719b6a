"""Rules of chalicelib/domain that had no unit test of their own (they were tested only
through the API), each against an independent recomputation where it counts. Fast and
deterministic: `make mutation` runs them for every mutant of these modules."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain import quotas

# --- quotas: the sliding window ---------------------------------------------------------

instants = st.integers(0, 2_000).map(lambda ms: ms / 10)  # 0.0 .. 200.0 s, tenths


def _in_window(times: list[float], now: float, window: float) -> int:
    return sum(1 for t in times if t > now - window)


@given(
    times=st.lists(instants, max_size=8),
    now=instants,
    limit=st.integers(1, 5),
    window=st.integers(1, 60),
)
def test_a_quota_admits_exactly_below_its_limit_and_says_when_to_retry(times, now, limit, window):
    decision = quotas.admit(times, now, limit, window)
    recent = sorted(t for t in times if t > now - window)
    if len(recent) < limit:
        assert decision == quotas.Decision(True, (*recent, now), 0)
        return
    assert not decision.admitted
    assert decision.times == tuple(recent)
    # The oracle: the least whole number of seconds after which one more fits.
    wait = next(w for w in range(1, 1_000) if _in_window(recent, now + w, window) < limit)
    assert decision.retry_after == wait


def test_a_quota_of_zero_admits_nothing():
    assert quotas.admit([], 10.0, 0, 30) == quotas.Decision(False, (), 30)
    refused = quotas.admit([5.0], 10.0, 0, 30)
    assert (refused.admitted, refused.times, refused.retry_after) == (False, (5.0,), 25)


def test_admissions_from_a_clock_ahead_count_in_the_window():
    decision = quotas.admit([12.0, 11.0], 10.0, 2, 30)
    assert decision == quotas.Decision(False, (11.0, 12.0), 31)

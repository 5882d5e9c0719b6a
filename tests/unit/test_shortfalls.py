"""What a unit still misses (domain/kpi.shortfall, shortfalls, exchange_tier): the API says
it, the console only shows it. Checked against an independent recomputation: the least n
such that (done + n) / total reaches the target, found by counting up."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain import kpi


def _by_counting(done: int, total: int, target: float) -> int:
    goal = Fraction(str(target))
    n = 0
    while Fraction(done + n, total) < goal:
        n += 1
    return n


@given(
    total=st.integers(min_value=1, max_value=400),
    data=st.data(),
    target=st.sampled_from([0.0, 0.3, 0.5, 0.8, 0.9, 0.95, 0.99, 1.0]),
)
def test_shortfall_is_the_least_count_that_reaches_the_target(total, data, target):
    done = data.draw(st.integers(min_value=0, max_value=total))
    assert kpi.shortfall(done, total, target) == _by_counting(done, total, target)


def test_known_values():
    assert [kpi.shortfall(92, 100, 1), kpi.shortfall(95, 100, 0.95)] == [8, 0]
    assert [kpi.shortfall(0, 3, 0.5), kpi.shortfall(7, 7, 1)] == [2, 0]


def test_shortfalls_per_criterion_and_level():
    metrics = {
        "processed_total": 10,
        "processed_online": 7,
        "online_rate": 0.7,
        "issued_total": 0,
        "issued_signed_digitally": 0,
        "signing_rate": None,
    }
    out = kpi.shortfalls(metrics, level="department", targets={"online_rate": 0.9})
    assert out["online_rate"] == 2
    assert out["signing_rate"] is None  # no data: nothing to count up to
    assert "two_way_interconnection" not in out  # a flag, not a rate


@pytest.mark.parametrize(
    ("level", "tier"),
    [
        ("commune", "province"),
        ("province", "commune"),
        ("department", "commune"),
        ("division", None),
    ],
)
def test_exchange_tier(level, tier):
    assert kpi.exchange_tier(level) == tier

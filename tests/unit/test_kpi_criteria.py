"""A unit's compliance, score and shortfalls (domain/kpi) with everything a campaign can
set: its targets, its weights and the opt-in criterion (creativity) it may turn on.

The score and the compliance are checked against an independent recomputation from the
criteria's definitions in DOMAIN.md (exact fractions, the rounding written out), over
generated metrics, levels, targets and weights. The examples below pin what the mutation
run showed no test held (docs/benchmarks.md, "The full run of 2026-12-07, night").
"""

from __future__ import annotations

import decimal
import math
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.domain import kpi

RATES = ("online_rate", "signing_rate", "e_issuance_rate", "kpi_coverage")
LEVELS = ("province", "department", "commune", "division")
RATE_PARTS = {
    "online_rate": ("processed_online", "processed_total"),
    "signing_rate": ("issued_signed_digitally", "issued_total"),
    "e_issuance_rate": ("issued_online", "issued_total"),
    "kpi_coverage": ("officials_evaluated", "officials_active"),
}


def _assessed(level: str, creativity_on: bool) -> list[str]:
    """DOMAIN.md: the four rates everywhere, two-way except for a division, creativity only
    where the campaign turned it on."""
    names = list(RATES)
    if level != "division":
        names.append("two_way_interconnection")
    if creativity_on:
        names.append("creativity")
    return names


def _met(name: str, metrics: dict[str, Any], targets: dict[str, Any]) -> bool:
    value = metrics.get(name)
    if name == "two_way_interconnection":
        return value is True
    if name == "creativity":
        return value is not None and value >= targets.get("creativity", 1)
    return value is not None and value >= targets.get(name, 1.0)


def _expected_score(
    metrics: dict[str, Any], names: list[str], weights: dict[str, Any], targets: dict[str, Any]
) -> float:
    default = {"creativity": 0}
    total = weighted = Fraction(0)
    for name in names:
        weight = Fraction(weights.get(name, default.get(name, 1)))
        if name in RATES:
            value = Fraction(metrics[name]) if metrics.get(name) is not None else Fraction(0)
        else:
            value = Fraction(int(_met(name, metrics, targets)))
        total += weight
        weighted += weight * value
    exact = 100 * weighted / total
    # Snapped to 9 decimals, half to even (round() of a Fraction), then 2 decimals, half up.
    snapped = Fraction(round(exact * 10**9), 10**9)
    return float(Fraction(math.floor(snapped * 100 + Fraction(1, 2)), 100))


@st.composite
def campaigns(draw: st.DrawFn) -> tuple[str, dict, dict, dict, tuple[str, ...]]:
    level = draw(st.sampled_from(LEVELS))
    creativity_on = draw(st.booleans())
    enabled = ("creativity",) if creativity_on else ()
    metrics: dict[str, Any] = {
        name: draw(st.one_of(st.none(), st.sampled_from([0.0, 0.5, 0.9, 0.95, 1.0])))
        for name in RATES
    }
    metrics["two_way_interconnection"] = draw(st.sampled_from([True, False, None]))
    metrics["creativity"] = draw(st.one_of(st.none(), st.integers(0, 4)))
    targets = {
        name: target
        for name in RATES
        if (target := draw(st.one_of(st.none(), st.sampled_from([0.5, 0.9, 0.95, 1.0]))))
        is not None
    }
    if draw(st.booleans()):
        targets["creativity"] = draw(st.integers(0, 4))
    weights = {
        name: weight
        for name in (*RATES, "two_way_interconnection", "creativity")
        if (weight := draw(st.one_of(st.none(), st.integers(0, 5), st.just(0.5)))) is not None
    }
    names = _assessed(level, creativity_on)
    # A campaign weighs at least one criterion it assesses (all zero is refused, below).
    if sum(Fraction(weights.get(n, 0 if n == "creativity" else 1)) for n in names) == 0:
        weights[names[0]] = 1
    return level, metrics, targets, weights, enabled


@settings(max_examples=100)
@given(campaign=campaigns())
def test_compliance_and_score_are_the_criteria_recomputed(campaign) -> None:
    level, metrics, targets, weights, enabled = campaign
    names = _assessed(level, bool(enabled))

    result = kpi.compliance(metrics, level=level, targets=targets, enabled=enabled)

    expected: dict[str, bool | None] = {name: _met(name, metrics, targets) for name in names}
    if level == "division":
        expected["two_way_interconnection"] = None  # listed, not assessed
    expected["compliant"] = all(_met(name, metrics, targets) for name in names)
    assert result == expected
    assert kpi.score(
        metrics, level=level, weights=weights, targets=targets, enabled=enabled
    ) == _expected_score(metrics, names, weights, targets)


ALL_MET = {
    "online_rate": 1.0,
    "signing_rate": 1.0,
    "e_issuance_rate": 1.0,
    "kpi_coverage": 1.0,
    "two_way_interconnection": True,
}


def test_a_campaign_that_turns_creativity_on_needs_it_to_be_compliant():
    # Mutant compliance 5 (the opt-in criteria dropped from the assessed ones): a unit
    # without a recognised initiative was listed as None and counted compliant.
    metrics = {**ALL_MET, "creativity": 0}
    result = kpi.compliance(metrics, level="commune", enabled=("creativity",))
    assert (result["creativity"], result["compliant"]) == (False, False)
    met = kpi.compliance({**metrics, "creativity": 1}, level="commune", enabled=("creativity",))
    assert (met["creativity"], met["compliant"]) == (True, True)
    # Not turned on: not listed, not assessed.
    assert "creativity" not in kpi.compliance(metrics, level="commune")


def test_creativity_counts_in_the_score_against_its_campaigns_target():
    # Mutants score 12 (creativity left out of the score when turned on) and 28 (met against
    # the default target of 1 instead of the campaign's).
    weights = {"creativity": 5}  # the five standing criteria weigh 1 each
    two = {**ALL_MET, "creativity": 2}
    assert kpi.score(two, level="commune", weights=weights, enabled=("creativity",)) == 100.0
    assert (
        kpi.score(
            two,
            level="commune",
            weights=weights,
            targets={"creativity": 3},
            enabled=("creativity",),
        )
        == 50.0
    )
    # Turned off, its weight and figure move nothing.
    assert kpi.score({**ALL_MET, "creativity": 0}, level="commune", weights=weights) == 100.0


def test_all_zero_weights_are_refused_saying_so():
    # Mutants score 47-49: the refusal lost its words.
    with pytest.raises(ValueError) as refused:
        kpi.score(ALL_MET, level="division", weights=dict.fromkeys(RATES, 0))
    assert str(refused.value) == "all criterion weights are zero"


def test_the_score_rounds_the_same_whatever_the_callers_decimal_context():
    # Mutants score 56 and 58 (the 9-decimal snap rounding by the thread's context instead of
    # half to even). A rate just below 0.12345 (as a float) makes 12.344999999999999...:
    # snapped half to even it is 12.345000000, hence 12.35; truncated it would be 12.34.
    rate = math.nextafter(0.12345, 0)
    metrics = {**ALL_MET, "online_rate": rate}
    weights = {"online_rate": 1, "signing_rate": 0, "e_issuance_rate": 0, "kpi_coverage": 0}
    assert kpi.score(metrics, level="division", weights=weights) == 12.35
    with decimal.localcontext() as context:
        context.rounding = decimal.ROUND_DOWN
        assert kpi.score(metrics, level="division", weights=weights) == 12.35


def test_unit_metrics_carry_the_recognised_initiatives_when_given():
    # Mutants unit_metrics 9, 11, 12: the figure dropped or renamed.
    args: dict[str, Any] = {
        "level": "commune",
        "unit_levels": {},
        "officials_active": 0,
        "officials_evaluated": 0,
    }
    assert kpi.unit_metrics({}, initiatives_recognised=2, **args)["creativity"] == 2
    assert kpi.unit_metrics({}, initiatives_recognised=0, **args)["creativity"] == 0
    assert "creativity" not in kpi.unit_metrics({}, **args)


def test_a_rate_with_nothing_done_is_short_by_its_whole_denominator():
    # Mutant shortfalls 32 (a missing or zero numerator read as 1).
    metrics = {"processed_online": 0, "processed_total": 5, "online_rate": 0.0}
    assert kpi.shortfalls(metrics, level="division")["online_rate"] == 5
    assert kpi.shortfalls({"processed_total": 5, "online_rate": 0.0}, level="division") == {
        "online_rate": 5,
        "signing_rate": None,
        "e_issuance_rate": None,
        "kpi_coverage": None,
    }


def test_a_rate_without_data_does_not_hide_the_shortfalls_after_it():
    # Mutant shortfalls 21 (continue -> break at the first rate without data).
    metrics = {
        "processed_total": 0,
        "online_rate": None,
        "issued_total": 4,
        "issued_signed_digitally": 1,
        "signing_rate": 0.25,
        "issued_online": 4,
        "e_issuance_rate": 1.0,
        "officials_active": 3,
        "officials_evaluated": 2,
        "kpi_coverage": 2 / 3,
    }
    assert kpi.shortfalls(metrics, level="commune") == {
        "online_rate": None,
        "signing_rate": 3,
        "e_issuance_rate": 0,
        "kpi_coverage": 1,
    }


@pytest.mark.parametrize(
    "metrics",
    [
        {"online_rate": 1.0},  # the rate without its counts
        {"online_rate": 0.5, "processed_online": 0, "processed_total": 0},
        {"online_rate": None, "processed_online": 1, "processed_total": 4},
    ],
)
def test_a_shortfall_needs_both_the_rate_and_its_denominator(metrics):
    # Mutants shortfalls 15 (a missing denominator read as 1) and 16 (either one enough).
    # unit_metrics never makes these (its rate is None exactly when its denominator is 0),
    # but the rule says "no data" for each of them, not a count from a made-up total.
    assert kpi.shortfalls(metrics, level="division")["online_rate"] is None


@pytest.mark.parametrize("rule", [kpi.exchange_tier, kpi.two_way_interconnection])
def test_an_unknown_level_is_refused_by_name(rule):
    # Mutant _check_level 2: the refusal lost the level it refuses.
    kwargs: dict[str, Any] = {"level": "hamlet"}
    if rule is kpi.two_way_interconnection:
        kwargs["unit_levels"] = {}
    args = () if rule is kpi.exchange_tier else ({},)
    with pytest.raises(ValueError, match="unknown unit level: 'hamlet'"):
        rule(*args, **kwargs)

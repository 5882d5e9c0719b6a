"""Creativity as a weighted criterion (issue 21): one opt-in entry of the vocabulary, met
with at least `targets.creativity` recognised initiatives. Off, nothing moves; on, the
compliance and the score change exactly as the rule says (checked against an independent
recomputation)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.domain import kpi
from chalicelib.domain.campaigns import Campaign
from chalicelib.domain.vocabulary import CRITERIA, CRITERIA_BY_KEY, RATE_CRITERIA, UNIT_LEVELS

BASE = {"campaign_id": "c", "name": "c", "start_date": "2025-01-01", "end_date": "2025-12-31"}

rates = st.one_of(st.none(), st.fractions(0, 1, max_denominator=50).map(float))
weights_st = st.fixed_dictionaries({k: st.integers(0, 5) for k in CRITERIA})


@st.composite
def unit_metrics(draw: st.DrawFn) -> dict[str, Any]:
    metrics = kpi.unit_metrics(
        {}, level="commune", unit_levels={}, officials_active=0, officials_evaluated=0
    )
    metrics.update({k: draw(rates) for k in RATE_CRITERIA})
    metrics["two_way_interconnection"] = draw(st.booleans())
    return metrics


def reference_score(
    metrics: dict[str, Any], level: str, weights: dict[str, int], count: int, target: int
) -> float | None:
    """DOMAIN.md's score with creativity as one more criterion (1 when met, else 0),
    written out without the core's helpers."""
    parts: list[tuple[Fraction, Fraction]] = []
    for key in ("online_rate", "signing_rate", "e_issuance_rate", "kpi_coverage"):
        value = metrics[key]
        parts.append((Fraction(weights[key]), Fraction(value) if value is not None else 0))
    if level != "division":
        two_way = 1 if metrics["two_way_interconnection"] is True else 0
        parts.append((Fraction(weights["two_way_interconnection"]), Fraction(two_way)))
    parts.append((Fraction(weights["creativity"]), Fraction(1 if count >= target else 0)))
    total = sum(w for w, _ in parts)
    if total == 0:
        return None
    exact = 100 * sum(w * v for w, v in parts) / total
    snapped = (Decimal(exact.numerator) / Decimal(exact.denominator)).quantize(Decimal("1e-9"))
    return float(snapped.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


@settings(max_examples=300, deadline=None)
@given(
    metrics=unit_metrics(),
    level=st.sampled_from(UNIT_LEVELS),
    weights=weights_st,
    creativity_weight=st.integers(0, 5),
    count=st.integers(0, 4),
    target=st.integers(0, 4),
)
def test_on_the_rule_decides_off_nothing_moves(
    metrics: dict[str, Any],
    level: str,
    weights: dict[str, int],
    creativity_weight: int,
    count: int,
    target: int,
) -> None:
    targets = dict.fromkeys(RATE_CRITERIA, 1.0) | {"creativity": target}
    all_weights = {**weights, "creativity": creativity_weight}
    plain = dict(metrics)
    with_count = kpi.unit_metrics(
        {},
        level="commune",
        unit_levels={},
        officials_active=0,
        officials_evaluated=0,
        initiatives_recognised=count,
    )
    assert with_count["creativity"] == count
    with_count.update({k: v for k, v in metrics.items() if k != "creativity"})

    # Off (not enabled): the verdicts and the score are exactly those without the figure.
    off = kpi.compliance(with_count, level=level, targets=targets)
    assert off == kpi.compliance(plain, level=level, targets=targets)
    assert "creativity" not in off
    standing_weights_zero = sum(weights[k] for k in kpi.criteria_for(level)) == 0
    if not standing_weights_zero:
        assert kpi.score(with_count, level=level, weights=all_weights, targets=targets) == (
            kpi.score(plain, level=level, weights=weights)
        )

    # On: met exactly when the count reaches the target; compliant needs it too.
    on = kpi.compliance(with_count, level=level, targets=targets, enabled=("creativity",))
    assert on["creativity"] is (count >= target)
    assert on["compliant"] is (off["compliant"] and count >= target)
    assert {k: v for k, v in on.items() if k not in ("creativity", "compliant")} == {
        k: v for k, v in off.items() if k != "compliant"
    }
    expected = reference_score(with_count, level, all_weights, count, target)
    if expected is None:
        with pytest.raises(ValueError):
            kpi.score(
                with_count,
                level=level,
                weights=all_weights,
                targets=targets,
                enabled=("creativity",),
            )
    else:
        assert (
            kpi.score(
                with_count,
                level=level,
                weights=all_weights,
                targets=targets,
                enabled=("creativity",),
            )
            == expected
        )


def test_default_target_is_one_recognised_initiative() -> None:
    metrics = kpi.unit_metrics(
        {},
        level="division",
        unit_levels={},
        officials_active=0,
        officials_evaluated=0,
        initiatives_recognised=0,
    )
    assert kpi.compliance(metrics, level="division", enabled=("creativity",))["creativity"] is False
    metrics["creativity"] = 1
    assert kpi.compliance(metrics, level="division", enabled=("creativity",))["creativity"] is True


def test_a_campaign_turns_it_on_by_naming_it() -> None:
    assert Campaign.model_validate(BASE).enabled_criteria() == ()
    off = Campaign.model_validate({**BASE, "weights": {"creativity": 0}})
    assert off.enabled_criteria() == ()
    weighed = Campaign.model_validate({**BASE, "weights": {"creativity": 2}})
    assert weighed.enabled_criteria() == ("creativity",)
    assert weighed.criterion_targets()["creativity"] == 1  # the default target
    targeted = Campaign.model_validate({**BASE, "targets": {"creativity": 3}})
    assert targeted.enabled_criteria() == ("creativity",)
    assert targeted.criterion_targets()["creativity"] == 3
    assert targeted.score_weights()["creativity"] == 0.0  # compliance only, no weight
    assert CRITERIA_BY_KEY["creativity"].opt_in


@pytest.mark.parametrize("bad", [-1, 1.5, True, 1001])
def test_a_count_target_is_a_whole_number(bad: Any) -> None:
    with pytest.raises(ValueError, match="creativity"):
        Campaign.model_validate({**BASE, "targets": {"creativity": bad}})

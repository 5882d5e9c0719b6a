"""The KPI formulas: every metric of DOMAIN.md from a scope's summed daily counters, then
compliance with the campaign's criteria, the score and the ranking.

Pure: no AWS, no I/O. The counters come from ``domain.daily_counters`` (summed over a range
with ``sum_daily``); the criteria, their targets, weights and levels from
``domain.vocabulary``. :func:`unit_metrics` / :func:`official_metrics` give the figures,
then :func:`compliance`, :func:`score` and :func:`rank`.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from chalicelib.domain.daily_counters import (
    DIGITAL_SIGNATURES,
    EXEMPT_TOTAL,
    ISSUED_ONLINE,
    ISSUED_SIGNED_DIGITALLY,
    ISSUED_TOTAL,
    ON_TIME,
    ON_TIME_TOTAL,
    PAPER_PAGES,
    PROCESSED_ONLINE,
    PROCESSED_TOTAL,
    RECEIVED_ELECTRONIC,
    RECEIVED_PAPER,
    SENT_ELECTRONIC,
    SENT_PAPER,
    interconnection_pairs,
)

# Levels and criteria come from the shared vocabulary; the formulas below are written in them.
from chalicelib.domain.vocabulary import (
    CRITERIA,
    CRITERIA_BY_KEY,
    DEFAULT_COUNT_TARGETS,
    DEFAULT_TARGETS,
    DEFAULT_WEIGHTS,
    LEVEL_COMMUNE,
    LEVEL_DIVISION,
    LEVEL_PROVINCE,
    OPT_IN_CRITERIA,
    PROVINCE_LEVELS,
    UNIT_LEVELS,
    criteria_for,
)

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


def ratio(numerator: int, denominator: int) -> float | None:
    """numerator / denominator, None ("no data", never 100%) when the denominator is 0."""
    return numerator / denominator if denominator else None


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
    if level not in UNIT_LEVELS:
        raise ValueError(f"unknown unit level: {level!r}")


def unit_metrics(
    totals: Mapping[str, int],
    *,
    level: str,
    unit_levels: Mapping[str, str],
    officials_active: int,
    officials_evaluated: int,
    initiatives_recognised: int | None = None,
) -> dict:
    """Every per-unit metric of DOMAIN.md from a unit's counters summed over a range; with
    ``initiatives_recognised`` (its campaign assesses creativity) also ``creativity``, the
    unit's initiatives the council recognised in the campaign."""

    def get(name: str) -> int:
        return int(totals.get(name, 0))

    creativity = {} if initiatives_recognised is None else {"creativity": initiatives_recognised}
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
        **creativity,
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


def compliance(
    metrics: Mapping[str, Any],
    *,
    level: str,
    targets: Mapping[str, float] | None = None,
    enabled: Collection[str] = (),
) -> dict:
    """Per-criterion compliance and the overall verdict; a None rate is never compliant, a
    criterion that does not apply at the level is None. An opt-in criterion (creativity) is
    assessed, and listed, only when ``enabled`` names it (its campaign turned it on)."""
    applicable = criteria_for(level, enabled)
    result: dict[str, bool | None] = {}
    for name in (*CRITERIA, *(k for k in OPT_IN_CRITERIA if k in enabled)):
        if not CRITERIA_BY_KEY[name].is_rate and name not in applicable:
            result[name] = None
        else:
            result[name] = _met(name, metrics.get(name), targets)
    result["compliant"] = all(result[name] for name in applicable)
    return result


def _target(name: str, targets: Mapping[str, float] | None) -> float:
    given = (targets or {}).get(name)
    if given is not None:
        return float(given)
    if name in DEFAULT_COUNT_TARGETS:
        return DEFAULT_COUNT_TARGETS[name]
    return DEFAULT_TARGETS[name]


def _met(name: str, value: Any, targets: Mapping[str, float] | None) -> bool:
    """Whether a criterion's figure meets it: a flag when true, a rate or a count when it
    reaches its target (None, no data, never does)."""
    if CRITERIA_BY_KEY[name].kind == "flag":
        return value is True
    return value is not None and value >= _target(name, targets)


def shortfall(done: int, total: int, target: float) -> int:
    """How many more of `total` items must qualify for done / total to reach `target`: the
    least n >= 0 with (done + n) / total >= target, in exact arithmetic (a target of 0.95
    is 19/20, not the float just above it)."""
    goal = Fraction(str(target)) * total
    needed = -(-goal.numerator // goal.denominator)  # ceil
    return max(0, needed - done)


def shortfalls(
    metrics: Mapping[str, Any], *, level: str, targets: Mapping[str, float] | None = None
) -> dict[str, int | None]:
    """Per rate criterion that applies at the level: the items still missing to reach its
    target (0 when met; None when there is no data: no denominator)."""
    merged = {**DEFAULT_TARGETS, **(targets or {})}
    out: dict[str, int | None] = {}
    for name in criteria_for(level):
        definition = CRITERIA_BY_KEY[name]
        if not definition.is_rate:
            continue
        assert definition.numerator is not None and definition.denominator is not None
        total = int(metrics.get(definition.denominator) or 0)
        if metrics.get(name) is None or not total:
            out[name] = None
            continue
        out[name] = shortfall(int(metrics.get(definition.numerator) or 0), total, merged[name])
    return out


def exchange_tier(level: str) -> str | None:
    """The tier a unit must exchange with both ways (two_way_interconnection): a commune
    with the province level, the province level with communes; None for a division."""
    _check_level(level)
    if level == LEVEL_DIVISION:
        return None
    return LEVEL_PROVINCE if level == LEVEL_COMMUNE else LEVEL_COMMUNE


def score(
    metrics: Mapping[str, Any],
    *,
    level: str,
    weights: Mapping[str, float] | None = None,
    targets: Mapping[str, float] | None = None,
    enabled: Collection[str] = (),
) -> float:
    """100 x weighted mean of the criteria (two-way as 1/0, left out for divisions).

    A None rate counts 0; a count criterion (creativity, only when ``enabled`` names it)
    counts 1 when it reaches its target in ``targets``, else 0. Weights missing from
    ``weights`` fall back to DEFAULT_WEIGHTS.
    Rounded to 2 decimals (half up) because the displayed score is what ranks: two units
    shown with the same score must tie, not be split by float noise in the 15th digit. The
    sum is computed exactly (Fraction) and first snapped to 9 decimals so mathematically equal
    scores reached through different float rates round identically.
    """
    merged = {**DEFAULT_WEIGHTS, **(weights or {})}
    total_weight = Fraction(0)
    weighted = Fraction(0)
    for name in criteria_for(level, enabled):
        weight = Fraction(merged[name])
        if weight < 0:
            raise ValueError(f"negative weight for {name!r}")
        value = metrics.get(name)
        if not CRITERIA_BY_KEY[name].is_rate:
            value_f = Fraction(1 if _met(name, value, targets) else 0)
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


def descending(value: float | int | None) -> tuple[int, float]:
    """A sort key for a figure: larger first, "no data" (None) after every figure."""
    return (1, 0.0) if value is None else (0, -value)


def competition_rank(
    rows: Iterable[Mapping[str, Any]],
    key: Callable[[Mapping[str, Any]], tuple[Any, ...]],
    id_field: str,
) -> list[dict]:
    """The rows in the order of ``key`` (then of ``id_field``), each with its standard
    competition rank (1, 2, 2, 4): rows equal on ``key`` share a rank."""
    ordered = sorted(rows, key=lambda r: (key(r), str(r[id_field])))
    ranked: list[dict] = []
    previous_key: tuple[Any, ...] | None = None
    current_rank = 0
    for position, row in enumerate(ordered, start=1):
        row_key = key(row)
        if row_key != previous_key:
            current_rank, previous_key = position, row_key
        ranked.append({**row, "rank": current_rank})
    return ranked


def _rank_key(row: Mapping[str, Any]) -> tuple[Any, ...]:
    # Descending score, online_rate (None below any number), processed_total.
    return tuple(descending(row.get(k)) for k in ("score", "online_rate", "processed_total"))


def rank(rows: Sequence[Mapping[str, Any]]) -> list[dict]:
    """Standard competition ranking (1, 2, 2, 4); ties listed by unit_id."""
    return competition_rank(rows, _rank_key, "unit_id")

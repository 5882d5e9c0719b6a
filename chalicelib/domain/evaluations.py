"""Official evaluations: the latest ``official.evaluated`` event per (official, month).

KPI coverage counts an official as evaluated when one of their evaluations' ``period``
months overlaps the range; an official's latest score is that of the latest such
evaluation. The job stores one evaluation per (official_id, period), merged with
:func:`merge_evaluation` so redeliveries and late events keep the latest one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from chalicelib.domain.instants import parse_instant_us
from chalicelib.domain.records import required
from chalicelib.domain.vocabulary import EV_EVALUATED


def _evaluation_key(ev: Mapping[str, Any]) -> tuple[int, str, Any, str]:
    # Later occurred_at wins; event_id, then score, then unit_id break ties, so the kept
    # evaluation never depends on arrival order: evaluations are kept per (official, period)
    # across sources, and two sources may send one event id (each ledger holds its own ids).
    return (ev["occurred_at_us"], ev["event_id"], ev["score"], ev["unit_id"])


def merge_evaluation(current: Mapping[str, Any] | None, event: Mapping[str, Any]) -> dict:
    """Keep the latest ``official.evaluated`` event per (official_id, period)."""
    if event.get("type", EV_EVALUATED) != EV_EVALUATED:
        raise ValueError(f"not an evaluation event: {event.get('type')!r}")
    event_id = str(required(event, "event_id", "evaluation"))
    period = str(required(event, "period", "evaluation"))
    _parse_period(period)
    score_value = required(event, "score", "evaluation")
    if isinstance(score_value, bool) or not isinstance(score_value, int | float):
        raise ValueError(f"evaluation {event_id!r}: score must be a number")
    candidate = {
        "official_id": str(required(event, "official_id", "evaluation")),
        "unit_id": str(required(event, "unit_id", "evaluation")),
        "period": period,
        "score": score_value,
        "occurred_at_us": parse_instant_us(required(event, "occurred_at", "evaluation")),
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

"""Events that cannot be true (issue 13): refused before anything is stored.

A source may be buggy or its secret leaked; these rules bound what one delivery can
claim: officials are those of the registry and of the acting unit (or a unit above it,
whose officials sign for it), times are near the present, and an evaluation is not of
a month after it was recorded. Pure: the caller gives the registry and the clock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from chalicelib.domain.registry import OfficialRecord, UnitRecord, ancestors
from chalicelib.domain.vocabulary import EV_EVALUATED, EV_PROCESSED, EV_SIGNED

# The fields naming an official who acted for the event's unit, by event type.
ACTING_OFFICIAL_FIELDS: dict[str, str] = {
    EV_PROCESSED: "actor_official_id",
    EV_SIGNED: "signer_official_id",
}


@dataclass(frozen=True)
class Bounds:
    now: dt.datetime
    future_tolerance: dt.timedelta  # the webhook tolerance: a sender's clock may run ahead
    max_age: dt.timedelta  # EVENT_MAX_AGE_DAYS
    zone: ZoneInfo  # the campaign time zone: the month of occurred_at is a local month


def named_officials(events: list[Any]) -> set[str]:
    """Every official id the events name (to load them from the registry at once)."""
    out: set[str] = set()
    for event in events:
        field = ACTING_OFFICIAL_FIELDS.get(event.type)
        if field is not None:
            out.add(getattr(event, field))
        elif event.type == EV_EVALUATED:
            out.add(event.official_id)
    return out


def implausible(
    events: list[Any],
    *,
    units: Mapping[str, UnitRecord],
    officials: Mapping[str, OfficialRecord],
    bounds: Bounds,
    check_officials: bool = True,
) -> list[dict[str, Any]]:
    """Every problem as {"index", "field", "message"}; empty when all events may be true.

    Without `check_officials` the officials are not looked up (ids not of the registry)."""
    details: list[dict[str, Any]] = []
    for index, event in enumerate(events):
        problems = [("occurred_at", _time_problem(event.occurred_at, bounds))]
        if check_officials:
            problems.append(_official_problem(event, units, officials))
        if event.type == EV_EVALUATED:
            month = event.occurred_at.astimezone(bounds.zone).strftime("%Y-%m")
            if event.period > month:
                problems.append(
                    ("period", f"{event.period} is later than the month of occurred_at ({month})")
                )
        details += [
            {"index": index, "field": field, "message": message}
            for field, message in problems
            if message
        ]
    return details


def _time_problem(occurred_at: dt.datetime, bounds: Bounds) -> str | None:
    if occurred_at > bounds.now + bounds.future_tolerance:
        seconds = int(bounds.future_tolerance.total_seconds())
        return f"is in the future: later than now plus the tolerance of {seconds} s"
    if occurred_at < bounds.now - bounds.max_age:
        return f"is older than the {bounds.max_age.days} days events may be (EVENT_MAX_AGE_DAYS)"
    return None


def _official_problem(
    event: Any, units: Mapping[str, UnitRecord], officials: Mapping[str, OfficialRecord]
) -> tuple[str, str | None]:
    """An actor or signer acts for their own unit or a unit below it; an evaluation is of
    an official of the event's own unit."""
    field = ACTING_OFFICIAL_FIELDS.get(event.type)
    evaluated = event.type == EV_EVALUATED
    if evaluated:
        field = "official_id"
    if field is None:
        return "", None
    official_id = getattr(event, field)
    official = officials.get(official_id)
    if official is None:
        return field, f"official {official_id!r} is not in the registry"
    if official.unit_id == event.unit_id:
        return field, None
    if evaluated:
        return field, (
            f"official {official_id!r} is of unit {official.unit_id!r}, "
            f"not of the event's unit {event.unit_id!r}"
        )
    if official.unit_id in ancestors(event.unit_id, units):
        return field, None
    return field, (
        f"official {official_id!r} is of unit {official.unit_id!r}, "
        f"neither the event's unit {event.unit_id!r} nor a unit above it"
    )

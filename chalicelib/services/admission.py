"""What a delivery may claim, checked when it arrives (not when the archive is replayed:
a rebuild re-stores what was accepted then, whatever the scope or the clock say now).

1. Scope: a source speaks only for its units and the units below them (403, the whole
   delivery, naming the units). Counterparts (to_unit_id, from_unit_id) stay free.
2. Plausibility (domain.plausibility): officials, times and periods that cannot be true
   are refused (422 naming each event and field).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from chalicelib import clock
from chalicelib.domain import plausibility
from chalicelib.domain.errors import DomainError, Forbidden, Unavailable, Unprocessable
from chalicelib.domain.registry import outside_scope
from chalicelib.observability import logger
from chalicelib.services import sources as source_service
from chalicelib.settings import get_settings
from chalicelib.storage import registry as registry_store


def check_scope(source_id: str, acting_units: Iterable[str]) -> None:
    acting = set(acting_units)
    if not acting:
        return
    try:
        scope = source_service.scope_of(source_id) or []
        units = registry_store.registry_snapshot().units
        outside = outside_scope(acting, scope, units)
        if outside:  # maybe a unit was just moved under the scope
            units = registry_store.registry_snapshot(max_age_seconds=0).units
            outside = outside_scope(acting, scope, units)
    except DomainError:
        raise
    except Exception:
        logger.exception("scope lookup failed")
        raise Unavailable("Could not check the source's scope right now; retry later") from None
    if outside:
        raise Forbidden(
            f"Source {source_id!r} may not speak for unit(s) {', '.join(outside)}; its scope is "
            f"{', '.join(scope) or 'empty'} and the units below; nothing was stored",
            code="outside_scope",
            details=[{"unit_id": u} for u in outside],
        )


def check_units(events: list[Any]) -> None:
    """Every acting unit is in the registry (422 naming each event and unit otherwise).
    Counterparts (to_unit_id, from_unit_id) may be outside it."""
    missing = registry_store.missing_units(e.unit_id for e in events)
    unknown = [
        {"index": i, "field": "unit_id", "unit_id": e.unit_id, "message": "not in the registry"}
        for i, e in enumerate(events)
        if e.unit_id in missing
    ]
    if unknown:
        raise Unprocessable(
            "Events name units that are not in the registry; nothing was stored", details=unknown
        )


def check_organs(source_id: str, organs: set[str]) -> None:
    """The acting organs of an edXML message that changes no KPI (a recall's sender, a
    status's reporter) are held to an event's unit rules: in the registry (422 otherwise)
    and in the source's scope (403)."""
    missing = registry_store.missing_units(organs)
    if missing:
        raise Unprocessable(
            "The message names organs that are not in the registry; nothing was stored",
            details=[{"unit_id": u} for u in sorted(missing)],
        )
    check_scope(source_id, organs)


def admit(source_id: str, events: list[Any], *, registry_officials: bool = True) -> None:
    """Refuse the whole delivery unless every event is in scope and may be true.

    `registry_officials` is False for edXML: its officials are ids derived from a
    certificate or a name (docs/edxml.md, "Ids"), never registry ids, so only the unit,
    scope and time rules apply to them."""
    if not events:
        return
    check_units(events)
    check_scope(source_id, (e.unit_id for e in events))
    settings = get_settings()
    bounds = plausibility.Bounds(
        now=clock.now(),
        future_tolerance=dt.timedelta(seconds=settings.webhook_tolerance_seconds),
        max_age=dt.timedelta(days=settings.event_max_age_days),
        zone=settings.zone,
    )
    try:
        named = plausibility.named_officials(events) if registry_officials else set()
        officials = registry_store.cached_officials(named)
        units = registry_store.registry_snapshot().units
    except Exception:
        logger.exception("registry lookup failed")
        raise Unavailable("Could not check the registry right now; retry later") from None
    details = plausibility.implausible(
        events,
        units=units,
        officials=officials,
        bounds=bounds,
        check_officials=registry_officials,
    )
    if details and named:  # the cache may predate a change of these officials: read again
        try:
            officials = registry_store.cached_officials(named, max_age_seconds=0)
        except Exception:
            logger.exception("registry lookup failed")
            raise Unavailable("Could not check the registry right now; retry later") from None
        details = plausibility.implausible(
            events,
            units=units,
            officials=officials,
            bounds=bounds,
            check_officials=registry_officials,
        )
    if details:
        raise Unprocessable("Events that cannot be true; nothing was stored", details=details)

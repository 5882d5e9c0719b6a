"""Holds (Decree 152/2025/NĐ-CP Art. 4): recorded and lifted by the province admin, read by
the appraisal. A hold recorded after a nominee was appraised eligible puts that nomination
back to submitted, with a note in its audit trail."""

from __future__ import annotations

import uuid
from typing import Any

from chalicelib import clock
from chalicelib.auth import Principal
from chalicelib.domain.errors import Conflict, InvalidInput, NotFound
from chalicelib.domain.holds import Hold, active_holds
from chalicelib.domain.nominations import AuditRecord
from chalicelib.schemas.holds import HoldCreate
from chalicelib.services.nominations.access import actor
from chalicelib.storage import holds as hold_store
from chalicelib.storage import nominations as nomination_store
from chalicelib.storage import registry as registry_store


def hold_out(hold: Hold, today: Any = None) -> dict[str, Any]:
    day = today or clock.local_today()
    return {
        "hold_id": hold.hold_id,
        "subject_kind": hold.subject_kind,
        "subject_id": hold.subject_id,
        "subject_name": hold.subject_name,
        "kind": hold.kind,
        "reason": hold.reason,
        "from": hold.starts_on,
        "to": hold.ends_on,
        "active": hold.active_on(day),
        "created_by": hold.created_by,
        "created_at": hold.created_at,
        "lifted_at": hold.lifted_at,
        "lifted_by": hold.lifted_by,
    }


def _subject_name(subject_kind: str, subject_id: str) -> str:
    if subject_kind == "unit":
        unit = registry_store.registry_snapshot(max_age_seconds=0).units.get(subject_id)
        if unit is None:
            raise InvalidInput(
                f"Unit {subject_id!r} is not in the registry",
                code="validation_failed",
                details=[{"field": "subject.unit_id"}],
            )
        return unit.name
    official = registry_store.get_official(subject_id)
    if official is None:
        raise InvalidInput(
            f"Official {subject_id!r} is not in the registry",
            code="validation_failed",
            details=[{"field": "subject.official_id"}],
        )
    return official.full_name


def record_hold(principal: Principal, payload: HoldCreate) -> dict[str, Any]:
    """Record a hold; every eligible nomination it now bars goes back to submitted."""
    subject_kind = "unit" if payload.subject.unit_id else "official"
    subject_id = str(payload.subject.unit_id or payload.subject.official_id)
    at = clock.now()
    hold = Hold(
        hold_id=uuid.uuid4().hex,
        subject_kind=subject_kind,
        subject_id=subject_id,
        subject_name=_subject_name(subject_kind, subject_id),
        kind=payload.kind,
        reason=payload.reason,
        starts_on=payload.from_,
        ends_on=payload.to,
        created_by=actor(principal),
        created_at=at,
    )
    record = AuditRecord(
        hold.hold_id,
        at,
        actor(principal),
        "hold_recorded",
        None,
        None,
        {
            "subject_kind": subject_kind,
            "subject_id": subject_id,
            "kind": hold.kind,
            "reason": hold.reason,
            "from": hold.starts_on.isoformat(),
            "to": hold.ends_on.isoformat() if hold.ends_on else None,
        },
    )
    hold_store.create_hold(hold, record)
    held_back = _hold_back_eligible(principal, hold)
    return {**hold_out(hold), "held_back": held_back}


def _hold_back_eligible(principal: Principal, hold: Hold) -> list[str]:
    """Eligible nominations of the hold's subject, in every campaign, back to submitted."""
    from chalicelib.services import registry as registry_service

    if hold.ends_on is not None and hold.ends_on < clock.local_today():
        return []  # already over: it bars nothing
    moved: list[str] = []
    for campaign in registry_service.list_campaigns():
        for summary in nomination_store.campaign_nominations(campaign.campaign_id):
            if summary.status != "eligible" or not hold.applies_to(
                summary.kind, summary.nominee_unit_id, summary.nominee_official_id
            ):
                continue
            at = clock.now()
            note = (
                f"Hold {hold.hold_id} ({hold.kind}) recorded after the appraisal: back to "
                "submitted, to be appraised again"
            )
            record = AuditRecord(
                summary.nomination_id,
                at,
                actor(principal),
                "held_back",
                "eligible",
                "submitted",
                {"hold_id": hold.hold_id, "kind": hold.kind, "note": note},
            )
            try:
                nomination_store.move_nomination(
                    summary.nomination_id, "eligible", "submitted", at, record
                )
            except nomination_store.Refused:
                continue  # decided meanwhile: the council's decision stands
            moved.append(summary.nomination_id)
    return moved


def list_holds(principal: Principal) -> dict[str, Any]:
    del principal  # admin-only by the route's declaration
    day = clock.local_today()
    return {"items": [hold_out(h, day) for h in hold_store.all_holds()]}


def lift_hold(principal: Principal, hold_id: str) -> None:
    """Lift a hold: the record stays (marked lifted) and the trail says who lifted it."""
    hold = hold_store.get_hold(hold_id)
    if hold is None:
        raise NotFound(f"Hold {hold_id!r} does not exist")
    at = clock.now()
    record = AuditRecord(hold_id, at, actor(principal), "hold_lifted", None, None, {})
    try:
        hold_store.lift_hold(hold_id, at, actor(principal), record)
    except hold_store.Refused:
        raise Conflict(f"Hold {hold_id!r} is already lifted", code="already_lifted") from None


def holds_on(kind: str, nominee_unit_id: str, nominee_official_id: str | None) -> list[Hold]:
    """The holds in force today on a nominee."""
    return active_holds(
        hold_store.all_holds(), clock.local_today(), kind, nominee_unit_id, nominee_official_id
    )

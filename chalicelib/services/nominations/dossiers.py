"""Nomination dossiers: create, read, edit and list them, and the view every route
returns of one."""

from __future__ import annotations

import uuid
from typing import Any

from chalicelib import clock
from chalicelib.auth import UNIT_OFFICER, Principal
from chalicelib.domain import nominations as rules
from chalicelib.domain.campaigns import Campaign
from chalicelib.domain.errors import Conflict, Forbidden, InvalidInput
from chalicelib.domain.nominations import AuditRecord, Nomination
from chalicelib.domain.registry import is_within
from chalicelib.schemas.nominations import NominationCreate, NominationPatch
from chalicelib.services import registry as registry_service
from chalicelib.services.nominations import access
from chalicelib.storage import nominations as nomination_store
from chalicelib.storage import registry as registry_store


def view(
    item: Nomination, *, rank: bool = True, campaigns: dict[str, Campaign] | None = None
) -> dict[str, Any]:
    """A nomination as the API returns it, with the nominee's current rank.

    `campaigns` caches campaigns across the items of one page."""
    nominee = dict(item.nominee or {})
    out: dict[str, Any] = {
        "nomination_id": item.nomination_id,
        "campaign_id": item.campaign_id,
        "unit_id": item.unit_id,
        "kind": item.kind,
        "nominee": {
            "unit_id": item.nominee_unit_id,
            "official_id": item.nominee_official_id,
            "name": nominee.get("name", ""),
            "level": nominee.get("level"),
            "position": nominee.get("position"),
        },
        "summary": item.summary,
        "creativity": item.creativity or "",
        "status": item.status,
        "return_reason": item.return_reason,
        "review": item.review,
        "appraisal": item.appraisal,
        "evidence": item.evidence,
        "nominee_rank": None,
        "file_count": int(item.file_count or 0),
        "created_by": item.created_by,
        "created_at": item.created_at,
        "updated_at": item.updated_at,
        "submitted_at": item.submitted_at,
    }
    if rank:
        from chalicelib.services import candidates

        cache = campaigns if campaigns is not None else {}
        campaign = cache.get(item.campaign_id)
        if campaign is None:
            campaign = cache[item.campaign_id] = registry_service.get_campaign(item.campaign_id)
        out["nominee_rank"] = candidates.nominee_rank(campaign, item.kind, item.nominee_id)
    return out


def create_nomination(
    principal: Principal, campaign_id: str, payload: NominationCreate
) -> dict[str, Any]:
    campaign = registry_service.get_campaign(campaign_id)
    nominee: dict[str, Any]
    if payload.kind == "collective":
        unit = registry_service.check_unit_access(principal, str(payload.nominee_unit_id))
        if unit.level not in rules.NOMINABLE_LEVELS:
            raise InvalidInput(
                "Request validation failed",
                code="validation_failed",
                details=[
                    {
                        "field": "nominee_unit_id",
                        "message": f"a {unit.level} unit cannot be nominated; "
                        f"nominees are {', '.join(rules.NOMINABLE_LEVELS)} units",
                    }
                ],
            )
        nominee_unit_id, nominee_official_id = unit.unit_id, None
        nominee = {"name": unit.name, "level": unit.level}
    else:
        official = registry_service.check_official_access(
            principal, str(payload.nominee_official_id)
        )
        if not official.active:
            raise InvalidInput(
                "Request validation failed",
                code="validation_failed",
                details=[
                    {
                        "field": "nominee_official_id",
                        "message": f"official {official.official_id!r} is not active",
                    }
                ],
            )
        nominee_unit_id, nominee_official_id = official.unit_id, official.official_id
        nominee = {"name": official.full_name, "position": official.position}

    if principal.role == UNIT_OFFICER:
        if payload.unit_id not in (None, principal.unit_id):
            raise Forbidden("A unit officer's nominations belong to their own unit")
        unit_id = str(principal.unit_id)
    else:
        unit_id = payload.unit_id or principal.unit_id or nominee_unit_id
        registry_service.check_unit_access(principal, unit_id)
    units = registry_store.registry_snapshot().units
    if not is_within(nominee_unit_id, unit_id, units):
        raise InvalidInput(
            "Request validation failed",
            code="validation_failed",
            details=[
                {
                    "field": "unit_id",
                    "message": f"the nominee must be unit {unit_id!r} or one of its sub-units",
                }
            ],
        )
    try:
        rules.upload_key(campaign_id, unit_id, "0" * 32, "0" * 32)
    except ValueError as exc:
        raise InvalidInput(str(exc)) from None

    at = clock.now()
    nomination_id = uuid.uuid4().hex
    actor = access.actor(principal)
    item = Nomination(
        nomination_id=nomination_id,
        campaign_id=campaign_id,
        created_key=f"{at:%Y-%m-%dT%H:%M:%S.%fZ}#{nomination_id}",
        unit_id=unit_id,
        kind=payload.kind,
        nominee_unit_id=nominee_unit_id,
        nominee_official_id=nominee_official_id,
        nominee=nominee,
        summary=payload.summary,
        creativity=payload.creativity,
        status="draft",
        file_count=0,
        created_by=actor,
        created_at=at,
        updated_at=at,
    )
    record = AuditRecord(
        nomination_id,
        at,
        actor,
        "created",
        None,
        "draft",
        {
            "campaign_id": campaign_id,
            "unit_id": unit_id,
            "kind": payload.kind,
            "nominee_unit_id": nominee_unit_id,
            "nominee_official_id": nominee_official_id,
            "summary": payload.summary,
            "creativity": payload.creativity,
        },
    )
    # Decided by its council, a campaign nominates each nominee once (one achievement, one
    # award: Law on Emulation and Commendation 2022).
    once = campaign.award_procedure == "council"
    try:
        nomination_store.create_nomination(item, record, once_per_nominee=once)
    except nomination_store.Refused:
        other = nomination_store.nominated_in(campaign_id, item.kind, item.nominee_id)
        raise Conflict(
            f"{nominee.get('name') or item.nominee_id} is already nominated in campaign "
            f"{campaign_id!r} (nomination {other!r}); a nominee is nominated once per campaign",
            code="already_nominated",
            details=[{"nominee_id": item.nominee_id, "kind": item.kind, "nomination_id": other}],
        ) from None
    return view(item)


def get_nomination(principal: Principal, nomination_id: str) -> dict[str, Any]:
    return view(access.visible(principal, nomination_id))


def update_nomination(
    principal: Principal, nomination_id: str, payload: NominationPatch
) -> dict[str, Any]:
    item = access.changeable(principal, nomination_id, "edit")
    changes = {
        name: value
        for name, value in (("summary", payload.summary), ("creativity", payload.creativity))
        if value is not None and value != getattr(item, name)
    }
    if changes:
        at = clock.now()
        record = AuditRecord(
            nomination_id,
            at,
            access.actor(principal),
            "edited",
            item.status,
            item.status,
            {"changes": {k: {"from": getattr(item, k), "to": v} for k, v in changes.items()}},
        )
        try:
            nomination_store.edit_nomination(nomination_id, changes, at, record)
        except nomination_store.Refused:
            raise access.refused_state(nomination_id, "edit") from None
        item = nomination_store.get_nomination(nomination_id) or item
    return view(item)


def list_nominations(
    principal: Principal,
    campaign_id: str,
    *,
    status: str | None,
    kind: str | None,
    unit_id: str | None,
    limit: int,
    token: dict[str, str] | None,
) -> tuple[list[dict[str, Any]], dict[str, str] | None]:
    if status is not None and status not in rules.STATUSES:
        raise InvalidInput(f"Query parameter 'status' must be one of {', '.join(rules.STATUSES)}")
    if kind is not None and kind not in rules.KINDS:
        raise InvalidInput(f"Query parameter 'kind' must be one of {', '.join(rules.KINDS)}")
    campaign = registry_service.get_campaign(campaign_id)
    if unit_id is not None:
        registry_service.check_unit_access(principal, unit_id)
    items, last = nomination_store.nominations_page(
        campaign_id,
        limit=limit,
        after=token,
        status=status,
        kind=kind,
        unit_id=unit_id,
        visible_units=registry_service.visible_unit_ids(principal),
    )
    campaigns = {campaign_id: campaign}
    return [view(i, campaigns=campaigns) for i in items], last

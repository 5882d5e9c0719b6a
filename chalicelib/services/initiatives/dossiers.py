"""Initiatives: register, read, edit, list, file, submit, return; and their audit trail."""

from __future__ import annotations

import uuid
from typing import Any

from chalicelib import clock
from chalicelib.auth import PROVINCE_ADMIN, UNIT_OFFICER, Principal
from chalicelib.domain import initiatives as rules
from chalicelib.domain.campaigns import Campaign, deadline_closes_at
from chalicelib.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from chalicelib.domain.initiatives import Initiative
from chalicelib.domain.nominations import AuditRecord
from chalicelib.domain.registry import is_within
from chalicelib.schemas.initiatives import AuthorIn, InitiativeCreate, InitiativePatch
from chalicelib.schemas.nominations import FileCreate
from chalicelib.services import registry as registry_service
from chalicelib.services.initiatives import access
from chalicelib.services.nominations import files
from chalicelib.settings import get_settings
from chalicelib.storage import initiatives as initiative_store
from chalicelib.storage import nominations as nomination_store
from chalicelib.storage import registry as registry_store


def view(item: Initiative, principal: Principal | None = None) -> dict[str, Any]:
    """An initiative as the API returns it; a council member also sees their own score
    and why they are recused, province roles how many scored (never the scores)."""
    from chalicelib.services.initiatives import assessment

    unit = registry_store.registry_snapshot().units.get(item.unit_id)
    out: dict[str, Any] = {
        "initiative_id": item.initiative_id,
        "campaign_id": item.campaign_id,
        "unit_id": item.unit_id,
        "unit_name": unit.name if unit else item.unit_id,
        "title": item.title,
        "description": item.description,
        "benefit": item.benefit,
        "applied_from": item.applied_from,
        "authors": [
            {
                "name": a.get("name", ""),
                "unit_id": a["unit_id"],
                "official_id": a.get("official_id"),
            }
            for a in item.authors
        ],
        "status": item.status,
        "return_reason": item.return_reason,
        "file_count": item.file_count,
        "assessment": item.assessment,
        "scores_received": None,
        "my_score": None,
        "recusal": None,
        "created_by": item.created_by,
        "created_at": item.created_at,
        "updated_at": item.updated_at,
        "submitted_at": item.submitted_at,
    }
    if principal is not None and item.status == "submitted":
        out.update(assessment.caller_view(principal, item))
    return out


def _authors(principal: Principal, unit_id: str, given: list[AuthorIn]) -> list[dict[str, Any]]:
    """Officials of the unit's subtree (active), or the unit itself as a collective author."""
    units = registry_store.registry_snapshot().units
    wanted = [a.official_id for a in given if a.official_id]
    officials = registry_store.officials_by_id(wanted)
    authors: list[dict[str, Any]] = []
    problems: list[dict[str, Any]] = []
    for i, author in enumerate(given):
        if author.unit_id is not None:
            if author.unit_id != unit_id:
                problems.append(
                    {
                        "field": f"authors.{i}.unit_id",
                        "message": f"a collective author is the registering unit {unit_id!r}",
                    }
                )
                continue
            authors.append({"name": units[unit_id].name, "unit_id": unit_id, "official_id": None})
            continue
        official = officials.get(str(author.official_id))
        if official is None or not is_within(official.unit_id, unit_id, units):
            problems.append(
                {
                    "field": f"authors.{i}.official_id",
                    "message": f"official {author.official_id!r} is not in unit {unit_id!r} "
                    "or its sub-units",
                }
            )
            continue
        authors.append(
            {
                "name": official.full_name,
                "unit_id": official.unit_id,
                "official_id": official.official_id,
            }
        )
    keys = [(a["official_id"] or "", a["unit_id"]) for a in authors]
    if len(set(keys)) != len(keys):
        problems.append({"field": "authors", "message": "each author appears once"})
    if problems:
        raise InvalidInput("The authors are invalid", code="validation_failed", details=problems)
    return authors


def create_initiative(
    principal: Principal, campaign_id: str, payload: InitiativeCreate
) -> dict[str, Any]:
    access.require(principal, access.WRITER_ROLES, "register initiatives")
    registry_service.get_campaign(campaign_id)
    if principal.role == UNIT_OFFICER:
        unit_id = payload.unit_id or str(principal.unit_id)
    elif payload.unit_id is None:
        raise InvalidInput(
            "Name the registering unit_id", code="validation_failed", details=[{"field": "unit_id"}]
        )
    else:
        unit_id = payload.unit_id
    registry_service.check_unit_access(principal, unit_id)
    authors = _authors(principal, unit_id, payload.authors)
    at = clock.now()
    initiative_id = uuid.uuid4().hex
    actor = access.actor(principal)
    item = Initiative(
        initiative_id=initiative_id,
        campaign_id=campaign_id,
        created_key=f"{at:%Y-%m-%dT%H:%M:%S.%fZ}#{initiative_id}",
        unit_id=unit_id,
        title=payload.title,
        description=payload.description,
        benefit=payload.benefit,
        applied_from=payload.applied_from,
        authors=authors,
        status="draft",
        created_by=actor,
        created_at=at,
        updated_at=at,
    )
    record = AuditRecord(
        initiative_id,
        at,
        actor,
        "created",
        None,
        "draft",
        {"campaign_id": campaign_id, "unit_id": unit_id, "title": payload.title},
    )
    initiative_store.create_initiative(item, record)
    return view(item, principal)


def get_initiative(principal: Principal, initiative_id: str) -> dict[str, Any]:
    return view(access.visible(principal, initiative_id), principal)


def update_initiative(
    principal: Principal, initiative_id: str, payload: InitiativePatch
) -> dict[str, Any]:
    item = access.changeable(principal, initiative_id, "edit")
    changes: dict[str, Any] = {}
    for name in ("title", "description", "benefit"):
        value = getattr(payload, name)
        if value is not None and value != getattr(item, name):
            changes[name] = value
    if payload.applied_from is not None and payload.applied_from != item.applied_from:
        changes["applied_from"] = payload.applied_from.isoformat()
    if payload.authors is not None:
        authors = _authors(principal, item.unit_id, payload.authors)
        if authors != item.authors:
            changes["authors"] = authors
    if changes:
        at = clock.now()
        record = AuditRecord(
            initiative_id,
            at,
            access.actor(principal),
            "edited",
            item.status,
            item.status,
            {"changed": sorted(changes)},
        )
        try:
            initiative_store.edit_initiative(initiative_id, changes, at, record)
        except initiative_store.Refused:
            raise access.refused_state(initiative_id, "edit") from None
        item = initiative_store.get_initiative(initiative_id) or item
    return view(item, principal)


def list_initiatives(
    principal: Principal,
    campaign_id: str,
    *,
    status: str | None,
    unit_id: str | None,
    limit: int,
    token: dict[str, str] | None,
) -> tuple[list[dict[str, Any]], dict[str, str] | None]:
    """A unit officer sees their subtree's, province roles all, a council member the
    submitted and decided ones of their council's campaign."""
    if status is not None and status not in rules.STATUSES:
        raise InvalidInput(f"Query parameter 'status' must be one of {', '.join(rules.STATUSES)}")
    registry_service.get_campaign(campaign_id)
    if unit_id is not None and principal.role != "council_member":
        registry_service.check_unit_access(principal, unit_id)
    visible_units = None
    if principal.role == "council_member":
        if access.council_seat(principal, campaign_id) is None:
            raise Forbidden(
                f"Only members of campaign {campaign_id!r}'s initiatives council see its "
                "initiatives",
                code="not_a_member",
            )
        if status == "draft":
            return [], None
    else:
        visible_units = registry_service.visible_unit_ids(principal)
    items, last = initiative_store.initiatives_page(
        campaign_id,
        limit=limit,
        after=token,
        status=status,
        unit_id=unit_id,
        visible_units=visible_units,
    )
    if principal.role == "council_member":
        items = [i for i in items if i.status != "draft"]
    return [view(i, principal) for i in items], last


# --- files -----------------------------------------------------------------------------------


def _dossier(item: Initiative) -> files.Dossier:
    return files.Dossier(
        "initiative", item.initiative_id, item.campaign_id, item.unit_id, item.status
    )


def add_file(principal: Principal, initiative_id: str, payload: FileCreate) -> dict[str, Any]:
    """Declare an evidence file and hand out its presigned POST (the nominations' path)."""
    item = access.changeable(principal, initiative_id, "add_file")
    return files.declare_file(principal, _dossier(item), item.file_count, payload)


def list_files(principal: Principal, initiative_id: str) -> dict[str, Any]:
    access.visible(principal, initiative_id)
    return {"initiative_id": initiative_id, "items": files.file_views(initiative_id)}


def delete_file(principal: Principal, initiative_id: str, file_id: str) -> None:
    item = access.visible(principal, initiative_id)
    file = nomination_store.get_file(initiative_id, file_id)
    if file is None or file.owner != "initiative":
        raise NotFound(f"File {file_id!r} is not part of initiative {initiative_id!r}")
    access.require(principal, access.WRITER_ROLES, "delete files of an initiative")
    if rules.next_status(item.status, "delete_file") is None:
        raise access.invalid(item, "delete_file")
    files.remove_file(principal, _dossier(item), file)


# --- submission and return ---------------------------------------------------------------------


def _check_deadline(campaign: Campaign, item: Initiative) -> None:
    deadline = campaign.initiative_deadline
    if deadline is None:
        return
    settings = get_settings()
    closed_at = deadline_closes_at(deadline, settings.zone)
    if clock.now() >= closed_at:
        raise Conflict(
            f"Initiatives for {campaign.campaign_id!r} closed at the end of {deadline} "
            f"({settings.timezone}); initiative {item.initiative_id!r} stays {item.status!r}",
            code="deadline_passed",
            details=[
                {
                    "initiative_id": item.initiative_id,
                    "status": item.status,
                    "initiative_deadline": deadline.isoformat(),
                    "closed_at": closed_at.isoformat(),
                }
            ],
        )


def submit(principal: Principal, initiative_id: str) -> dict[str, Any]:
    item = access.changeable(principal, initiative_id, "submit")
    campaign = registry_service.get_campaign(item.campaign_id)
    _check_deadline(campaign, item)
    at = clock.now()
    verified = [
        f.file_id for f in nomination_store.files_of(initiative_id) if f.status == "verified"
    ]
    record = AuditRecord(
        initiative_id,
        at,
        access.actor(principal),
        "submitted",
        "draft",
        "submitted",
        {"files": verified},
    )
    try:
        initiative_store.move_initiative(
            initiative_id, "draft", "submitted", at, record, submitted_at=at, return_reason=None
        )
    except initiative_store.Refused:
        raise access.refused_state(initiative_id, "submit") from None
    return view(initiative_store.get_initiative(initiative_id) or item, principal)


def return_initiative(principal: Principal, initiative_id: str, reason: str) -> dict[str, Any]:
    """Back to draft with a reason (the scores given so far stay on record, unused)."""
    item = access.visible(principal, initiative_id)
    access.may_return(principal, item)
    if rules.next_status(item.status, "return") is None:
        raise access.invalid(item, "return")
    at = clock.now()
    record = AuditRecord(
        initiative_id,
        at,
        access.actor(principal),
        "returned",
        item.status,
        "draft",
        {"reason": reason},
    )
    try:
        initiative_store.move_initiative(
            initiative_id, "submitted", "draft", at, record, return_reason=reason
        )
    except initiative_store.Refused:
        raise access.refused_state(initiative_id, "return") from None
    return view(initiative_store.get_initiative(initiative_id) or item, principal)


def audit_trail(
    principal: Principal, initiative_id: str, limit: int, token: dict[str, str] | None
) -> tuple[list[dict[str, Any]], dict[str, str] | None]:
    access.visible(principal, initiative_id)
    if principal.role not in (PROVINCE_ADMIN, "reviewer", "viewer", UNIT_OFFICER):
        raise Forbidden("The audit trail is for province roles and the initiative's unit")
    items, last = nomination_store.audit_page(initiative_id, limit, token["seq"] if token else None)
    return [
        {
            "initiative_id": r.nomination_id,
            "at": r.at,
            "actor": r.actor,
            "action": r.action,
            "from_status": r.from_status,
            "to_status": r.to_status,
            "details": r.details or {},
        }
        for r in items
    ], ({"seq": last} if last else None)

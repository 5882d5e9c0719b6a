"""Who may see and change which initiative, and the errors that say why not."""

from __future__ import annotations

from typing import Any

from chalicelib.auth import COUNCIL_MEMBER, PROVINCE_ADMIN, REVIEWER, UNIT_OFFICER, Principal
from chalicelib.domain import initiatives as rules
from chalicelib.domain.councils import Council, CouncilMember
from chalicelib.domain.errors import Conflict, Forbidden, NotFound
from chalicelib.domain.initiatives import Initiative
from chalicelib.services import councils
from chalicelib.services.nominations.access import actor, within_caller
from chalicelib.storage import councils as council_store
from chalicelib.storage import initiatives as initiative_store

WRITER_ROLES = (PROVINCE_ADMIN, UNIT_OFFICER)
RETURNER_ROLES = (PROVINCE_ADMIN, REVIEWER)
VERBS = {
    "edit": "edit",
    "add_file": "add files to",
    "delete_file": "delete files of",
    "submit": "submit",
    "return": "return",
    "score": "score",
    "recognise": "recognise",
    "not_recognise": "decide",
}
__all__ = ["actor", "changeable", "council_seat", "invalid", "visible"]


def council_seat(principal: Principal, campaign_id: str) -> tuple[Council, CouncilMember] | None:
    """The caller's seat on the campaign's initiatives council, if they have one."""
    if principal.role != COUNCIL_MEMBER:
        return None
    council = council_store.get_council(campaign_id, "initiatives")
    member = council.member(principal.sub) if council is not None else None
    return (council, member) if council is not None and member is not None else None


def may_see(principal: Principal, item: Initiative) -> bool:
    if principal.role == COUNCIL_MEMBER:
        return item.status != "draft" and council_seat(principal, item.campaign_id) is not None
    return within_caller(principal, item.unit_id)


def visible(principal: Principal, initiative_id: str) -> Initiative:
    """The initiative, when the caller may see it: 404 when unknown, 403 otherwise."""
    item = initiative_store.get_initiative(initiative_id)
    # A draft is the unit's own business: to the council it does not exist yet.
    if item is None or (principal.role == COUNCIL_MEMBER and item.status == "draft"):
        raise NotFound(f"Initiative {initiative_id!r} does not exist")
    if not may_see(principal, item):
        raise Forbidden(
            f"Initiative {initiative_id!r} is outside what you may see",
            code="not_a_member" if principal.role == COUNCIL_MEMBER else None,
        )
    return item


def require(principal: Principal, roles: tuple[str, ...], what: str) -> None:
    if principal.role not in roles:
        raise Forbidden(f"Role {principal.role!r} may not {what}; needs one of: {', '.join(roles)}")


def changeable(principal: Principal, initiative_id: str, action: str) -> Initiative:
    """The initiative, when the caller may see it, may write, and its state allows `action`."""
    item = visible(principal, initiative_id)
    require(principal, WRITER_ROLES, f"{VERBS[action]} an initiative")
    if rules.next_status(item.status, action) is None:
        raise invalid(item, action)
    return item


def may_return(principal: Principal, item: Initiative) -> None:
    if principal.role in RETURNER_ROLES:
        return
    seat = council_seat(principal, item.campaign_id)
    if seat is None or seat[1].council_role != "secretary":
        raise Forbidden(
            "Only the province admin, a reviewer or the initiatives council's secretary "
            "returns an initiative"
        )


def may_close(principal: Principal, campaign_id: str) -> Council:
    """The council whose assessment the caller may close: its secretary or the province
    admin."""
    council = councils.council_of(campaign_id, "initiatives")
    if principal.role == PROVINCE_ADMIN:
        return council
    member = councils.membership(principal, council)
    if member.council_role != "secretary":
        raise Forbidden(
            "Only the council's secretary or the province admin closes the assessment",
            code="not_secretary",
        )
    return council


def invalid(item: Initiative, action: str) -> Conflict:
    """409: `action` is not allowed from the initiative's state."""
    allowed = rules.allowed_from(action)
    details: list[Any] = [
        {
            "initiative_id": item.initiative_id,
            "status": item.status,
            "action": action,
            "allowed_from": allowed,
        }
    ]
    return Conflict(
        f"Cannot {VERBS[action]} initiative {item.initiative_id!r}: it is {item.status!r}; "
        f"allowed only when {' or '.join(repr(s) for s in allowed)}",
        details=details,
    )


def refused_state(initiative_id: str, action: str) -> Exception:
    """A transaction found the initiative in another state than we read: report it fresh."""
    item = initiative_store.get_initiative(initiative_id)
    if item is None:
        return NotFound(f"Initiative {initiative_id!r} does not exist")
    return invalid(item, action)

"""Who may see and change which nomination (see the package docstring for the rules),
and the errors that say why not."""

from __future__ import annotations

from typing import Any

from chalicelib.auth import Principal
from chalicelib.domain import nominations as rules
from chalicelib.domain.errors import Conflict, Forbidden, NotFound
from chalicelib.domain.nominations import Nomination
from chalicelib.domain.registry import is_within
from chalicelib.storage import nominations as nomination_store
from chalicelib.storage import registry as registry_store

VERBS = {
    "edit": "edit",
    "add_file": "add files to",
    "delete_file": "delete files of",
    "submit": "submit",
    "approve": "approve",
    "reject": "reject",
    "return": "return",
    "appraise_eligible": "appraise eligible",
    "appraise_not_eligible": "appraise not eligible",
    "hold_back": "hold back",
    "council_approve": "approve",
    "council_reject": "reject",
}


def actor(principal: Principal) -> dict[str, Any]:
    """Who acted, as the audit trail records it."""
    return {"sub": principal.sub, "role": principal.role, "unit_id": principal.unit_id}


def within_caller(principal: Principal, unit_id: str) -> bool:
    if principal.province_wide:
        return True
    if not principal.unit_id:
        return False
    units = registry_store.registry_snapshot().units
    if unit_id not in units or principal.unit_id not in units:
        units = registry_store.registry_snapshot(max_age_seconds=0).units  # a unit added just now
    return is_within(unit_id, principal.unit_id, units)


def visible(principal: Principal, nomination_id: str) -> Nomination:
    """The nomination, when the caller may see it: 404 when unknown, 403 outside their unit."""
    item = nomination_store.get_nomination(nomination_id)
    if item is None:
        raise NotFound(f"Nomination {nomination_id!r} does not exist")
    if not within_caller(principal, item.unit_id):
        raise Forbidden(f"Nomination {nomination_id!r} belongs to a unit outside your unit")
    return item


def changeable(principal: Principal, nomination_id: str, action: str) -> Nomination:
    """The nomination, when the caller may see it and its state allows `action` (which
    roles may write is the route's declaration: chalicelib/api/routing.py)."""
    item = visible(principal, nomination_id)
    if rules.next_status(item.status, action) is None:
        raise invalid(item, action)
    return item


def invalid(item: Nomination, action: str) -> Conflict:
    """409: `action` is not allowed from the nomination's state."""
    allowed = rules.allowed_from(action)
    return Conflict(
        f"Cannot {VERBS[action]} nomination {item.nomination_id!r}: it is {item.status!r}; "
        f"allowed only when {' or '.join(repr(s) for s in allowed)}",
        details=[
            {
                "nomination_id": item.nomination_id,
                "status": item.status,
                "action": action,
                "allowed_from": allowed,
            }
        ],
    )


def refused_state(nomination_id: str, action: str) -> NotFound | Conflict:
    """A transaction found the nomination in another state than we read: report it fresh."""
    item = nomination_store.get_nomination(nomination_id)
    if item is None:
        return NotFound(f"Nomination {nomination_id!r} does not exist")
    return invalid(item, action)

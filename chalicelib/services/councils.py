"""A campaign's councils: set by the province admin, read by province roles and by the
council's own members; the membership check every council action starts with."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from chalicelib import clock
from chalicelib.auth import COUNCIL_MEMBER, Principal
from chalicelib.domain.councils import COUNCIL_KINDS, Council, CouncilMember, CouncilSetting
from chalicelib.domain.councils import rule_for as _rule_for
from chalicelib.domain.errors import Forbidden, InvalidInput, NotFound
from chalicelib.errors import validation_details
from chalicelib.services import registry
from chalicelib.storage import councils as council_store
from chalicelib.storage import registry as registry_store


def _kind(kind: str) -> str:
    if kind not in COUNCIL_KINDS:
        raise NotFound(f"No council kind {kind!r}; kinds: {', '.join(COUNCIL_KINDS)}")
    return kind


def council_out(council: Council) -> dict[str, Any]:
    return {
        "campaign_id": council.campaign_id,
        "kind": council.kind,
        "members": [m.model_dump(mode="json") for m in council.members],
        "rule": council.typed_rule().model_dump(mode="json"),
        "updated_at": council.updated_at,
        "updated_by": council.updated_by,
    }


def set_council(
    principal: Principal, campaign_id: str, kind: str, setting: CouncilSetting
) -> dict[str, Any]:
    """Create or replace the campaign's council of `kind` (members and rule); who may is
    the route's declaration (a province admin)."""
    _kind(kind)
    registry.get_campaign(campaign_id)
    try:
        rule = _rule_for(kind, setting.rule.model_dump(mode="json", exclude_unset=True))
    except ValidationError as exc:
        details = [{**d, "field": f"rule.{d.get('field', '')}"} for d in validation_details(exc)]
        raise InvalidInput(f"The {kind} council's rule is invalid", details=details) from None
    officials = [m.official_id for m in setting.members if m.official_id]
    known = registry_store.officials_by_id(officials)
    unknown = [o for o in officials if o not in known]
    if unknown:
        raise InvalidInput(
            f"Members name officials not in the registry: {', '.join(unknown)}",
            details=[{"field": "members.official_id", "official_id": o} for o in unknown],
        )
    council = Council(
        campaign_id=campaign_id,
        kind=kind,  # type: ignore[arg-type]  # checked by _kind
        members=setting.members,
        rule=rule.model_dump(mode="json"),
        updated_at=clock.now(),
        updated_by=principal.sub,
    )
    council_store.put_council(council)
    return council_out(council)


def council_of(campaign_id: str, kind: str) -> Council:
    """The campaign's council of `kind`; NotFound when none was set."""
    council = council_store.get_council(campaign_id, _kind(kind))
    if council is None:
        raise NotFound(
            f"Campaign {campaign_id!r} has no {kind} council yet; the province admin sets it "
            f"with PUT /campaigns/{campaign_id}/councils/{kind}",
            code="no_council",
        )
    return council


def membership(principal: Principal, council: Council) -> CouncilMember:
    """The caller's seat on the council: only a council_member token whose sub is on it."""
    member = council.member(principal.sub) if principal.role == COUNCIL_MEMBER else None
    if member is None:
        raise Forbidden(
            f"Only members of the {council.kind} council of campaign "
            f"{council.campaign_id!r} may do this",
            code="not_a_member",
        )
    return member


def get_council(principal: Principal, campaign_id: str, kind: str) -> dict[str, Any]:
    """Province roles and the council's own members read it."""
    council = council_of(campaign_id, kind)
    if not principal.province_wide:
        membership(principal, council)
    return council_out(council)

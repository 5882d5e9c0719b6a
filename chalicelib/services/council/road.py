"""What the meeting reads of the road before it (issue 21): the awards council, and the
shortlist it votes on, once its public posting has closed and every feedback is answered.

The shortlist is the campaign's nominations appraised eligible (issue 21's appraisal);
until issue 21's public posting lands, the posting and feedback checks plug in here, in one
place."""

from __future__ import annotations

from typing import Any

from chalicelib.domain.campaigns import Campaign
from chalicelib.domain.councils import Council, CouncilMember
from chalicelib.domain.nominations import Nomination
from chalicelib.storage import nominations as nomination_store
from chalicelib.storage import registry as registry_store

ELIGIBLE = "eligible"


def awards_council(campaign_id: str) -> Council:
    from chalicelib.services import councils

    return councils.council_of(campaign_id, "awards")


def member_dict(member: CouncilMember) -> dict[str, Any]:
    return {
        "sub": member.sub,
        "full_name": member.full_name,
        "position": member.position,
        "council_role": member.council_role,
    }


def nominee_dict(item: Nomination, unit_names: dict[str, str]) -> dict[str, Any]:
    evidence = item.evidence or {}
    rank = (evidence.get("rank") or {}).get("rank")
    nominee = item.nominee or {}
    return {
        "nomination_id": item.nomination_id,
        "kind": item.kind,
        "name": str(nominee.get("name") or item.nominee_id),
        "position": str(nominee.get("position") or ""),
        "unit_id": item.nominee_unit_id,
        "unit_name": unit_names.get(item.nominee_unit_id, item.nominee_unit_id),
        "kpi_rank": int(rank) if isinstance(rank, int) else None,
        "score": evidence.get("score"),
        "summary": item.summary,
    }


def ready_shortlist(campaign: Campaign) -> list[dict[str, Any]]:
    """The nominees the council votes on, in a stable order (collectives first, then by
    KPI rank); Conflict posting_open / feedback_unresolved when the road is not done."""
    summaries = nomination_store.campaign_nominations(campaign.campaign_id)
    units = registry_store.registry_snapshot(max_age_seconds=0).units
    names = {u.unit_id: u.name for u in units.values()}
    items = []
    for s in summaries:
        if s.status != ELIGIBLE:
            continue
        item = nomination_store.get_nomination(s.nomination_id)
        if item is not None and item.status == ELIGIBLE:
            items.append(nominee_dict(item, names))
    kinds = ("collective", "individual")
    items.sort(
        key=lambda n: (
            kinds.index(n["kind"]),
            n["kpi_rank"] is None,
            n["kpi_rank"] or 0,
            n["name"],
            n["nomination_id"],
        )
    )
    return items

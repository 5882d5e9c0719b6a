"""What the meeting reads of the road before it (issue 21): the awards council, and the
shortlist it votes on, once its public posting has closed and every feedback is answered.

The shortlist is the one frozen by issue 21's public posting (services/posting.py), once its
window has closed and every feedback has its answer; nominees no longer eligible drop out."""

from __future__ import annotations

from typing import Any

from chalicelib import clock
from chalicelib.domain.campaigns import Campaign
from chalicelib.domain.councils import Council, CouncilMember
from chalicelib.domain.errors import Conflict
from chalicelib.domain.nominations import Nomination
from chalicelib.storage import nominations as nomination_store

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
    """The shortlist the council votes on: the one frozen when the public posting opened
    (issue 21), less any nominee no longer eligible (a hold recorded since); Conflict
    `not_posted` before the posting, `posting_open` while its window runs and
    `feedback_unresolved` (naming the nominees) while any feedback awaits an answer."""
    from chalicelib.services import posting as posting_service

    campaign_id = campaign.campaign_id
    posting = posting_service.get_posting(campaign_id)
    if posting is None:
        raise Conflict(
            f"The shortlist of {campaign_id!r} has not been posted for public comment yet",
            code="not_posted",
        )
    if posting.state(clock.now()) != "closed":
        raise Conflict(
            f"The public posting of the shortlist runs until {posting.closes_at.isoformat()}; "
            "the council meets after it closes",
            code="posting_open",
            details=[
                {
                    "opens_at": posting.opens_at.isoformat(),
                    "closes_at": posting.closes_at.isoformat(),
                }
            ],
        )
    frozen = posting_service.frozen_shortlist(campaign_id)
    waiting = [
        {"nomination_id": n["nomination_id"], "name": n["name"], "unanswered": count}
        for n in frozen
        if (count := posting_service.unanswered_feedback(campaign_id, n["nomination_id"]))
    ]
    if waiting:
        raise Conflict(
            "Feedback on the shortlist awaits an answer: " + ", ".join(w["name"] for w in waiting),
            code="feedback_unresolved",
            details=waiting,
        )
    entries = []
    for n in frozen:
        item = nomination_store.get_nomination(n["nomination_id"])
        if item is None or item.status != ELIGIBLE:
            continue
        evidence = n.get("evidence") or {}
        rank = evidence.get("rank")
        entries.append(
            {
                "nomination_id": n["nomination_id"],
                "kind": n["kind"],
                "name": n["name"],
                "position": n.get("position") or "",
                "unit_id": n.get("unit_id"),
                "unit_name": n.get("unit_name") or "",
                "kpi_rank": rank if isinstance(rank, int) else None,
                "score": evidence.get("score"),
                "summary": n.get("summary") or "",
            }
        )
    return entries

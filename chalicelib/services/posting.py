"""Public posting (công khai) of a campaign's eligible shortlist and the public's feedback.

The province admin opens the posting: the eligible nominations at that moment are frozen
(who, and what the public sees of their evidence) with the window in working days. Anyone
reads the shortlist and sends feedback while the window is open; province roles read and
answer it. The awards council (issue 22) asks `posting_window_open` and
`unanswered_feedback` before it votes on a nominee.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from chalicelib import clock
from chalicelib.auth import Principal
from chalicelib.domain import posting as rules
from chalicelib.domain.campaigns import Campaign
from chalicelib.domain.errors import Conflict, NotFound
from chalicelib.domain.posting import Feedback, Posting
from chalicelib.schemas.posting import FeedbackCreate, PostingCreate
from chalicelib.services import public_limits
from chalicelib.services import registry as registry_service
from chalicelib.services.nominations.access import actor
from chalicelib.settings import get_settings
from chalicelib.storage import initiatives as initiative_store
from chalicelib.storage import nominations as nomination_store
from chalicelib.storage import postings as posting_store
from chalicelib.storage import registry as registry_store

# --- what the awards council asks (issue 22) -----------------------------------------------


def get_posting(campaign_id: str) -> Posting | None:
    return posting_store.get_posting(campaign_id)


def posting_window_open(campaign_id: str, now: dt.datetime | None = None) -> bool:
    """Whether the campaign's posting is open now (False when never opened or closed)."""
    posting = posting_store.get_posting(campaign_id)
    return posting is not None and posting.state(now or clock.now()) == "open"


def unanswered_feedback(campaign_id: str, nomination_id: str | None = None) -> int:
    """How many feedback items on the nominee (or on anyone, with None) await an answer."""
    return sum(
        1
        for f in posting_store.campaign_feedback(campaign_id)
        if f.status == "open" and (nomination_id is None or f.nomination_id == nomination_id)
    )


def frozen_shortlist(campaign_id: str) -> list[dict[str, Any]]:
    """The shortlist as frozen when the posting opened (empty when never posted)."""
    posting = posting_store.get_posting(campaign_id)
    return list(posting.shortlist) if posting else []


# --- opening the posting --------------------------------------------------------------------


def _recognised_initiatives(campaign_id: str) -> list[Any]:
    return [
        i for i in initiative_store.campaign_initiatives(campaign_id) if i.status == "recognised"
    ]


def _nominee_entry(item: Any, unit_names: dict[str, str], recognised: list[Any]) -> dict[str, Any]:
    nominee = item.nominee or {}
    if item.kind == "collective":
        theirs = [i for i in recognised if i.unit_id == item.nominee_unit_id]
    else:
        theirs = [
            i
            for i in recognised
            if any(a.get("official_id") == item.nominee_official_id for a in i.authors)
        ]
    return {
        "nomination_id": item.nomination_id,
        "kind": item.kind,
        "name": str(nominee.get("name") or item.nominee_id),
        "position": str(nominee.get("position") or "") if item.kind == "individual" else None,
        "unit_id": item.nominee_unit_id,
        "unit_name": unit_names.get(item.nominee_unit_id, item.nominee_unit_id),
        "evidence": rules.public_evidence(item.evidence),
        "initiatives": [{"initiative_id": i.initiative_id, "title": i.title} for i in theirs],
        "summary": item.summary,
    }


def _shortlist_now(campaign: Campaign) -> list[dict[str, Any]]:
    """The eligible nominations now, collectives first, then by rank and name."""
    units = registry_store.registry_snapshot(max_age_seconds=0).units
    names = {u.unit_id: u.name for u in units.values()}
    recognised = _recognised_initiatives(campaign.campaign_id)
    entries = []
    for summary in nomination_store.campaign_nominations(campaign.campaign_id):
        if summary.status != "eligible":
            continue
        item = nomination_store.get_nomination(summary.nomination_id)
        if item is not None and item.status == "eligible":
            entries.append(_nominee_entry(item, names, recognised))
    kinds = ("collective", "individual")
    entries.sort(
        key=lambda n: (
            kinds.index(n["kind"]),
            n["evidence"].get("rank") is None,
            n["evidence"].get("rank") or 0,
            n["name"],
        )
    )
    return entries


def open_posting(principal: Principal, campaign_id: str, payload: PostingCreate) -> dict[str, Any]:
    campaign = registry_service.get_campaign(campaign_id)
    if campaign.award_procedure != "council":
        raise Conflict(
            f"Campaign {campaign_id!r} decides by review: it posts no shortlist",
            code="review_procedure",
        )
    shortlist = _shortlist_now(campaign)
    if not shortlist:
        raise Conflict(
            f"Campaign {campaign_id!r} has no eligible nomination to post; appraise first",
            code="empty_shortlist",
        )
    window = rules.window(
        payload.opens_on, payload.working_days, campaign.holidays, get_settings().zone
    )
    posting = Posting(
        campaign_id=campaign_id,
        opens_on=payload.opens_on,
        working_days=payload.working_days,
        opens_at=window.opens_at,
        closes_at=window.closes_at,
        last_day=window.last_day,
        shortlist=shortlist,
        opened_by=actor(principal),
        opened_at=clock.now(),
    )
    try:
        posting_store.create_posting(posting)
    except posting_store.Refused:
        raise Conflict(
            f"Campaign {campaign_id!r} has posted its shortlist already; it stays as frozen",
            code="already_posted",
        ) from None
    return posting_view(campaign, posting)


def _public(campaign: Campaign, posting: Posting) -> dict[str, Any]:
    now = clock.now()
    window = rules.Window(posting.opens_on, posting.last_day, posting.opens_at, posting.closes_at)
    return {
        "campaign_id": campaign.campaign_id,
        "campaign_name": campaign.name,
        "opens_on": posting.opens_on,
        "opens_at": posting.opens_at,
        "closes_at": posting.closes_at,
        "last_day": posting.last_day,
        "working_days": posting.working_days,
        "state": posting.state(now),
        "working_days_left": window.working_days_left(clock.local_today(), campaign.holidays),
        "items": posting.shortlist,
    }


def posting_view(campaign: Campaign, posting: Posting) -> dict[str, Any]:
    feedback = list(posting_store.campaign_feedback(campaign.campaign_id))
    return {
        **_public(campaign, posting),
        "opened_by": posting.opened_by,
        "opened_at": posting.opened_at,
        "feedback_open": sum(1 for f in feedback if f.status == "open"),
        "feedback_total": len(feedback),
    }


def _posted(campaign_id: str) -> tuple[Campaign, Posting]:
    campaign = registry_service.get_campaign(campaign_id)
    posting = posting_store.get_posting(campaign_id)
    if posting is None:
        raise NotFound(f"Campaign {campaign_id!r} has not posted a shortlist")
    return campaign, posting


def get_posting_view(principal: Principal, campaign_id: str) -> dict[str, Any]:
    del principal  # province roles, by the route's declaration
    return posting_view(*_posted(campaign_id))


# --- the public --------------------------------------------------------------------------------


def public_shortlist(campaign_id: str, client: str) -> dict[str, Any]:
    """What anyone may read: the frozen shortlist and the window. 404 for a campaign that
    never posted (or does not exist: the public learns nothing else)."""
    public_limits.take("shortlist", client)
    posting = posting_store.get_posting(campaign_id)
    if posting is None:  # an unknown campaign says no more than one that never posted
        raise NotFound("No shortlist is posted for this campaign")
    return _public(registry_service.get_campaign(campaign_id), posting)


def admit_feedback(client: str) -> None:
    """The per-client bound of feedback, taken before the body is even read."""
    public_limits.take("feedback", client)


def send_feedback(
    campaign_id: str, nomination_id: str, payload: FeedbackCreate, client: str
) -> dict[str, Any]:
    """Record the public's feedback on a shortlisted nominee while the window is open."""
    posting = posting_store.get_posting(campaign_id)
    if posting is None or posting.nominee(nomination_id) is None:
        raise NotFound("No such nominee on a posted shortlist")
    now = clock.now()
    state = posting.state(now)
    if state != "open":
        raise Conflict(
            f"Feedback is taken from {posting.opens_at.isoformat()} until "
            f"{posting.closes_at.isoformat()}; the posting is {state}",
            code="posting_closed" if state == "closed" else "posting_not_open",
            details=[
                {
                    "opens_at": posting.opens_at.isoformat(),
                    "closes_at": posting.closes_at.isoformat(),
                }
            ],
        )
    public_limits.take("feedback_nominee", nomination_id, about="about this nominee")
    feedback_id = uuid.uuid4().hex
    posting_store.add_feedback(
        Feedback(
            feedback_id=feedback_id,
            campaign_id=campaign_id,
            nomination_id=nomination_id,
            created_key=f"{now.astimezone(dt.UTC):%Y-%m-%dT%H:%M:%S.%fZ}#{feedback_id}",
            text=payload.text,
            name=payload.name,
            contact=payload.contact,
            created_at=now,
            status="open",
        )
    )
    return {"feedback_id": feedback_id, "status": "received", "closes_at": posting.closes_at}


# --- province roles read and answer -----------------------------------------------------------


def _feedback_out(item: Feedback, names: dict[str, str]) -> dict[str, Any]:
    return {
        "feedback_id": item.feedback_id,
        "campaign_id": item.campaign_id,
        "nomination_id": item.nomination_id,
        "nominee_name": names.get(item.nomination_id, ""),
        "text": item.text,
        "name": item.name,
        "contact": item.contact,
        "created_at": item.created_at,
        "status": item.status,
        "resolution": item.resolution,
    }


def list_feedback(
    principal: Principal,
    campaign_id: str,
    *,
    status: str | None,
    nomination_id: str | None,
    limit: int,
    token: dict[str, str] | None,
) -> tuple[list[dict[str, Any]], dict[str, str] | None]:
    del principal  # province roles, by the route's declaration
    _campaign, posting = _posted(campaign_id)
    names = {n["nomination_id"]: n["name"] for n in posting.shortlist}
    items, last = posting_store.feedback_page(
        campaign_id, limit=limit, after=token, status=status, nomination_id=nomination_id
    )
    return [_feedback_out(i, names) for i in items], last


def resolve(principal: Principal, feedback_id: str, note: str) -> dict[str, Any]:
    item = posting_store.get_feedback(feedback_id)
    if item is None:
        raise NotFound(f"Feedback {feedback_id!r} does not exist")
    resolution: dict[str, Any] = {
        "note": note,
        "by": actor(principal),
        "at": clock.now().isoformat(),
    }
    try:
        posting_store.resolve_feedback(feedback_id, resolution)
    except posting_store.Refused:
        raise Conflict(
            f"Feedback {feedback_id!r} is answered already", code="already_resolved"
        ) from None
    posting = posting_store.get_posting(item.campaign_id)
    names = {n["nomination_id"]: n["name"] for n in (posting.shortlist if posting else [])}
    return _feedback_out(posting_store.get_feedback(feedback_id) or item, names)

"""The initiatives council's work: scoring with recusal, the close of the assessment by
the council's rule, and creativity as a figure per unit.

While an initiative is submitted (the assessment open) a member sees only their own
score; the others' scores, and the unit, see none. The close decides every submitted
initiative of the campaign at once and stores the outcome with the figures it came from.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from chalicelib import clock
from chalicelib.auth import Principal
from chalicelib.domain import initiatives as rules
from chalicelib.domain.councils import Council, CouncilMember, InitiativesRule
from chalicelib.domain.errors import Forbidden, InvalidInput
from chalicelib.domain.initiatives import Initiative, InitiativeScore
from chalicelib.domain.nominations import AuditRecord
from chalicelib.schemas.initiatives import ScoreRequest
from chalicelib.services import registry as registry_service
from chalicelib.services.initiatives import access
from chalicelib.storage import initiatives as initiative_store
from chalicelib.storage import registry as registry_store


def recusal_of(member: CouncilMember, item: Initiative) -> str | None:
    """Why the member may not score the initiative (they are an author, or an officer of an
    author's unit), or None. Reads the member's official in the registry."""
    unit_id = None
    if member.official_id:
        official = registry_store.get_official(member.official_id)
        unit_id = official.unit_id if official is not None else None
    return rules.recusal(member.official_id, unit_id, item.author_records())


def _recusal_view(reason: str | None) -> dict[str, str] | None:
    return None if reason is None else {"reason": reason, "message": rules.RECUSAL_TEXT[reason]}


def _score_view(score: InitiativeScore) -> dict[str, Any]:
    return {
        "points": score.points,
        "total": score.total,
        "comment": score.comment,
        "at": score.at,
    }


def caller_view(principal: Principal, item: Initiative) -> dict[str, Any]:
    """What the caller sees of a submitted initiative's assessment: a member their own
    score and recusal, province roles the number of scores."""
    if principal.province_wide:
        return {"scores_received": len(initiative_store.scores_of(item.initiative_id))}
    seat = access.council_seat(principal, item.campaign_id)
    if seat is None:
        return {}
    _council, member = seat
    mine = next(
        (s for s in initiative_store.scores_of(item.initiative_id) if s.member_sub == member.sub),
        None,
    )
    return {
        "my_score": _score_view(mine) if mine else None,
        "recusal": _recusal_view(recusal_of(member, item)),
    }


def score(principal: Principal, initiative_id: str, payload: ScoreRequest) -> dict[str, Any]:
    """A member's score of a submitted initiative (again: replaces their own)."""
    item = access.visible(principal, initiative_id)
    seat = access.council_seat(principal, item.campaign_id)
    if seat is None:
        raise Forbidden(
            "Only members of the campaign's initiatives council score initiatives",
            code="not_a_member",
        )
    _council, member = seat
    if rules.next_status(item.status, "score") is None:
        raise access.invalid(item, "score")
    reason = recusal_of(member, item)
    if reason is not None:
        raise Forbidden(
            f"{member.full_name} may not score initiative {initiative_id!r}: "
            f"{rules.RECUSAL_TEXT[reason]} (Circular 18/2013/TT-BKHCN Art. 8)",
            code="recused",
            details=[{"initiative_id": initiative_id, "member_sub": member.sub, "reason": reason}],
        )
    campaign = registry_service.get_campaign(item.campaign_id)
    criteria = [(c.key, c.max_points) for c in campaign.initiative_criteria]
    problem = rules.points_problem(payload.points, criteria)
    if problem is not None:
        raise InvalidInput(
            f"The points do not fit the campaign's criteria: {problem}",
            code="validation_failed",
            details=[{"field": "points", "message": problem}],
        )
    at = clock.now()
    given = InitiativeScore(initiative_id, member.sub, dict(payload.points), payload.comment, at)
    # The trail says who scored and when, never the points: the unit reads it.
    record = AuditRecord(
        initiative_id, at, access.actor(principal), "scored", item.status, item.status, {}
    )
    try:
        initiative_store.put_score(given, record)
    except initiative_store.Refused:
        raise access.refused_state(initiative_id, "score") from None
    return _score_view(given)


def scores(principal: Principal, initiative_id: str) -> dict[str, Any]:
    """While open: a member's own score only (province roles: the count). Once decided:
    every score, to province roles and the council's members."""
    item = access.visible(principal, initiative_id)
    seat = access.council_seat(principal, item.campaign_id)
    if not principal.province_wide and seat is None:
        raise Forbidden("Scores are for province roles and the initiatives council")
    given = initiative_store.scores_of(initiative_id)
    open_ = item.status == "submitted"
    if open_:
        shown = [s for s in given if seat is not None and s.member_sub == seat[1].sub]
    else:
        shown = given
    names = _member_names(item.campaign_id)
    return {
        "initiative_id": initiative_id,
        "open": open_,
        "count": len(given),
        "items": [
            {
                "member_sub": s.member_sub,
                "full_name": names.get(s.member_sub, s.member_sub),
                **_score_view(s),
            }
            for s in sorted(shown, key=lambda s: s.member_sub)
        ],
    }


def _member_names(campaign_id: str) -> dict[str, str]:
    from chalicelib.storage import councils as council_store

    council = council_store.get_council(campaign_id, "initiatives")
    return {m.sub: m.full_name for m in council.members} if council else {}


def close(principal: Principal, campaign_id: str) -> dict[str, Any]:
    """Decide every submitted initiative of the campaign by the council's rule."""
    council = access.may_close(principal, campaign_id)
    campaign = registry_service.get_campaign(campaign_id)
    rule = InitiativesRule.model_validate(council.rule)
    criteria = [(c.key, c.max_points) for c in campaign.initiative_criteria]
    at = clock.now()
    decided: list[dict[str, Any]] = []
    for item in initiative_store.campaign_initiatives(campaign_id):
        if item.status != "submitted":
            continue
        result = assess_one(item, council, rule, criteria)
        stored = {**result.as_dict(), "closed_at": _iso(at), "rule": rule.model_dump(mode="json")}
        record = AuditRecord(
            item.initiative_id,
            at,
            access.actor(principal),
            result.outcome,
            "submitted",
            result.outcome,
            {"assessment": stored},
        )
        try:
            initiative_store.move_initiative(
                item.initiative_id, "submitted", result.outcome, at, record, assessment=stored
            )
        except initiative_store.Refused:
            continue  # returned or decided meanwhile: not this close's
        decided.append(
            {
                "initiative_id": item.initiative_id,
                "title": item.title,
                "unit_id": item.unit_id,
                "outcome": result.outcome,
                "assessment": stored,
            }
        )
    return {
        "campaign_id": campaign_id,
        "closed_at": at,
        "recognised": sum(1 for d in decided if d["outcome"] == "recognised"),
        "not_recognised": sum(1 for d in decided if d["outcome"] == "not_recognised"),
        "items": decided,
    }


def assess_one(
    item: Initiative,
    council: Council,
    rule: InitiativesRule,
    criteria: list[tuple[str, int]],
) -> rules.Assessment:
    """The initiative's outcome from the scores of the council's current members (a score
    left by someone no longer on the council, or recused since, does not count)."""
    members = {m.sub: m for m in council.members}
    counted = [
        s.points
        for s in initiative_store.scores_of(item.initiative_id)
        if s.member_sub in members and recusal_of(members[s.member_sub], item) is None
    ]
    return rules.assess(
        counted,
        members=len(council.members),
        criteria=criteria,
        share=rule.share,
        denominator=rule.denominator,
        pass_score=rule.pass_score,
    )


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


# --- creativity as a figure ------------------------------------------------------------------


def creativity_by_unit(campaign_id: str) -> dict[str, dict[str, Any]]:
    """Per unit: initiatives submitted and recognised in the campaign, and the recognised
    ones (id, title). Units with none are absent."""
    items = initiative_store.campaign_initiatives(campaign_id)
    figures: dict[str, dict[str, Any]] = {
        unit: {**counts, "recognised": []}
        for unit, counts in rules.creativity_figures((i.unit_id, i.status) for i in items).items()
    }
    for i in items:
        if i.status == "recognised":
            figures[i.unit_id]["recognised"].append(
                {"initiative_id": i.initiative_id, "title": i.title, "status": i.status}
            )
    return figures


def unit_creativity(campaign_id: str, unit_id: str) -> dict[str, Any]:
    return creativity_of(campaign_id, "collective", unit_id)


def creativity_by_official(campaign_id: str) -> dict[str, dict[str, Any]]:
    """Per official: the initiatives they are an author of, submitted and recognised."""
    items = initiative_store.campaign_initiatives(campaign_id)
    pairs = [
        (str(a["official_id"]), i.status) for i in items for a in i.authors if a.get("official_id")
    ]
    figures: dict[str, dict[str, Any]] = {
        official: {**counts, "recognised": []}
        for official, counts in rules.creativity_figures(pairs).items()
    }
    for i in items:
        if i.status != "recognised":
            continue
        for a in i.authors:
            if a.get("official_id") in figures:
                figures[str(a["official_id"])]["recognised"].append(
                    {"initiative_id": i.initiative_id, "title": i.title, "status": i.status}
                )
    return figures


def creativity_of(campaign_id: str, kind: str, nominee_id: str) -> dict[str, Any]:
    """A nominee's creativity: a unit's initiatives, or those an official is an author of."""
    figures = (
        creativity_by_unit(campaign_id)
        if kind == "collective"
        else creativity_by_official(campaign_id)
    ).get(nominee_id)
    return {
        "campaign_id": campaign_id,
        "initiatives_submitted": figures["initiatives_submitted"] if figures else 0,
        "initiatives_recognised": figures["initiatives_recognised"] if figures else 0,
        "recognised": figures["recognised"] if figures else [],
    }

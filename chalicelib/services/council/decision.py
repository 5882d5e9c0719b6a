"""The decision: the frozen tally of a decided meeting, and the outcome applied to each
nomination (approved within the quota; rejected `below_threshold` or `outside_quota`), each
change in the nomination's own audit trail."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

from chalicelib import clock
from chalicelib.auth import Principal
from chalicelib.domain import council_vote as vote
from chalicelib.domain import meetings as rules
from chalicelib.domain.campaigns import Campaign
from chalicelib.domain.meetings import Meeting
from chalicelib.domain.nominations import AuditRecord
from chalicelib.observability import logger
from chalicelib.services.council import access
from chalicelib.storage import nominations as nomination_store
from chalicelib.storage import registry as registry_store

_PROVINCE_PREFIXES = ("UBND tỉnh ", "Ủy ban nhân dân tỉnh ", "UBND thành phố ", "UBND ")


def province_name() -> str:
    """The province's name as documents say it ("Khánh Hòa"), from the registry's
    province-level root unit ("UBND tỉnh Khánh Hòa")."""
    units = registry_store.registry_snapshot(max_age_seconds=0).units.values()
    roots = sorted(
        (u for u in units if u.level == "province" and not u.parent_id), key=lambda u: u.unit_id
    )
    if not roots:
        return ""
    name = roots[0].name
    for prefix in _PROVINCE_PREFIXES:
        if name.startswith(prefix):
            return name[len(prefix) :]
    return name


def decided(
    meeting: Meeting,
    campaign: Campaign,
    rounds: tuple[dict[str, Any], ...],
    outcome: dict[str, Any],
    at: dt.datetime,
    principal: Principal,
) -> Meeting:
    """The meeting, decided: its tally frozen with its hash; documents to be generated."""
    staged = meeting.changed(status=rules.DECIDED, rounds=rounds, outcome=outcome, decided_at=at)
    tally = rules.build_tally(
        staged,
        campaign_name=campaign.name,
        province_name=province_name(),
        quotas=campaign.award_quotas.model_dump(),
        quorum_required=vote.quorum_required(len(meeting.members), rules.rule_of(meeting)),
        decided_at=at,
        local_date=at.astimezone(clock.local_now().tzinfo).date(),
    )
    tally["decided_by"] = principal.sub
    return replace(
        staged, tally=tally, tally_sha256=vote.tally_sha256(tally), documents_status="pending"
    )


def apply_to_nominations(meeting: Meeting, principal: Principal) -> list[dict[str, Any]]:
    """Approve the nominees within the quota and reject the others, with the reason, each
    in its nomination's audit trail (eligible → approved | rejected, issue 21's council
    transitions). Safe to repeat: a nomination already decided stays."""
    from chalicelib.services import registry as registry_service

    tally = meeting.tally or {}
    campaign = registry_service.get_campaign(meeting.campaign_id)
    quotas = campaign.award_quotas.model_dump()
    results = []
    for nominee in tally.get("nominees", []):
        nid = nominee["nomination_id"]
        item = nomination_store.get_nomination(nid)
        if item is None or item.status != "eligible":
            results.append({"nomination_id": nid, "applied": False})
            continue
        approved = nominee["result"] == "approved"
        target = "approved" if approved else "rejected"
        details = {
            "by": "council",
            "meeting_id": meeting.meeting_id,
            "reason": None if approved else nominee["result"],
            "agree": nominee["agree"],
            "disagree": nominee["disagree"],
            "denominator": nominee["denominator"],
            "share": nominee["share"],
            "tally_sha256": meeting.tally_sha256,
        }
        review = {
            "decision": "approve" if approved else "reject",
            "reason": details["reason"] or "",
            # the secretary who closed the ballot; the decision is the council's
            "by": access.actor(principal),
            "council_meeting_id": meeting.meeting_id,
            "at": clock.now().isoformat(),
        }
        record = AuditRecord(
            nid,
            clock.now(),
            access.actor(principal),
            "council_" + target,
            item.status,
            target,
            details,
        )
        try:
            nomination_store.decide_nomination(
                item,
                target,
                review,
                clock.now(),
                record,
                quota=quotas.get(item.kind) if approved else None,
            )
            results.append({"nomination_id": nid, "applied": True, "status": target})
        except nomination_store.Refused as exc:
            logger.warning(
                "council outcome not applied",
                extra={"nomination_id": nid, "failed": sorted(exc.failed)},
            )
            results.append({"nomination_id": nid, "applied": False, "failed": sorted(exc.failed)})
    return results

"""The appraisal (thẩm định) of a submitted nomination under `award_procedure: council`: a
reviewer checks the dossier against the campaign's checklist (dossier_requirements, Law on
Emulation and Commendation 2022 Art. 84) and the holds on the nominee (Decree 152/2025
Art. 4), then finds it eligible, not eligible (with a reason), or returns it to draft.

Separation of duties as for review: whoever created or submitted it does not appraise it."""

from __future__ import annotations

from typing import Any

from chalicelib import clock
from chalicelib.auth import Principal
from chalicelib.domain import nominations as rules
from chalicelib.domain.errors import Conflict
from chalicelib.domain.nominations import AuditRecord, Nomination
from chalicelib.services import holds as hold_service
from chalicelib.services import registry as registry_service
from chalicelib.services.nominations import access, workflow
from chalicelib.services.nominations.dossiers import view
from chalicelib.storage import nominations as nomination_store

ACTIONS = {
    "eligible": "appraise_eligible",
    "not_eligible": "appraise_not_eligible",
    "return": "return",
}
TARGETS = {"eligible": "eligible", "not_eligible": "not_eligible", "return": "draft"}


def dossier_check(item: Nomination, required: list[str]) -> dict[str, Any]:
    """The checklist of the nomination's dossier and what is missing from it."""
    verified = {
        f.category for f in nomination_store.files_of(item.nomination_id) if f.status == "verified"
    }
    return {
        "checklist": rules.checklist(verified, required),
        "missing": rules.missing_categories(verified, required),
    }


def appraisal_state(item: Nomination) -> dict[str, Any]:
    """What a reviewer sees before appraising: the checklist, what is missing, the holds."""
    campaign = registry_service.get_campaign(item.campaign_id)
    check = dossier_check(item, campaign.dossier_requirements.of(item.kind))
    held = hold_service.holds_on(item.kind, item.nominee_unit_id, item.nominee_official_id)
    return {**check, "holds": [hold_service.hold_out(h) for h in held]}


def state_of(principal: Principal, nomination_id: str) -> dict[str, Any]:
    return appraisal_state(access.visible(principal, nomination_id))


def appraise(
    principal: Principal, nomination_id: str, outcome: str, reason: str | None
) -> dict[str, Any]:
    item = access.visible(principal, nomination_id)
    campaign = registry_service.get_campaign(item.campaign_id)
    if campaign.award_procedure != "council":
        raise Conflict(
            f"Campaign {campaign.campaign_id!r} decides by review (award_procedure review): "
            f"review nomination {nomination_id!r} with POST /nominations/{nomination_id}/review",
            code="review_procedure",
            details=[{"nomination_id": nomination_id, "status": item.status}],
        )
    if rules.next_status(item.status, ACTIONS[outcome]) is None:
        raise access.invalid(item, ACTIONS[outcome])
    workflow.check_separation_of_duties(principal, item, f"appraise ({outcome})")
    state = appraisal_state(item)
    if outcome == "eligible":
        if state["missing"]:
            raise Conflict(
                f"The dossier of nomination {nomination_id!r} is incomplete: "
                f"{', '.join(state['missing'])} missing; it cannot be appraised eligible",
                code="dossier_incomplete",
                details=[{"nomination_id": nomination_id, "missing": state["missing"]}],
            )
        if state["holds"]:
            first = state["holds"][0]
            raise Conflict(
                f"{first['subject_name']} is under a hold ({first['kind']}: {first['reason']}, "
                f"hold {first['hold_id']}); no award while it lasts (Decree 152/2025/NĐ-CP "
                "Art. 4)",
                code="on_hold",
                details=[
                    {"nomination_id": nomination_id, "hold_id": h["hold_id"], "kind": h["kind"]}
                    for h in state["holds"]
                ],
            )
    at = clock.now()
    by = access.actor(principal)
    target = TARGETS[outcome]
    appraisal = {
        "outcome": outcome,
        "reason": reason,
        "by": by,
        "at": at.isoformat(),
        "checklist": state["checklist"],
        "missing": state["missing"],
        "holds": [h["hold_id"] for h in state["holds"]],
    }
    record = AuditRecord(
        nomination_id,
        at,
        by,
        "appraised" if outcome != "return" else "returned",
        item.status,
        target,
        {"outcome": outcome, "reason": reason, "missing": state["missing"]},
    )
    try:
        nomination_store.move_nomination(
            nomination_id,
            item.status,
            target,
            at,
            record,
            appraisal=appraisal,
            return_reason=reason if outcome == "return" else None,
        )
    except nomination_store.Refused:
        raise access.refused_state(nomination_id, ACTIONS[outcome]) from None
    fresh = nomination_store.get_nomination(nomination_id) or item
    return {**view(fresh), "appraisal_state": appraisal_state(fresh)}

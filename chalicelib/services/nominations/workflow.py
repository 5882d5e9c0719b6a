"""The workflow past draft: submission before the deadline, review (approve, reject,
return) under the award quota and the separation of duties, and the audit trail."""

from __future__ import annotations

import datetime as dt
from typing import Any

from chalicelib import clock
from chalicelib.auth import Principal
from chalicelib.domain import nominations as rules
from chalicelib.domain.campaigns import deadline_closes_at
from chalicelib.domain.errors import Conflict, Forbidden, Unavailable
from chalicelib.domain.nominations import AuditRecord, Nomination
from chalicelib.services import registry as registry_service
from chalicelib.services.nominations import access
from chalicelib.services.nominations.dossiers import view
from chalicelib.settings import get_settings
from chalicelib.storage import nominations as nomination_store

_REVIEW_ACTIONS = {"approve": "approved", "reject": "rejected", "return": "returned"}


def submit(principal: Principal, nomination_id: str) -> dict[str, Any]:
    from chalicelib.services import candidates

    item = access.changeable(principal, nomination_id, "submit")
    campaign = registry_service.get_campaign(item.campaign_id)
    at = clock.now()
    deadline = campaign.nomination_deadline
    if deadline is not None:
        settings = get_settings()
        closed_at = deadline_closes_at(deadline, settings.zone)
        if at >= closed_at:
            raise Conflict(
                f"Nominations for {campaign.campaign_id!r} closed at the end of {deadline} "
                f"({settings.timezone}); nomination {nomination_id!r} stays {item.status!r}",
                code="deadline_passed",
                details=[
                    {
                        "nomination_id": nomination_id,
                        "status": item.status,
                        "nomination_deadline": deadline.isoformat(),
                        "timezone": settings.timezone,
                        "closed_at": closed_at.isoformat(),
                    }
                ],
            )
    verified: dict[str, str] = {}
    for file in sorted(
        nomination_store.files_of(nomination_id), key=lambda f: (f.created_at, f.file_id)
    ):
        if file.status == "verified":
            verified.setdefault(file.category, file.file_id)
    missing = rules.missing_categories(verified)
    if missing:
        raise Conflict(
            f"Nomination {nomination_id!r} needs at least one verified file of each of: "
            f"{', '.join(missing)}; it stays {item.status!r}",
            code="dossier_incomplete",
            details=[{"nomination_id": nomination_id, "status": item.status, "missing": missing}],
        )
    required = [verified[c] for c in rules.REQUIRED_CATEGORIES]
    evidence = candidates.evidence(
        campaign, item.kind, item.nominee_unit_id, item.nominee_official_id
    )
    record = AuditRecord(
        nomination_id,
        at,
        access.actor(principal),
        "submitted",
        item.status,
        "submitted",
        {"files": required, "evidence_as_of": evidence.get("as_of")},
    )
    try:
        nomination_store.submit_nomination(nomination_id, evidence, at, required, record)
    except nomination_store.Refused as exc:
        if nomination_store.NOMINATION in exc.failed:
            raise access.refused_state(nomination_id, "submit") from None
        raise Conflict(
            "A required file was deleted meanwhile; check the files and submit again",
            code="dossier_incomplete",
            details=[{"nomination_id": nomination_id, "status": item.status}],
        ) from None
    return view(nomination_store.get_nomination(nomination_id) or item)


def review(
    principal: Principal, nomination_id: str, decision: str, reason: str | None
) -> dict[str, Any]:
    item = access.visible(principal, nomination_id)
    campaign = registry_service.get_campaign(item.campaign_id)
    if campaign.award_procedure == "council":
        raise Conflict(
            f"Campaign {campaign.campaign_id!r} decides its awards by council: a reviewer "
            f"appraises nomination {nomination_id!r} (POST /nominations/{nomination_id}/"
            "appraisal) and the awards council votes",
            code="council_procedure",
            details=[{"nomination_id": nomination_id, "status": item.status}],
        )
    target = rules.next_status(item.status, decision)
    if target is None:
        raise access.invalid(item, decision)
    check_separation_of_duties(principal, item, decision)
    quota = int(getattr(campaign.award_quotas, item.kind))
    if decision == "approve" and quota <= 0:
        raise _quota_reached(item, quota)
    at = clock.now()
    actor = access.actor(principal)
    decided = {"decision": decision, "reason": reason, "by": actor, "at": _iso(at)}
    record = AuditRecord(
        nomination_id,
        at,
        actor,
        _REVIEW_ACTIONS[decision],
        item.status,
        target,
        {
            "decision": decision,
            "reason": reason,
            **({"quota": quota} if target == "approved" else {}),
        },
    )
    try:
        nomination_store.decide_nomination(
            item, target, decided, at, record, quota=quota if decision == "approve" else None
        )
    except nomination_store.Refused as exc:
        if nomination_store.NOMINATION in exc.failed:
            raise access.refused_state(nomination_id, decision) from None
        if nomination_store.QUOTA in exc.failed:
            raise _quota_reached(item, quota) from None
        other = nomination_store.approved_nominee(item.campaign_id, item.kind, item.nominee_id)
        raise Conflict(
            f"The nominee of {nomination_id!r} is already approved in nomination {other!r}; "
            f"this one stays {item.status!r}",
            code="nominee_already_approved",
            details=[{"nomination_id": nomination_id, "status": item.status, "approved_in": other}],
        ) from None
    except nomination_store.Busy:
        raise Unavailable("The nomination is being reviewed concurrently; retry") from None
    return view(nomination_store.get_nomination(nomination_id) or item)


def check_separation_of_duties(principal: Principal, item: Nomination, decision: str) -> None:
    """No one approves, rejects or returns a nomination they created or submitted (read
    from the audit trail: every submission counts, also those before a return)."""
    trail = (
        rules.TrailEntry(record.action, str((record.actor or {}).get("sub") or ""), _iso(record.at))
        for record in nomination_store.audit_records(item.nomination_id)
    )
    authored = rules.authored_by(principal.sub, trail)
    if authored is None:
        return
    raise Forbidden(
        f"{principal.sub!r} may not {decision} nomination {item.nomination_id!r}: the audit "
        f"trail records them as its {authored.action!r} actor at {authored.at}; it is reviewed "
        "by someone who neither created nor submitted it",
        code="separation_of_duties",
        details=[
            {
                "nomination_id": item.nomination_id,
                "status": item.status,
                "action": decision,
                "actor": access.actor(principal),
                "conflicting_action": authored.action,
                "conflicting_at": authored.at,
            }
        ],
    )


def _quota_reached(item: Nomination, quota: int) -> Conflict:
    approved = nomination_store.approved_count(item.campaign_id, item.kind)
    return Conflict(
        f"The campaign's quota of {quota} approved {item.kind} nominations is reached "
        f"({approved} approved); nomination {item.nomination_id!r} stays {item.status!r}",
        code="quota_reached",
        details=[
            {
                "nomination_id": item.nomination_id,
                "status": item.status,
                "kind": item.kind,
                "quota": quota,
                "approved": approved,
            }
        ],
    )


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


# --- the audit trail ---------------------------------------------------------------------


def _audit_view(record: AuditRecord) -> dict[str, Any]:
    return {
        "nomination_id": record.nomination_id,
        "at": record.at,
        "actor": record.actor,
        "action": record.action,
        "from_status": record.from_status,
        "to_status": record.to_status,
        "details": record.details or {},
    }


def audit_trail(
    principal: Principal, nomination_id: str, limit: int, token: dict[str, str] | None
) -> tuple[list[dict[str, Any]], dict[str, str] | None]:
    access.visible(principal, nomination_id)
    items, last = nomination_store.audit_page(nomination_id, limit, token["seq"] if token else None)
    return [_audit_view(i) for i in items], ({"seq": last} if last else None)

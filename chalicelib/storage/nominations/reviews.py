"""Submission and review: the changes that move a dossier out of draft and decide it,
and the per-campaign counters that keep approvals within the award quota."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pynamodb.expressions.update import Action

from chalicelib.domain.nominations import AuditRecord, Nomination
from chalicelib.storage.nominations import audit
from chalicelib.storage.nominations.tables import (
    NominationCounterModel,
    NominationFileModel,
    NominationModel,
)
from chalicelib.storage.nominations.transactions import (
    FILE,
    NOMINATION,
    NOMINEE,
    QUOTA,
    Transaction,
)


def submit_nomination(
    nomination_id: str,
    evidence: dict[str, Any],
    at: dt.datetime,
    required_file_ids: list[str],
    record: AuditRecord,
) -> None:
    """draft → submitted, only while the files it relies on are still verified."""
    tx = Transaction()
    tx.update(
        NOMINATION,
        NominationModel(nomination_id),
        [
            NominationModel.status.set("submitted"),
            NominationModel.evidence.set(evidence),
            NominationModel.submitted_at.set(at),
            NominationModel.updated_at.set(at),
            NominationModel.return_reason.remove(),
        ],
        condition=NominationModel.status == "draft",
    )
    for file_id in required_file_ids:
        tx.check(
            FILE,
            NominationFileModel,
            nomination_id,
            file_id,
            NominationFileModel.status == "verified",
        )
    audit.append(tx, record)
    tx.commit()


def quota_key(kind: str) -> str:
    return f"quota#{kind}"


def nominee_key(kind: str, nominee_id: str) -> str:
    return f"nominee#{kind}#{nominee_id}"


def decide_nomination(
    nomination: Nomination,
    target: str,
    review: dict[str, Any],
    at: dt.datetime,
    record: AuditRecord,
    *,
    quota: int | None = None,
) -> None:
    """submitted (or, decided by the awards council, eligible) → approved | rejected |
    draft (returned). An approval adds 1 to the kind's counter under `approved < quota` and
    marks the nominee approved, in the same transaction: concurrent approvals can never
    exceed the quota."""
    actions: list[Action] = [
        NominationModel.status.set(target),
        NominationModel.review.set(review),
        NominationModel.updated_at.set(at),
    ]
    if target == "draft":
        actions.append(NominationModel.return_reason.set(str(review.get("reason") or "")))
    tx = Transaction()
    tx.update(
        NOMINATION,
        NominationModel(nomination.nomination_id),
        actions,
        # from the state it was read in: submitted (review), eligible (the awards council)
        condition=NominationModel.status
        == ("eligible" if nomination.status == "eligible" else "submitted"),
    )
    if target == "approved":
        if quota is None:
            raise ValueError("an approval needs the quota")
        tx.update(
            QUOTA,
            NominationCounterModel(nomination.campaign_id, quota_key(nomination.kind)),
            [NominationCounterModel.approved.add(1)],
            condition=NominationCounterModel.approved.does_not_exist()
            | (NominationCounterModel.approved < quota),
        )
        tx.put(
            NOMINEE,
            NominationCounterModel(
                nomination.campaign_id,
                nominee_key(nomination.kind, nomination.nominee_id),
                nomination_id=nomination.nomination_id,
            ),
            condition=NominationCounterModel.counter_key.does_not_exist(),
        )
    audit.append(tx, record)
    tx.commit()


def approved_count(campaign_id: str, kind: str) -> int:
    try:
        item = NominationCounterModel.get(campaign_id, quota_key(kind), consistent_read=True)
    except NominationCounterModel.DoesNotExist:
        return 0
    return int(item.approved or 0)


def approved_nominee(campaign_id: str, kind: str, nominee_id: str) -> str | None:
    """The nomination in which this nominee was approved, if any."""
    try:
        item = NominationCounterModel.get(
            campaign_id, nominee_key(kind, nominee_id), consistent_read=True
        )
    except NominationCounterModel.DoesNotExist:
        return None
    return item.nomination_id


def move_nomination(
    nomination_id: str,
    from_status: str,
    to_status: str,
    at: dt.datetime,
    record: AuditRecord,
    *,
    appraisal: dict[str, Any] | None = None,
    return_reason: str | None = None,
) -> None:
    """A change of state outside review: the appraisal (submitted → eligible | not_eligible
    | draft) and a hold's step back (eligible → submitted), under `status == from_status`."""
    actions: list[Action] = [
        NominationModel.status.set(to_status),
        NominationModel.updated_at.set(at),
    ]
    if appraisal is not None:
        actions.append(NominationModel.appraisal.set(appraisal))
    if return_reason is not None:
        actions.append(NominationModel.return_reason.set(return_reason))
    tx = Transaction()
    tx.update(
        NOMINATION,
        NominationModel(nomination_id),
        actions,
        condition=NominationModel.status == from_status,
    )
    audit.append(tx, record)
    tx.commit()


def nominated_key(kind: str, nominee_id: str) -> str:
    return f"nominated#{kind}#{nominee_id}"


def nominated_in(campaign_id: str, kind: str, nominee_id: str) -> str | None:
    """The nomination that holds this nominee's one nomination of the campaign, if any."""
    try:
        item = NominationCounterModel.get(
            campaign_id, nominated_key(kind, nominee_id), consistent_read=True
        )
    except NominationCounterModel.DoesNotExist:
        return None
    return item.nomination_id

"""Initiatives (sáng kiến), their council's scores; their files and audit trail share the
nominations' tables (`storage/nominations`: one upload path, one append-only trail).

Every change commits in one transaction with its audit record, under a condition on the
initiative's state, as nominations do; a refused condition is `Refused` naming `INITIATIVE`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pynamodb.attributes import (
    JSONAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from chalicelib.domain.initiatives import Initiative, InitiativeScore
from chalicelib.domain.nominations import AuditRecord
from chalicelib.storage.models import _meta, campaign_page, register_models
from chalicelib.storage.nominations import audit
from chalicelib.storage.nominations.files import register_owner
from chalicelib.storage.nominations.transactions import Refused, Transaction

INITIATIVE = "initiative"
SCORE = "score"
__all__ = ["INITIATIVE", "SCORE", "Refused"]


class InitiativesByCampaignIndex(GlobalSecondaryIndex["InitiativeModel"]):
    class Meta:
        index_name = "by_campaign"
        projection = AllProjection()

    campaign_id = UnicodeAttribute(hash_key=True)
    created_key = UnicodeAttribute(range_key=True)


class InitiativeModel(Model):
    Meta = _meta("initiatives")
    initiative_id = UnicodeAttribute(hash_key=True)
    campaign_id = UnicodeAttribute()
    created_key = UnicodeAttribute()  # "<created_at iso>#<initiative_id>"
    unit_id = UnicodeAttribute()
    title = UnicodeAttribute()
    description = UnicodeAttribute()
    benefit = UnicodeAttribute()
    applied_from = UnicodeAttribute()  # local date YYYY-MM-DD
    authors = JSONAttribute()
    status = UnicodeAttribute()
    file_count = NumberAttribute(default=0)
    return_reason = UnicodeAttribute(null=True)
    assessment = JSONAttribute(null=True)
    created_by = JSONAttribute()
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    submitted_at = UTCDateTimeAttribute(null=True)
    by_campaign = InitiativesByCampaignIndex()


class InitiativeScoreModel(Model):
    """One council member's score of one initiative (re-scoring replaces it)."""

    Meta = _meta("initiative_scores")
    initiative_id = UnicodeAttribute(hash_key=True)
    member_sub = UnicodeAttribute(range_key=True)
    points = JSONAttribute()
    comment = UnicodeAttribute(default="")
    at = UTCDateTimeAttribute()


register_models(InitiativeModel, InitiativeScoreModel)
register_owner("initiative", InitiativeModel)


def _initiative(item: InitiativeModel) -> Initiative:
    return Initiative(
        initiative_id=item.initiative_id,
        campaign_id=item.campaign_id,
        created_key=item.created_key,
        unit_id=item.unit_id,
        title=item.title,
        description=item.description,
        benefit=item.benefit,
        applied_from=dt.date.fromisoformat(item.applied_from),
        authors=list(item.authors or []),
        status=item.status,
        created_by=item.created_by,
        created_at=item.created_at,
        updated_at=item.updated_at,
        file_count=int(item.file_count or 0),
        return_reason=item.return_reason,
        submitted_at=item.submitted_at,
        assessment=item.assessment,
    )


def get_initiative(initiative_id: str) -> Initiative | None:
    try:
        return _initiative(InitiativeModel.get(initiative_id, consistent_read=True))
    except InitiativeModel.DoesNotExist:
        return None


def create_initiative(initiative: Initiative, record: AuditRecord) -> None:
    item = InitiativeModel(
        initiative.initiative_id,
        campaign_id=initiative.campaign_id,
        created_key=initiative.created_key,
        unit_id=initiative.unit_id,
        title=initiative.title,
        description=initiative.description,
        benefit=initiative.benefit,
        applied_from=initiative.applied_from.isoformat(),
        authors=initiative.authors,
        status=initiative.status,
        file_count=0,
        created_by=initiative.created_by,
        created_at=initiative.created_at,
        updated_at=initiative.updated_at,
    )
    tx = Transaction()
    tx.put(INITIATIVE, item, condition=InitiativeModel.initiative_id.does_not_exist())
    audit.append(tx, record)
    tx.commit()


def _change(
    initiative_id: str,
    values: dict[str, Any],
    at: dt.datetime,
    record: AuditRecord,
    *,
    from_status: str,
    extra: Transaction | None = None,
) -> None:
    attributes = {
        "title": InitiativeModel.title,
        "description": InitiativeModel.description,
        "benefit": InitiativeModel.benefit,
        "applied_from": InitiativeModel.applied_from,
        "authors": InitiativeModel.authors,
        "status": InitiativeModel.status,
        "return_reason": InitiativeModel.return_reason,
        "assessment": InitiativeModel.assessment,
        "submitted_at": InitiativeModel.submitted_at,
    }
    actions = [
        attributes[name].remove() if value is None else attributes[name].set(value)
        for name, value in values.items()
    ]
    tx = extra or Transaction()
    tx.update(
        INITIATIVE,
        InitiativeModel(initiative_id),
        [*actions, InitiativeModel.updated_at.set(at)],
        condition=InitiativeModel.status == from_status,
    )
    audit.append(tx, record)
    tx.commit()


def edit_initiative(
    initiative_id: str, changes: dict[str, Any], at: dt.datetime, record: AuditRecord
) -> None:
    """Change the texts, date or authors of a draft."""
    _change(initiative_id, changes, at, record, from_status="draft")


def move_initiative(
    initiative_id: str,
    from_status: str,
    to_status: str,
    at: dt.datetime,
    record: AuditRecord,
    **values: Any,
) -> None:
    """A change of state (submit, return, recognise, not recognise) with its values."""
    _change(initiative_id, {"status": to_status, **values}, at, record, from_status=from_status)


def campaign_initiatives(campaign_id: str) -> list[Initiative]:
    """Every initiative of a campaign, in creation order."""
    return [_initiative(i) for i in InitiativeModel.by_campaign.query(campaign_id)]


def initiatives_page(
    campaign_id: str,
    *,
    limit: int,
    after: dict[str, str] | None,
    status: str | None,
    unit_id: str | None,
    visible_units: set[str] | None,
) -> tuple[list[Initiative], dict[str, str] | None]:
    page, last = campaign_page(
        InitiativeModel.by_campaign,
        campaign_id,
        equals=((InitiativeModel.status, status), (InitiativeModel.unit_id, unit_id)),
        limit=limit,
        after=after,
        id_field="initiative_id",
        keep=None if visible_units is None else lambda item: item.unit_id in visible_units,
    )
    return [_initiative(item) for item in page], last


# --- scores ------------------------------------------------------------------------------------


def put_score(score: InitiativeScore, record: AuditRecord) -> None:
    """Record (or replace) a member's score while the initiative is submitted."""
    tx = Transaction()
    tx.put(
        SCORE,
        InitiativeScoreModel(
            score.initiative_id,
            score.member_sub,
            points=score.points,
            comment=score.comment,
            at=score.at,
        ),
    )
    tx.check(
        INITIATIVE,
        InitiativeModel,
        score.initiative_id,
        None,
        InitiativeModel.status == "submitted",
    )
    audit.append(tx, record)
    tx.commit()


def scores_of(initiative_id: str) -> list[InitiativeScore]:
    return [
        InitiativeScore(
            initiative_id=i.initiative_id,
            member_sub=i.member_sub,
            points={str(k): int(v) for k, v in (i.points or {}).items()},
            comment=i.comment or "",
            at=i.at,
        )
        for i in InitiativeScoreModel.query(initiative_id, consistent_read=True)
    ]

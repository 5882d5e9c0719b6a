"""Nomination dossiers: read, create, edit, list by campaign."""

from __future__ import annotations

import datetime as dt

from chalicelib.domain.nominations import AuditRecord, Nomination, NominationSummary
from chalicelib.storage.models import campaign_page
from chalicelib.storage.nominations import audit
from chalicelib.storage.nominations.tables import (
    NominationCounterModel,
    NominationModel,
    nomination_item,
    nomination_of,
)
from chalicelib.storage.nominations.transactions import NOMINATION, NOMINEE, Transaction


def get_nomination(nomination_id: str) -> Nomination | None:
    try:
        return nomination_of(NominationModel.get(nomination_id, consistent_read=True))
    except NominationModel.DoesNotExist:
        return None


def create_nomination(
    nomination: Nomination, record: AuditRecord, *, once_per_nominee: bool = False
) -> None:
    """A new draft; with `once_per_nominee` (a campaign decided by its council) also the
    marker that the nominee is nominated in the campaign, refused (`NOMINEE`) when another
    nomination holds it."""
    from chalicelib.storage.nominations.reviews import nominated_key

    tx = Transaction()
    tx.put(
        NOMINATION,
        nomination_item(nomination),
        condition=NominationModel.nomination_id.does_not_exist(),
    )
    if once_per_nominee:
        tx.put(
            NOMINEE,
            NominationCounterModel(
                nomination.campaign_id,
                nominated_key(nomination.kind, nomination.nominee_id),
                nomination_id=nomination.nomination_id,
            ),
            condition=NominationCounterModel.counter_key.does_not_exist(),
        )
    audit.append(tx, record)
    tx.commit()


def edit_nomination(
    nomination_id: str, changes: dict[str, str], at: dt.datetime, record: AuditRecord
) -> None:
    """Change the texts of a draft."""
    attributes = {"summary": NominationModel.summary, "creativity": NominationModel.creativity}
    actions = [attributes[name].set(value) for name, value in changes.items()]
    tx = Transaction()
    tx.update(
        NOMINATION,
        NominationModel(nomination_id),
        [*actions, NominationModel.updated_at.set(at)],
        condition=NominationModel.status == "draft",
    )
    audit.append(tx, record)
    tx.commit()


def campaign_nominations(campaign_id: str) -> list[NominationSummary]:
    """Every nomination of a campaign, in creation order."""
    return [
        NominationSummary(
            nomination_id=i.nomination_id,
            kind=i.kind,
            status=i.status,
            unit_id=i.unit_id,
            nominee_unit_id=i.nominee_unit_id,
            nominee_official_id=i.nominee_official_id,
            nominee_name=str((i.nominee or {}).get("name") or ""),
            created_key=i.created_key,
            submitted_at=i.submitted_at,
        )
        for i in NominationModel.by_campaign.query(campaign_id)
    ]


def nominations_page(
    campaign_id: str,
    *,
    limit: int,
    after: dict[str, str] | None,
    status: str | None,
    kind: str | None,
    unit_id: str | None,
    visible_units: set[str] | None,
) -> tuple[list[Nomination], dict[str, str] | None]:
    """One page in creation order. `visible_units` (None = all) scopes a unit officer."""
    page, last = campaign_page(
        NominationModel.by_campaign,
        campaign_id,
        equals=(
            (NominationModel.status, status),
            (NominationModel.kind, kind),
            (NominationModel.unit_id, unit_id),
        ),
        limit=limit,
        after=after,
        id_field="nomination_id",
        keep=None if visible_units is None else lambda item: item.unit_id in visible_units,
    )
    return [nomination_of(item) for item in page], last

"""The four tables of nominations, and how their items map to the domain's records.

Internal to this package: the rest of the service sees `Nomination`, `NominationFile`
and `AuditRecord` (chalicelib/domain/nominations.py), never these models.
"""

from __future__ import annotations

from pynamodb.attributes import (
    JSONAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from chalicelib.domain.nominations import Nomination, NominationFile
from chalicelib.storage.models import _meta, register_models


class NominationsByCampaignIndex(GlobalSecondaryIndex["NominationModel"]):
    """Lists a campaign's nominations in creation order; status, kind and unit are
    filters on the query."""

    class Meta:
        index_name = "by_campaign"
        projection = AllProjection()

    campaign_id = UnicodeAttribute(hash_key=True)
    created_key = UnicodeAttribute(range_key=True)


class NominationModel(Model):
    Meta = _meta("nominations")
    nomination_id = UnicodeAttribute(hash_key=True)
    campaign_id = UnicodeAttribute()
    created_key = UnicodeAttribute()  # "<created_at iso>#<nomination_id>"
    unit_id = UnicodeAttribute()  # the nominating unit
    kind = UnicodeAttribute()  # collective | individual
    nominee_unit_id = UnicodeAttribute()  # the unit nominated, or the official's unit
    nominee_official_id = UnicodeAttribute(null=True)
    nominee = JSONAttribute()  # name and level/position, as at creation
    summary = UnicodeAttribute()
    creativity = UnicodeAttribute(default="")
    status = UnicodeAttribute()
    return_reason = UnicodeAttribute(null=True)
    review = JSONAttribute(null=True)
    appraisal = JSONAttribute(null=True)
    evidence = JSONAttribute(null=True)
    file_count = NumberAttribute(default=0)
    created_by = JSONAttribute()
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    submitted_at = UTCDateTimeAttribute(null=True)
    by_campaign = NominationsByCampaignIndex()


class NominationFileModel(Model):
    Meta = _meta("nomination_files")
    nomination_id = UnicodeAttribute(hash_key=True)
    file_id = UnicodeAttribute(range_key=True)
    category = UnicodeAttribute()
    filename = UnicodeAttribute()  # the client's name: shown, never part of a key
    content_type = UnicodeAttribute()
    declared_size = NumberAttribute()
    status = UnicodeAttribute()  # pending | verified | rejected
    reason = UnicodeAttribute(null=True)
    size = NumberAttribute(null=True)
    sha256 = UnicodeAttribute(null=True)
    upload_key = UnicodeAttribute()
    verified_key = UnicodeAttribute(null=True)
    created_by = JSONAttribute()
    created_at = UTCDateTimeAttribute()
    upload_expires_at = UTCDateTimeAttribute()
    verified_at = UTCDateTimeAttribute(null=True)
    # What the file belongs to: a nomination (nomination_id is its id) or another dossier
    # with files (a results report, whose id is in nomination_id).
    owner = UnicodeAttribute(default="nomination")


class NominationAuditModel(Model):
    """Append-only: one item per change, never updated or deleted."""

    Meta = _meta("audit")  # infra denies update/delete on this table to every principal
    nomination_id = UnicodeAttribute(hash_key=True)
    seq = UnicodeAttribute(range_key=True)  # "<at iso>#<ns>-<random>": time order, unique
    at = UTCDateTimeAttribute()
    actor = JSONAttribute()  # {"sub", "role", "unit_id"}
    action = UnicodeAttribute()
    from_status = UnicodeAttribute(null=True)
    to_status = UnicodeAttribute(null=True)
    details = JSONAttribute(default=dict)


class NominationCounterModel(Model):
    """Per campaign: "quota#<kind>" counts approvals (a conditional counter), and
    "nominee#<kind>#<id>" marks a nominee approved once."""

    Meta = _meta("nomination_counters")
    campaign_id = UnicodeAttribute(hash_key=True)
    counter_key = UnicodeAttribute(range_key=True)
    approved = NumberAttribute(null=True)
    nomination_id = UnicodeAttribute(null=True)


register_models(NominationModel, NominationFileModel, NominationAuditModel, NominationCounterModel)


# --- items <-> records -------------------------------------------------------------------


def nomination_of(item: NominationModel) -> Nomination:
    return Nomination(
        nomination_id=item.nomination_id,
        campaign_id=item.campaign_id,
        created_key=item.created_key,
        unit_id=item.unit_id,
        kind=item.kind,
        nominee_unit_id=item.nominee_unit_id,
        nominee_official_id=item.nominee_official_id,
        nominee=dict(item.nominee or {}),
        summary=item.summary,
        creativity=item.creativity or "",
        status=item.status,
        created_by=item.created_by,
        created_at=item.created_at,
        updated_at=item.updated_at,
        return_reason=item.return_reason,
        review=item.review,
        appraisal=item.appraisal,
        evidence=item.evidence,
        file_count=int(item.file_count or 0),
        submitted_at=item.submitted_at,
    )


def nomination_item(nomination: Nomination) -> NominationModel:
    return NominationModel(
        nomination.nomination_id,
        campaign_id=nomination.campaign_id,
        created_key=nomination.created_key,
        unit_id=nomination.unit_id,
        kind=nomination.kind,
        nominee_unit_id=nomination.nominee_unit_id,
        nominee_official_id=nomination.nominee_official_id,
        nominee=nomination.nominee,
        summary=nomination.summary,
        creativity=nomination.creativity,
        status=nomination.status,
        return_reason=nomination.return_reason,
        review=nomination.review,
        appraisal=nomination.appraisal,
        evidence=nomination.evidence,
        file_count=nomination.file_count,
        created_by=nomination.created_by,
        created_at=nomination.created_at,
        updated_at=nomination.updated_at,
        submitted_at=nomination.submitted_at,
    )


def file_of(item: NominationFileModel) -> NominationFile:
    return NominationFile(
        nomination_id=item.nomination_id,
        file_id=item.file_id,
        category=item.category,
        filename=item.filename,
        content_type=item.content_type,
        declared_size=int(item.declared_size),
        status=item.status,
        upload_key=item.upload_key,
        created_by=item.created_by,
        created_at=item.created_at,
        upload_expires_at=item.upload_expires_at,
        reason=item.reason,
        size=None if item.size is None else int(item.size),
        sha256=item.sha256,
        verified_key=item.verified_key,
        verified_at=item.verified_at,
        owner=item.owner or "nomination",
    )


def file_item(file: NominationFile) -> NominationFileModel:
    return NominationFileModel(
        file.nomination_id,
        file.file_id,
        category=file.category,
        filename=file.filename,
        content_type=file.content_type,
        declared_size=file.declared_size,
        status=file.status,
        reason=file.reason,
        size=file.size,
        sha256=file.sha256,
        upload_key=file.upload_key,
        verified_key=file.verified_key,
        created_by=file.created_by,
        created_at=file.created_at,
        upload_expires_at=file.upload_expires_at,
        verified_at=file.verified_at,
        owner=file.owner,
    )

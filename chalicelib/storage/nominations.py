"""Nominations, their files, the append-only audit trail and the approval counters.

Every change of a nomination or a file commits in one DynamoDB transaction
together with its audit record, under conditions on the current state; there is
no read-then-write anywhere. The audit table is only ever written with
conditional puts of new keys: this module has no function that updates or
deletes an audit record (and infra's IAM policy denies it).
"""

from __future__ import annotations

import datetime as dt
import random
import secrets
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from pynamodb.attributes import (
    JSONAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.connection import Connection
from pynamodb.exceptions import TransactWriteError
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from chalicelib.domain.nominations import NominationSummary
from chalicelib.settings import get_settings
from chalicelib.storage.models import _meta, register_models

# --- models ----------------------------------------------------------------------------------


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


# --- transactions --------------------------------------------------------------------------

# Labels of transaction items, reported when their condition fails.
NOMINATION = "nomination"
FILE = "file"
QUOTA = "quota"
NOMINEE = "nominee"
AUDIT = "audit"

_GROUP_ORDER = ("check", "delete", "put", "update")  # the order PynamoDB sends items in
_MAX_ATTEMPTS = 8


class Refused(Exception):
    """Conditions of these labelled items did not hold; nothing was written."""

    def __init__(self, failed: set[str]) -> None:
        super().__init__(", ".join(sorted(failed)))
        self.failed = failed


class Busy(Exception):
    """The transaction kept conflicting with concurrent ones."""


def _connection() -> Connection:
    # The nominations table's cached connection (and botocore client): creating a
    # client per transaction would cost more than the transaction.
    return NominationModel._get_connection().connection


@dataclass
class Transaction:
    ops: list[tuple[str, str, Callable[[TransactWrite], None]]] = field(default_factory=list)

    def check(
        self,
        label: str,
        model: type[Model],
        hash_key: str,
        range_key: str | None,
        condition: Condition,
    ) -> None:
        self.ops.append(
            ("check", label, lambda tx: tx.condition_check(model, hash_key, range_key, condition))
        )

    def put(self, label: str, item: Model, condition: Condition | None = None) -> None:
        self.ops.append(("put", label, lambda tx: tx.save(item, condition=condition)))

    def update(
        self, label: str, item: Model, actions: list[Action], condition: Condition | None = None
    ) -> None:
        self.ops.append(
            (
                "update",
                label,
                lambda tx: tx.update(
                    item, actions=actions, condition=condition, add_version_condition=False
                ),
            )
        )

    def delete(self, label: str, item: Model, condition: Condition | None = None) -> None:
        self.ops.append(
            (
                "delete",
                label,
                lambda tx: tx.delete(item, condition=condition, add_version_condition=False),
            )
        )

    def commit(self) -> None:
        """All or nothing. Raises Refused naming the items whose conditions failed;
        retries (with jitter) when DynamoDB cancels it for a concurrent transaction."""
        ordered = sorted(self.ops, key=lambda op: _GROUP_ORDER.index(op[0]))
        for attempt in range(_MAX_ATTEMPTS):
            try:
                with TransactWrite(
                    connection=_connection(), client_request_token=uuid.uuid4().hex
                ) as tx:
                    for _, _, apply in ordered:
                        apply(tx)
                return
            except TransactWriteError as exc:
                codes = [r.code if r else None for r in (exc.cancellation_reasons or [])]
                failed = {
                    ordered[i][1]
                    for i, code in enumerate(codes)
                    if code == "ConditionalCheckFailed" and i < len(ordered)
                }
                if failed:
                    raise Refused(failed) from None
                conflict = "TransactionConflict" in codes or exc.cause_response_code in (
                    "TransactionConflictException",
                    "TransactionInProgressException",
                )
                if not conflict:
                    raise
                time.sleep(random.uniform(0, 0.02 * 2**attempt))  # noqa: S311 - jitter
        raise Busy("the nomination is being changed concurrently; retry")


# --- audit -------------------------------------------------------------------------------------


def audit_record(
    nomination_id: str,
    at: dt.datetime,
    actor: dict[str, Any],
    action: str,
    from_status: str | None,
    to_status: str | None,
    details: dict[str, Any] | None = None,
) -> NominationAuditModel:
    # The suffix orders records written within one microsecond (a frozen clock in
    # tests) and keeps keys unique across writers.
    seq = f"{at.astimezone(dt.UTC):%Y-%m-%dT%H:%M:%S.%fZ}#{time.time_ns():020d}-{secrets.token_hex(4)}"
    return NominationAuditModel(
        nomination_id,
        seq,
        at=at,
        actor=actor,
        action=action,
        from_status=from_status,
        to_status=to_status,
        details=details or {},
    )


def _append(tx: Transaction, record: NominationAuditModel) -> None:
    tx.put(AUDIT, record, condition=NominationAuditModel.seq.does_not_exist())


def audit_page(
    nomination_id: str, limit: int, after: str | None
) -> tuple[list[NominationAuditModel], str | None]:
    start = {"nomination_id": {"S": nomination_id}, "seq": {"S": after}} if after else None
    items = list(
        NominationAuditModel.query(
            nomination_id, limit=limit + 1, last_evaluated_key=start, consistent_read=True
        )
    )
    if len(items) > limit:
        return items[:limit], items[limit - 1].seq
    return items, None


def audit_records(nomination_id: str) -> Iterator[NominationAuditModel]:
    """A nomination's whole audit trail, oldest first (a few records per nomination)."""
    yield from NominationAuditModel.query(nomination_id, consistent_read=True)


# --- nominations ---------------------------------------------------------------------------------


def get_nomination(nomination_id: str) -> NominationModel | None:
    try:
        return NominationModel.get(nomination_id, consistent_read=True)
    except NominationModel.DoesNotExist:
        return None


def create_nomination(item: NominationModel, audit: NominationAuditModel) -> None:
    tx = Transaction()
    tx.put(NOMINATION, item, condition=NominationModel.nomination_id.does_not_exist())
    _append(tx, audit)
    tx.commit()


def edit_nomination(
    nomination_id: str, changes: dict[str, str], at: dt.datetime, audit: NominationAuditModel
) -> None:
    attributes = {"summary": NominationModel.summary, "creativity": NominationModel.creativity}
    actions = [attributes[name].set(value) for name, value in changes.items()]
    tx = Transaction()
    tx.update(
        NOMINATION,
        NominationModel(nomination_id),
        [*actions, NominationModel.updated_at.set(at)],
        condition=NominationModel.status == "draft",
    )
    _append(tx, audit)
    tx.commit()


def submit_nomination(
    nomination_id: str,
    evidence: dict[str, Any],
    at: dt.datetime,
    required_file_ids: list[str],
    audit: NominationAuditModel,
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
    _append(tx, audit)
    tx.commit()


def quota_key(kind: str) -> str:
    return f"quota#{kind}"


def nominee_key(kind: str, nominee_id: str) -> str:
    return f"nominee#{kind}#{nominee_id}"


def decide_nomination(
    nomination: NominationModel,
    target: str,
    review: dict[str, Any],
    at: dt.datetime,
    audit: NominationAuditModel,
    *,
    quota: int | None = None,
) -> None:
    """submitted → approved | rejected | draft (returned). An approval adds 1 to the
    kind's counter under `approved < quota` and marks the nominee approved, in the
    same transaction: concurrent approvals can never exceed the quota."""
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
        condition=NominationModel.status == "submitted",
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
        nominee_id = nomination.nominee_official_id or nomination.nominee_unit_id
        tx.put(
            NOMINEE,
            NominationCounterModel(
                nomination.campaign_id,
                nominee_key(nomination.kind, nominee_id),
                nomination_id=nomination.nomination_id,
            ),
            condition=NominationCounterModel.counter_key.does_not_exist(),
        )
    _append(tx, audit)
    tx.commit()


def approved_count(campaign_id: str, kind: str) -> int:
    try:
        item = NominationCounterModel.get(campaign_id, quota_key(kind), consistent_read=True)
    except NominationCounterModel.DoesNotExist:
        return 0
    return int(item.approved or 0)


def approved_nominee(campaign_id: str, kind: str, nominee_id: str) -> str | None:
    try:
        item = NominationCounterModel.get(
            campaign_id, nominee_key(kind, nominee_id), consistent_read=True
        )
    except NominationCounterModel.DoesNotExist:
        return None
    return item.nomination_id


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
) -> tuple[list[NominationModel], dict[str, str] | None]:
    """One page in creation order. `visible_units` (None = all) scopes a unit officer."""
    condition: Condition | None = None
    for attribute, value in (
        (NominationModel.status, status),
        (NominationModel.kind, kind),
        (NominationModel.unit_id, unit_id),
    ):
        if value is not None:
            term = attribute == value
            condition = term if condition is None else condition & term
    start = (
        {
            "nomination_id": {"S": after["nomination_id"]},
            "campaign_id": {"S": campaign_id},
            "created_key": {"S": after["created_key"]},
        }
        if after
        else None
    )
    found: list[NominationModel] = []
    for item in NominationModel.by_campaign.query(
        campaign_id,
        filter_condition=condition,
        last_evaluated_key=start,
        page_size=max(limit + 1, 25),
    ):
        if visible_units is not None and item.unit_id not in visible_units:
            continue
        found.append(item)
        if len(found) > limit:
            last = found[limit - 1]
            return found[:limit], {
                "nomination_id": last.nomination_id,
                "created_key": last.created_key,
            }
    return found, None


# --- files ----------------------------------------------------------------------------------------


def get_file(nomination_id: str, file_id: str) -> NominationFileModel | None:
    try:
        return NominationFileModel.get(nomination_id, file_id, consistent_read=True)
    except NominationFileModel.DoesNotExist:
        return None


def files_of(nomination_id: str) -> list[NominationFileModel]:
    return list(NominationFileModel.query(nomination_id, consistent_read=True))


def add_file(
    item: NominationFileModel, at: dt.datetime, max_files: int, audit: NominationAuditModel
) -> None:
    tx = Transaction()
    tx.update(
        NOMINATION,
        NominationModel(item.nomination_id),
        [NominationModel.file_count.add(1), NominationModel.updated_at.set(at)],
        condition=(NominationModel.status == "draft") & (NominationModel.file_count < max_files),
    )
    tx.put(FILE, item, condition=NominationFileModel.file_id.does_not_exist())
    _append(tx, audit)
    tx.commit()


def delete_file(
    nomination_id: str, file_id: str, at: dt.datetime, audit: NominationAuditModel
) -> None:
    tx = Transaction()
    tx.update(
        NOMINATION,
        NominationModel(nomination_id),
        [NominationModel.file_count.add(-1), NominationModel.updated_at.set(at)],
        condition=NominationModel.status == "draft",
    )
    tx.delete(
        FILE,
        NominationFileModel(nomination_id, file_id),
        condition=NominationFileModel.file_id.exists(),
    )
    _append(tx, audit)
    tx.commit()


def settle_file(
    item: NominationFileModel,
    *,
    verified: bool,
    at: dt.datetime,
    audit: NominationAuditModel,
    reason: str | None = None,
    size: int | None = None,
    sha256: str | None = None,
    verified_key: str | None = None,
) -> None:
    """pending → verified | rejected. A file is verified only while its nomination
    is a draft: a submitted dossier never changes under the reviewers."""
    actions: list[Action] = [
        NominationFileModel.status.set("verified" if verified else "rejected"),
        NominationFileModel.verified_at.set(at),
    ]
    if reason is not None:
        actions.append(NominationFileModel.reason.set(reason))
    if size is not None:
        actions.append(NominationFileModel.size.set(size))
    if sha256 is not None:
        actions.append(NominationFileModel.sha256.set(sha256))
    if verified_key is not None:
        actions.append(NominationFileModel.verified_key.set(verified_key))
    tx = Transaction()
    tx.update(
        FILE,
        NominationFileModel(item.nomination_id, item.file_id),
        actions,
        condition=NominationFileModel.status == "pending",
    )
    if verified:
        tx.check(
            NOMINATION,
            NominationModel,
            item.nomination_id,
            None,
            NominationModel.status == "draft",
        )
    _append(tx, audit)
    tx.commit()


def pending_files() -> Iterator[NominationFileModel]:
    """Files still waiting for their upload's verification (a scan: the table is small)."""
    return iter(NominationFileModel.scan(NominationFileModel.status == "pending"))


# --- uploads bucket ------------------------------------------------------------------------------


def presigned_post(
    key: str, content_type: str, max_bytes: int, expires_seconds: int
) -> dict[str, Any]:
    from chalicelib.storage.aws import client

    return dict(
        client("s3").generate_presigned_post(
            Bucket=get_settings().uploads_bucket,
            Key=key,
            Fields={"Content-Type": content_type},
            Conditions=[
                {"Content-Type": content_type},
                ["content-length-range", 1, max_bytes],
            ],
            ExpiresIn=expires_seconds,
        )
    )


def presigned_download(key: str, content_type: str, disposition: str, expires_seconds: int) -> str:
    from chalicelib.storage.aws import client

    return str(
        client("s3").generate_presigned_url(
            "get_object",
            Params={
                "Bucket": get_settings().uploads_bucket,
                "Key": key,
                "ResponseContentType": content_type,
                "ResponseContentDisposition": disposition,
            },
            ExpiresIn=expires_seconds,
        )
    )


@dataclass(frozen=True)
class StoredObject:
    size: int
    content_type: str
    etag: str


def head_upload(key: str) -> StoredObject | None:
    from botocore.exceptions import ClientError

    from chalicelib.storage.aws import client

    try:
        head = client("s3").head_object(Bucket=get_settings().uploads_bucket, Key=key)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
            return None
        raise
    return StoredObject(
        int(head["ContentLength"]), str(head.get("ContentType") or ""), str(head["ETag"])
    )


def read_upload(key: str, sink: Any, max_bytes: int) -> StoredObject | None:
    """Copy one consistent version of the object into `sink` (at most max_bytes + 1
    bytes, so an oversized object is detected without reading it all)."""
    from botocore.exceptions import ClientError

    from chalicelib.storage.aws import client

    try:
        response = client("s3").get_object(Bucket=get_settings().uploads_bucket, Key=key)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
            return None
        raise
    body = response["Body"]
    remaining = max_bytes + 1
    try:
        while remaining > 0:
            chunk = body.read(min(1024 * 1024, remaining))
            if not chunk:
                break
            sink.write(chunk)
            remaining -= len(chunk)
    finally:
        body.close()
    return StoredObject(
        int(response["ContentLength"]),
        str(response.get("ContentType") or ""),
        str(response["ETag"]),
    )


def put_verified(key: str, source: Any, content_type: str) -> None:
    from chalicelib.storage.aws import client

    source.seek(0)
    client("s3").put_object(
        Bucket=get_settings().uploads_bucket, Key=key, Body=source, ContentType=content_type
    )


def delete_objects(*keys: str) -> None:
    from chalicelib.storage.aws import client

    s3 = client("s3")
    for key in keys:
        s3.delete_object(Bucket=get_settings().uploads_bucket, Key=key)

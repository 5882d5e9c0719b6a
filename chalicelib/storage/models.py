"""Every DynamoDB table of the service, as PynamoDB models.

This module and the modules that register their models here (storage/exemptions.py,
storage/nominations) are the single source of truth for table schemas: the app reads and
writes through these models, and storage/tables.py lists every table for the local stack
(`setup.create_all_tables`), the CDK app and the schema-drift tests.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from pynamodb.attributes import (
    BinaryAttribute,
    BooleanAttribute,
    JSONAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
    UTCDateTimeAttribute,
    VersionAttribute,
)
from pynamodb.exceptions import PynamoDBException
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from chalicelib.settings import get_settings
from chalicelib.storage import outages

T = TypeVar("T")
M = TypeVar("M", bound=Model)

_settings = get_settings()
# PynamoDB makes a botocore session per thread: each one raises a failing DynamoDB as
# Unavailable (storage/outages.py).
outages.install()


class _Meta:
    region = _settings.region
    billing_mode = "PAY_PER_REQUEST"
    max_retry_attempts = 5
    base_backoff_ms = 50


def _meta(logical: str, **extra: Any) -> Any:
    attrs = {"table_name": _settings.table_name(logical), **extra}
    return type("Meta", (_Meta,), attrs)


# --- Organisation registry and campaigns -------------------------------------------


class UnitModel(Model):
    Meta = _meta("units")
    unit_id = UnicodeAttribute(hash_key=True)
    name = UnicodeAttribute()
    level = UnicodeAttribute()
    parent_id = UnicodeAttribute(null=True)
    updated_at = UTCDateTimeAttribute()


class OfficialsByUnitIndex(GlobalSecondaryIndex["OfficialModel"]):
    class Meta:
        index_name = "by_unit"
        projection = AllProjection()

    unit_id = UnicodeAttribute(hash_key=True)
    official_id = UnicodeAttribute(range_key=True)


class OfficialModel(Model):
    Meta = _meta("officials")
    official_id = UnicodeAttribute(hash_key=True)
    unit_id = UnicodeAttribute()
    full_name = UnicodeAttribute()
    position = UnicodeAttribute(default="")
    active = BooleanAttribute(default=True)
    updated_at = UTCDateTimeAttribute()
    by_unit = OfficialsByUnitIndex()


class CampaignModel(Model):
    Meta = _meta("campaigns")
    campaign_id = UnicodeAttribute(hash_key=True)
    # The validated campaign document (see domain.campaigns.Campaign).
    body = JSONAttribute()
    updated_at = UTCDateTimeAttribute()


# --- Ingestion -----------------------------------------------------------------------


class SourceSecret(MapAttribute[str, Any]):
    # Encrypted with KMS in AWS (envelope-free: secrets are 32 bytes); locally with a
    # key file. Never returned after creation.
    ciphertext = BinaryAttribute(legacy_encoding=False)
    created_at = UTCDateTimeAttribute()
    expires_at = UTCDateTimeAttribute(null=True)


class HubConfig(MapAttribute[str, Any]):
    """Where a hub source is pulled from (domain.sources.HubSettings); the secret is
    encrypted like the webhook secrets."""

    base_url = UnicodeAttribute()
    system_id = UnicodeAttribute()
    secret_ciphertext = BinaryAttribute(legacy_encoding=False)
    message_types: ListAttribute[str] = ListAttribute(of=UnicodeAttribute, default=list)  # type: ignore[arg-type]
    poll_every_minutes = NumberAttribute(default=5)
    acknowledge = BooleanAttribute(default=False)
    dialect = UnicodeAttribute(default="lgsp")
    pull_from = UnicodeAttribute(null=True)  # ISO local date


class SourceModel(Model):
    Meta = _meta("sources")
    source_id = UnicodeAttribute(hash_key=True)
    name = UnicodeAttribute()
    # The units the source may speak for (each with everything below it).
    units: ListAttribute[str] = ListAttribute(of=UnicodeAttribute, default=list)  # type: ignore[arg-type]
    enabled = BooleanAttribute(default=True)
    secrets = ListAttribute(of=SourceSecret, default=list)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    last_event_at = UTCDateTimeAttribute(null=True)
    version = VersionAttribute()
    kind = UnicodeAttribute(default="webhook")  # webhook | hub
    mode = UnicodeAttribute(default="live")  # live | test (a vendor's sandbox)
    hub = HubConfig(null=True)


class EventLedgerModel(Model):
    """One small item per accepted event: the (source_id, event_id) idempotency key."""

    Meta = _meta("event_ledger")
    source_id = UnicodeAttribute(hash_key=True)
    event_id = UnicodeAttribute(range_key=True)
    payload_sha256 = UnicodeAttribute()
    inbox_key = UnicodeAttribute()


class InboxModel(Model):
    """Accepted events in arrival order, compressed. The table's stream (NEW_IMAGE)
    feeds the aggregation consumer; the sweep finds what it missed through
    PendingFoldModel, never by time. Partitioned by UTC arrival hour so writes spread.
    """

    Meta = _meta("inbox")
    bucket = UnicodeAttribute(hash_key=True)  # "YYYY-MM-DDTHH" (UTC)
    seq = UnicodeAttribute(range_key=True)  # "<ingested_at iso>#<request id>#<chunk>"
    source_id = UnicodeAttribute()
    event_count = NumberAttribute()
    events = BinaryAttribute(legacy_encoding=False)  # zlib-compressed JSON list
    # The request's archive object (a redaction of its events redacts it too; issue 23).
    archive_key = UnicodeAttribute(null=True)


class PendingFoldModel(Model):
    """One small marker per inbox item not yet folded into the aggregates: written before
    the inbox item, deleted once it is folded. The sweep and `as_of` read these (strongly
    consistent), so neither depends on when an inbox item's write lands."""

    Meta = _meta("inbox_pending")
    shard = UnicodeAttribute(hash_key=True)  # "0".."PENDING_SHARDS-1", by request id
    seq = UnicodeAttribute(range_key=True)  # the inbox item's seq (its ingestion time first)
    bucket = UnicodeAttribute()  # the inbox item's hash key


class DocumentTrailModel(Model):
    """edXML records that change no KPI (recall, update, replace, intermediate statuses)."""

    Meta = _meta("document_trail")
    doc_key = UnicodeAttribute(hash_key=True)  # "<source_id>#<document id>"
    record_id = UnicodeAttribute(range_key=True)
    record = JSONAttribute()


class IdempotencyModel(Model):
    """Powertools Idempotency's table: one record per webhook delivery (webhook-id)."""

    Meta = _meta("idempotency")
    id = UnicodeAttribute(hash_key=True)
    expiration = TTLAttribute(null=True)


# --- Aggregation -----------------------------------------------------------------------


class DocumentStateModel(Model):
    Meta = _meta("documents")
    doc_key = UnicodeAttribute(hash_key=True)  # "<source_id>#<document id>"
    state = JSONAttribute()
    version = VersionAttribute()
    # The inbox items ("bucket|seq") that hold events of the document as ingested: where a
    # later secret marking must redact them (written by the fold, with the state; issue 23).
    refs = UnicodeSetAttribute(null=True)


class DailyAggregateModel(Model):
    """Counters of one scope (a unit or an official) on one local date."""

    Meta = _meta("daily")
    scope = UnicodeAttribute(hash_key=True)  # "unit#<id>" or "official#<id>"
    day = UnicodeAttribute(range_key=True)  # local date "YYYY-MM-DD"
    counters = MapAttribute[str, Any](default=dict)
    version = VersionAttribute()


class EvaluationModel(Model):
    Meta = _meta("evaluations")
    official_id = UnicodeAttribute(hash_key=True)
    period = UnicodeAttribute(range_key=True)  # "YYYY-MM"
    # Latest evaluation by (occurred_at, event_id, score, unit_id): a merge that is safe to repeat,
    # written under a version condition (consumers of different stream shards race).
    record = JSONAttribute()
    version = VersionAttribute()


class JobStateModel(Model):
    """Cursor, lease and last-run figures of a scheduled job."""

    Meta = _meta("jobs")
    job_name = UnicodeAttribute(hash_key=True)
    cursor = UnicodeAttribute(null=True)
    lease_owner = UnicodeAttribute(null=True)
    lease_expires_at = NumberAttribute(null=True)
    as_of = UTCDateTimeAttribute(null=True)
    last_run = JSONAttribute(null=True)


class FreshnessModel(Model):
    """Last event time of a unit or a source ("unit#<id>", "source#<id>")."""

    Meta = _meta("freshness")
    key = UnicodeAttribute(hash_key=True)
    last_event_at = UTCDateTimeAttribute()


# --- Reports -------------------------------------------------------------------------------


class ReportsByCampaignIndex(GlobalSecondaryIndex["ReportModel"]):
    """A campaign's reports by period, scope and version (begins_with on listing_key)."""

    class Meta:
        index_name = "by_campaign"
        projection = AllProjection()

    campaign_id = UnicodeAttribute(hash_key=True)
    listing_key = UnicodeAttribute(range_key=True)  # "<period>#<scope>#v<000001>"


class ReportModel(Model):
    """The index of generated reports: one item per version; the files are in S3 under
    ``reports/{campaign_id}/{period}/{scope}/v{n}/``. The key is derived from the version, so
    a conditional put claims version n exactly once, however many runs race for it."""

    Meta = _meta("reports")
    report_id = UnicodeAttribute(hash_key=True)  # "<campaign_id>~<period>~<scope>~v<n>"
    campaign_id = UnicodeAttribute()
    listing_key = UnicodeAttribute()
    period = UnicodeAttribute()  # "YYYY-MM" | "campaign" | "YYYY-MM-DD_YYYY-MM-DD"
    scope = UnicodeAttribute()  # PROVINCE_SCOPE | unit_id
    version = NumberAttribute()
    period_from = UnicodeAttribute()  # first local date, ISO
    period_to = UnicodeAttribute()  # last local date, ISO
    lang = UnicodeAttribute(default="vi")
    status = UnicodeAttribute()  # generating | ready | failed
    trigger = UnicodeAttribute()  # monthly_reports | campaign_reports | on_demand
    requested_by = UnicodeAttribute(null=True)
    prefix = UnicodeAttribute()  # S3 key prefix of the version's files
    created_at = UTCDateTimeAttribute()
    completed_at = UTCDateTimeAttribute(null=True)
    as_of = UTCDateTimeAttribute(null=True)
    # Facts about the content, for listings and the late-correction check.
    summary = JSONAttribute(null=True)
    figures_sha256 = UnicodeAttribute(null=True)
    files = JSONAttribute(null=True)  # [{name, key, content_type, size, sha256}]
    error = UnicodeAttribute(null=True)
    by_campaign = ReportsByCampaignIndex()


class QuotaModel(Model):
    """Recent admissions of a per-user quota (e.g. "reports#<sub>"): epoch seconds inside the
    window; the item expires (TTL) when the window has passed."""

    Meta = _meta("quotas")
    quota_key = UnicodeAttribute(hash_key=True)
    times = ListAttribute[float](of=NumberAttribute, default=list)  # type: ignore[arg-type]
    revision = NumberAttribute(default=0)  # optimistic concurrency between containers
    expires_at = TTLAttribute(null=True)


ALL_MODELS: list[type[Model]] = [
    UnitModel,
    OfficialModel,
    CampaignModel,
    SourceModel,
    EventLedgerModel,
    InboxModel,
    PendingFoldModel,
    DocumentTrailModel,
    IdempotencyModel,
    DocumentStateModel,
    DailyAggregateModel,
    EvaluationModel,
    JobStateModel,
    FreshnessModel,
    ReportModel,
    QuotaModel,
]

# TTL attributes per table (DynamoDB enables TTL separately from the schema).
TTL_ATTRIBUTES: dict[str, str] = {"idempotency": "expiration", "quotas": "expires_at"}
# DynamoDB Streams per table (view type): the inbox's feeds the aggregation consumer.
STREAM_VIEWS: dict[str, str] = {"inbox": "NEW_IMAGE"}
# Tables without point-in-time recovery, and why. The ballot box: restoring it at two
# instants a second apart would show which ballot arrived when, and the audit trail says
# who voted when; secrecy wins over recovering ballots (the frozen tally, in the meetings
# table, keeps its backups).
NO_POINT_IN_TIME_RECOVERY: dict[str, str] = {
    "council_ballots": "ballot secrecy: no history of when each ballot arrived"
}


def condition_failed(exc: PynamoDBException) -> bool:
    """Whether a write failed because its condition was false (not any other error)."""
    return exc.cause_response_code == "ConditionalCheckFailedException"


def start_key(after: dict[str, str] | None, **index_keys: str) -> dict[str, Any] | None:
    """The ExclusiveStartKey of a page token's key (`after`), with the keys of the index
    it pages that the token leaves out."""
    return {k: {"S": v} for k, v in {**after, **index_keys}.items()} if after else None


def first_page(
    items: Iterable[T], limit: int, key_of: Callable[[T], dict[str, str]]
) -> tuple[list[T], dict[str, str] | None]:
    """The first `limit` items and the page token key of the last of them, when more
    follow (one more is read to know; None when none does)."""
    found: list[T] = []
    for item in items:
        found.append(item)
        if len(found) > limit:
            return found[:limit], key_of(found[limit - 1])
    return found, None


def campaign_page(
    index: GlobalSecondaryIndex[M],
    campaign_id: str,
    *,
    equals: Iterable[tuple[Any, str | None]],
    limit: int,
    after: dict[str, str] | None,
    id_field: str,
    keep: Callable[[M], bool] | None = None,
) -> tuple[list[M], dict[str, str] | None]:
    """One page of a campaign's items in creation order, on an index keyed (campaign_id,
    created_key): those whose attributes equal the values given (None: any value), and
    that `keep` keeps (a unit officer's subtree); the page token names `id_field`. The
    listings of nominations, initiatives and feedback share it."""

    def page_key(last: Any) -> dict[str, str]:  # every such index's item has created_key
        return {id_field: getattr(last, id_field), "created_key": last.created_key}

    condition: Any = None
    for attribute, value in equals:
        if value is not None:
            term = attribute == value
            condition = term if condition is None else condition & term
    items = index.query(
        campaign_id,
        filter_condition=condition,
        last_evaluated_key=start_key(after, campaign_id=campaign_id),
        page_size=max(limit + 1, 25),
    )
    return first_page(
        (item for item in items if keep is None or keep(item)),
        limit,
        page_key,
    )


def register_models(*models: type[Model]) -> None:
    """Tables defined beside their data access (storage/exemptions.py, nominations) add
    themselves here when imported; storage/tables.py imports them all."""
    for model in models:
        if model not in ALL_MODELS:
            ALL_MODELS.append(model)


def logical_name(model: type[Model]) -> str:
    return str(model.Meta.table_name)[len(_settings.table_prefix) :]


def reset_connections() -> None:
    """Drop cached connections (tests start a fresh moto backend per test). Only a model
    whose module was imported can hold one."""
    for model in ALL_MODELS:
        model._connection = None
        for index in getattr(model, "_indexes", {}).values():
            index._connection = None

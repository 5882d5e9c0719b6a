"""Storage of accepted events: the idempotency ledger, the inbox (whose stream feeds the
aggregation) with its pending markers, and the raw request archive in S3 (the source of
truth for rebuilds)."""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import json
import zlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pynamodb.exceptions import UpdateError

from chalicelib.settings import get_settings
from chalicelib.storage.aws import client, sse_params
from chalicelib.storage.models import (
    DocumentTrailModel,
    EventLedgerModel,
    IdempotencyModel,
    InboxModel,
    PendingFoldModel,
    condition_failed,
)

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer

INBOX_CHUNK = 100  # events per inbox item: compressed, well under the 400 KB item limit
ARCHIVE_PREFIX = "archive/"


def ledger_lookup(source_id: str, event_ids: list[str]) -> dict[str, str]:
    """event_id -> payload hash for the ids already accepted.

    Eventually consistent (issue 23: half the capacity of a strong read, for every event
    of every request; ingestion's ≤ 2.5 CU per event). What that gives up is narrow: an
    event sent again under another delivery id within the table's replication lag (well
    under a second) of its first write is stored a second time instead of counted as a
    duplicate (and an id reused with another payload in that lag is stored, not refused),
    as with two requests carrying it at the same moment (the lookup and the write were
    never one step). Nothing is counted twice: the fold is a lattice over the
    events (a repeated event changes no state), and the document's state notes both inbox
    items, so a later secret marking redacts both. The redelivery of one delivery (same
    webhook-id) is caught before this by the delivery's idempotency record, a conditional
    write."""
    found: dict[str, str] = {}
    keys = [(source_id, event_id) for event_id in dict.fromkeys(event_ids)]
    for item in EventLedgerModel.batch_get(
        keys, consistent_read=False, attributes_to_get=["event_id", "payload_sha256"]
    ):
        found[item.event_id] = item.payload_sha256
    return found


def ledger_write(source_id: str, entries: list[tuple[str, str, str]]) -> None:
    """(event_id, payload hash, inbox key); unprocessed items are retried with backoff."""
    with EventLedgerModel.batch_write() as batch:
        for event_id, digest, inbox_key in entries:
            batch.save(
                EventLedgerModel(source_id, event_id, payload_sha256=digest, inbox_key=inbox_key)
            )


_idempotency_layer: list[tuple[Any, DynamoDBPersistenceLayer]] = []


def delivery_idempotency_layer() -> DynamoDBPersistenceLayer:
    """Where Powertools Idempotency remembers each webhook delivery's answer: built once
    per container (again only if the DynamoDB client was rebuilt)."""
    from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer

    dynamodb = client("dynamodb")
    if not _idempotency_layer or _idempotency_layer[0][0] is not dynamodb:
        layer = DynamoDBPersistenceLayer(
            table_name=IdempotencyModel.Meta.table_name, boto3_client=dynamodb
        )
        _idempotency_layer[:] = [(dynamodb, layer)]
    return _idempotency_layer[0][1]


PENDING_SHARDS = 4  # marker partitions: no single key takes every ingestion write


def inbox_bucket(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H")


def inbox_seq(moment: dt.datetime, request_id: str, chunk: int) -> str:
    stamp = moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return f"{stamp}#{request_id}#{chunk:04d}"


def seq_time(seq: str) -> dt.datetime:
    """The ingestion instant at the head of an inbox seq."""
    return dt.datetime.strptime(seq.split("#", 1)[0], "%Y-%m-%dT%H:%M:%S.%fZ").replace(
        tzinfo=dt.UTC
    )


def _shard(seq: str) -> str:
    request_id = seq.split("#")[1] if seq.count("#") >= 2 else seq
    return str(zlib.crc32(request_id.encode()) % PENDING_SHARDS)


@dataclass(frozen=True)
class InboxBatch:
    """One inbox item: the events of one chunk of one accepted request."""

    bucket: str
    seq: str
    source_id: str
    records: list[dict[str, Any]]
    archive_key: str | None = None

    @property
    def key(self) -> str:
        """The item's reference ("bucket|seq"), as document states keep it."""
        return f"{self.bucket}|{self.seq}"

    @property
    def ingested_at(self) -> dt.datetime:
        return seq_time(self.seq)


def inbox_keys(received_at: dt.datetime, request_id: str, count: int) -> list[str]:
    """The keys `inbox_put` gives `count` records, one per chunk, known before the write."""
    return [
        f"{inbox_bucket(received_at)}|{inbox_seq(received_at, request_id, chunk)}"
        for chunk in range((count + INBOX_CHUNK - 1) // INBOX_CHUNK)
    ]


def inbox_put(
    received_at: dt.datetime,
    request_id: str,
    source_id: str,
    records: list[dict[str, Any]],
    archive_key: str | None = None,
) -> list[str]:
    """Store the records as inbox items (100 each), each announced by a pending marker
    written first: whenever an inbox item exists, so does its marker, until it is folded."""
    items = []
    for chunk, start in enumerate(range(0, len(records), INBOX_CHUNK)):
        part = records[start : start + INBOX_CHUNK]
        payload = zlib.compress(
            json.dumps(part, ensure_ascii=False, separators=(",", ":")).encode(), 6
        )
        items.append(
            InboxModel(
                inbox_bucket(received_at),
                inbox_seq(received_at, request_id, chunk),
                source_id=source_id,
                event_count=len(part),
                events=payload,
                archive_key=archive_key,
            )
        )
    markers = [PendingFoldModel(_shard(i.seq), i.seq, bucket=i.bucket) for i in items]
    with PendingFoldModel.batch_write() as batch:
        for marker in markers:
            batch.save(marker)
    try:
        for item in items:
            item.save()
    except Exception:
        # The request fails (503) and is retried: its markers would only hold as_of back.
        with contextlib.suppress(Exception), PendingFoldModel.batch_write() as batch:
            for marker in markers:
                batch.delete(marker)
        raise
    return [f"{item.bucket}|{item.seq}" for item in items]


def inbox_stream_arn() -> str:
    """The inbox table's stream (what the aggregation consumer reads)."""
    table = client("dynamodb").describe_table(TableName=InboxModel.Meta.table_name)["Table"]
    return str(table["LatestStreamArn"])


def inbox_from_stream_image(image: Mapping[str, Any]) -> InboxBatch:
    """The inbox item of a stream record's NewImage (DynamoDB JSON, binary values in
    base64 as Lambda delivers them)."""
    raw = image["events"]["B"]
    payload = base64.b64decode(raw) if isinstance(raw, str) else bytes(raw)
    return InboxBatch(
        image["bucket"]["S"],
        image["seq"]["S"],
        image["source_id"]["S"],
        json.loads(zlib.decompress(payload)),
        (image.get("archive_key") or {}).get("S"),
    )


def pending_items(before: dt.datetime | None = None) -> Iterator[tuple[str, str]]:
    """(bucket, seq) of every inbox item not folded yet, shard by shard, oldest first in
    each (read page by page, strongly consistent); `before`: only those ingested before
    that instant (a marker's sort key starts with its item's ingestion instant)."""
    condition = None
    if before is not None:
        condition = PendingFoldModel.seq < before.astimezone(dt.UTC).strftime(
            "%Y-%m-%dT%H:%M:%S.%fZ"
        )
    for shard in range(PENDING_SHARDS):
        for marker in PendingFoldModel.query(
            str(shard), range_key_condition=condition, consistent_read=True
        ):
            yield marker.bucket, marker.seq


def oldest_pending() -> dt.datetime | None:
    """Ingestion instant of the oldest inbox item not folded yet (None: all folded)."""
    oldest: str | None = None
    for shard in range(PENDING_SHARDS):
        for marker in PendingFoldModel.query(str(shard), consistent_read=True, limit=1):
            if oldest is None or marker.seq < oldest:
                oldest = marker.seq
    return seq_time(oldest) if oldest else None


def inbox_get(keys: list[tuple[str, str]]) -> dict[tuple[str, str], InboxBatch]:
    """The inbox items of `keys` that exist (strongly consistent)."""
    out = {}
    for item in InboxModel.batch_get(list(dict.fromkeys(keys)), consistent_read=True):
        records = json.loads(zlib.decompress(item.events))
        out[(item.bucket, item.seq)] = InboxBatch(
            item.bucket, item.seq, item.source_id, records, item.archive_key
        )
    return out


def mark_folded(keys: list[tuple[str, str]]) -> None:
    """Delete the pending markers of inbox items whose events are folded in."""
    with PendingFoldModel.batch_write() as batch:
        for bucket, seq in dict.fromkeys(keys):
            batch.delete(PendingFoldModel(_shard(seq), seq, bucket=bucket))


# --- archive -----------------------------------------------------------------------------


def archive_key(
    source_id: str,
    local_date: dt.date,
    received_at: dt.datetime,
    request_id: str,
    content_type: str,
) -> str:
    stamp = received_at.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
    extension = "xml" if "xml" in content_type else "json"
    return f"{ARCHIVE_PREFIX}{source_id}/{local_date.isoformat()}/{stamp}-{request_id}.{extension}"


def archive_put(
    *,
    source_id: str,
    local_date: dt.date,
    received_at: dt.datetime,
    delivery_id: str,
    body: bytes,
    content_type: str,
    request_id: str,
) -> str:
    key = archive_key(source_id, local_date, received_at, request_id, content_type)
    client("s3").put_object(
        Bucket=get_settings().archive_bucket,
        Key=key,
        Body=body,
        ContentType=content_type,
        Metadata={"source-id": source_id, "delivery-id": delivery_id[:200]},
        **sse_params(),
    )
    return key


def archive_keys(after_key: str | None = None) -> Iterator[str]:
    paginator = client("s3").get_paginator("list_objects_v2")
    kwargs: dict[str, Any] = {"Bucket": get_settings().archive_bucket, "Prefix": ARCHIVE_PREFIX}
    if after_key:
        kwargs["StartAfter"] = after_key
    for page in paginator.paginate(**kwargs):
        for obj in page.get("Contents", []):
            yield str(obj["Key"])


def archive_get(key: str) -> tuple[bytes, str, str]:
    """(body, content type, source id)"""
    obj = client("s3").get_object(Bucket=get_settings().archive_bucket, Key=key)
    source_id = (
        obj.get("Metadata", {}).get("source-id")
        or key[len(ARCHIVE_PREFIX) :].split("/", maxsplit=1)[0]
    )
    return obj["Body"].read(), str(obj.get("ContentType", "application/json")), source_id


def archive_get_if_present(key: str) -> tuple[bytes, str] | None:
    """(body, content type), or None if there is no such object."""
    try:
        body, content_type, _ = archive_get(key)
    except client("s3").exceptions.NoSuchKey:
        return None
    return body, content_type


def trail_put(source_id: str, records: list[dict[str, Any]]) -> None:
    """Deterministic record ids make a re-sent message overwrite, not duplicate."""
    with DocumentTrailModel.batch_write() as batch:
        for record in records:
            batch.save(
                DocumentTrailModel(
                    f"{source_id}#{record['document_id']}", record["record_id"], record=record
                )
            )


def trail_of(source_id: str, document_id: str) -> list[dict[str, Any]]:
    return [dict(i.record) for i in DocumentTrailModel.query(f"{source_id}#{document_id}")]


# --- redaction (exempt documents marked after clear events were stored) -------------------


def inbox_redact(
    key: str, redact: Callable[[dict[str, Any]], dict[str, Any] | None]
) -> tuple[list[dict[str, Any]], bool, str | None]:
    """Rewrite one inbox item's records through `redact` (None: not concerned). Returns
    the concerned records as now stored, whether the item had to be rewritten, and its
    request's archive object. The write is conditional on the bytes read: a concurrent
    rewrite is retried, never lost."""
    bucket, _, seq = key.partition("|")
    for _attempt in range(5):
        try:
            item = InboxModel.get(bucket, seq, consistent_read=True)
        except InboxModel.DoesNotExist:
            return [], False, None  # the request failed before its inbox write
        records = json.loads(zlib.decompress(item.events))
        concerned: list[dict[str, Any]] = []
        changed = False
        for index, record in enumerate(records):
            new = redact(record)
            if new is None:
                continue
            if new != record:
                records[index] = new
                changed = True
            concerned.append(new)
        if not changed:
            return concerned, False, item.archive_key
        payload = zlib.compress(
            json.dumps(records, ensure_ascii=False, separators=(",", ":")).encode(), 6
        )
        try:
            item.update(
                actions=[InboxModel.events.set(payload)],
                condition=InboxModel.events == item.events,
            )
            return concerned, True, item.archive_key
        except UpdateError as exc:
            if not condition_failed(exc):
                raise
    raise RuntimeError(f"inbox item {key} kept changing while being redacted")


def ledger_set_hash(source_id: str, event_id: str, digest: str) -> None:
    """Replace an accepted event's payload hash (never creates a ledger entry)."""
    try:
        EventLedgerModel(source_id, event_id).update(
            actions=[EventLedgerModel.payload_sha256.set(digest)],
            condition=EventLedgerModel.event_id.exists(),
        )
    except UpdateError as exc:
        if not condition_failed(exc):
            raise


def archive_replace(key: str, body: bytes, content_type: str) -> None:
    """Overwrite an archive object and delete every older version of it: the bucket is
    versioned in AWS, and a redacted object must not leave its clear version behind."""
    s3 = client("s3")
    bucket = get_settings().archive_bucket
    head = s3.head_object(Bucket=bucket, Key=key)
    put = s3.put_object(
        Bucket=bucket,
        Key=key,
        Body=body,
        ContentType=content_type,
        Metadata=head.get("Metadata", {}),
        **sse_params(),
    )
    keep = put.get("VersionId")
    if not keep or keep == "null":
        return  # an unversioned bucket keeps no older version
    paginator = s3.get_paginator("list_object_versions")
    for page in paginator.paginate(Bucket=bucket, Prefix=key):
        for version in page.get("Versions", []) + page.get("DeleteMarkers", []):
            if version["Key"] == key and version["VersionId"] != keep:
                s3.delete_object(Bucket=bucket, Key=key, VersionId=version["VersionId"])


def trail_redact(source_id: str, document_id: str) -> int:
    """Drop the free text of a document's trail records; returns how many changed."""
    changed = 0
    for item in DocumentTrailModel.query(f"{source_id}#{document_id}", consistent_read=True):
        record = dict(item.record)
        if record.get("description") is None:
            continue
        record["description"] = None
        item.record = record
        item.save()
        changed += 1
    return changed

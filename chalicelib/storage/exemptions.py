"""Exempt documents: the marker that makes a document exempt for every later event, and
the references to what was stored in clear about a document before it was marked.

- `exemptions`: one item per exempt document (`<source_id>#<document id>`), written before
  (never after) anything of the marking request is stored. While `pending` is set the
  document may still have clear data to redact; a sparse index lists those.
- `document_refs`: one item per (document, request) that stored clear data of a document
  not (yet) known to be exempt: the archive object, the inbox items and the event ids. The
  redaction pass follows them and deletes them once done.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from pynamodb.attributes import ListAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.exceptions import UpdateError
from pynamodb.indexes import GlobalSecondaryIndex, KeysOnlyProjection
from pynamodb.models import Model

from chalicelib.storage.models import _meta, condition_failed, register_models

PENDING = "pending"


def doc_key(source_id: str, document_id: str) -> str:
    return f"{source_id}#{document_id}"


def split_doc_key(key: str) -> tuple[str, str]:
    source_id, _, document_id = key.partition("#")
    return source_id, document_id


class PendingExemptionsIndex(GlobalSecondaryIndex["ExemptionModel"]):
    """Sparse: only markers whose document may still hold clear data, oldest first."""

    class Meta:
        index_name = "pending"
        projection = KeysOnlyProjection()

    pending = UnicodeAttribute(hash_key=True)
    marked_at_key = UnicodeAttribute(range_key=True)


class ExemptionModel(Model):
    Meta = _meta("exemptions")
    doc_key = UnicodeAttribute(hash_key=True)
    marked_at = UTCDateTimeAttribute()
    pending = UnicodeAttribute(null=True)  # "pending" until the redaction pass settles it
    marked_at_key = UnicodeAttribute(null=True)  # sort key of the pending index
    by_pending = PendingExemptionsIndex()


class DocumentRefModel(Model):
    Meta = _meta("document_refs")
    doc_key = UnicodeAttribute(hash_key=True)
    ref = UnicodeAttribute(range_key=True)  # the request id (one item per request)
    archive_key = UnicodeAttribute(null=True)
    inbox_keys = ListAttribute(of=UnicodeAttribute, default=list)  # "bucket|seq"
    event_ids = ListAttribute(of=UnicodeAttribute, default=list)


register_models(ExemptionModel, DocumentRefModel)


# --- markers ------------------------------------------------------------------------------


def exempt_among(keys: Iterable[str]) -> set[str]:
    """The document keys that carry a marker. Eventually consistent (half the capacity of
    a strong read, for every document of every request): a request that misses a marker
    written a moment ago stores clear data with its references, and the redaction pass,
    which keeps the marker pending for the settle window, redacts it."""
    wanted = list(dict.fromkeys(keys))
    if not wanted:
        return set()
    return {
        item.doc_key
        for item in ExemptionModel.batch_get(
            wanted, consistent_read=False, attributes_to_get=["doc_key"]
        )
    }


def mark(keys: Iterable[str], moment: dt.datetime) -> None:
    """Create the markers that do not exist yet (a marker's time is its first marking,
    which is what the redaction pass waits on).

    One strongly consistent batch read of the keys, then one batch write of those absent
    (issue 23: a request of many newly secret documents made one conditional put each,
    ~0.04 requests per event of the large province's traffic). Two requests marking the
    same document at the same moment may both write it: the later time wins and the
    marker is pending again, which only makes the redaction pass wait longer and look
    again (it is idempotent), never less."""
    wanted = list(dict.fromkeys(keys))
    if not wanted:
        return
    existing = {
        item.doc_key
        for item in ExemptionModel.batch_get(
            wanted, consistent_read=True, attributes_to_get=["doc_key"]
        )
    }
    stamp = moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    with ExemptionModel.batch_write() as batch:
        for key in wanted:
            if key not in existing:
                batch.save(
                    ExemptionModel(
                        key, marked_at=moment, pending=PENDING, marked_at_key=f"{stamp}#{key}"
                    )
                )


@dataclass(frozen=True)
class PendingMarker:
    doc_key: str
    marked_at: dt.datetime


def pending_markers() -> Iterator[PendingMarker]:
    """Markers whose documents may hold clear data, oldest marking first."""
    for item in ExemptionModel.by_pending.query(PENDING):
        stamp = item.marked_at_key.split("#", 1)[0]
        yield PendingMarker(
            item.doc_key,
            dt.datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=dt.UTC),
        )


def settle(key: str) -> None:
    """Nothing more can arrive in clear for this document: drop it from the index."""
    try:
        ExemptionModel(key).update(
            actions=[ExemptionModel.pending.remove(), ExemptionModel.marked_at_key.remove()],
            condition=ExemptionModel.doc_key.exists(),
        )
    except UpdateError as exc:
        if not condition_failed(exc):
            raise


# --- references to clear data ---------------------------------------------------------------


@dataclass(frozen=True)
class ClearRef:
    doc_key: str
    ref: str
    archive_key: str | None
    inbox_keys: list[str]
    event_ids: list[str]


def add_refs(refs: Iterable[ClearRef]) -> None:
    with DocumentRefModel.batch_write() as batch:
        for ref in refs:
            batch.save(
                DocumentRefModel(
                    ref.doc_key,
                    ref.ref,
                    archive_key=ref.archive_key,
                    inbox_keys=list(ref.inbox_keys),
                    event_ids=list(ref.event_ids),
                )
            )


def refs_of(key: str) -> list[ClearRef]:
    return [
        ClearRef(
            item.doc_key,
            item.ref,
            item.archive_key,
            [str(k) for k in item.inbox_keys or []],
            [str(e) for e in item.event_ids or []],
        )
        for item in DocumentRefModel.query(key, consistent_read=True)
    ]


def drop_ref(key: str, ref: str) -> None:
    DocumentRefModel(key, ref).delete()

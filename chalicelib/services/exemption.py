"""Exemption is a property of the document, not of each event (DOMAIN.md, secret documents).

At ingestion, `exempt_documents` decides which documents of a request are exempt from what
the service already knows (a marker) plus the request's own markings, and writes the
markers of newly marked documents before anything of the request is stored. Events of an
exempt document are then stored redacted, whatever their own marking.

A marking can arrive after clear events of the same document were stored (or race with
them). `redact_pending`, run by every aggregation run, follows where clear data was stored
and redacts the inbox items, the archive objects, the ledger hashes and the trail of each
newly marked document, and joins "exempt" into its KPI state. Where: the inbox items the
fold noted in the document's state item (each inbox item names its request's archive
object; issue 23), plus the references `record_clear_refs` leaves for archive objects with
no inbox item of the document (a request holding only duplicates of it, an edXML message
without events). It holds a lease (one pass at a time), and each step is idempotent, so
passes may overlap, crash and repeat. A marker stays pending until every request that
could have read "not exempt" before it was written has finished and been folded (the
settle window, counted up to the oldest inbox item not folded yet).
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from chalicelib import clock
from chalicelib.domain import events as domain
from chalicelib.observability import logger
from chalicelib.services import document_folds, edxml_messages
from chalicelib.settings import get_settings
from chalicelib.storage import aggregates as aggregate_store
from chalicelib.storage import events as event_store
from chalicelib.storage import exemptions as exemption_store
from chalicelib.storage import jobs as job_store

JOB = "redact_exempt"


def exempt_documents(
    source_id: str, document_ids: Iterable[str], marked_ids: Iterable[str]
) -> set[str]:
    """The ids among `document_ids` whose documents are exempt: marked now (`marked_ids`,
    whose markers are written first) or known exempt from earlier markings."""
    marked = set(marked_ids)
    wanted = set(document_ids) | marked
    if not wanted:
        return set()
    keys = {exemption_store.doc_key(source_id, d): d for d in wanted}
    known = exemption_store.exempt_among(keys)
    new = {exemption_store.doc_key(source_id, d) for d in marked} - known
    if new:
        exemption_store.mark(new, clock.now())
    return {keys[k] for k in known | new}


def record_clear_refs(
    source_id: str,
    request_id: str,
    *,
    archive_key: str | None,
    events_by_document: Mapping[str, list[str]],
    inbox_keys_by_document: Mapping[str, list[str]],
) -> None:
    """Remember where a request stores clear data of documents not known to be exempt;
    written before that data, so a crash never leaves clear data nobody can find."""
    exemption_store.add_refs(
        exemption_store.ClearRef(
            exemption_store.doc_key(source_id, document_id),
            request_id,
            archive_key,
            list(inbox_keys_by_document.get(document_id, [])),
            list(event_ids),
        )
        for document_id, event_ids in events_by_document.items()
    )


# --- the redaction pass -------------------------------------------------------------------


def redact_pending(deadline: float) -> dict[str, Any]:
    """Redact every document marked exempt since its clear data was stored; called by the
    aggregation job. Returns what it did (skipped when another pass holds the lease).

    A marker settles once its settle window has passed *and* everything ingested within
    it is folded: the fold notes where each document's events are (issue 23), so a clear
    event stored by a request that read "not exempt" is found once it is folded."""
    owner = uuid.uuid4().hex
    lease = get_settings().aggregate_lease_seconds
    if not job_store.acquire_lease(JOB, owner, lease):
        return {"skipped": "another redaction pass holds the lease"}
    summary = {"documents": 0, "settled": 0, "inbox_items": 0, "archive_objects": 0, "trail": 0}
    # Every inbox item ingested before `folded` is folded: its events are in their
    # documents' references (markers of inbox items are written before the items).
    oldest = event_store.oldest_pending()
    folded = clock.now() if oldest is None else min(clock.now(), oldest)
    settle_before = folded - dt.timedelta(seconds=get_settings().redaction_settle_seconds)
    done = True
    try:
        for marker in exemption_store.pending_markers():
            if clock.monotonic() > deadline:
                done = False
                break
            counts = redact_document(marker.doc_key)
            for key, value in counts.items():
                summary[key] += value
            summary["documents"] += 1
            if marker.marked_at <= settle_before:
                exemption_store.settle(marker.doc_key)
                summary["settled"] += 1
            if not job_store.extend_lease(JOB, owner, lease):
                raise RuntimeError("lost the redaction lease mid-pass")
    finally:
        job_store.release_lease(JOB, owner)
    if summary["documents"]:
        logger.info("exempt documents redacted", extra=summary)
    return {**summary, "done": done}


def redact_document(key: str) -> dict[str, int]:
    """Everything stored in clear about one exempt document, redacted; safe to repeat."""
    source_id, document_id = exemption_store.split_doc_key(key)
    counts = {"inbox_items": 0, "archive_objects": 0, "trail": 0}

    def redact(record: dict[str, Any]) -> dict[str, Any] | None:
        document = record.get("document")
        if not isinstance(document, dict) or document.get("id") != document_id:
            return None
        return domain.redact_record(record)

    for ref in exemption_store.refs_of(key):
        for inbox_key in ref.inbox_keys:
            records, changed, _archive = event_store.inbox_redact(inbox_key, redact)
            counts["inbox_items"] += int(changed)
            for record in records:
                # The hash a redelivery of this event computes now that it is exempt.
                event_store.ledger_set_hash(
                    source_id, record["event_id"], domain.payload_hash(record)
                )
        if ref.archive_key and _redact_archive_object(ref.archive_key, source_id, document_id):
            counts["archive_objects"] += 1
        exemption_store.drop_ref(key, ref.ref)
    # The inbox items the fold noted for the document, and their requests' archive objects.
    archive_keys: set[str] = set()
    for inbox_key in sorted(aggregate_store.document_refs(key)):
        records, changed, archive_key = event_store.inbox_redact(inbox_key, redact)
        counts["inbox_items"] += int(changed)
        for record in records:
            event_store.ledger_set_hash(source_id, record["event_id"], domain.payload_hash(record))
        if archive_key:
            archive_keys.add(archive_key)
    for archive_key in sorted(archive_keys):
        if _redact_archive_object(archive_key, source_id, document_id):
            counts["archive_objects"] += 1
    counts["trail"] = event_store.trail_redact(source_id, document_id)
    document_folds.join_exempt([key])
    return counts


def _redact_archive_object(key: str, source_id: str, document_id: str) -> bool:
    found = event_store.archive_get_if_present(key)
    if found is None:
        return False  # the request failed before its archive write
    body, content_type = found
    replaced = redacted_archive_body(body, content_type, source_id, document_id)
    if replaced is None:
        return False
    event_store.archive_replace(key, *replaced)
    return True


def redacted_archive_body(
    body: bytes, content_type: str, source_id: str, document_id: str
) -> tuple[bytes, str] | None:
    """(body, content type) to archive instead, or None when nothing needs redacting.

    JSON bodies keep their other events as they are. An edXML message is about one
    document: its events are archived as redacted JSON (as ingestion archives an exempt
    package), a message with no event as the redacted summary (docs/edxml.md)."""
    if "xml" not in content_type:
        data = json.loads(body)
        events = data.get("events") if isinstance(data, dict) else None
        if not isinstance(events, list):
            return None
        changed = False
        for index, event in enumerate(events):
            document = event.get("document") if isinstance(event, dict) else None
            if isinstance(document, dict) and document.get("id") == document_id:
                redacted = domain.redact_record(event)
                if redacted != event:
                    events[index] = redacted
                    changed = True
        if not changed:
            return None
        return json.dumps(data, ensure_ascii=False).encode(), content_type

    if edxml_messages.is_archive_summary(body):
        return None  # already the redacted summary
    events, _ = edxml_messages.parse_edxml_body(body)
    if events:
        records = [domain.to_record(e, source_id, redact=True) for e in events]
        return domain.archive_body(records), "application/json"
    return edxml_messages.redacted_summary(body), "application/xml"

"""Webhook ingestion: verify, validate, de-duplicate, store durably, answer.

Order of writes: S3 archive, then inbox, then ledger. A failure part-way gives
the sender a 503; its retry finds the events absent from the ledger and stores
them again. Nothing is counted twice because the aggregation folds events into
document state by event identity (a lattice: re-applying an event is a no-op).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
import uuid
from collections.abc import Callable, Mapping
from typing import Any
from zoneinfo import ZoneInfo

from chalicelib.domain import events as domain
from chalicelib.errors import (
    ApiError,
    conflict,
    payload_too_large,
    unauthorized,
    unavailable,
    validation_failed,
)
from chalicelib.observability import logger, metrics
from chalicelib.services import admission
from chalicelib.services.exemption import exempt_documents, record_clear_refs
from chalicelib.settings import get_settings
from chalicelib.storage import events as store

IDEMPOTENCY_TTL_SECONDS = 7 * 24 * 3600


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def verify_delivery(source_id: str, headers: Mapping[str, str], body: bytes) -> str:
    """Standard Webhooks verification over the raw bytes; returns the webhook-id."""
    from chalicelib.domain.signatures import SignatureRefused, verify
    from chalicelib.services.sources import verification_secrets

    lowered = {k.lower(): v for k, v in headers.items()}
    missing = [
        h for h in ("webhook-id", "webhook-timestamp", "webhook-signature") if not lowered.get(h)
    ]
    if missing:
        raise unauthorized(f"Missing header(s): {', '.join(missing)}")
    try:
        secrets = verification_secrets(source_id)
    except Exception:
        logger.exception("source lookup failed")
        raise unavailable("Could not check the source right now; retry later") from None
    if not secrets:
        raise unauthorized("Unknown or disabled source")
    try:
        return verify(
            secrets,
            lowered,
            body,
            now=_now(),
            tolerance_seconds=get_settings().webhook_tolerance_seconds,
        )
    except SignatureRefused as exc:
        raise unauthorized(exc.reason) from None


def receive(
    source_id: str,
    headers: Mapping[str, str],
    body: bytes,
    *,
    content_type: str,
    parse: Callable[[bytes], tuple[list[Any], bytes | None]],
    max_bytes: int,
    lambda_context: Any = None,
) -> dict[str, int]:
    """The whole webhook use case. `parse` turns the verified body into validated
    events plus, when it must differ from the raw body, the bytes to archive.
    A message may map to no event (an edXML status that changes no KPI)."""
    if len(body) > max_bytes:
        raise payload_too_large(f"Body is {len(body)} bytes; the limit is {max_bytes}")
    webhook_id = verify_delivery(source_id, headers, body)
    delivery = {
        "source_id": source_id,
        "webhook_id": webhook_id,
        "body_sha256": hashlib.sha256(body).hexdigest(),
    }
    return _idempotent(_process, lambda_context)(
        delivery=delivery, body=body, content_type=content_type, parse=parse
    )


def _idempotent(
    fn: Callable[..., dict[str, int]], lambda_context: Any = None
) -> Callable[..., dict[str, int]]:
    """Powertools Idempotency keyed on (source, webhook-id): a redelivered webhook
    gets the first answer. Only successes are remembered; errors may be retried."""
    from aws_lambda_powertools.utilities.idempotency import (
        DynamoDBPersistenceLayer,
        IdempotencyConfig,
        idempotent_function,
    )
    from aws_lambda_powertools.utilities.idempotency.exceptions import (
        IdempotencyAlreadyInProgressError,
        IdempotencyPersistenceLayerError,
        IdempotencyValidationError,
    )

    from chalicelib.storage.aws import client
    from chalicelib.storage.models import IdempotencyModel

    config = IdempotencyConfig(
        event_key_jmespath="[source_id, webhook_id]",
        payload_validation_jmespath="body_sha256",
        expires_after_seconds=IDEMPOTENCY_TTL_SECONDS,
        raise_on_no_idempotency_key=True,
    )
    if lambda_context is not None:
        # Lets an in-progress record expire with the invocation if it crashes.
        config.register_lambda_context(lambda_context)
    wrapped = idempotent_function(
        data_keyword_argument="delivery",
        persistence_store=DynamoDBPersistenceLayer(
            table_name=IdempotencyModel.Meta.table_name, boto3_client=client("dynamodb")
        ),
        config=config,
    )(fn)

    def call(**kwargs: Any) -> dict[str, int]:
        try:
            return wrapped(**kwargs)
        except IdempotencyValidationError:
            raise conflict("This webhook-id was already delivered with a different body") from None
        except IdempotencyAlreadyInProgressError:
            raise unavailable("The same delivery is being processed; retry shortly", 2) from None
        except IdempotencyPersistenceLayerError:
            logger.exception("idempotency store unavailable")
            raise unavailable("Storage is unavailable; retry later") from None

    return call


def parse_json_body(body: bytes) -> tuple[list[Any], bytes | None]:
    from chalicelib.json_input import JsonInputError, loads

    try:
        raw = loads(body)
    except JsonInputError as exc:
        raise ApiError(400, "bad_request", f"Body is not acceptable JSON: {exc}") from None
    try:
        events = domain.validate_events(raw, max_events=get_settings().webhook_max_events)
    except domain.InvalidEvents as exc:
        raise validation_failed(exc.details, "Invalid events; nothing was stored") from None
    return events, None


def _process(
    *,
    delivery: dict[str, str],
    body: bytes,
    content_type: str,
    parse: Callable[[bytes], tuple[list[Any], bytes | None]],
) -> dict[str, int]:
    events, archive_body = parse(body)
    if not events:
        return {"accepted": 0, "duplicates": 0}
    # edXML names officials by ids derived from certificates and names, not registry ids.
    admission.admit(delivery["source_id"], events, registry_officials="xml" not in content_type)
    return store_events(
        delivery["source_id"],
        events,
        raw_body=archive_body if archive_body is not None else body,
        content_type=content_type,
        delivery_id=delivery["webhook_id"],
    )


def store_events(
    source_id: str,
    events: list[Any],
    *,
    raw_body: bytes,
    content_type: str,
    delivery_id: str,
    archive: bool = True,
) -> dict[str, int]:
    """De-duplicate validated events against the ledger and store the new ones.

    A document is exempt when any event of the request marks it or a marker says an
    earlier event did; its events are then stored redacted, whatever their own marking
    (services/exemption.py writes the new markers before anything here is stored)."""
    admission.check_units(events)
    try:
        exempt = exempt_documents(
            source_id,
            domain.document_ids(events),
            {e.document.id for e in events if domain.is_exempt(e)},
        )
    except Exception:
        logger.exception("exemption lookup failed")
        raise unavailable("Storage is unavailable; retry later") from None
    redacted = [_document_id(e) in exempt for e in events]
    records = [
        domain.to_record(e, source_id, redact=r) for e, r in zip(events, redacted, strict=True)
    ]
    digests = [domain.payload_hash(r) for r in records]
    # The same event in its other form: a ledger entry written before the document was
    # known to be exempt (clear), or after its redaction (redacted), is the same event.
    other_forms = [
        domain.payload_hash(domain.to_record(e, source_id, redact=not r))
        for e, r in zip(events, redacted, strict=True)
    ]

    first_seen: dict[str, tuple[str, str]] = {}
    conflicts: list[str] = []
    for record, digest, other in zip(records, digests, other_forms, strict=True):
        previous = first_seen.get(record["event_id"])
        if previous is None:
            first_seen[record["event_id"]] = (digest, other)
        elif previous[0] != digest:
            conflicts.append(record["event_id"])
    try:
        stored = store.ledger_lookup(source_id, list(first_seen))
    except Exception:
        logger.exception("ledger lookup failed")
        raise unavailable("Storage is unavailable; retry later") from None
    conflicts += [
        eid for eid, forms in first_seen.items() if eid in stored and stored[eid] not in forms
    ]
    if conflicts:
        raise conflict(
            "Event id(s) already used with a different payload; nothing was stored",
            [{"event_id": eid} for eid in sorted(set(conflicts))],
        )

    new_records: list[dict[str, Any]] = []
    seen_new: set[str] = set()
    for record, digest in zip(records, digests, strict=True):
        eid = record["event_id"]
        if eid in stored or eid in seen_new:
            continue
        seen_new.add(eid)
        record["_sha"] = digest
        new_records.append(record)
    duplicates = len(records) - len(new_records)

    if new_records:
        request_id = uuid.uuid4().hex[:12]
        received_at = _now()  # the inbox order: the keys are known before anything is written
        zone = ZoneInfo(get_settings().timezone)
        inbox_keys = store.inbox_keys(received_at, request_id, len(new_records))
        key = store.archive_key(
            source_id,
            received_at.astimezone(zone).date(),
            received_at,
            request_id,
            "application/json" if any(redacted) else content_type,
        )
        try:
            _note_clear_data(
                source_id,
                request_id,
                records,
                new_records,
                inbox_keys,
                key if archive else None,
                exempt,
            )
            if archive:
                body = raw_body
                if any(redacted):
                    # Never archive text of exempt documents: archive the redacted events.
                    body = domain.archive_body(records)
                    content_type = "application/json"
                store.archive_put(
                    source_id=source_id,
                    local_date=received_at.astimezone(zone).date(),
                    received_at=received_at,
                    delivery_id=delivery_id,
                    body=body,
                    content_type=content_type,
                    request_id=request_id,
                )
            keys = store.inbox_put(
                received_at, request_id, source_id, [_public(r) for r in new_records]
            )
            store.ledger_write(
                source_id,
                [
                    (r["event_id"], r["_sha"], keys[i // store.INBOX_CHUNK])
                    for i, r in enumerate(new_records)
                ],
            )
        except ApiError:
            raise
        except Exception:
            logger.exception("storing events failed", extra={"source_id": source_id})
            metrics.add_metric(name="IngestFailures", unit="Count", value=1)
            raise unavailable("Storage is unavailable; retry later") from None
    metrics.add_metric(name="EventsAccepted", unit="Count", value=len(new_records))
    metrics.add_metric(name="EventsDuplicate", unit="Count", value=duplicates)
    logger.info(
        "events stored",
        extra={"source_id": source_id, "accepted": len(new_records), "duplicates": duplicates},
    )
    return {"accepted": len(new_records), "duplicates": duplicates}


def _document_id(event: Any) -> str | None:
    document = getattr(event, "document", None)
    return document.id if document is not None else None


def _note_clear_data(
    source_id: str,
    request_id: str,
    records: list[dict[str, Any]],
    new_records: list[dict[str, Any]],
    inbox_keys: list[str],
    archive_key: str | None,
    exempt: set[str],
) -> None:
    """Where this request stores clear data of documents that may later be marked: the
    archive holds every event of the request (duplicates too), the inbox the new ones."""
    events_by_document: dict[str, list[str]] = {}
    for record in records:
        document = record.get("document")
        if document is not None and document["id"] not in exempt:
            ids = events_by_document.setdefault(document["id"], [])
            if record["event_id"] not in ids:
                ids.append(record["event_id"])
    inbox_by_document: dict[str, list[str]] = {}
    for index, record in enumerate(new_records):
        document = record.get("document")
        if document is None or document["id"] in exempt:
            continue
        chunks = inbox_by_document.setdefault(document["id"], [])
        chunk_key = inbox_keys[index // store.INBOX_CHUNK]
        if chunk_key not in chunks:
            chunks.append(chunk_key)
    if archive_key is None:
        events_by_document = {d: e for d, e in events_by_document.items() if d in inbox_by_document}
    if events_by_document:
        record_clear_refs(
            source_id,
            request_id,
            archive_key=archive_key,
            events_by_document=events_by_document,
            inbox_keys_by_document=inbox_by_document,
        )


def _public(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k != "_sha"}


# --- rebuild --------------------------------------------------------------------------


def rebuild_from_archive(deadline: float) -> dict[str, Any]:
    """Re-ingest archived request bodies into the (empty) event tables, resuming
    from a cursor so a long rebuild spans several runs."""
    from chalicelib.storage import jobs

    state = jobs.load("rebuild_events")
    cursor = state.cursor
    objects = accepted = duplicates = 0
    done = True
    for key in store.archive_keys(cursor):
        if time.monotonic() > deadline:
            done = False
            break
        body, content_type, source_id = store.archive_get(key)
        events, _ = parse_archived(body, content_type)
        result = store_events(
            source_id,
            events,
            raw_body=body,
            content_type=content_type,
            delivery_id=f"rebuild:{key}",
            archive=False,
        )
        objects += 1
        accepted += result["accepted"]
        duplicates += result["duplicates"]
        jobs.save_cursor("rebuild_events", key)
    if done:
        jobs.save_cursor("rebuild_events", None)
    return {"objects": objects, "accepted": accepted, "duplicates": duplicates, "done": done}


def parse_archived(body: bytes, content_type: str) -> tuple[list[Any], bytes | None]:
    if "xml" in content_type:
        from chalicelib.services.edxml_ingestion import parse_edxml_body

        return parse_edxml_body(body)
    return parse_json_body(body)

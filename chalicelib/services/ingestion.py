"""Webhook ingestion: verify, validate, de-duplicate, store durably, answer.

Order of writes: S3 archive, then inbox, then ledger. A failure part-way gives
the sender a 503; its retry finds the events absent from the ledger and stores
them again. Nothing is counted twice because the aggregation folds events into
document state by event identity (a lattice: re-applying an event is a no-op).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from chalicelib import clock
from chalicelib.domain import events as domain
from chalicelib.domain.errors import (
    Conflict,
    DomainError,
    InvalidInput,
    TooLarge,
    Unauthenticated,
    Unavailable,
)
from chalicelib.observability import logger, metrics
from chalicelib.services import admission, sandbox
from chalicelib.services import sources as source_service
from chalicelib.services.exemption import exempt_documents, record_clear_refs
from chalicelib.settings import get_settings
from chalicelib.storage import events as event_store

IDEMPOTENCY_TTL_SECONDS = 7 * 24 * 3600


def verify_delivery(source_id: str, headers: Mapping[str, str], body: bytes) -> str:
    """Standard Webhooks verification over the raw bytes; returns the webhook-id."""
    from chalicelib.domain.signatures import SignatureRefused, verify

    lowered = {k.lower(): v for k, v in headers.items()}
    missing = [
        h for h in ("webhook-id", "webhook-timestamp", "webhook-signature") if not lowered.get(h)
    ]
    if missing:
        raise Unauthenticated(f"Missing header(s): {', '.join(missing)}")
    try:
        secrets = source_service.verification_secrets(source_id)
    except Exception:
        logger.exception("source lookup failed")
        raise Unavailable("Could not check the source right now; retry later") from None
    if not secrets:
        raise Unauthenticated("Unknown or disabled source")
    try:
        return verify(
            secrets,
            lowered,
            body,
            now=clock.now(),
            tolerance_seconds=get_settings().webhook_tolerance_seconds,
        )
    except SignatureRefused as exc:
        raise Unauthenticated(exc.reason) from None


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
        raise TooLarge(f"Body is {len(body)} bytes; the limit is {max_bytes}")
    webhook_id = verify_delivery(source_id, headers, body)
    return receive_verified(
        source_id,
        webhook_id,
        body,
        content_type=content_type,
        parse=parse,
        lambda_context=lambda_context,
    )


def receive_verified(
    source_id: str,
    delivery_id: str,
    body: bytes,
    *,
    content_type: str,
    parse: Callable[[bytes], tuple[list[Any], bytes | None]],
    lambda_context: Any = None,
) -> dict[str, int]:
    """The use case once the sender is known: a verified webhook, or a package the service
    pulled from a hub itself (services/hub_pull.py). `delivery_id` is the idempotency key."""
    delivery = {
        "source_id": source_id,
        "webhook_id": delivery_id,
        "body_sha256": hashlib.sha256(body).hexdigest(),
    }
    try:
        return _idempotent(_process, lambda_context)(
            delivery=delivery, body=body, content_type=content_type, parse=parse
        )
    except DomainError as exc:
        if not getattr(exc, "_sandbox_recorded", False) and sandbox.is_test_source(source_id):
            # a test source's refused delivery (unreadable body, invalid events) is listed too
            sandbox.record_refusal(source_id, delivery_id, exc, None)
        raise


_idempotent_built: dict[Callable[..., Any], tuple[Any, Any, Callable[..., Any]]] = {}


def _idempotent(
    fn: Callable[..., dict[str, int]], lambda_context: Any = None
) -> Callable[..., dict[str, int]]:
    """Powertools Idempotency keyed on (source, webhook-id): a redelivered webhook
    gets the first answer. Only successes are remembered; errors may be retried."""
    from aws_lambda_powertools.utilities.idempotency import (
        IdempotencyConfig,
        idempotent_function,
    )
    from aws_lambda_powertools.utilities.idempotency.exceptions import (
        IdempotencyAlreadyInProgressError,
        IdempotencyPersistenceLayerError,
        IdempotencyValidationError,
    )

    layer = event_store.delivery_idempotency_layer()
    built = _idempotent_built.get(fn)
    if built is None or built[0] is not layer:
        # Built once per container, as Powertools means it (the layer, its configuration
        # and the wrapper are module-level there); only the invocation changes per call.
        config = IdempotencyConfig(
            event_key_jmespath="[source_id, webhook_id]",
            payload_validation_jmespath="body_sha256",
            expires_after_seconds=IDEMPOTENCY_TTL_SECONDS,
            raise_on_no_idempotency_key=True,
        )
        wrapped = idempotent_function(
            data_keyword_argument="delivery", persistence_store=layer, config=config
        )(fn)
        built = _idempotent_built[fn] = (layer, config, wrapped)
    _, config, wrapped = built
    # Lets an in-progress record expire with the invocation if it crashes (None locally).
    config.register_lambda_context(lambda_context)

    def call(**kwargs: Any) -> dict[str, int]:
        try:
            return wrapped(**kwargs)
        except IdempotencyValidationError:
            raise Conflict("This webhook-id was already delivered with a different body") from None
        except IdempotencyAlreadyInProgressError:
            raise Unavailable(
                "The same delivery is being processed; retry shortly", retry_after_seconds=2
            ) from None
        except IdempotencyPersistenceLayerError:
            logger.exception("idempotency store unavailable")
            raise Unavailable("Storage is unavailable; retry later") from None

    return call


def parse_json_body(body: bytes) -> tuple[list[Any], bytes | None]:
    from chalicelib.json_input import JsonInputError, loads

    try:
        raw = loads(body)
    except JsonInputError as exc:
        raise InvalidInput(f"Body is not acceptable JSON: {exc}") from None
    try:
        events = domain.validate_events(raw, max_events=get_settings().webhook_max_events)
    except domain.InvalidEvents as exc:
        raise InvalidInput(
            "Invalid events; nothing was stored", code="validation_failed", details=exc.details
        ) from None
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
    # A test source (the vendor sandbox) is checked like a live one, stored apart.
    test = sandbox.is_test_source(delivery["source_id"])
    try:
        # edXML names officials by ids derived from certificates and names, not registry ids.
        admission.admit(delivery["source_id"], events, registry_officials="xml" not in content_type)
    except DomainError as exc:
        if test:
            sandbox.record_refusal(delivery["source_id"], delivery["webhook_id"], exc, events)
            exc._sandbox_recorded = True  # type: ignore[attr-defined]
        raise
    if test:
        return sandbox.store_test_events(delivery["source_id"], delivery["webhook_id"], events)
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
    archived_at: str | None = None,
) -> dict[str, int]:
    """De-duplicate admitted events against the ledger and store the new ones (the
    caller checked their units: `admission`). `archive` False: the body is archived
    already (a rebuild), as `archived_at`.

    A document is exempt when any event of the request marks it or a marker says an
    earlier event did; its events are then stored redacted, whatever their own marking
    (services/exemption.py writes the new markers before anything here is stored)."""
    try:
        exempt = exempt_documents(
            source_id,
            domain.document_ids(events),
            {e.document.id for e in events if domain.is_exempt(e)},
        )
    except Exception:
        logger.exception("exemption lookup failed")
        raise Unavailable("Storage is unavailable; retry later") from None
    redacted = [_document_id(e) in exempt for e in events]
    records = [
        domain.to_record(e, source_id, redact=r) for e, r in zip(events, redacted, strict=True)
    ]
    digests = [domain.payload_hash(r) for r in records]

    first_seen: dict[str, int] = {}  # event id -> index of its first event in the request
    conflicts: list[str] = []
    for index, (record, digest) in enumerate(zip(records, digests, strict=True)):
        first = first_seen.setdefault(record["event_id"], index)
        if digests[first] != digest:
            conflicts.append(record["event_id"])
    try:
        stored = event_store.ledger_lookup(source_id, list(first_seen))
    except Exception:
        logger.exception("ledger lookup failed")
        raise Unavailable("Storage is unavailable; retry later") from None
    for eid, stored_digest in stored.items():
        index = first_seen[eid]
        if stored_digest == digests[index]:
            continue
        # The same event in its other form: a ledger entry written before the document was
        # known to be exempt (clear), or after its redaction (redacted), is the same event.
        # Serialised and hashed only for the ids already in the ledger (issue 19, item 6).
        other = domain.payload_hash(
            domain.to_record(events[index], source_id, redact=not redacted[index])
        )
        if stored_digest != other:
            conflicts.append(eid)
    if conflicts:
        raise Conflict(
            "Event id(s) already used with a different payload; nothing was stored",
            details=[{"event_id": eid} for eid in sorted(set(conflicts))],
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
        arrival = Arrival.now(source_id)
        body: bytes | None = None
        if archive:
            body = raw_body
            if any(redacted):
                # Never archive text of exempt documents: archive the redacted events.
                body, content_type = domain.archive_body(records), "application/json"
        # The inbox items name the request's archive object (a rebuild's, the object it
        # re-stores): the fold notes both for each document (issue 23), so a later secret
        # marking finds them without a reference written here per document.
        archive_key = arrival.archive_key(content_type) if body is not None else archived_at
        # Documents of the request with no new event (only duplicates) get no inbox item
        # here, but the archive object holds them in clear: noted as before.
        with_new = {r["document"]["id"] for r in new_records if r.get("document")}
        clear_elsewhere = {
            d: e for d, e in _clear_events(records, exempt).items() if d not in with_new
        }
        try:
            keys = event_store.inbox_put(
                arrival.received_at,
                arrival.request_id,
                source_id,
                [_public(r) for r in new_records],
                archive_key=archive_key,
            )
            archive_request(
                arrival,
                body,
                content_type,
                delivery_id=delivery_id,
                clear_events=clear_elsewhere if body is not None else {},
            )
            event_store.ledger_write(
                source_id,
                [
                    (r["event_id"], r["_sha"], keys[i // event_store.INBOX_CHUNK])
                    for i, r in enumerate(new_records)
                ],
            )
        except DomainError as exc:
            if isinstance(exc, Unavailable):  # storage's outage, as storage/outages.py says
                logger.exception("storing events failed", extra={"source_id": source_id})
                metrics.add_metric(name="IngestFailures", unit="Count", value=1)
            raise
        except Exception:
            logger.exception("storing events failed", extra={"source_id": source_id})
            metrics.add_metric(name="IngestFailures", unit="Count", value=1)
            raise Unavailable("Storage is unavailable; retry later") from None
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


def _clear_events(records: list[dict[str, Any]], exempt: set[str]) -> dict[str, list[str]]:
    """document id -> ids of the request's events (duplicates too) of each document not
    known to be exempt: what its archive object holds in clear."""
    events_by_document: dict[str, list[str]] = {}
    for record in records:
        document = record.get("document")
        if document is not None and document["id"] not in exempt:
            ids = events_by_document.setdefault(document["id"], [])
            if record["event_id"] not in ids:
                ids.append(record["event_id"])
    return events_by_document


def _public(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k != "_sha"}


# --- the request's record: archive and clear-data references --------------------------------


@dataclass(frozen=True)
class Arrival:
    """One stored request: its id and the instant it was received, which orders its
    inbox items and names its archive object (both known before anything is written)."""

    source_id: str
    request_id: str
    received_at: dt.datetime

    @classmethod
    def now(cls, source_id: str) -> Arrival:
        return cls(source_id, uuid.uuid4().hex[:12], clock.now())

    @property
    def local_date(self) -> dt.date:
        return self.received_at.astimezone(get_settings().zone).date()

    def archive_key(self, content_type: str) -> str:
        return event_store.archive_key(
            self.source_id, self.local_date, self.received_at, self.request_id, content_type
        )


def archive_request(
    arrival: Arrival,
    body: bytes | None,
    content_type: str,
    *,
    delivery_id: str,
    clear_events: Mapping[str, list[str]],
    clear_inbox_keys: Mapping[str, list[str]] | None = None,
) -> None:
    """The one archive write of the JSON and edXML webhooks: the body as received (or as
    redacted), the record of what arrived and the source of truth for rebuilds.

    First, where the request stores clear data of documents not known to be exempt is
    noted (`clear_events`: document id -> event ids in the archive object;
    `clear_inbox_keys`: document id -> inbox items), so that a later marking can redact
    it (services/exemption.py) and a crash never leaves clear data nobody can find.
    `body` None (a rebuild, which re-stores what the archive holds) notes the inbox only."""
    inbox_keys = dict(clear_inbox_keys or {})
    key = arrival.archive_key(content_type) if body is not None else None
    if key is None:
        clear_events = {d: e for d, e in clear_events.items() if d in inbox_keys}
    if clear_events:
        record_clear_refs(
            arrival.source_id,
            arrival.request_id,
            archive_key=key,
            events_by_document=clear_events,
            inbox_keys_by_document=inbox_keys,
        )
    if body is not None:
        event_store.archive_put(
            source_id=arrival.source_id,
            local_date=arrival.local_date,
            received_at=arrival.received_at,
            delivery_id=delivery_id,
            body=body,
            content_type=content_type,
            request_id=arrival.request_id,
        )

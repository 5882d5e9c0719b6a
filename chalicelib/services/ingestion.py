"""Webhook ingestion: verify, validate, de-duplicate, store durably, answer.

Order of writes: S3 archive, then inbox, then ledger. A failure part-way gives
the sender a 503; its retry finds the events absent from the ledger and stores
them again. Nothing is counted twice because the aggregation folds events into
document state by event identity (a lattice: re-applying an event is a no-op).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
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
    """De-duplicate validated events against the ledger and store the new ones."""
    admission.check_units(events)
    # Each event is redacted by its own marking, so what is stored (and hashed for
    # conflict detection) never depends on which other events share its request:
    # a redelivery in another batch is still recognised as the same event.
    records = [domain.to_record(e, source_id, redact=domain.is_exempt(e)) for e in events]
    any_exempt = any(domain.is_exempt(e) for e in events)
    digests = [domain.payload_hash(r) for r in records]

    first_seen: dict[str, str] = {}
    conflicts: list[str] = []
    in_request_duplicates = 0
    for record, digest in zip(records, digests, strict=True):
        previous = first_seen.get(record["event_id"])
        if previous is None:
            first_seen[record["event_id"]] = digest
        elif previous == digest:
            in_request_duplicates += 1
        else:
            conflicts.append(record["event_id"])
    try:
        stored = store.ledger_lookup(source_id, list(first_seen))
    except Exception:
        logger.exception("ledger lookup failed")
        raise unavailable("Storage is unavailable; retry later") from None
    conflicts += [
        eid for eid, digest in first_seen.items() if eid in stored and stored[eid] != digest
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
        received_at = _now()
        try:
            if archive:
                body = raw_body
                if any_exempt:
                    # Never archive text of exempt documents: archive the redacted events.
                    body = json.dumps(
                        {"events": [_as_sent(r) for r in records]}, ensure_ascii=False
                    ).encode()
                    content_type = "application/json"
                zone = ZoneInfo(get_settings().timezone)
                store.archive_put(
                    source_id=source_id,
                    local_date=received_at.astimezone(zone).date(),
                    received_at=received_at,
                    delivery_id=delivery_id,
                    body=body,
                    content_type=content_type,
                    request_id=request_id,
                )
            received_at = _now()  # inbox order follows the moment of the write
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


def _public(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k != "_sha"}


def _as_sent(record: dict[str, Any]) -> dict[str, Any]:
    # The webhook body shape (source_id is implied by the archive key).
    return {k: v for k, v in record.items() if k not in ("_sha", "source_id")}


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

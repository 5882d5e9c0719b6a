"""edXML webhook: national/provincial hub packages and status messages, mapped to
the same events as the JSON webhook and stored through the same path
(services/ingestion.py); records that change no KPI go to the document trail."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from chalicelib.domain.errors import Unavailable
from chalicelib.domain.vocabulary import SECURITY_NORMAL
from chalicelib.observability import logger
from chalicelib.services import admission, ingestion
from chalicelib.services.edxml_messages import is_archive_summary, parse_message, redacted_summary
from chalicelib.services.exemption import exempt_documents
from chalicelib.settings import get_settings
from chalicelib.storage import events as event_store

ARCHIVE_CONTENT_TYPE = "application/xml"


def receive_edxml(
    source_id: str, headers: Any, body: bytes, *, content_type: str, lambda_context: Any = None
) -> dict[str, int]:
    return ingestion.receive(
        source_id,
        headers,
        body,
        content_type=content_type,
        parse=_parser(source_id, headers),
        max_bytes=get_settings().edxml_max_body_bytes,
        lambda_context=lambda_context,
    )


def ingest_pulled(source_id: str, body: bytes, *, lambda_context: Any = None) -> dict[str, int]:
    """A package or status message the service pulled from a hub itself (no signature: the
    hub was asked with the source's credentials), stored exactly as a pushed one. Keyed by
    its content: the same bytes fetched again get the first answer; a re-generated copy of
    the same message maps to the same event ids and finds them stored (duplicates)."""
    from chalicelib.domain.errors import TooLarge

    limit = get_settings().edxml_max_body_bytes
    if len(body) > limit:
        raise TooLarge(f"Package is {len(body)} bytes; the limit is {limit}")
    delivery_id = "hub-" + hashlib.sha256(body).hexdigest()[:40]
    return ingestion.receive_verified(
        source_id,
        delivery_id,
        body,
        content_type=ARCHIVE_CONTENT_TYPE,
        parse=_parser(source_id, {"webhook-id": delivery_id}),
        lambda_context=lambda_context,
    )


def _parser(source_id: str, headers: Any) -> Callable[[bytes], tuple[list[Any], bytes | None]]:
    def parse(raw: bytes) -> tuple[list[Any], bytes | None]:
        # Runs inside the idempotent call: a failure here leaves no remembered answer, so the
        # hub's retry (same webhook-id) stores the trail instead of replaying a 202. Trail
        # record ids are deterministic: storing them again overwrites, never duplicates.
        events, archive_xml, trail = parse_message(raw)
        exempt: set[str] = set()
        if trail:
            admission.check_organs(source_id, {record["organ_id"] for record in trail})
            trail, exempt = _trail_exemption(source_id, trail)
        if not events:
            document_ids = {record["document_id"] for record in trail}
            if document_ids and document_ids <= exempt and not is_archive_summary(archive_xml):
                archive_xml = redacted_summary(raw)
            _archive_trail_only(source_id, archive_xml, headers, document_ids - exempt)
        if trail:
            _store_trail(source_id, trail)
        return events, archive_xml

    return parse


def _trail_exemption(
    source_id: str, trail: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], set[str]]:
    """Trail records of documents known (or now marked) exempt keep no description."""
    marked = {r["document_id"] for r in trail if r.get("security") not in (None, SECURITY_NORMAL)}
    try:
        exempt = exempt_documents(source_id, {r["document_id"] for r in trail}, marked)
    except Exception:
        logger.exception("exemption lookup failed")
        raise Unavailable("Storage is unavailable; retry later") from None
    records = [{**r, "description": None} if r["document_id"] in exempt else r for r in trail]
    return records, exempt


def _store_trail(source_id: str, trail: list[dict[str, Any]]) -> None:
    try:
        event_store.trail_put(source_id, trail)
    except Exception:
        logger.exception("storing the document trail failed")
        raise Unavailable("Storage is unavailable; retry later") from None


def _archive_trail_only(
    source_id: str, archive_xml: bytes, headers: Any, clear_documents: set[str]
) -> None:
    """A message that changes no KPI still goes to the archive (it is the record), noting
    first where it holds clear text of documents not known to be exempt."""
    delivery_id = str({k.lower(): v for k, v in headers.items()}.get("webhook-id", ""))
    try:
        ingestion.archive_request(
            ingestion.Arrival.now(source_id),
            archive_xml,
            ARCHIVE_CONTENT_TYPE,
            delivery_id=delivery_id,
            clear_events={d: [] for d in clear_documents},
        )
    except Exception:  # as for events (ingestion.store_events): the sender retries a 503
        logger.exception("archiving the message failed")
        raise Unavailable("Storage is unavailable; retry later") from None

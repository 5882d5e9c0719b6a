"""edXML webhook: national/provincial hub packages and status messages, mapped to
the same events as the JSON webhook and stored through the same path."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from chalicelib.domain import events as domain
from chalicelib.errors import (
    ApiError,
    payload_too_large,
    unavailable,
    unprocessable,
    validation_failed,
)
from chalicelib.observability import logger
from chalicelib.settings import get_settings


def _exempt_doc_types() -> frozenset[str]:
    """Document types any campaign configures as exempt (campaign data, not code)."""
    from chalicelib.storage.registry import list_campaigns

    names: set[str] = set()
    for body in list_campaigns():
        names.update(body.get("exempt_doc_types") or [])
    return frozenset(names)


def parse_edxml_body(body: bytes) -> tuple[list[Any], bytes | None]:
    """Validated events and the bytes to archive (attachments replaced by digests).

    Also reads back what the archive holds (the rebuild job): an exempt package that creates
    no event (a secret recall, update or replace) is archived as a redacted summary, not as
    edXML (docs/edxml.md, "What is archived"); it re-ingests as no event."""
    if is_archive_summary(body):
        return _summary_events(body), body
    return _parse(body)[:2]


def is_archive_summary(body: bytes) -> bool:
    return bool(_ARCHIVE_SUMMARY.match(body[:512]))


def redacted_summary(body: bytes) -> bytes:
    """The archive form of a message about a document known to be exempt."""
    from chalicelib.domain.edxml import redacted_archive

    return redacted_archive(
        body,
        exempt_doc_types=_exempt_doc_types(),
        max_bytes=get_settings().edxml_max_body_bytes,
    )


# The root of the redacted summary this service writes for exempt packages (archive.py).
_ARCHIVE_SUMMARY = re.compile(rb"\A\s*(?:<\?xml[^>]*\?>\s*)?<EdxmlArchive[\s>]")


def _summary_events(body: bytes) -> list[Any]:
    from defusedxml.ElementTree import fromstring

    from chalicelib.domain.edxml.model import ARCHIVE_NS

    root = fromstring(body, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    business = root.find(f"{{{ARCHIVE_NS}}}Business")
    is_summary = root.tag == f"{{{ARCHIVE_NS}}}EdxmlArchive"
    if is_summary and business is not None and business.get("docType", "0") != "0":
        return []  # recall, update, replace: a trail record, never an event
    if is_summary and root.get("kind") == "status":
        return []  # a trail status about an exempt document (its events are archived as JSON)
    # A new exempt package's events are archived as redacted JSON (ingestion.store_events);
    # a summary cannot give them back (it keeps no DocumentId, which their ids derive from).
    raise ApiError(
        400,
        "invalid_edxml",
        "/EdxmlArchive: this archived summary holds no re-ingestible events",
        [{"path": "/EdxmlArchive", "message": "holds no re-ingestible events"}],
    )


def _parse(body: bytes) -> tuple[list[Any], bytes, list[dict[str, Any]]]:
    from chalicelib.domain.edxml import EdxmlError, parse_edxml

    settings = get_settings()
    try:
        result = parse_edxml(
            body, exempt_doc_types=_exempt_doc_types(), max_bytes=settings.edxml_max_body_bytes
        )
    except EdxmlError as exc:
        if exc.path == "/" and "bytes" in exc.message:
            raise payload_too_large(exc.message) from None
        raise ApiError(
            400,
            "invalid_edxml",
            f"{exc.path}: {exc.message}",
            [{"path": exc.path, "message": exc.message}],
        ) from None
    events: list[Any] = []
    if result.events:
        try:
            events = domain.validate_events({"events": result.events}, max_events=100_000)
        except domain.InvalidEvents as exc:
            raise validation_failed(exc.details, "The message maps to invalid events") from None
    return events, result.archive_xml, result.trail


def receive_edxml(
    source_id: str, headers: Any, body: bytes, *, content_type: str, lambda_context: Any = None
) -> dict[str, int]:
    from chalicelib.services import admission, ingestion

    def parse(raw: bytes) -> tuple[list[Any], bytes | None]:
        # Runs inside the idempotent call: a failure here leaves no remembered answer, so the
        # hub's retry (same webhook-id) stores the trail instead of replaying a 202. Trail
        # record ids are deterministic: storing them again overwrites, never duplicates.
        events, archive_xml, trail = _parse(raw)
        exempt: set[str] = set()
        if trail:
            organs = {record["organ_id"] for record in trail}
            _check_organs(organs)
            admission.check_scope(source_id, organs)
            trail, exempt = _trail_exemption(source_id, trail)
        if not events:
            document_ids = {record["document_id"] for record in trail}
            if document_ids and document_ids <= exempt and not is_archive_summary(archive_xml):
                archive_xml = redacted_summary(raw)
            _archive_trail_only(source_id, archive_xml, headers, document_ids - exempt)
        if trail:
            _store_trail(source_id, trail)
        return events, archive_xml

    return ingestion.receive(
        source_id,
        headers,
        body,
        content_type=content_type,
        parse=parse,
        max_bytes=get_settings().edxml_max_body_bytes,
        lambda_context=lambda_context,
    )


def _check_organs(organs: set[str]) -> None:
    """The acting organ of a message that changes no KPI (a recall's sender, a status's
    reporter) must be in the registry, as an event's unit_id must (422 otherwise)."""
    from chalicelib.storage.registry import registry_snapshot

    unknown = organs - registry_snapshot().units.keys()
    if unknown:
        unknown -= registry_snapshot(max_age_seconds=0).units.keys()  # maybe just registered
    if unknown:
        raise unprocessable(
            "The message names organs that are not in the registry; nothing was stored",
            [{"unit_id": u} for u in sorted(unknown)],
        )


def _trail_exemption(
    source_id: str, trail: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], set[str]]:
    """Trail records of documents known (or now marked) exempt keep no description."""
    from chalicelib.services.exemption import exempt_documents

    marked = {r["document_id"] for r in trail if r.get("security") not in (None, "thuong")}
    try:
        exempt = exempt_documents(source_id, {r["document_id"] for r in trail}, marked)
    except Exception:
        logger.exception("exemption lookup failed")
        raise unavailable("Storage is unavailable; retry later") from None
    records = [{**r, "description": None} if r["document_id"] in exempt else r for r in trail]
    return records, exempt


def _store_trail(source_id: str, trail: list[dict[str, Any]]) -> None:
    from chalicelib.storage import events as store

    try:
        store.trail_put(source_id, trail)
    except Exception:
        logger.exception("storing the document trail failed")
        raise unavailable("Storage is unavailable; retry later") from None


def _archive_trail_only(
    source_id: str, archive_xml: bytes, headers: Any, clear_documents: set[str]
) -> None:
    """A message that changes no KPI still goes to the archive (it is the record). If it
    is about documents not known to be exempt, where it lies is noted first, so that a
    later marking can redact it (services/exemption.py)."""
    import uuid
    from zoneinfo import ZoneInfo

    from chalicelib.services.exemption import record_clear_refs
    from chalicelib.storage import events as store

    now = dt.datetime.now(dt.UTC)
    local_date = now.astimezone(ZoneInfo(get_settings().timezone)).date()
    request_id = uuid.uuid4().hex[:12]
    try:
        if clear_documents:
            record_clear_refs(
                source_id,
                request_id,
                archive_key=store.archive_key(
                    source_id, local_date, now, request_id, "application/xml"
                ),
                events_by_document={d: [] for d in clear_documents},
                inbox_keys_by_document={},
            )
        store.archive_put(
            source_id=source_id,
            local_date=local_date,
            received_at=now,
            delivery_id=str({k.lower(): v for k, v in headers.items()}.get("webhook-id", "")),
            body=archive_xml,
            content_type="application/xml",
            request_id=request_id,
        )
    except Exception:  # as for events (ingestion.store_events): the sender retries a 503
        logger.exception("archiving the message failed")
        raise unavailable("Storage is unavailable; retry later") from None

"""edXML webhook: national/provincial hub packages and status messages, mapped to
the same events as the JSON webhook and stored through the same path."""

from __future__ import annotations

import datetime as dt
from typing import Any

from chalicelib.domain import events as domain
from chalicelib.errors import ApiError, payload_too_large, unavailable, validation_failed
from chalicelib.observability import logger
from chalicelib.settings import get_settings

EDXML_CONTENT_TYPES = ("application/xml", "text/xml")


def _exempt_doc_types() -> frozenset[str]:
    """Document types any campaign configures as exempt (campaign data, not code)."""
    from chalicelib.storage.registry import list_campaigns

    names: set[str] = set()
    for body in list_campaigns():
        names.update(body.get("exempt_doc_types") or [])
    return frozenset(names)


def parse_edxml_body(body: bytes) -> tuple[list[Any], bytes | None]:
    """Validated events and the bytes to archive (attachments replaced by digests)."""
    return _parse(body)[:2]


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
    from chalicelib.services import ingestion

    trail: list[dict[str, Any]] = []

    def parse(raw: bytes) -> tuple[list[Any], bytes | None]:
        events, archive_xml, records = _parse(raw)
        trail.extend(records)
        if not events:
            _archive_trail_only(source_id, archive_xml, headers)
        return events, archive_xml

    result = ingestion.receive(
        source_id,
        headers,
        body,
        content_type=content_type,
        parse=parse,
        max_bytes=get_settings().edxml_max_body_bytes,
        lambda_context=lambda_context,
    )
    if trail:
        from chalicelib.storage import events as store

        try:
            store.trail_put(source_id, trail)
        except Exception:
            logger.exception("storing the document trail failed")
            raise unavailable("Storage is unavailable; retry later") from None
    return result


def _archive_trail_only(source_id: str, archive_xml: bytes, headers: Any) -> None:
    """A status that changes no KPI still goes to the archive (it is the record)."""
    import uuid
    from zoneinfo import ZoneInfo

    from chalicelib.storage import events as store

    now = dt.datetime.now(dt.UTC)
    store.archive_put(
        source_id=source_id,
        local_date=now.astimezone(ZoneInfo(get_settings().timezone)).date(),
        received_at=now,
        delivery_id=str({k.lower(): v for k, v in headers.items()}.get("webhook-id", "")),
        body=archive_xml,
        content_type="application/xml",
        request_id=uuid.uuid4().hex[:12],
    )

"""edXML messages read as the service reads them: a package or status message mapped to
validated events (with the document types the campaigns configure as exempt), and the
archive's forms of them read back (the rebuild, the redaction of a document marked later).

Used by the edXML webhook (services/edxml_ingestion.py), the rebuild
(services/archive_rebuild.py) and the redaction pass (services/exemption.py); it imports
none of them.
"""

from __future__ import annotations

import re
from typing import Any

from chalicelib.domain import events as domain
from chalicelib.domain.errors import InvalidInput, TooLarge
from chalicelib.settings import get_settings
from chalicelib.storage import registry as registry_store

# The root of the redacted summary archived for exempt packages (domain/edxml/archive.py).
_ARCHIVE_SUMMARY = re.compile(rb"\A\s*(?:<\?xml[^>]*\?>\s*)?<EdxmlArchive[\s>]")


def _exempt_doc_types() -> frozenset[str]:
    """Document types any campaign configures as exempt (campaign data, not code)."""
    names: set[str] = set()
    for body in registry_store.list_campaigns():
        names.update(body.get("exempt_doc_types") or [])
    return frozenset(names)


def parse_message(body: bytes) -> tuple[list[Any], bytes, list[dict[str, Any]]]:
    """(validated events, the bytes to archive, trail records) of one edXML message."""
    from chalicelib.domain.edxml import EdxmlError, parse_edxml

    settings = get_settings()
    try:
        result = parse_edxml(
            body, exempt_doc_types=_exempt_doc_types(), max_bytes=settings.edxml_max_body_bytes
        )
    except EdxmlError as exc:
        if exc.path == "/" and "bytes" in exc.message:
            raise TooLarge(exc.message) from None
        raise InvalidInput(
            f"{exc.path}: {exc.message}",
            code="invalid_edxml",
            details=[{"path": exc.path, "message": exc.message}],
        ) from None
    events: list[Any] = []
    if result.events:
        try:
            events = domain.validate_events({"events": result.events}, max_events=100_000)
        except domain.InvalidEvents as exc:
            raise InvalidInput(
                "The message maps to invalid events", code="validation_failed", details=exc.details
            ) from None
    return events, result.archive_xml, result.trail


def parse_edxml_body(body: bytes) -> tuple[list[Any], bytes | None]:
    """Validated events and the bytes to archive (attachments replaced by digests).

    Also reads back what the archive holds (the rebuild job): an exempt package that creates
    no event (a secret recall, update or replace) is archived as a redacted summary, not as
    edXML (docs/edxml.md, "What is archived"); it re-ingests as no event."""
    if is_archive_summary(body):
        return _summary_events(body), body
    return parse_message(body)[:2]


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
    raise InvalidInput(
        "/EdxmlArchive: this archived summary holds no re-ingestible events",
        code="invalid_edxml",
        details=[{"path": "/EdxmlArchive", "message": "holds no re-ingestible events"}],
    )

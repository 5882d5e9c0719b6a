"""edXML ingestion (QCVN 102:2016 and the go.vn/eDoc hub variant), pure part.

`parse_edxml` turns one package or status message, as a document-exchange hub delivers
it, into DOMAIN.md events (validated afterwards like JSON webhook events), trail records
that change no KPI, and the bytes to archive. See docs/edxml.md.
"""

from __future__ import annotations

from . import archive, mapping
from .mapping import Package
from .model import (
    DIALECT_GODOC,
    DIALECT_QCVN,
    GODOC_NS,
    KIND_PACKAGE,
    KIND_STATUS,
    QCVN_NS,
    EdxmlError,
    EdxmlResult,
)
from .reader import read_xml

__all__ = [
    "DIALECT_GODOC",
    "DIALECT_QCVN",
    "GODOC_NS",
    "QCVN_NS",
    "EdxmlError",
    "EdxmlResult",
    "parse_edxml",
    "redacted_archive",
]

MAX_BYTES = 10 * 1024 * 1024


def parse_edxml(
    raw: bytes,
    *,
    exempt_doc_types: frozenset[str] = frozenset(),
    max_bytes: int = MAX_BYTES,
) -> EdxmlResult:
    """Parse, validate and map one edXML message; raise EdxmlError (-> HTTP 400) if invalid.

    `exempt_doc_types`: document type names (DocumentType/TypeName, compared case- and
    accent-normalised) or codes (DocumentType/Type) whose documents are exempt as state
    commendation dossiers.
    """
    parsed = read_xml(raw, max_bytes=max_bytes)
    message = mapping.read_message(parsed, exempt_doc_types)
    if isinstance(message, Package):
        return EdxmlResult(
            dialect=parsed.dialect,
            kind=KIND_PACKAGE,
            events=mapping.package_events(parsed.dialect, message),
            trail=mapping.package_trail(parsed.dialect, message),
            archive_xml=(
                archive.redacted_package(parsed.dialect, message)
                if message.exempt
                else archive.without_attachments(raw, parsed.attachments)
            ),
            exempt=message.exempt,
        )
    return EdxmlResult(
        dialect=parsed.dialect,
        kind=KIND_STATUS,
        events=mapping.status_events(parsed.dialect, message),
        trail=mapping.status_trail(parsed.dialect, message),
        archive_xml=archive.without_attachments(raw, parsed.attachments),
        exempt=False,
    )


def redacted_archive(
    raw: bytes, *, exempt_doc_types: frozenset[str] = frozenset(), max_bytes: int = MAX_BYTES
) -> bytes:
    """What to archive of a message once its document is known to be exempt (a marking
    on another message of the document): the same summary an exempt package gets."""
    parsed = read_xml(raw, max_bytes=max_bytes)
    message = mapping.read_message(parsed, exempt_doc_types)
    if isinstance(message, Package):
        return archive.redacted_package(parsed.dialect, message)
    return archive.redacted_status(parsed.dialect, message)

"""What is archived of a message: never the attachment files, and for exempt packages only
what their count needs."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from . import values
from .mapping import Package, Status
from .model import ARCHIVE_NS
from .reader import AttachmentDigest


def without_attachments(raw: bytes, attachments: list[AttachmentDigest]) -> bytes:
    """The original bytes with each attachment's content element replaced by its digest.

    Splicing the raw bytes (not re-serialising a tree) keeps prefixes, comments and the
    signed header exactly as the hub sent them. The attachment's name stays in its
    sibling AttachmentName element.
    """
    if not attachments:
        return raw
    pieces: list[bytes] = []
    position = 0
    for attachment in attachments:
        start, end = _element_span(raw, attachment)
        pieces += [raw[position:start], _digest_element(attachment)]
        position = end
    pieces.append(raw[position:])
    return b"".join(pieces)


def _element_span(raw: bytes, attachment: AttachmentDigest) -> tuple[int, int]:
    # expat reports an element's end at its "</" or, for an empty <x/>, just past "/>".
    if raw.startswith(b"</", attachment.end_tag):
        return attachment.start, raw.index(b">", attachment.end_tag) + 1
    if raw[attachment.end_tag - 2 : attachment.end_tag] == b"/>":
        return attachment.start, attachment.end_tag
    raise AssertionError(f"cannot locate {attachment.path} in the raw message")


def _digest_element(attachment: AttachmentDigest) -> bytes:
    return (
        f'<AttachmentDigest xmlns="{ARCHIVE_NS}" algorithm="SHA-256" size="{attachment.size}">'
        f"{attachment.sha256}</AttachmentDigest>"
    ).encode("ascii")


def redacted_package(dialect: str, package: Package) -> bytes:
    """A summary of an exempt package: organs, times, marking, signer pseudonym; no number,
    subject, type, content, DocumentId (it embeds the number) or attachment names."""

    # Unqualified tags under a literal default-namespace declaration: ElementTree's
    # default_namespace option refuses the unqualified attributes used here.
    root = ET.Element(
        "EdxmlArchive", xmlns=ARCHIVE_NS, dialect=dialect, kind="package", redacted="true"
    )
    ET.SubElement(
        root,
        "Document",
        id=values.document_id(package.key),
        security=package.security,
        stateCommendation=str(package.state_commendation).lower(),
    )
    ET.SubElement(root, "From", organId=package.sender)
    for organ in package.recipients:
        ET.SubElement(root, "To", organId=organ)
    ET.SubElement(root, "Promulgated", at=values.rfc3339(package.promulgated))
    ET.SubElement(root, "Sent", at=values.rfc3339(package.sent))
    ET.SubElement(root, "Business", docType=str(package.business))
    if package.signer is not None:
        ET.SubElement(root, "Signature", signerId=package.signer)
    ET.SubElement(root, "Attachments", count=str(package.attachment_count))
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def redacted_status(dialect: str, status: Status) -> bytes:
    """A summary of a status message about an exempt document: who reported which status
    when. No DocumentId or ResponseFor/Code (they hold the number), no description, no
    staff names."""
    root = ET.Element(
        "EdxmlArchive", xmlns=ARCHIVE_NS, dialect=dialect, kind="status", redacted="true"
    )
    ET.SubElement(root, "Document", id=values.document_id(status.key))
    ET.SubElement(root, "From", organId=status.reporter)
    ET.SubElement(root, "ResponseFor", organId=status.original_sender)
    ET.SubElement(root, "Status", code=status.code, at=values.rfc3339(status.at))
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)

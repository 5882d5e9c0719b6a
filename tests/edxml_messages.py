"""The edXML fixtures and what tests read back of a parse (independently of the parser)."""

from __future__ import annotations

import base64
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from chalicelib.domain.edxml import EdxmlError, parse_edxml

FIXTURES = Path(__file__).parent / "fixtures" / "edxml"
MALFORMED = FIXTURES / "malformed"
HEADER = "/edXML/edXMLEnvelope/edXMLHeader"
ARCHIVE_NS = "urn:khong-giay:edxml-archive:1"
# Each malformed fixture, the element its refusal names and what the refusal says.
MALFORMED_CASES = [
    ("missing_from.xml", f"{HEADER}/MessageHeader/From", "missing element From"),
    ("documentid_without_date.xml", f"{HEADER}/MessageHeader/DocumentId", "has no date"),
    ("billion_laughs.xml", "/", "DOCTYPE is not allowed"),
    ("external_entity.xml", "/", "DOCTYPE is not allowed"),
    ("wrong_namespace.xml", "/edXML", "QCVN_102_2015"),
    ("truncated.xml", f"{HEADER}/MessageHeader/DocumentId", "not well-formed"),
    ("unknown_status_code.xml", f"{HEADER}/Status/StatusCode", "unknown status code '07'"),
]


def load(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def swap(name: str, old: str, new: str) -> bytes:
    """A fixture with one text replaced (which must be there)."""
    raw = load(name)
    assert old.encode() in raw
    return raw.replace(old.encode(), new.encode())


def refused(raw: bytes, **kwargs: Any) -> EdxmlError:
    with pytest.raises(EdxmlError) as err:
        parse_edxml(raw, **kwargs)
    return err.value


def attachments_of(raw: bytes) -> list[tuple[str, bytes]]:
    """(name, decoded file) of each attachment, read independently of the parser."""
    root = ET.fromstring(raw)
    found = []
    for attachment in root.iter():
        if attachment.tag.rpartition("}")[2] != "Attachment":
            continue
        fields = {child.tag.rpartition("}")[2]: child.text or "" for child in attachment}
        name = fields.get("AttachmentName") or fields["FileName"]
        content = fields.get("ContentTransferEncoded") or fields["Content"]
        found.append((name, base64.b64decode("".join(content.split()))))
    return found


def digests_in(archive: bytes) -> list[tuple[str, int]]:
    root = ET.fromstring(archive)
    return [
        (d.text or "", int(d.get("size", "-1")))
        for d in root.iter(f"{{{ARCHIVE_NS}}}AttachmentDigest")
    ]

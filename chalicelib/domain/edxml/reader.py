"""Secure, memory-bounded reading of an edXML message into an element tree.

Attachment content is never put in the tree: it is hashed while expat streams it, so a
10 MB package costs the raw bytes plus a few 64 KB chunks, not several copies of the file.
"""

from __future__ import annotations

import binascii
import hashlib
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Any

from defusedxml import DefusedXmlException, DTDForbidden
from defusedxml.ElementTree import DefusedXMLParser, ParseError

from .model import DIALECT_GODOC, DIALECT_QCVN, GODOC_NS, QCVN_NS, EdxmlError

ROOTS: dict[tuple[str, str], str] = {
    (QCVN_NS, "edXML"): DIALECT_QCVN,
    (GODOC_NS, "EdXMLEnvelope"): DIALECT_GODOC,
}
# An attachment's file is the text of one of these, inside <Attachment> inside one of
# the containers (QCVN: AttachmentEncoded/Attachment/ContentTransferEncoded; some hubs
# use Manifest/Attachment/Content).
CONTENT_NAMES = frozenset({"ContentTransferEncoded", "Content"})
ATTACHMENT_CONTAINERS = frozenset({"AttachmentEncoded", "Manifest"})

# A real header has a few hundred elements (a province-wide circular: ~100 To) and is
# less than 10 levels deep; these bounds keep a hostile 10 MB of tiny tags from costing
# hundreds of MB of Element objects.
MAX_DEPTH = 32
MAX_ELEMENTS = 20_000
FEED_CHUNK = 64 * 1024
_XML_WHITESPACE = str.maketrans("", "", " \t\r\n")


def local_name(tag: str) -> str:
    return tag.rpartition("}")[2]


def namespace(tag: str) -> str:
    return tag[1:].partition("}")[0] if tag.startswith("{") else ""


@dataclass(frozen=True)
class AttachmentDigest:
    path: str  # of the content element
    sha256: str  # of the decoded file
    size: int  # decoded bytes
    start: int  # byte offset of the content element's start tag
    end_tag: int  # byte offset reported by expat at the content element's end


@dataclass(frozen=True)
class ParsedXml:
    dialect: str
    root: ET.Element
    attachments: list[AttachmentDigest]


class _Base64Digest:
    """SHA-256 and size of base64 text that arrives in arbitrary chunks."""

    def __init__(self) -> None:
        self._sha = hashlib.sha256()
        self._size = 0
        self._rest = ""
        self._padded = False

    def feed(self, text: str, path: str) -> None:
        buf = self._rest + text.translate(_XML_WHITESPACE)
        cut = len(buf) - len(buf) % 4
        self._rest = buf[cut:]
        if cut:
            self._decode(buf[:cut], path)

    def finish(self, path: str) -> tuple[str, int]:
        if self._rest:
            raise EdxmlError(path, "attachment content is not valid base64 (truncated)")
        return self._sha.hexdigest(), self._size

    def _decode(self, chunk: str, path: str) -> None:
        if self._padded:  # '=' may only end the text
            raise EdxmlError(path, "attachment content is not valid base64 (data after padding)")
        try:
            data = binascii.a2b_base64(chunk, strict_mode=True)
        except (binascii.Error, ValueError) as exc:
            raise EdxmlError(path, "attachment content is not valid base64") from exc
        self._padded = chunk.endswith("=")
        self._sha.update(data)
        self._size += len(data)


class _Builder:
    """ElementTree parser target that bounds the tree and streams attachment content."""

    def __init__(self) -> None:
        self._tree = ET.TreeBuilder()
        self._elems: list[ET.Element] = []
        self._names: list[str] = []  # path components, "To[2]" for a second <To>
        self._siblings: list[dict[str, int]] = [{}]
        self._count = 0
        self._digest: _Base64Digest | None = None
        self._digest_start = 0
        self._expat: Any = None
        self.dialect = ""
        self.attachments: list[AttachmentDigest] = []

    def attach(self, expat_parser: Any) -> None:
        self._expat = expat_parser  # for byte offsets of attachment elements

    def path(self) -> str:
        return "/" + "/".join(self._names)

    def start(self, tag: str, attrs: dict[str, str]) -> ET.Element:
        local = local_name(tag)
        if not self._elems:
            self._check_root(tag)
        self._count += 1
        if self._count > MAX_ELEMENTS:
            raise EdxmlError(self.path(), f"more than {MAX_ELEMENTS} elements")
        if len(self._elems) >= MAX_DEPTH:
            raise EdxmlError(self.path(), f"elements nested deeper than {MAX_DEPTH} levels")
        if self._digest is not None:
            raise EdxmlError(self.path(), "attachment content must be base64 text, not elements")
        siblings = self._siblings[-1]
        siblings[local] = n = siblings.get(local, 0) + 1
        if (
            local in CONTENT_NAMES
            and len(self._names) >= 2
            and local_name(self._elems[-1].tag) == "Attachment"
            and local_name(self._elems[-2].tag) in ATTACHMENT_CONTAINERS
        ):
            self._digest = _Base64Digest()
            self._digest_start = self._expat.CurrentByteIndex
        self._names.append(local if n == 1 else f"{local}[{n}]")
        self._siblings.append({})
        elem = self._tree.start(tag, attrs)
        self._elems.append(elem)
        return elem

    def data(self, text: str) -> None:
        if self._digest is not None:
            self._digest.feed(text, self.path())
        else:
            self._tree.data(text)

    def end(self, tag: str) -> ET.Element:
        if self._digest is not None:
            sha256, size = self._digest.finish(self.path())
            self.attachments.append(
                AttachmentDigest(
                    path=self.path(),
                    sha256=sha256,
                    size=size,
                    start=self._digest_start,
                    end_tag=self._expat.CurrentByteIndex,
                )
            )
            self._digest = None
        self._elems.pop()
        self._names.pop()
        self._siblings.pop()
        return self._tree.end(tag)

    def close(self) -> ET.Element:
        return self._tree.close()

    def _check_root(self, tag: str) -> None:
        local, ns = local_name(tag), namespace(tag)
        dialect = ROOTS.get((ns, local))
        if dialect is None:
            raise EdxmlError(
                f"/{local}",
                f"unknown root element {local!r} in namespace {ns or '(none)'!r}: expected "
                f"'edXML' in {QCVN_NS!r} or 'EdXMLEnvelope' in {GODOC_NS!r}",
            )
        self.dialect = dialect


def read_xml(raw: bytes, *, max_bytes: int) -> ParsedXml:
    if len(raw) > max_bytes:
        raise EdxmlError("/", f"the message has {len(raw)} bytes; at most {max_bytes} are accepted")
    # Archived packages are patched byte-wise with ASCII, which needs an ASCII-compatible
    # encoding; QCVN 102 messages are UTF-8 anyway.
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in raw[:4]:
        raise EdxmlError("/", "edXML must be encoded in UTF-8")
    builder = _Builder()
    parser = DefusedXMLParser(
        target=builder, forbid_dtd=True, forbid_entities=True, forbid_external=True
    )
    builder.attach(parser.parser)
    view = memoryview(raw)
    try:
        for offset in range(0, len(raw), FEED_CHUNK):
            parser.feed(view[offset : offset + FEED_CHUNK])
        root = parser.close()
    except DTDForbidden:
        raise EdxmlError(
            "/", "a DOCTYPE is not allowed: no DTD, entity declarations or external references"
        ) from None
    except DefusedXmlException as exc:
        raise EdxmlError(builder.path(), f"forbidden XML construct: {exc!r}") from None
    except ParseError as exc:
        raise EdxmlError(builder.path(), f"not well-formed XML: {exc}") from None
    except EdxmlError:
        raise
    except (LookupError, ValueError) as exc:  # pyexpat on the declared encoding
        raise EdxmlError("/", f"unsupported character encoding: {exc}") from None
    return ParsedXml(dialect=builder.dialect, root=root, attachments=builder.attachments)

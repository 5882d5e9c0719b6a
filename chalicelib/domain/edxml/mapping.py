"""edXML packages and status messages -> DOMAIN.md events and trail records.

`docs/edxml.md` is the reference for every rule here (element -> field tables).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..vocabulary import (
    CHANNEL_ELECTRONIC,
    EV_ISSUED,
    EV_PROCESSED,
    EV_RECEIVED,
    EV_REGISTERED,
    EV_SENT,
    EV_SIGNED,
    METHOD_DIGITAL,
    SECURITY_NORMAL,
)
from . import values
from .model import DIALECT_QCVN, XMLDSIG_NS, EdxmlError
from .reader import ParsedXml, local_name, namespace

# Where MessageHeader / Status, TraceHeaderList and the XMLDSig Signature sit, below the root.
HEADER_PATH = {DIALECT_QCVN: ("edXMLEnvelope", "edXMLHeader")}  # go.vn: on the root itself

BUSINESS_KINDS = {1: ("recall", "Thu hồi"), 2: ("update", "Cập nhật"), 3: ("replace", "Thay thế")}
STATUS_LABELS = {
    "01": "Đã đến",
    "02": "Từ chối tiếp nhận",
    "03": "Đã tiếp nhận",
    "04": "Phân công",
    "05": "Đang xử lý",
    "06": "Đã xử lý xong",
    "13": "Lấy lại văn bản",
    "15": "Đồng ý lấy lại/cập nhật",
    "16": "Từ chối lấy lại/cập nhật",
}
STATUS_EVENTS = {"01": EV_RECEIVED, "03": EV_REGISTERED, "06": EV_PROCESSED}
TRAIL_DESCRIPTION_MAX = 2000
# Limits of the JSON webhook's event model, checked here to name the element at fault.
PAGE_COUNT = re.compile(r"^[0-9]{1,6}$")
MAX_PAGES = 100_000
MAX_LABEL = 100  # document number, document type name


class Node:
    """An element with its XPath-like location, for error messages that name it."""

    __slots__ = ("elem", "path")

    def __init__(self, elem: ET.Element, path: str) -> None:
        self.elem = elem
        self.path = path

    def children(self, name: str, ns: str | None = None) -> Iterator[Node]:
        n = 0
        for child in self.elem:
            # Hubs mix prefixed and default-namespace children: match dialect elements by
            # local name; the root's namespace has already been checked.
            if local_name(child.tag) == name and (ns is None or namespace(child.tag) == ns):
                n += 1
                yield Node(child, f"{self.path}/{name}" if n == 1 else f"{self.path}/{name}[{n}]")

    def child(self, name: str, ns: str | None = None) -> Node | None:
        return next(self.children(name, ns), None)

    def require(self, name: str, what: str) -> Node:
        node = self.child(name)
        if node is None:
            raise EdxmlError(f"{self.path}/{name}", f"missing element {name} ({what})")
        return node

    @property
    def text(self) -> str:
        return (self.elem.text or "").strip()

    def text_of(self, name: str) -> str:
        node = self.child(name)
        return node.text if node is not None else ""

    def require_text(self, name: str, what: str) -> Node:
        node = self.require(name, what)
        if not node.text:
            raise EdxmlError(node.path, f"{name} is empty ({what})")
        return node


@dataclass(frozen=True)
class Package:
    key: str  # canonical DocumentId
    sender: str
    recipients: tuple[str, ...]
    number: str | None
    doc_type: str | None
    pages: int | None
    promulgated: datetime
    sent: datetime
    business: int  # BussinessDocType: 0 new, 1 recall, 2 update, 3 replace
    reason: str
    security: str
    state_commendation: bool
    signer: str | None
    attachment_count: int

    @property
    def exempt(self) -> bool:
        return self.security != SECURITY_NORMAL or self.state_commendation


@dataclass(frozen=True)
class Status:
    key: str
    reporter: str  # Status/From/OrganId
    original_sender: str  # Status/ResponseFor/OrganId
    code: str
    at: datetime
    description: str
    actor: str


def header_node(parsed: ParsedXml) -> Node:
    node = Node(parsed.root, "/" + local_name(parsed.root.tag))
    for name in HEADER_PATH.get(parsed.dialect, ()):
        node = node.require(name, "edXML envelope structure")
    return node


def read_message(parsed: ParsedXml, exempt_doc_types: frozenset[str]) -> Package | Status:
    header = header_node(parsed)
    message, status = header.child("MessageHeader"), header.child("Status")
    if message is not None and status is not None:
        raise EdxmlError(header.path, "carries both MessageHeader and Status; send them apart")
    if status is not None:
        return read_status(parsed.dialect, status)
    if message is None:
        raise EdxmlError(
            f"{header.path}/MessageHeader",
            "missing element MessageHeader (a package) or Status (a status message)",
        )
    return read_package(parsed, header, message, exempt_doc_types)


def read_package(
    parsed: ParsedXml, header: Node, message: Node, exempt_doc_types: frozenset[str]
) -> Package:
    sender_node = message.require("From", "the sending organ")
    sender = _organ(sender_node, "the sending organ")
    recipients: list[str] = []
    for to in message.children("To"):
        organ = _organ(to, "a receiving organ")
        if organ not in recipients:
            recipients.append(organ)
    if not recipients:
        raise EdxmlError(f"{message.path}/To", "missing element To (at least one receiving organ)")

    key_node = message.require_text("DocumentId", "the document identifier")
    key = values.document_key(key_node.text, key_node.path, parsed.dialect)

    code = message.child("Code")
    number = None
    if code is not None:
        parts = (code.text_of("CodeNumber"), code.text_of("CodeNotation"))
        number = _bounded("/".join(p for p in parts if p), code.path, "number")

    doc_type, type_code = None, ""
    type_node = message.child("DocumentType")
    if type_node is not None:
        # QCVN: DocumentType/{Type, TypeName}; go.vn: the name as the element's text.
        name_node = type_node.child("TypeName") or type_node
        doc_type = _bounded(name_node.text, name_node.path, "document type name") or None
        type_code = type_node.text_of("Type")

    date_node = message.require("PromulgationInfo", "promulgation place and date").require_text(
        "PromulgationDate", "the promulgation date"
    )
    promulgated = values.parse_time(date_node.text, date_node.path)

    pages: int | None = None
    security: str = SECURITY_NORMAL
    other = message.child("OtherInfo")
    if other is not None:
        pages_node = other.child("PageAmount")
        if pages_node is not None and pages_node.text:
            if not PAGE_COUNT.match(pages_node.text) or int(pages_node.text) > MAX_PAGES:
                raise EdxmlError(pages_node.path, f"{pages_node.text[:20]!r} is not a page count")
            pages = int(pages_node.text)
        marking = other.child("SecurityLevel")
        if marking is not None:
            security = values.security_level(marking.text, marking.path)

    sent, business, reason = promulgated, 0, ""
    trace_list = header.child("TraceHeaderList")
    if trace_list is None:  # some go.vn senders nest it in MessageHeader
        trace_list = message.child("TraceHeaderList")
    if trace_list is not None:
        # The first TraceHeader is the sender handing the package to the hub; hubs append
        # their hops after it, so re-sent packages keep the same time (and event ids).
        trace = trace_list.child("TraceHeader")
        if trace is not None:
            stamp = trace.child("Timestamp")
            if stamp is not None and stamp.text:
                sent = values.parse_time(stamp.text, stamp.path)
        business_node = trace_list.child("Bussiness")
        if business_node is not None:
            business, reason = _business(business_node)

    exempt_types = {values.fold(t) for t in exempt_doc_types}
    commendation = any(c and values.fold(c) in exempt_types for c in (doc_type, type_code))
    return Package(
        key=key,
        sender=sender,
        recipients=tuple(recipients),
        number=number or None,
        doc_type=doc_type,
        pages=pages,
        promulgated=promulgated,
        sent=sent,
        business=business,
        reason=reason,
        security=security,
        state_commendation=commendation,
        signer=_signer(parsed, header),
        attachment_count=len(parsed.attachments),
    )


def _bounded(text: str, path: str, what: str) -> str:
    if len(text) > MAX_LABEL:
        raise EdxmlError(path, f"the {what} is longer than {MAX_LABEL} characters")
    return text


def _organ(node: Node, what: str) -> str:
    organ = node.require_text("OrganId", what)
    return values.unit_id(organ.text, organ.path)


def _business(node: Node) -> tuple[int, str]:
    kind = node.child("BussinessDocType")
    if kind is None or not kind.text:
        return 0, node.text_of("BussinessDocReason")
    if kind.text not in {"0", "1", "2", "3"}:
        raise EdxmlError(
            kind.path, f"{kind.text[:20]!r} is not 0 (new), 1 (recall), 2 (update) or 3 (replace)"
        )
    return int(kind.text), node.text_of("BussinessDocReason")


def _signer(parsed: ParsedXml, header: Node) -> str | None:
    root = Node(parsed.root, "/" + local_name(parsed.root.tag))
    # An enveloped XMLDSig signature sits in the header or, per XMLDSig habit, on the root.
    for holder in (header, root):
        signature = holder.child("Signature", XMLDSIG_NS)
        if signature is None:
            continue
        for x509 in signature.elem.iter(f"{{{XMLDSIG_NS}}}X509Data"):
            certificate = (x509.findtext(f"{{{XMLDSIG_NS}}}X509Certificate") or "").strip()
            if certificate:
                subject = x509.findtext(f"{{{XMLDSIG_NS}}}X509SubjectName")
                path = f"{signature.path}/KeyInfo/X509Data/X509Certificate"
                return values.signer_id(subject, certificate, path)
    return None


def read_status(dialect: str, status: Node) -> Status:
    response_for = status.require("ResponseFor", "the document this status is about")
    original_sender = _organ(response_for, "the organ that sent the document")
    key_node = response_for.require_text("DocumentId", "the document identifier")
    key = values.document_key(key_node.text, key_node.path, dialect)
    reporter = _organ(status.require("From", "the reporting organ"), "the reporting organ")

    code_node = status.require_text("StatusCode", "the status code")
    code = code_node.text.zfill(2)
    if code not in STATUS_LABELS:
        raise EdxmlError(
            code_node.path,
            f"unknown status code {code_node.text[:10]!r}: expected one of "
            + ", ".join(STATUS_LABELS),
        )
    stamp = status.require_text("Timestamp", "when the status was reached")

    staff = status.child("StaffInfo")
    email = name = department = ""
    if staff is not None:
        email, name, department = (staff.text_of(n) for n in ("Email", "Staff", "Department"))
    return Status(
        key=key,
        reporter=reporter,
        original_sender=original_sender,
        code=code,
        at=values.parse_time(stamp.text, stamp.path),
        description=status.text_of("Description"),
        actor=values.staff_id(reporter, email, name, department),
    )


def package_document(package: Package) -> dict[str, Any]:
    document: dict[str, Any] = {"id": values.document_id(package.key)}
    # Exempt documents keep only what their count needs (DOMAIN.md, secret documents),
    # as the JSON webhook stores them: id and the exemption markers.
    if not package.exempt:
        if package.number:
            document["number"] = package.number
        if package.doc_type:
            document["doc_type"] = package.doc_type
        if package.pages is not None:
            document["pages"] = package.pages
    document["security"] = package.security
    document["state_commendation"] = package.state_commendation
    return document


def package_events(dialect: str, package: Package) -> list[dict[str, Any]]:
    if package.business:
        return []  # recall / update / replace: the document already exists; trail only
    document = package_document(package)

    def event(kind: str, at: datetime, counterpart: str = "", **extra: Any) -> dict[str, Any]:
        when = values.rfc3339(at)
        return {
            "event_id": values.event_id(
                dialect,
                package.key,
                unit=package.sender,
                counterpart=counterpart,
                what=kind,
                at=when,
            ),
            "type": kind,
            "occurred_at": when,
            "unit_id": package.sender,
            "document": dict(document),
            **extra,
        }

    events = []
    if package.signer is not None:
        events.append(
            event(
                EV_SIGNED,
                package.promulgated,
                method=METHOD_DIGITAL,
                signer_official_id=package.signer,
            )
        )
    events.append(event(EV_ISSUED, package.promulgated, channel=CHANNEL_ELECTRONIC))
    events.extend(
        event(EV_SENT, package.sent, to, to_unit_id=to, channel=CHANNEL_ELECTRONIC)
        for to in package.recipients
    )
    return events


def package_trail(dialect: str, package: Package) -> list[dict[str, Any]]:
    if not package.business:
        return []
    kind, label = BUSINESS_KINDS[package.business]
    code = str(package.business)
    when = values.rfc3339(package.sent)
    return [
        {
            "record_id": values.event_id(
                dialect,
                package.key,
                unit=package.sender,
                counterpart="",
                what=f"business:{code}",
                at=when,
            ),
            "kind": kind,
            "code": code,
            "label": label,
            "document_id": values.document_id(package.key),
            "organ_id": package.sender,
            "counterpart_ids": list(package.recipients),
            "occurred_at": when,
            "description": None if package.exempt else _description(package.reason),
            "security": package.security,
        }
    ]


def status_events(dialect: str, status: Status) -> list[dict[str, Any]]:
    kind = STATUS_EVENTS.get(status.code)
    if kind is None:
        return []
    when = values.rfc3339(status.at)
    event: dict[str, Any] = {
        "event_id": _status_id(dialect, status),
        "type": kind,
        "occurred_at": when,
        "unit_id": status.reporter,
        # A status carries no security marking: the document's exemption comes from its
        # package, found by the same document id.
        "document": {"id": values.document_id(status.key)},
    }
    if status.code == "01":
        event.update(from_unit_id=status.original_sender, channel=CHANNEL_ELECTRONIC)
    elif status.code == "03":
        event.update(direction="incoming")
    else:
        event.update(channel=CHANNEL_ELECTRONIC, actor_official_id=status.actor)
    return [event]


def status_trail(dialect: str, status: Status) -> list[dict[str, Any]]:
    if status.code in STATUS_EVENTS:
        return []
    when = values.rfc3339(status.at)
    return [
        {
            "record_id": _status_id(dialect, status),
            "kind": "status",
            "code": status.code,
            "label": STATUS_LABELS[status.code],
            "document_id": values.document_id(status.key),
            "organ_id": status.reporter,
            "counterpart_ids": [status.original_sender],
            "occurred_at": when,
            "description": _description(status.description),
            "security": None,
        }
    ]


def _status_id(dialect: str, status: Status) -> str:
    return values.event_id(
        dialect,
        status.key,
        unit=status.reporter,
        counterpart=status.original_sender,
        what=f"status:{status.code}",
        at=values.rfc3339(status.at),
    )


def _description(text: str) -> str | None:
    return text[:TRAIL_DESCRIPTION_MAX] or None

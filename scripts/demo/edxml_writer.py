"""JSON document events re-expressed as edXML messages (QCVN 102:2016), for the demo and the
tests. Tooling only: never deployed, never imported by ``chalicelib``.

A document-exchange hub only carries what travels through it, so only part of a JSON event
stream has an edXML form (``docs/edxml.md`` is the mapping this module inverts):

==============================================  ==============================================
JSON event                                      edXML
==============================================  ==============================================
``document.issued`` electronic, by a unit that  a package from that unit (``BussinessDocType``
also sends the document electronically          0), ``PromulgationDate`` = the issue's local
                                                date
``document.sent`` electronic, by that unit      a ``To`` of the package; the package's first
                                                ``TraceHeader/Timestamp`` is the send time
``document.signed`` digital, by that unit       the package's XMLDSig ``Signature`` with an
                                                ``X509Certificate``
``document.received`` electronic                status ``01`` from the receiving unit,
                                                ``ResponseFor/OrganId`` = ``from_unit_id``
``document.registered`` incoming                status ``03``
``document.processed`` electronic               status ``06`` (``StaffInfo`` names the actor)
==============================================  ==============================================

Everything else has no edXML form and is *skipped* (with a reason): paper channels, printing,
handwritten signatures, outgoing drafts, documents issued without an electronic recipient (a
package needs at least one ``To``), official evaluations, and every event of an exempt
document (a status message carries no security marking, so an exempt document's statuses
would count as ordinary ones).

A package per issued document and sending day: all recipients first sent on the same local
date share one package (its ``TraceHeader`` time is the earliest of their sends); a recipient
first sent on a later day gets another package of the same document (a hub's "gửi bổ sung").
The packages repeat the issue and the signature, which the service takes as duplicates
(their event ids depend only on the document, the sender and the promulgation date). So the
unit KPIs of the edXML messages equal those of :attr:`Conversion.expressed`, the JSON events
they re-express, for every range of local dates: each document is dated on the same local
dates (issue, first send per recipient, first receipt per sender, first processing) and
qualifies the same way (all expressed channels are electronic).

``DocumentId`` is ``<origin organ>,<YYYY/MM/DD>,<number>``: the organ and local date of the
document's first electronic issue (else of its first receipt's sender, else of its first
event) and its number (else its JSON id). Two documents that would share a DocumentId both
use their JSON id instead, so the mapping of documents stays one to one. Convert all of a
document's events in one call: the DocumentId depends on them.
"""

from __future__ import annotations

import base64
import hashlib
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta, timezone
from typing import Any
from xml.sax.saxutils import escape

QCVN_NS = "http://www.mic.gov.vn/TBT/QCVN_102_2016"
XMLDSIG_NS = "http://www.w3.org/2000/09/xmldsig#"
# Vietnam's offset since 1975 (Asia/Ho_Chi_Minh, no daylight saving).
LOCAL_TZ = timezone(timedelta(hours=7))

STATUS_OF = {"document.received": "01", "document.registered": "03", "document.processed": "06"}
STATUS_LABELS = {"01": "Đã đến", "03": "Đã tiếp nhận", "06": "Đã xử lý xong"}
# Skip reasons of events that change no unit KPI of a non-exempt document: a document whose
# other events are all expressed keeps exactly its unit figures in edXML.
KPI_NEUTRAL_REASONS = frozenset({"outgoing registration", "handwritten signature"})
# Fields of expressed events that edXML does not carry (a status has no deadline): left out of
# Conversion.expressed, so its on-time figures are those of the messages (none).
UNEXPRESSED_FIELDS = frozenset({"due_at", "completed_at"})


@dataclass(frozen=True)
class Message:
    """One edXML package or status message, as a hub would post it."""

    kind: str  # "package" | "status"
    code: str  # "0" (new document) for a package, the status code for a status
    document_id: str  # the JSON document id
    document_key: str  # the edXML DocumentId
    unit_id: str  # MessageHeader/From or Status/From: the acting unit
    occurred_at: datetime  # when the hub carries it (package: first send; status: its time)
    xml: bytes
    event_ids: tuple[str, ...]  # the JSON events it re-expresses


@dataclass
class Conversion:
    messages: list[Message] = field(default_factory=list)
    # The JSON events re-expressed, in input order, without UNEXPRESSED_FIELDS.
    expressed: list[dict[str, Any]] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)  # reason -> events
    document_keys: dict[str, str] = field(default_factory=dict)  # JSON id -> DocumentId
    # JSON document ids all of whose events are expressed or change no unit KPI
    # (KPI_NEUTRAL_REASONS): such a document can move from JSON to edXML whole.
    complete_documents: set[str] = field(default_factory=set)

    @property
    def packages(self) -> int:
        return sum(1 for m in self.messages if m.kind == "package")

    @property
    def statuses(self) -> int:
        return sum(1 for m in self.messages if m.kind == "status")


# --- times ---------------------------------------------------------------------------------


def _instant(value: str) -> datetime:
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise ValueError(f"occurred_at without offset: {value!r}")
    return moment


def _local(moment: datetime) -> datetime:
    return moment.astimezone(LOCAL_TZ)


def _hub_time(moment: datetime) -> str:
    """As QCVN 102 senders write times: local, day-resolution separators, no offset."""
    local = _local(moment)
    if local.microsecond:
        return local.isoformat()  # keeps the fraction (and the offset) exactly
    return local.strftime("%Y/%m/%d %H:%M:%S")


def _order(event: Mapping[str, Any]) -> tuple[datetime, str]:
    return _instant(event["occurred_at"]), str(event["event_id"])


# --- selection -----------------------------------------------------------------------------


def _fold(text: str) -> str:
    # As the service compares document types (chalicelib.domain.edxml.values.fold).
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def _exempt(doc_events: Iterable[Mapping[str, Any]]) -> bool:
    for event in doc_events:
        document = event["document"]
        if document.get("security", "thuong") != "thuong" or document.get("state_commendation"):
            return True
    return False


def _skip_reason(event: Mapping[str, Any], issuers: set[str]) -> str | None:
    """Why an event of a non-exempt document has no edXML form (None: it has one).
    `issuers`: units that issue the document electronically and send it electronically."""
    kind = event["type"]
    if kind in ("document.issued", "document.sent"):
        if event["channel"] != "electronic":
            return f"paper {kind.removeprefix('document.')}"
        if event["unit_id"] not in issuers:
            return (
                "issued without an electronic recipient"
                if kind == "document.issued"
                else "sent without an electronic issue by the sender"
            )
        return None
    if kind == "document.signed":
        if event["method"] != "digital":
            return "handwritten signature"
        return None if event["unit_id"] in issuers else "signed but not issued electronically"
    if kind == "document.registered":
        return None if event["direction"] == "incoming" else "outgoing registration"
    if kind in ("document.received", "document.processed"):
        return None if event["channel"] == "electronic" else f"paper {kind.split('.')[1]}"
    return f"{kind} has no edXML form"


def _document_keys(by_doc: Mapping[str, list[Mapping[str, Any]]]) -> dict[str, str]:
    keys: dict[str, str] = {}
    for doc_id, doc_events in by_doc.items():
        ordered = sorted(doc_events, key=_order)
        issued = [
            e
            for e in ordered
            if e["type"] == "document.issued" and e.get("channel") == "electronic"
        ]
        received = [e for e in ordered if e["type"] == "document.received"]
        if issued:
            organ, moment = issued[0]["unit_id"], _instant(issued[0]["occurred_at"])
        elif received:
            organ, moment = received[0]["from_unit_id"], _instant(received[0]["occurred_at"])
        else:
            organ, moment = ordered[0]["unit_id"], _instant(ordered[0]["occurred_at"])
        number = next((e["document"]["number"] for e in ordered if e["document"].get("number")), "")
        keys[doc_id] = f"{organ},{_local(moment):%Y/%m/%d},{number.strip() or doc_id}"
    clashes = Counter(keys.values())
    for doc_id, key in keys.items():
        if clashes[key] > 1:
            organ, day, _rest = key.split(",", 2)
            keys[doc_id] = f"{organ},{day},{doc_id}"
    if len(set(keys.values())) != len(keys):
        raise ValueError("two documents map to one DocumentId even by their JSON ids")
    return keys


def convert(
    events: Iterable[Mapping[str, Any]], *, exempt_doc_types: Iterable[str] = ()
) -> Conversion:
    """The edXML messages that re-express the expressible part of ``events`` (DOMAIN.md JSON
    events, as a document system sends them), in the order a hub would carry them.

    ``exempt_doc_types``: document types the campaign configures as exempt; the service marks
    their packages as state commendation dossiers, so they are skipped like exempt documents.
    """
    exempt_types = {_fold(t) for t in exempt_doc_types}
    all_events = list(events)
    conversion = Conversion()
    by_doc: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for event in all_events:
        if str(event["type"]).startswith("document."):
            by_doc[event["document"]["id"]].append(event)

    ordinary: dict[str, list[Mapping[str, Any]]] = {}
    for doc_id, doc_events in by_doc.items():
        doc_type = next((e["document"].get("doc_type") for e in doc_events), None) or ""
        if not _exempt(doc_events) and _fold(doc_type) not in exempt_types:
            ordinary[doc_id] = doc_events
    keys = _document_keys(ordinary)
    conversion.document_keys = dict(keys)

    expressed_ids: set[int] = set()
    incomplete: set[str] = set()
    for event in all_events:
        if not str(event["type"]).startswith("document."):
            conversion.skipped[f"{event['type']} has no edXML form"] += 1
            continue
        doc_id = event["document"]["id"]
        if doc_id not in ordinary:
            conversion.skipped["exempt document"] += 1
    for doc_id, doc_events in ordinary.items():
        issuers = {
            e["unit_id"]
            for e in doc_events
            if e["type"] == "document.issued" and e["channel"] == "electronic"
        } & {
            e["unit_id"]
            for e in doc_events
            if e["type"] == "document.sent" and e["channel"] == "electronic"
        }
        chosen: list[Mapping[str, Any]] = []
        for event in doc_events:
            reason = _skip_reason(event, issuers)
            if reason is None:
                chosen.append(event)
                expressed_ids.add(id(event))
            else:
                conversion.skipped[reason] += 1
                if reason not in KPI_NEUTRAL_REASONS:
                    incomplete.add(doc_id)
        conversion.messages += _packages(doc_id, keys[doc_id], chosen)
        conversion.messages += _statuses(doc_id, keys[doc_id], chosen, doc_events)
    conversion.complete_documents = set(ordinary) - incomplete
    conversion.expressed = [
        {k: v for k, v in e.items() if k not in UNEXPRESSED_FIELDS}
        for e in all_events
        if id(e) in expressed_ids
    ]
    conversion.messages.sort(key=lambda m: (m.occurred_at, m.kind != "package", m.unit_id))
    return conversion


# --- packages ------------------------------------------------------------------------------


def _packages(doc_id: str, key: str, chosen: Sequence[Mapping[str, Any]]) -> list[Message]:
    messages = []
    for sender in sorted({e["unit_id"] for e in chosen if e["type"] == "document.issued"}):
        mine = [e for e in chosen if e["unit_id"] == sender]
        issued = min((e for e in mine if e["type"] == "document.issued"), key=_order)
        signed = sorted((e for e in mine if e["type"] == "document.signed"), key=_order)
        sends = sorted((e for e in mine if e["type"] == "document.sent"), key=_order)
        first_send: dict[str, datetime] = {}
        for send in sends:
            first_send.setdefault(send["to_unit_id"], _instant(send["occurred_at"]))
        by_day: dict[date, list[str]] = defaultdict(list)
        for recipient, moment in first_send.items():
            by_day[_local(moment).date()].append(recipient)
        for day in sorted(by_day):
            recipients = by_day[day]
            sent_at = min(first_send[r] for r in recipients)
            expressed = [
                e
                for e in mine
                if e["type"] != "document.sent" or _local(first_send[e["to_unit_id"]]).date() == day
            ]
            messages.append(
                Message(
                    kind="package",
                    code="0",
                    document_id=doc_id,
                    document_key=key,
                    unit_id=sender,
                    occurred_at=sent_at,
                    xml=package_xml(
                        key=key,
                        sender=sender,
                        recipients=recipients,
                        document=issued["document"],
                        promulgated=_local(_instant(issued["occurred_at"])).date(),
                        sent_at=sent_at,
                        signer=signed[0]["signer_official_id"] if signed else None,
                    ),
                    event_ids=tuple(str(e["event_id"]) for e in expressed),
                )
            )
    return messages


def package_xml(
    *,
    key: str,
    sender: str,
    recipients: Sequence[str],
    document: Mapping[str, Any],
    promulgated: date,
    sent_at: datetime,
    signer: str | None = None,
    business: int = 0,
) -> bytes:
    """A QCVN 102:2016 package (no attachment: the files are not this service's business)."""
    number = str(document.get("number") or "").strip()
    code_number, _, code_notation = number.partition("/")
    doc_type = str(document.get("doc_type") or "").strip()
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<edXML xmlns="{QCVN_NS}">',
        f'  <edXML:edXMLEnvelope xmlns:edXML="{QCVN_NS}">',
        "    <edXML:edXMLHeader>",
        "      <edXML:MessageHeader>",
        _organ("From", sender),
        *(_organ("To", organ) for organ in recipients),
    ]
    if number:
        lines += [
            "        <edXML:Code>",
            f"          <edXML:CodeNumber>{escape(code_number)}</edXML:CodeNumber>",
            f"          <edXML:CodeNotation>{escape(code_notation)}</edXML:CodeNotation>",
            "        </edXML:Code>",
        ]
    lines += [
        "        <edXML:PromulgationInfo>",
        "          <edXML:Place>Khánh Hòa</edXML:Place>",
        f"          <edXML:PromulgationDate>{promulgated:%Y/%m/%d}</edXML:PromulgationDate>",
        "        </edXML:PromulgationInfo>",
    ]
    if doc_type:
        lines += [
            "        <edXML:DocumentType>",
            f"          <edXML:TypeName>{escape(doc_type)}</edXML:TypeName>",
            "        </edXML:DocumentType>",
        ]
    subject = " ".join(p for p in (doc_type or "Văn bản", f"số {number}" if number else "") if p)
    lines.append(f"        <edXML:Subject>{escape(subject)}</edXML:Subject>")
    lines.append("        <edXML:OtherInfo>")
    lines.append("          <edXML:Priority>0</edXML:Priority>")
    if document.get("pages") is not None:
        lines.append(f"          <edXML:PageAmount>{int(document['pages'])}</edXML:PageAmount>")
    lines += [
        "        </edXML:OtherInfo>",
        "        <edXML:SteeringType>0</edXML:SteeringType>",
        f"        <edXML:DocumentId>{escape(key)}</edXML:DocumentId>",
        "      </edXML:MessageHeader>",
        "      <edXML:TraceHeaderList>",
        "        <edXML:TraceHeader>",
        f"          <edXML:OrganId>{escape(sender)}</edXML:OrganId>",
        f"          <edXML:Timestamp>{_hub_time(sent_at)}</edXML:Timestamp>",
        "        </edXML:TraceHeader>",
        "        <edXML:Bussiness>",
        f"          <edXML:BussinessDocType>{business}</edXML:BussinessDocType>",
        "          <edXML:BussinessDocReason>Văn bản điện tử mới</edXML:BussinessDocReason>",
        "          <edXML:Paper>0</edXML:Paper>",
        "        </edXML:Bussiness>",
        "      </edXML:TraceHeaderList>",
    ]
    if signer is not None:
        lines += _signature(signer, sender, key)
    lines += [
        "    </edXML:edXMLHeader>",
        "    <edXML:edXMLBody>",
        '      <edXML:edXMLManifest version="1.0"/>',
        "    </edXML:edXMLBody>",
        "  </edXML:edXMLEnvelope>",
        "</edXML>",
        "",
    ]
    return "\n".join(lines).encode("utf-8")


def _organ(element: str, organ: str) -> str:
    return (
        f"        <edXML:{element}>\n"
        f"          <edXML:OrganId>{escape(organ)}</edXML:OrganId>\n"
        f"        </edXML:{element}>"
    )


def _signature(signer: str, organ: str, key: str) -> list[str]:
    """An enveloped XMLDSig signature. Not cryptographically valid (the service does not verify
    signatures, see docs/edxml.md); the certificate is deterministic filler bytes. The subject
    names the signer, so the service derives one signer id per JSON signer."""
    seed = hashlib.sha256(f"{signer}\x1f{organ}".encode()).digest()
    der = b"\x30\x82\x03\x00" + b"".join(
        hashlib.sha256(seed + bytes([n])).digest() for n in range(24)
    )
    certificate = base64.encodebytes(der).decode("ascii").strip()
    digest = base64.b64encode(hashlib.sha256(key.encode()).digest()).decode("ascii")
    value = base64.b64encode(hashlib.sha512(seed + key.encode()).digest() * 4).decode("ascii")
    return [
        f'      <Signature xmlns="{XMLDSIG_NS}">',
        "        <SignedInfo>",
        '          <CanonicalizationMethod Algorithm="http://www.w3.org/TR/2001/REC-xml-c14n-20010315"/>',
        '          <SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/>',
        '          <Reference URI="">',
        "            <Transforms>",
        '              <Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/>',
        "            </Transforms>",
        '            <DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/>',
        f"            <DigestValue>{digest}</DigestValue>",
        "          </Reference>",
        "        </SignedInfo>",
        f"        <SignatureValue>{value}</SignatureValue>",
        "        <KeyInfo>",
        "          <X509Data>",
        f"            <X509SubjectName>CN={escape(signer)}, O={escape(organ)}, C=VN</X509SubjectName>",
        f"            <X509Certificate>\n{certificate}\n            </X509Certificate>",
        "          </X509Data>",
        "        </KeyInfo>",
        "      </Signature>",
    ]


# --- status messages -----------------------------------------------------------------------


def _statuses(
    doc_id: str,
    key: str,
    chosen: Sequence[Mapping[str, Any]],
    doc_events: Sequence[Mapping[str, Any]],
) -> list[Message]:
    origin = key.split(",", 1)[0]
    # The organ a unit got the document from: its first receipt's sender, else the origin.
    sender_to: dict[str, str] = {}
    for event in sorted(doc_events, key=_order):
        if event["type"] == "document.received":
            sender_to.setdefault(event["unit_id"], event["from_unit_id"])
    seen: dict[tuple[str, str, str, datetime], int] = {}
    messages: list[Message] = []
    for event in sorted((e for e in chosen if e["type"] in STATUS_OF), key=_order):
        code = STATUS_OF[event["type"]]
        unit = event["unit_id"]
        response_for = event["from_unit_id"] if code == "01" else sender_to.get(unit, origin)
        moment = _instant(event["occurred_at"])
        # One status per (reporter, sender, code, instant): the service derives the event id
        # from exactly these, so a second one would be a duplicate (or, with another actor, a
        # conflict). Same document, same day: the unit figures do not change.
        same = (unit, response_for, code, moment)
        if same in seen:
            previous = messages[seen[same]]
            messages[seen[same]] = replace(
                previous, event_ids=(*previous.event_ids, str(event["event_id"]))
            )
            continue
        seen[same] = len(messages)
        messages.append(
            Message(
                kind="status",
                code=code,
                document_id=doc_id,
                document_key=key,
                unit_id=unit,
                occurred_at=moment,
                xml=status_xml(
                    key=key,
                    sender=response_for,
                    reporter=unit,
                    code=code,
                    at=moment,
                    number=str(event["document"].get("number") or ""),
                    actor=event.get("actor_official_id"),
                ),
                event_ids=(str(event["event_id"]),),
            )
        )
    return messages


def status_xml(
    *,
    key: str,
    sender: str,
    reporter: str,
    code: str,
    at: datetime,
    number: str = "",
    actor: str | None = None,
    description: str | None = None,
) -> bytes:
    """A QCVN 102:2016 status message about the document ``key`` sent by ``sender``."""
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<edXML xmlns="{QCVN_NS}">',
        f'  <edXML:edXMLEnvelope xmlns:edXML="{QCVN_NS}">',
        "    <edXML:edXMLHeader>",
        "      <edXML:Status>",
        "        <edXML:ResponseFor>",
        f"          <edXML:OrganId>{escape(sender)}</edXML:OrganId>",
    ]
    if number:
        lines.append(f"          <edXML:Code>{escape(number)}</edXML:Code>")
    lines += [
        f"          <edXML:DocumentId>{escape(key)}</edXML:DocumentId>",
        "        </edXML:ResponseFor>",
        _organ("From", reporter),
        f"        <edXML:StatusCode>{code}</edXML:StatusCode>",
        f"        <edXML:Description>{escape(description or STATUS_LABELS.get(code, code))}"
        "</edXML:Description>",
        f"        <edXML:Timestamp>{_hub_time(at)}</edXML:Timestamp>",
    ]
    if actor:
        lines += [
            "        <edXML:StaffInfo>",
            f"          <edXML:Staff>{escape(actor)}</edXML:Staff>",
            "        </edXML:StaffInfo>",
        ]
    lines += [
        "      </edXML:Status>",
        "    </edXML:edXMLHeader>",
        "    <edXML:edXMLBody/>",
        "  </edXML:edXMLEnvelope>",
        "</edXML>",
        "",
    ]
    return "\n".join(lines).encode("utf-8")

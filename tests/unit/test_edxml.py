"""edXML mapping: every fixture's events and trail, both dialects, every status code."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from chalicelib.domain.edxml import EdxmlError, EdxmlResult, parse_edxml
from chalicelib.domain.events import is_exempt, validate_events

FIXTURES = Path(__file__).parents[1] / "fixtures" / "edxml"
VALID = sorted(p.name for p in FIXTURES.glob("*.xml"))

SNV, KHCN, VP = "000.00.31.H34", "000.00.32.H34", "000.00.01.H34"
NHA_TRANG, BAC_NHA_TRANG, VAN_NINH = "000.01.31.H34", "000.02.31.H34", "000.03.31.H34"
PLAN_215 = "edxml-doc-f3fb30eeca207f4a9b95eaaf8c7152f3"  # 000.00.31.H34,2025/07/15,215/KH-SNV
DECISION_1520 = "edxml-doc-de6b292fe5d5d46b9ece2f188f7228a9"  # 000.00.01.H34,2025/07/22,1520/...


def load(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def parse(name: str, **kwargs: Any) -> EdxmlResult:
    return parse_edxml(load(name), **kwargs)


def types(result: EdxmlResult) -> list[str]:
    return [e["type"] for e in result.events]


# --- every fixture, exactly ------------------------------------------------------------


def test_every_fixture_has_expectations() -> None:
    expected = {p.stem for p in (FIXTURES / "expected").glob("*.json")}
    assert expected == {Path(name).stem for name in VALID}


@pytest.mark.parametrize("name", VALID)
def test_fixture_maps_exactly_to_expected_events_and_trail(name: str) -> None:
    result = parse(name)
    expected = json.loads((FIXTURES / "expected" / f"{name[:-4]}.json").read_text("utf-8"))
    assert {
        "dialect": result.dialect,
        "kind": result.kind,
        "exempt": result.exempt,
        "events": result.events,
        "trail": result.trail,
    } == expected
    if result.events:  # the JSON webhook's own validation accepts them as they are
        validated = validate_events({"events": result.events})
        for model, event in zip(validated, result.events, strict=True):
            defaults = {"security": "thuong", "state_commendation": False}
            document = {**defaults, **event["document"]}
            assert model.model_dump(mode="json", exclude_none=True) == {
                **event,
                "document": document,
            }


# --- packages --------------------------------------------------------------------------


def test_signed_package_is_signed_issued_and_sent_to_each_recipient() -> None:
    result = parse("qcvn_package_signed.xml")
    assert (result.dialect, result.kind, result.exempt) == ("qcvn102", "package", False)
    assert types(result) == ["document.signed", "document.issued"] + ["document.sent"] * 3
    assert {e["unit_id"] for e in result.events} == {SNV}
    assert [e["to_unit_id"] for e in result.events[2:]] == [NHA_TRANG, BAC_NHA_TRANG, VAN_NINH]
    assert result.events[0]["document"] == {
        "id": PLAN_215,
        "number": "215/KH-SNV",
        "doc_type": "Kế hoạch",
        "security": "thuong",
        "state_commendation": False,
        "pages": 4,
    }
    signed, issued, sent = result.events[0], result.events[1], result.events[2]
    assert signed["method"] == "digital"
    assert signed["signer_official_id"].startswith("edxml-signer-")
    # PromulgationDate is date-only: local midnight; the hub's TraceHeader time dates sending.
    assert signed["occurred_at"] == issued["occurred_at"] == "2025-07-15T00:00:00+07:00"
    assert sent["occurred_at"] == "2025-07-15T09:12:30+07:00"
    assert result.trail == []


def test_unsigned_package_has_no_signed_event_even_with_an_empty_digital_signature() -> None:
    raw = load("qcvn_package_unsigned.xml")
    assert b"<edXML:DigitalSignature/>" in raw  # not an XMLDSig Signature
    result = parse_edxml(raw)
    assert types(result) == ["document.issued", "document.sent"]
    assert result.events[1]["to_unit_id"] == SNV
    assert result.events[0]["unit_id"] == NHA_TRANG


def test_signature_without_certificate_is_not_a_digital_signature() -> None:
    raw = load("qcvn_package_signed.xml")
    start, end = raw.index(b"<X509Certificate>"), raw.index(b"</X509Certificate>")
    raw = raw[:start] + raw[end + len(b"</X509Certificate>") :]
    assert "document.signed" not in types(parse_edxml(raw))


def test_signer_id_comes_from_the_subject_whatever_its_rdn_order() -> None:
    raw = load("qcvn_package_signed.xml")
    subject = "CN=Nguyễn Văn An, OU=Sở Nội vụ, O=UBND tỉnh Khánh Hòa, L=Khánh Hòa, C=VN"
    reordered = "C=VN,L=Khánh Hòa,O=UBND tỉnh Khánh Hòa,OU=Sở Nội vụ,CN=Nguyễn Văn An"
    assert subject.encode() in raw
    at = raw.index(b"MIIF", raw.index(b"<X509Certificate>"))
    other_cert = raw[:at] + b"MIIG" + raw[at + 4 :]  # another certificate, same person
    ids = {
        parse_edxml(r).events[0]["signer_official_id"]
        for r in (raw, raw.replace(subject.encode(), reordered.encode()), other_cert)
    }
    assert len(ids) == 1
    # The secret package is signed by the same person: same signer id.
    assert parse("qcvn_package_secret.xml").events[0]["signer_official_id"] in ids


def test_signer_id_without_subject_is_the_certificate_fingerprint() -> None:
    result = parse("godoc_package.xml")
    raw = load("godoc_package.xml")
    assert b"X509SubjectName" not in raw
    text = raw.decode()
    cert = text[text.index("<X509Certificate>") + 17 : text.index("</X509Certificate>")]
    fingerprint = hashlib.sha256(base64.b64decode("".join(cert.split()))).hexdigest()
    expected = hashlib.sha256(f"certificate\x1f{fingerprint}".encode()).hexdigest()[:16]
    assert result.events[0]["signer_official_id"] == f"edxml-signer-{expected}"


@pytest.mark.parametrize(
    ("name", "kind", "code", "when", "reason"),
    [
        ("qcvn_package_recall.xml", "recall", "1", "2025-07-16T08:00:00+07:00", "Thu hồi để"),
        ("qcvn_package_update.xml", "update", "2", "2025-07-16T10:30:00+07:00", "Cập nhật phụ"),
        ("qcvn_package_replace.xml", "replace", "3", "2025-07-17T14:00:00+07:00", "Thay thế văn"),
    ],
)
def test_recall_update_replace_create_no_document_only_a_trail_record(
    name: str, kind: str, code: str, when: str, reason: str
) -> None:
    result = parse(name)
    assert result.events == []
    (record,) = result.trail
    assert record["kind"] == kind
    assert record["code"] == code
    assert record["document_id"] == PLAN_215  # the document of the original package
    assert record["organ_id"] == SNV
    assert record["counterpart_ids"] == [NHA_TRANG, BAC_NHA_TRANG, VAN_NINH]
    assert record["occurred_at"] == when
    assert record["description"].startswith(reason)


def test_godoc_package_flat_document_type_and_manifest_attachment() -> None:
    result = parse("godoc_package.xml")
    assert (result.dialect, result.kind) == ("godoc", "package")
    assert types(result) == ["document.signed", "document.issued", "document.sent", "document.sent"]
    assert result.events[1]["document"] == {
        "id": DECISION_1520,
        "number": "1520/QĐ-UBND",
        "doc_type": "Quyết định",
        "security": "thuong",
        "state_commendation": False,
        "pages": 12,
    }
    assert [e["to_unit_id"] for e in result.events[2:]] == [SNV, KHCN]
    assert result.events[2]["occurred_at"] == "2025-07-22T15:05:00+07:00"


def test_package_and_its_statuses_share_one_document_id_across_dialects_and_date_styles() -> None:
    # The go.vn package writes 2025-07-22, its statuses 2025/07/22: same document.
    ids = {e["document"]["id"] for e in parse("godoc_package.xml").events}
    ids |= {e["document"]["id"] for e in parse("godoc_status_01.xml").events}
    assert ids == {DECISION_1520}
    assert parse("qcvn_status_01.xml").events[0]["document"]["id"] == PLAN_215


def test_document_id_is_the_documented_pseudonym_of_the_canonical_document_id() -> None:
    canonical = "000.00.31.H34,2025/07/15,215/KH-SNV"
    assert "edxml-doc-" + hashlib.sha256(canonical.encode()).hexdigest()[:32] == PLAN_215


# --- status messages --------------------------------------------------------------------

STATUS_EVENT_TYPES = {
    "01": "document.received",
    "03": "document.registered",
    "06": "document.processed",
}


@pytest.mark.parametrize("code", ["01", "02", "03", "04", "05", "06", "13", "15", "16"])
def test_every_qcvn_status_code(code: str) -> None:
    result = parse(f"qcvn_status_{code}.xml")
    assert (result.dialect, result.kind, result.exempt) == ("qcvn102", "status", False)
    if code in STATUS_EVENT_TYPES:
        assert types(result) == [STATUS_EVENT_TYPES[code]]
        assert result.trail == []
        assert result.events[0]["document"] == {"id": PLAN_215}
    else:
        assert result.events == []
        (record,) = result.trail
        assert (record["kind"], record["code"]) == ("status", code)
        assert record["document_id"] == PLAN_215
        assert record["counterpart_ids"] == [SNV]
        assert record["label"]


def test_status_01_is_received_by_the_reporting_unit_from_the_response_for_organ() -> None:
    (event,) = parse("qcvn_status_01.xml").events
    assert event["unit_id"] == NHA_TRANG
    assert event["from_unit_id"] == SNV
    assert event["channel"] == "electronic"
    assert event["occurred_at"] == "2025-07-15T09:13:05+07:00"


def test_status_03_is_an_incoming_registration() -> None:
    (event,) = parse("qcvn_status_03.xml").events
    assert (event["unit_id"], event["direction"]) == (NHA_TRANG, "incoming")
    assert event["occurred_at"] == "2025-07-15T10:20:00+07:00"  # written 15/07/2025 10:20:00


def test_status_06_actor_is_derived_from_the_staff_email() -> None:
    (event,) = parse("qcvn_status_06.xml").events
    email = "ttbngoc.nhatrang@khanhhoa.gov.vn"
    digest = hashlib.sha256(f"email\x1f{NHA_TRANG}\x1f{email}".encode()).hexdigest()[:16]
    assert event["actor_official_id"] == f"edxml-staff-{digest}"
    assert event["channel"] == "electronic"


def test_status_06_actor_falls_back_to_staff_name_then_organ() -> None:
    raw = load("qcvn_status_06.xml")
    no_email = raw.replace(b"ttbngoc.nhatrang@khanhhoa.gov.vn", b"")
    by_name = parse_edxml(no_email).events[0]["actor_official_id"]
    assert by_name.startswith("edxml-staff-")
    # The name is compared folded: case and spacing do not make another official.
    renamed = no_email.replace("Trần Thị Bích Ngọc".encode(), "TRẦN  THỊ BÍCH NGỌC".encode())
    assert parse_edxml(renamed).events[0]["actor_official_id"] == by_name
    assert parse("godoc_status_06.xml").events[0]["actor_official_id"] == f"edxml-organ-{KHCN}"


def test_godoc_statuses() -> None:
    received = parse("godoc_status_01.xml")
    assert received.dialect == "godoc"
    assert types(received) == ["document.received"]
    assert received.events[0]["from_unit_id"] == VP
    assert received.events[0]["occurred_at"] == "2025-07-22T08:06:10+00:00"
    assert types(parse("godoc_status_03.xml")) == ["document.registered"]
    assert parse("godoc_status_05.xml").trail[0]["code"] == "05"  # written "5"
    assert types(parse("godoc_status_06.xml")) == ["document.processed"]


# --- deterministic ids -----------------------------------------------------------------


@pytest.mark.parametrize("name", VALID)
def test_parsing_twice_gives_the_same_ids(name: str) -> None:
    first, second = parse(name), parse(name)
    assert [e["event_id"] for e in first.events] == [e["event_id"] for e in second.events]
    assert [t["record_id"] for t in first.trail] == [t["record_id"] for t in second.trail]
    ids = [e["event_id"] for e in first.events] + [t["record_id"] for t in first.trail]
    assert len(ids) == len(set(ids))


def test_another_recipient_gives_another_sent_id_but_the_same_issue_ids() -> None:
    raw = load("qcvn_package_unsigned.xml")
    other = raw.replace(
        b"<edXML:OrganId>000.00.31.H34</edXML:OrganId>",
        b"<edXML:OrganId>000.00.32.H34</edXML:OrganId>",
    )
    first, second = parse_edxml(raw).events, parse_edxml(other).events
    assert first[0]["event_id"] == second[0]["event_id"]  # issued
    assert first[1]["event_id"] != second[1]["event_id"]  # sent
    assert second[1]["to_unit_id"] == KHCN


def test_a_hub_resending_with_an_extra_hop_yields_duplicates() -> None:
    raw = load("qcvn_package_signed.xml")
    hop = (
        b"<edXML:TraceHeader><edXML:OrganId>000.00.00.H34</edXML:OrganId>"
        b"<edXML:Timestamp>2025/07/15 09:20:00</edXML:Timestamp></edXML:TraceHeader>"
        b"<edXML:Bussiness>"
    )
    resent = raw.replace(b"<edXML:Bussiness>", hop, 1)
    assert resent != raw
    assert parse_edxml(resent).events == parse_edxml(raw).events


def test_status_ids_differ_by_code_and_reporter() -> None:
    ids = {parse(f"qcvn_status_{code}.xml").events[0]["event_id"] for code in ("01", "03", "06")}
    assert len(ids) == 3


# --- exemption --------------------------------------------------------------------------


def test_secret_package_events_carry_the_marking_and_nothing_identifying() -> None:
    result = parse("qcvn_package_secret.xml")
    assert result.exempt is True
    assert types(result) == ["document.signed", "document.issued", "document.sent"]
    for event in result.events:
        assert event["document"] == {
            "id": "edxml-doc-2eb7445983b345cc6a7379540c4ed845",
            "security": "mat",
            "state_commendation": False,
        }
    assert all(is_exempt(e) for e in validate_events({"events": result.events}))
    dumped = json.dumps(result.events, ensure_ascii=False) + json.dumps(result.trail)
    for secret in ("12/TTr-SNV", "TTr-SNV", "phương án", "Phương án", "2025/07/18,12", "Tờ trình"):
        assert secret not in dumped


@pytest.mark.parametrize(
    ("marking", "level"),
    [
        ("Tối mật", "toi_mat"),
        ("TUYỆT MẬT", "tuyet_mat"),
        ("1", "mat"),
        ("3", "tuyet_mat"),
        ("toi_mat", "toi_mat"),
        ("0", "thuong"),
        ("Thường", "thuong"),
        ("", "thuong"),
    ],
)
def test_security_markings(marking: str, level: str) -> None:
    raw = load("qcvn_package_secret.xml").replace(
        "<edXML:SecurityLevel>Mật<".encode(), f"<edXML:SecurityLevel>{marking}<".encode()
    )
    result = parse_edxml(raw)
    assert {e["document"]["security"] for e in result.events} == {level}
    assert result.exempt is (level != "thuong")
    assert ("number" in result.events[0]["document"]) is (level == "thuong")


def test_unknown_security_marking_is_refused_not_guessed() -> None:
    raw = load("qcvn_package_secret.xml").replace("Mật<".encode(), b"Confidential<")
    with pytest.raises(EdxmlError) as err:
        parse_edxml(raw)
    assert err.value.path.endswith("/MessageHeader/OtherInfo/SecurityLevel")


def test_urgency_is_not_secrecy() -> None:
    # Priority (độ khẩn) 3 = hỏa tốc: urgent, not secret.
    raw = load("qcvn_package_unsigned.xml").replace(
        b"<edXML:Priority>0</edXML:Priority>", b"<edXML:Priority>3</edXML:Priority>"
    )
    result = parse_edxml(raw)
    assert result.exempt is False
    assert result.events[0]["document"]["number"] == "87/UBND-VP"


@pytest.mark.parametrize("configured", [{"CÔNG VĂN"}, {"công  văn"}, {"18"}])
def test_exempt_doc_type_is_a_state_commendation_dossier(configured: set[str]) -> None:
    result = parse("qcvn_package_unsigned.xml", exempt_doc_types=frozenset(configured))
    assert result.exempt is True
    for event in result.events:
        assert event["document"] == {
            "id": "edxml-doc-413eebac3c9e822249b0faccf041e3fd",
            "security": "thuong",
            "state_commendation": True,
        }
    assert b"87/UBND-VP" not in result.archive_xml
    assert b'stateCommendation="true"' in result.archive_xml


def test_other_doc_types_are_not_exempt() -> None:
    result = parse("qcvn_package_unsigned.xml", exempt_doc_types=frozenset({"Tờ trình"}))
    assert result.exempt is False


def test_exempt_recall_keeps_no_reason() -> None:
    raw = load("qcvn_package_recall.xml").replace(
        b"<edXML:PageAmount>4</edXML:PageAmount>",
        "<edXML:PageAmount>4</edXML:PageAmount><edXML:SecurityLevel>Mật</edXML:SecurityLevel>".encode(),
    )
    result = parse_edxml(raw)
    assert result.exempt is True
    assert result.trail[0]["description"] is None
    assert result.trail[0]["security"] == "mat"


# --- the edges of a package's mapping ---------------------------------------------------

UNSIGNED = "qcvn_package_unsigned.xml"
PROMULGATED_87 = "2025-07-21T00:00:00+07:00"
HEADER_PATH = "/edXML/edXMLEnvelope/edXMLHeader"


def edited(name: str, *swaps: tuple[str, str]) -> EdxmlResult:
    raw = load(name)
    for old, new in swaps:
        assert old.encode() in raw, old
        raw = raw.replace(old.encode(), new.encode())
    return parse_edxml(raw)


def cut(name: str, start: str, end: str) -> bytes:
    """A fixture without the stretch from `start` to the end of `end` (its first ones)."""
    raw = load(name)
    at = raw.index(start.encode())
    return raw[:at] + raw[raw.index(end.encode(), at) + len(end.encode()) :]


def test_a_recipient_named_twice_is_sent_once() -> None:
    raw = load(UNSIGNED)
    to = raw[raw.index(b"<edXML:To>") : raw.index(b"</edXML:To>") + len(b"</edXML:To>")]
    result = parse_edxml(raw.replace(to, to + to))
    assert types(result) == ["document.issued", "document.sent"]


@pytest.mark.parametrize(
    ("number_xml", "number"),
    [
        ("<edXML:CodeNumber>87</edXML:CodeNumber><edXML:CodeNotation/>", "87"),
        ("<edXML:CodeNumber>87</edXML:CodeNumber>", "87"),
        ("<edXML:CodeNumber/><edXML:CodeNotation>UBND-VP</edXML:CodeNotation>", "UBND-VP"),
        ("<edXML:CodeNumber> </edXML:CodeNumber><edXML:CodeNotation/>", None),
    ],
)
def test_the_number_is_what_the_code_has_of_number_and_notation(
    number_xml: str, number: str | None
) -> None:
    code = (
        "<edXML:CodeNumber>87</edXML:CodeNumber>\n"
        "          <edXML:CodeNotation>UBND-VP</edXML:CodeNotation>"
    )
    document = edited(UNSIGNED, (code, number_xml)).events[0]["document"]
    assert document.get("number") == number


def test_an_empty_document_type_name_is_no_document_type() -> None:
    result = edited(UNSIGNED, ("<edXML:TypeName>Công văn</edXML:TypeName>", "<edXML:TypeName/>"))
    assert "doc_type" not in result.events[0]["document"]
    # The type code still marks a state commendation dossier.
    exempt = parse_edxml(
        load(UNSIGNED).replace("<edXML:TypeName>Công văn</edXML:TypeName>".encode(), b""),
        exempt_doc_types=frozenset({"18"}),
    )
    assert exempt.exempt is True


@pytest.mark.parametrize(("amount", "pages"), [("100000", 100_000), ("0", 0), ("", None)])
def test_page_counts_up_to_the_bound(amount: str, pages: int | None) -> None:
    result = edited(UNSIGNED, ("<edXML:PageAmount>2<", f"<edXML:PageAmount>{amount}<"))
    assert result.events[0]["document"].get("pages") == pages


def test_a_page_count_of_more_than_six_digits_is_refused_even_if_small() -> None:
    raw = load(UNSIGNED).replace(b"<edXML:PageAmount>2<", b"<edXML:PageAmount>0000001<")
    with pytest.raises(EdxmlError) as err:
        parse_edxml(raw)
    assert err.value.message == "'0000001' is not a page count"


def test_without_a_trace_a_package_is_sent_when_promulgated_and_is_new() -> None:
    raw = cut(UNSIGNED, "<edXML:TraceHeaderList>", "</edXML:TraceHeaderList>")
    result = parse_edxml(raw)
    assert types(result) == ["document.issued", "document.sent"]
    assert [e["occurred_at"] for e in result.events] == [PROMULGATED_87] * 2


def test_an_empty_trace_timestamp_dates_sending_at_promulgation() -> None:
    result = edited(
        UNSIGNED, ("<edXML:Timestamp>2025/07/21 16:45:00</edXML:Timestamp>", "<edXML:Timestamp/>")
    )
    assert result.events[1]["occurred_at"] == PROMULGATED_87


@pytest.mark.parametrize("kind", ["<edXML:BussinessDocType/>", ""])
def test_a_business_without_its_type_is_a_new_document(kind: str) -> None:
    result = edited(
        "qcvn_package_recall.xml", ("<edXML:BussinessDocType>1</edXML:BussinessDocType>", kind)
    )
    assert result.trail == []
    assert "document.issued" in types(result)


def test_a_package_without_a_document_type_is_exempt_by_no_type() -> None:
    raw = load(UNSIGNED)
    start = raw.index(b"<edXML:DocumentType>")
    end = raw.index(b"</edXML:DocumentType>") + len(b"</edXML:DocumentType>")
    configured = frozenset({"Công văn", "18", "XXXX", ""})
    result = parse_edxml(raw[:start] + raw[end:], exempt_doc_types=configured)
    assert result.exempt is False
    assert "doc_type" not in result.events[0]["document"]


def test_only_an_xmldsig_signature_signs_a_package() -> None:
    # A hub's own <Signature> element in the edXML namespace, before the XMLDSig one.
    raw = load("qcvn_package_signed.xml")
    other = b"<edXML:Signature><edXML:Note>hub</edXML:Note></edXML:Signature>"
    with_other = raw.replace(b"<Signature xmlns=", other + b"<Signature xmlns=", 1)
    assert parse_edxml(with_other).events == parse_edxml(raw).events


def test_a_qcvn_signature_on_the_root_signs_the_package() -> None:
    raw = load("qcvn_package_signed.xml")
    start = raw.index(b"<Signature xmlns=")
    end = raw.index(b"</Signature>") + len(b"</Signature>")
    moved = raw[:start] + raw[end:]
    moved = moved.replace(b"</edXML>", raw[start:end] + b"</edXML>")
    assert parse_edxml(moved).events == parse_edxml(raw).events


def test_a_signature_s_first_certificate_names_the_signer() -> None:
    raw = load("qcvn_package_signed.xml")
    empty = b"<X509Data><X509Certificate> </X509Certificate></X509Data>"
    with_empty_first = raw.replace(b"<KeyInfo>", b"<KeyInfo>" + empty)
    assert parse_edxml(with_empty_first).events == parse_edxml(raw).events


# --- the edges of a status's mapping -----------------------------------------------------


@pytest.mark.parametrize(
    ("description", "kept"),
    [("Đ" * 2_500, "Đ" * 2_000), ("  ", None), ("Đang xử lý", "Đang xử lý")],
)
def test_a_status_trail_keeps_at_most_2000_characters_of_its_description(
    description: str, kept: str | None
) -> None:
    result = edited("qcvn_status_05.xml", ("Đang xử lý<", f"{description}<"))
    assert result.trail[0]["description"] == kept


def test_a_named_staff_member_is_an_actor_of_their_organ_and_department() -> None:
    raw = load("qcvn_status_06.xml").replace(b"ttbngoc.nhatrang@khanhhoa.gov.vn", b"")
    actor = parse_edxml(raw).events[0]["actor_official_id"]
    parts = (NHA_TRANG, "phòng văn hóa - xã hội", "trần thị bích ngọc")
    digest = hashlib.sha256("\x1f".join(("name", *parts)).encode()).hexdigest()[:16]
    assert actor == f"edxml-staff-{digest}"
    moved = raw.replace("Phòng Văn hóa - Xã hội".encode(), "Văn phòng".encode())
    assert parse_edxml(moved).events[0]["actor_official_id"] != actor


def signature_on_root(raw: bytes) -> bytes:
    start = raw.index(b"<Signature xmlns=")
    end = raw.index(b"</Signature>") + len(b"</Signature>")
    return (raw[:start] + raw[end:]).replace(b"</edXML>", raw[start:end] + b"</edXML>")


def test_a_bad_certificate_on_the_root_is_refused_naming_it() -> None:
    raw = load("qcvn_package_signed.xml")
    start = raw.index(b"<X509SubjectName>")
    end = raw.index(b"</X509SubjectName>") + len(b"</X509SubjectName>")
    raw = raw[:start] + raw[end:]  # without a subject the certificate itself is read
    at = raw.index(b"MIIF", raw.index(b"<X509Certificate>"))
    raw = raw[:at] + b"*" + raw[at:]
    with pytest.raises(EdxmlError) as err:
        parse_edxml(signature_on_root(raw))
    assert (err.value.path, err.value.message) == (
        "/edXML/Signature/KeyInfo/X509Data/X509Certificate",
        "X509Certificate is not valid base64",
    )


def test_a_certificate_outside_x509_data_is_not_a_signature() -> None:
    raw = load("qcvn_package_signed.xml")
    outside = raw.replace(b"<X509Data>", b"").replace(b"</X509Data>", b"")
    assert "document.signed" not in types(parse_edxml(outside))


def test_a_bad_trace_timestamp_is_refused_naming_it() -> None:
    raw = load(UNSIGNED).replace(b">2025/07/21 16:45:00<", b">yesterday<")
    with pytest.raises(EdxmlError) as err:
        parse_edxml(raw)
    assert err.value.path == f"{HEADER_PATH}/TraceHeaderList/TraceHeader/Timestamp"


def test_a_number_of_exactly_100_characters_is_kept() -> None:
    notation = "U" * 97  # "87/" + 97 characters
    result = edited(UNSIGNED, ("<edXML:CodeNotation>UBND-VP<", f"<edXML:CodeNotation>{notation}<"))
    assert result.events[0]["document"]["number"] == f"87/{notation}"

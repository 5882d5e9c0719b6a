"""edXML refusals: malformed and hostile messages are refused with the element named.

Deterministic, so in the mutation selection; the parsing bounds measured in time and
memory are in test_edxml_security.py.
"""

from __future__ import annotations

import pytest

from chalicelib.domain.edxml import parse_edxml
from chalicelib.domain.edxml.reader import MAX_ELEMENTS
from tests.edxml_messages import HEADER, MALFORMED, load, refused, swap

# --- the malformed fixtures -------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "path", "says"),
    [
        ("missing_from.xml", f"{HEADER}/MessageHeader/From", "missing element From"),
        ("documentid_without_date.xml", f"{HEADER}/MessageHeader/DocumentId", "has no date"),
        ("billion_laughs.xml", "/", "DOCTYPE is not allowed"),
        ("external_entity.xml", "/", "DOCTYPE is not allowed"),
        ("wrong_namespace.xml", "/edXML", "QCVN_102_2015"),
        ("truncated.xml", f"{HEADER}/MessageHeader/DocumentId", "not well-formed"),
        ("unknown_status_code.xml", f"{HEADER}/Status/StatusCode", "unknown status code '07'"),
    ],
)
def test_malformed_fixture_is_refused_naming_the_element(name: str, path: str, says: str) -> None:
    error = refused((MALFORMED / name).read_bytes())
    assert error.path == path
    assert says in error.message
    assert isinstance(error, ValueError)


def test_external_entity_is_never_resolved() -> None:
    error = refused((MALFORMED / "external_entity.xml").read_bytes())
    assert "root:" not in error.message  # nothing of /etc/passwd


def test_entity_reference_without_declaration_is_refused() -> None:
    raw = load("qcvn_package_unsigned.xml").replace(b"<edXML:Subject>", b"<edXML:Subject>&xxe;")
    assert "not well-formed" in refused(raw).message


def test_wrong_root_in_right_namespace_is_refused_naming_it() -> None:
    raw = b'<edXMLEnvelope xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016"/>'
    error = refused(raw)
    assert error.path == "/edXMLEnvelope"
    assert "edXMLEnvelope" in error.message


def test_go_vn_namespace_requires_its_own_root() -> None:
    assert refused(b'<edXML xmlns="http://www.go.vn/eDoc"/>').path == "/edXML"


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        (b"", "not well-formed"),
        (b"   ", "not well-formed"),
        ("<edXML/>".encode("utf-16"), "UTF-8"),
        (b"not xml at all", "not well-formed"),
        (b'<?xml version="1.0" encoding="bogus"?><edXML/>', "unsupported character encoding"),
        (b'<?xml version="1.0" encoding="gbk"?><edXML/>', "unsupported character encoding"),
    ],
)
def test_garbage_is_refused(raw: bytes, says: str) -> None:
    assert says in refused(raw).message


# --- structure and values ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "old", "new", "path", "says"),
    [
        (
            "qcvn_package_unsigned.xml",
            "<edXML:OrganId>000.01.31.H34</edXML:OrganId>",
            "<edXML:OrganId></edXML:OrganId>",
            f"{HEADER}/MessageHeader/From/OrganId",
            "OrganId is empty",
        ),
        (
            "qcvn_package_signed.xml",
            "<edXML:OrganId>000.02.31.H34</edXML:OrganId>",
            "<edXML:OrganId>000.02.31 H34</edXML:OrganId>",
            f"{HEADER}/MessageHeader/To[2]/OrganId",
            "not an organ id",
        ),
        (
            "qcvn_package_unsigned.xml",
            "<edXML:PromulgationDate>2025/07/21</edXML:PromulgationDate>",
            "<edXML:PromulgationDate>21 tháng 7</edXML:PromulgationDate>",
            f"{HEADER}/MessageHeader/PromulgationInfo/PromulgationDate",
            "not a date or time",
        ),
        (
            "qcvn_package_unsigned.xml",
            "<edXML:PageAmount>2</edXML:PageAmount>",
            "<edXML:PageAmount>hai</edXML:PageAmount>",
            f"{HEADER}/MessageHeader/OtherInfo/PageAmount",
            "not a page count",
        ),
        (
            "qcvn_package_unsigned.xml",
            "<edXML:PageAmount>2</edXML:PageAmount>",
            "<edXML:PageAmount>100001</edXML:PageAmount>",
            f"{HEADER}/MessageHeader/OtherInfo/PageAmount",
            "not a page count",
        ),
        (
            "qcvn_package_unsigned.xml",
            "<edXML:CodeNotation>UBND-VP</edXML:CodeNotation>",
            f"<edXML:CodeNotation>{'UBND-VP' * 15}</edXML:CodeNotation>",
            f"{HEADER}/MessageHeader/Code",
            "longer than 100",
        ),
        (
            "qcvn_package_unsigned.xml",
            "<edXML:TypeName>Công văn</edXML:TypeName>",
            f"<edXML:TypeName>{'Công văn ' * 12}</edXML:TypeName>",
            f"{HEADER}/MessageHeader/DocumentType/TypeName",
            "longer than 100",
        ),
        (
            "qcvn_package_unsigned.xml",
            "<edXML:BussinessDocType>0</edXML:BussinessDocType>",
            "<edXML:BussinessDocType>4</edXML:BussinessDocType>",
            f"{HEADER}/TraceHeaderList/Bussiness/BussinessDocType",
            "recall",
        ),
        (
            "qcvn_package_unsigned.xml",
            "000.01.31.H34,2025/07/21,87/UBND-VP",
            "000.01.31.H34,2025/02/30,87/UBND-VP",
            f"{HEADER}/MessageHeader/DocumentId",
            "where the date YYYY/MM/DD belongs",
        ),
        (
            "qcvn_status_01.xml",
            "<edXML:DocumentId>000.00.31.H34,2025/07/15,215/KH-SNV</edXML:DocumentId>",
            "<edXML:DocumentId>7f9c2a51-uuid</edXML:DocumentId>",
            f"{HEADER}/Status/ResponseFor/DocumentId",
            "has no date",
        ),
        (
            "qcvn_status_01.xml",
            "<edXML:Timestamp>2025/07/15 09:13:05</edXML:Timestamp>",
            "",
            f"{HEADER}/Status/Timestamp",
            "missing element Timestamp",
        ),
    ],
)
def test_invalid_values_are_refused_naming_the_element(
    name: str, old: str, new: str, path: str, says: str
) -> None:
    error = refused(swap(name, old, new))
    assert (error.path, says in error.message) == (path, True), error


def test_header_without_message_header_or_status_is_refused() -> None:
    raw = swap("qcvn_status_01.xml", "edXML:Status>", "edXML:State>")
    error = refused(raw)
    assert (error.path, "or Status" in error.message) == (f"{HEADER}/MessageHeader", True)


def test_package_without_recipient_is_refused() -> None:
    raw = load("qcvn_package_unsigned.xml")
    start = raw.index(b"<edXML:To>")
    end = raw.index(b"</edXML:To>") + len(b"</edXML:To>")
    assert refused(raw[:start] + raw[end:]).path == f"{HEADER}/MessageHeader/To"


def test_godoc_accepts_an_opaque_document_id() -> None:
    raw = swap(
        "godoc_status_06.xml",
        "000.00.01.H34,2025/07/22,1520/QĐ-UBND",
        "3f6c1f0e-5b7d-4e8a-9c1d-2b7a9e0f4c11",
    )
    assert parse_edxml(raw).events[0]["document"]["id"].startswith("edxml-doc-")


def test_too_deep_nesting_is_refused() -> None:
    raw = b'<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016">' + b"<a>" * 40 + b"</a>" * 40
    raw += b"</edXML>"
    assert "deeper than" in refused(raw).message


def test_too_many_elements_are_refused_naming_the_bound() -> None:
    raw = b'<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016">'
    raw += b"<a/>" * (MAX_ELEMENTS + 1_000) + b"</edXML>"
    assert f"more than {MAX_ELEMENTS} elements" in refused(raw).message


def test_message_over_the_limit_is_refused_before_parsing() -> None:
    raw = load("qcvn_package_signed.xml")
    error = refused(raw, max_bytes=len(raw) - 1)
    assert (error.path, str(len(raw)) in error.message) == ("/", True)

"""edXML refusals: malformed and hostile messages are refused with the element named.

Deterministic, so in the mutation selection; the parsing bounds measured in time and
memory are in test_edxml_security.py.
"""

from __future__ import annotations

import hashlib
import re

import pytest

from chalicelib.domain.edxml import EdxmlError, parse_edxml
from chalicelib.domain.edxml.reader import MAX_DEPTH, MAX_ELEMENTS, read_xml
from tests.edxml_messages import HEADER, MALFORMED, MALFORMED_CASES, load, refused, swap

# --- the malformed fixtures -------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "path", "says"),
    MALFORMED_CASES,
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
    assert (error.path, error.message) == (
        f"{HEADER}/MessageHeader",
        "missing element MessageHeader (a package) or Status (a status message)",
    )


def test_package_without_recipient_is_refused() -> None:
    raw = load("qcvn_package_unsigned.xml")
    start = raw.index(b"<edXML:To>")
    end = raw.index(b"</edXML:To>") + len(b"</edXML:To>")
    error = refused(raw[:start] + raw[end:])
    assert (error.path, error.message) == (
        f"{HEADER}/MessageHeader/To",
        "missing element To (at least one receiving organ)",
    )


@pytest.mark.parametrize(
    ("name", "document_id"),
    [
        ("godoc_status_06.xml", "000.00.01.H34,2025/07/22,1520/QĐ-UBND"),
        ("godoc_package.xml", "000.00.01.H34,2025-07-22,1520/QĐ-UBND"),
    ],
)
def test_godoc_accepts_an_opaque_document_id(name: str, document_id: str) -> None:
    opaque = "3f6c1f0e-5b7d-4e8a-9c1d-2b7a9e0f4c11"
    events = parse_edxml(swap(name, document_id, opaque)).events
    pseudonym = "edxml-doc-" + hashlib.sha256(opaque.encode()).hexdigest()[:32]
    assert {e["document"]["id"] for e in events} == {pseudonym}


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


# --- the exact refusal: the element and what it is for, as a sender's staff reads it ------

PACKAGE, STATUS = "qcvn_package_unsigned.xml", "qcvn_status_06.xml"
MESSAGE_HEADER, STATUS_PATH = f"{HEADER}/MessageHeader", f"{HEADER}/Status"


def renamed(name: str, tag: str, new: str = "edXML:Other") -> bytes:
    """A fixture with each element `tag` (start and end tags) renamed: as if missing."""
    raw, n = re.subn(
        rb"<(/?)" + re.escape(tag.encode()) + rb"([\s>/])",
        rb"<\1" + new.encode() + rb"\2",
        load(name),
    )
    assert n
    return raw


@pytest.mark.parametrize(
    ("name", "tag", "path", "message"),
    [
        (PACKAGE, "edXML:edXMLEnvelope", "/edXML/edXMLEnvelope", "missing element edXMLEnvelope (edXML envelope structure)"),
        (PACKAGE, "edXML:edXMLHeader", HEADER, "missing element edXMLHeader (edXML envelope structure)"),
        (PACKAGE, "edXML:From", f"{MESSAGE_HEADER}/From", "missing element From (the sending organ)"),
        (PACKAGE, "edXML:DocumentId", f"{MESSAGE_HEADER}/DocumentId", "missing element DocumentId (the document identifier)"),
        (PACKAGE, "edXML:PromulgationInfo", f"{MESSAGE_HEADER}/PromulgationInfo", "missing element PromulgationInfo (promulgation place and date)"),
        (PACKAGE, "edXML:PromulgationDate", f"{MESSAGE_HEADER}/PromulgationInfo/PromulgationDate", "missing element PromulgationDate (the promulgation date)"),
        (STATUS, "edXML:ResponseFor", f"{STATUS_PATH}/ResponseFor", "missing element ResponseFor (the document this status is about)"),
        (STATUS, "edXML:From", f"{STATUS_PATH}/From", "missing element From (the reporting organ)"),
        (STATUS, "edXML:StatusCode", f"{STATUS_PATH}/StatusCode", "missing element StatusCode (the status code)"),
        (STATUS, "edXML:Timestamp", f"{STATUS_PATH}/Timestamp", "missing element Timestamp (when the status was reached)"),
    ],
)  # fmt: skip
def test_a_missing_element_is_named_with_what_it_is_for(
    name: str, tag: str, path: str, message: str
) -> None:
    error = refused(renamed(name, tag))
    assert (error.path, error.message) == (path, message)
    assert str(error) == f"{path}: {message}"


@pytest.mark.parametrize(
    ("name", "old", "new", "path", "message"),
    [
        (PACKAGE, "<edXML:OrganId>000.01.31.H34</edXML:OrganId>\n          <edXML:OrganizationInCharge>", "<edXML:OrganizationInCharge>", f"{MESSAGE_HEADER}/From/OrganId", "missing element OrganId (the sending organ)"),
        (PACKAGE, "<edXML:OrganId>000.00.31.H34</edXML:OrganId>", "<edXML:OrganId>  </edXML:OrganId>", f"{MESSAGE_HEADER}/To/OrganId", "OrganId is empty (a receiving organ)"),
        (PACKAGE, "000.01.31.H34,2025/07/21,87/UBND-VP<", "<", f"{MESSAGE_HEADER}/DocumentId", "DocumentId is empty (the document identifier)"),
        (STATUS, "<edXML:OrganId>000.00.31.H34</edXML:OrganId>", "", f"{STATUS_PATH}/ResponseFor/OrganId", "missing element OrganId (the organ that sent the document)"),
        (STATUS, "<edXML:DocumentId>000.00.31.H34,2025/07/15,215/KH-SNV</edXML:DocumentId>", "", f"{STATUS_PATH}/ResponseFor/DocumentId", "missing element DocumentId (the document identifier)"),
        (STATUS, "<edXML:OrganId>000.01.31.H34</edXML:OrganId>", "<edXML:OrganId/>", f"{STATUS_PATH}/From/OrganId", "OrganId is empty (the reporting organ)"),
        (STATUS, ">06</edXML:StatusCode>", "> </edXML:StatusCode>", f"{STATUS_PATH}/StatusCode", "StatusCode is empty (the status code)"),
        (STATUS, ">06</edXML:StatusCode>", f">{'7' * 30}</edXML:StatusCode>", f"{STATUS_PATH}/StatusCode", "unknown status code '7777777777': expected one of 01, 02, 03, 04, 05, 06, 13, 15, 16"),
        (PACKAGE, ">0</edXML:BussinessDocType>", f">{'9' * 30}</edXML:BussinessDocType>", f"{HEADER}/TraceHeaderList/Bussiness/BussinessDocType", "'99999999999999999999' is not 0 (new), 1 (recall), 2 (update) or 3 (replace)"),
        (STATUS, ">2025/07/18 16:40:00<", ">yesterday<", f"{STATUS_PATH}/Timestamp", "'yesterday' is not a date or time (expected e.g. 2025/07/15, 2025/07/15 08:30:00 or 2025-07-15T08:30:00+07:00)"),
        (PACKAGE, ">2</edXML:PageAmount>", f">{'x' * 30}</edXML:PageAmount>", f"{MESSAGE_HEADER}/OtherInfo/PageAmount", "'xxxxxxxxxxxxxxxxxxxx' is not a page count"),
        (PACKAGE, ">UBND-VP</edXML:CodeNotation>", f">{'U' * 98}</edXML:CodeNotation>", f"{MESSAGE_HEADER}/Code", "the number is longer than 100 characters"),
        (PACKAGE, ">Công văn</edXML:TypeName>", f">{'C' * 101}</edXML:TypeName>", f"{MESSAGE_HEADER}/DocumentType/TypeName", "the document type name is longer than 100 characters"),
    ],
)  # fmt: skip
def test_an_invalid_value_is_refused_with_the_exact_reason(
    name: str, old: str, new: str, path: str, message: str
) -> None:
    error = refused(swap(name, old, new))
    assert (error.path, error.message) == (path, message)


def test_a_message_with_both_a_package_and_a_status_is_refused() -> None:
    package = load(PACKAGE)
    header = package[
        package.index(b"<edXML:MessageHeader>") : package.index(b"<edXML:TraceHeaderList>")
    ]
    raw = load(STATUS).replace(b"<edXML:Status>", header + b"<edXML:Status>")
    error = refused(raw)
    assert (error.path, error.message) == (
        HEADER,
        "carries both MessageHeader and Status; send them apart",
    )


# --- the reader's bounds, at the bound ----------------------------------------------------

ROOT = b'<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016">'


def test_the_element_bound_admits_exactly_max_elements() -> None:
    at_bound = read_xml(ROOT + b"<a/>" * (MAX_ELEMENTS - 1) + b"</edXML>", max_bytes=10**6)
    assert len(list(at_bound.root.iter())) == MAX_ELEMENTS
    with pytest.raises(EdxmlError) as err:
        read_xml(ROOT + b"<a/>" * MAX_ELEMENTS + b"</edXML>", max_bytes=10**6)
    assert (err.value.path, err.value.message) == ("/edXML", f"more than {MAX_ELEMENTS} elements")


def test_the_depth_bound_admits_exactly_max_depth_levels() -> None:
    def nested(levels: int) -> bytes:
        return ROOT + b"<a>" * (levels - 1) + b"</a>" * (levels - 1) + b"</edXML>"

    assert read_xml(nested(MAX_DEPTH), max_bytes=10**6).dialect == "qcvn102"
    with pytest.raises(EdxmlError) as err:
        read_xml(nested(MAX_DEPTH + 1), max_bytes=10**6)
    assert err.value.path == "/edXML" + "/a" * (MAX_DEPTH - 1)
    assert err.value.message == f"elements nested deeper than {MAX_DEPTH} levels"


def test_the_size_bound_admits_exactly_max_bytes() -> None:
    raw = load("qcvn_package_signed.xml")
    assert parse_edxml(raw, max_bytes=len(raw)).events
    error = refused(raw, max_bytes=len(raw) - 1)
    assert (error.path, error.message) == (
        "/",
        f"the message has {len(raw)} bytes; at most {len(raw) - 1} are accepted",
    )


@pytest.mark.parametrize(
    ("raw", "path", "message"),
    [
        # A byte-order mark before a non-ASCII character: no NUL among the first bytes.
        (b"\xff\xfe" + "ệ<edXML/>".encode("utf-16-le"), "/", "edXML must be encoded in UTF-8"),
        (b"\xfe\xff" + "ệ<edXML/>".encode("utf-16-be"), "/", "edXML must be encoded in UTF-8"),
        ("<edXML/>".encode("utf-16-be"), "/", "edXML must be encoded in UTF-8"),
        # A NUL after the first four bytes is a malformed UTF-8 document, not UTF-16.
        (b"    \x00" + ROOT, "/", "not well-formed XML: not well-formed (invalid token): line 1, column 4"),
        (b"", "/", "not well-formed XML: no element found: line 1, column 0"),
        (b'<?xml version="1.0" encoding="bogus"?><edXML/>', "/", "unsupported character encoding: unknown encoding: bogus"),
        (b'<x xmlns="urn:a"/>', "/x", "unknown root element 'x' in namespace 'urn:a': expected 'edXML' in 'http://www.mic.gov.vn/TBT/QCVN_102_2016' or 'EdXMLEnvelope' in 'http://www.go.vn/eDoc'"),
        (b"<edXML/>", "/edXML", "unknown root element 'edXML' in namespace '(none)': expected 'edXML' in 'http://www.mic.gov.vn/TBT/QCVN_102_2016' or 'EdXMLEnvelope' in 'http://www.go.vn/eDoc'"),
        (ROOT + b"<a><b></a>", "/edXML/a/b", "not well-formed XML: mismatched tag: line 1, column 63"),
    ],
)  # fmt: skip
def test_what_is_not_an_edxml_document_is_refused_saying_why(
    raw: bytes, path: str, message: str
) -> None:
    with pytest.raises(EdxmlError) as err:
        read_xml(raw, max_bytes=10**6)
    assert (err.value.path, err.value.message) == (path, message)


def test_a_doctype_is_refused_whatever_it_declares() -> None:
    raw = b'<?xml version="1.0"?><!DOCTYPE edXML []>' + ROOT + b"</edXML>"
    error = refused(raw)
    assert (error.path, error.message) == (
        "/",
        "a DOCTYPE is not allowed: no DTD, entity declarations or external references",
    )

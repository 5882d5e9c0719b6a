"""What is archived of an edXML message: attachment digests, never their content; for an
exempt package only what its count needs."""

from __future__ import annotations

import base64
import hashlib
import xml.etree.ElementTree as ET

import pytest

from chalicelib.domain.edxml import parse_edxml
from tests.edxml_messages import ARCHIVE_NS, attachments_of, digests_in, load, refused


@pytest.mark.parametrize(
    ("name", "count"),
    [
        ("qcvn_package_signed.xml", 2),
        ("qcvn_package_update.xml", 1),
        ("qcvn_package_unsigned.xml", 1),
        ("godoc_package.xml", 1),
        ("qcvn_package_bench.xml", 1),
    ],
)
def test_archive_keeps_attachment_names_and_digests_never_their_content(
    name: str, count: int
) -> None:
    raw = load(name)
    result = parse_edxml(raw)
    files = attachments_of(raw)
    assert len(files) == count
    assert digests_in(result.archive_xml) == [
        (hashlib.sha256(data).hexdigest(), len(data)) for _, data in files
    ]
    for file_name, data in files:
        assert file_name.encode() in result.archive_xml
        encoded = base64.b64encode(data)
        for at in range(0, len(encoded) - 40, 200):  # no stretch of the content survives
            assert encoded[at : at + 40] not in result.archive_xml
    archived = ET.fromstring(result.archive_xml)
    for attachment in archived.iter():
        if attachment.tag.endswith("}Attachment"):
            assert not {c.tag.rpartition("}")[2] for c in attachment} & {
                "Content",
                "ContentTransferEncoded",
            }


def test_archive_is_the_original_bytes_outside_the_attachment_content() -> None:
    raw = load("qcvn_package_signed.xml")
    archive = parse_edxml(raw).archive_xml
    cut = raw.index(b"<ContentTransferEncoded>")
    assert archive[:cut] == raw[:cut]  # header, signature, prefixes: untouched
    assert archive.endswith(b"    </Attachment>\n  </AttachmentEncoded>\n</edXML>\n")
    ET.fromstring(archive)  # still well-formed


def test_status_archive_is_the_message_itself() -> None:
    raw = load("qcvn_status_06.xml")
    assert parse_edxml(raw).archive_xml == raw


def test_empty_attachment_content_element_is_replaced_too() -> None:
    raw = load("qcvn_package_unsigned.xml")
    start = raw.index(b"<ContentTransferEncoded>")
    end = raw.index(b"</ContentTransferEncoded>") + len(b"</ContentTransferEncoded>")
    raw = raw[:start] + b"<ContentTransferEncoded/>" + raw[end:]
    archive = parse_edxml(raw).archive_xml
    assert digests_in(archive) == [(hashlib.sha256(b"").hexdigest(), 0)]
    assert b"ContentTransferEncoded" not in archive


@pytest.mark.parametrize("bad", ["@@@@", "QUJD=QUJD", "QUJDRA", "QUJD<x/>"])
def test_attachment_that_is_not_base64_is_refused(bad: str) -> None:
    raw = load("qcvn_package_unsigned.xml")
    start = raw.index(b"<ContentTransferEncoded>") + len(b"<ContentTransferEncoded>")
    end = raw.index(b"</ContentTransferEncoded>")
    error = refused(raw[:start] + bad.encode() + raw[end:])
    assert error.path == "/edXML/AttachmentEncoded/Attachment/ContentTransferEncoded"


def test_secret_archive_keeps_only_what_kpis_need() -> None:
    raw = load("qcvn_package_secret.xml")
    result = parse_edxml(raw)
    archive = result.archive_xml
    root = ET.fromstring(archive)
    assert root.tag == f"{{{ARCHIVE_NS}}}EdxmlArchive"
    assert root.get("redacted") == "true"
    text = archive.decode()
    for secret in (
        "12/TTr-SNV",
        "TTr-SNV",
        "Về việc phương án",
        "Nội dung phương án",
        "12_TTr-SNV_phuong_an_MAT.pdf",
        "Phương án kèm theo",
        "Nguyễn Văn An",  # signer name: the signer id is a pseudonym
        "X509Certificate",
    ):
        assert secret not in text
    ((_, data),) = attachments_of(raw)
    assert hashlib.sha256(data).hexdigest() not in text
    assert 'security="mat"' in text
    assert 'organId="000.00.01.H34"' in text
    assert 'count="1"' in text

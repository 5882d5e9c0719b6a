"""What is archived of an edXML message: attachment digests, never their content; for an
exempt package only what its count needs."""

from __future__ import annotations

import base64
import hashlib
import itertools
import re
import xml.etree.ElementTree as ET

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.domain.edxml import EdxmlError, parse_edxml, redacted_archive
from chalicelib.domain.edxml.reader import FEED_CHUNK, _Base64Digest
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


CONTENT = "/edXML/AttachmentEncoded/Attachment/ContentTransferEncoded"


def with_content(name: str, content: bytes, which: int = 0) -> bytes:
    """A fixture whose `which`-th attachment has this content (the text between the tags)."""
    raw = load(name)
    start = -1
    for _ in range(which + 1):
        start = raw.index(b"<ContentTransferEncoded>", start + 1)
    start += len(b"<ContentTransferEncoded>")
    end = raw.index(b"</ContentTransferEncoded>", start)
    return raw[:start] + content + raw[end:]


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ("@@@@", "attachment content is not valid base64"),
        ("QUJD=QUJD", "attachment content is not valid base64"),
        ("QUJDRA", "attachment content is not valid base64 (truncated)"),
        ("QUJD<x/>", "attachment content must be base64 text, not elements"),
    ],
)
def test_attachment_that_is_not_base64_is_refused(bad: str, message: str) -> None:
    error = refused(with_content("qcvn_package_unsigned.xml", bad.encode()))
    assert (error.path, error.message) == (CONTENT, message)


def test_a_refused_attachment_is_named_by_its_position() -> None:
    error = refused(with_content("qcvn_package_signed.xml", b"@@@@", which=1))
    assert error.path == "/edXML/AttachmentEncoded/Attachment[2]/ContentTransferEncoded"


def test_padding_ends_the_content_even_when_more_arrives_in_another_chunk() -> None:
    digest = _Base64Digest()
    digest.feed("QU", "/c")
    digest.feed("E=\n", "/c")  # "QUE=": the file "AE", complete
    with pytest.raises(EdxmlError) as err:
        digest.feed("QUJD", "/c")
    assert (err.value.path, err.value.message) == (
        "/c",
        "attachment content is not valid base64 (data after padding)",
    )


@settings(max_examples=60)
@given(data=st.binary(max_size=200), cuts=st.lists(st.integers(0, 300), max_size=6))
def test_an_attachment_in_any_chunks_has_the_digest_and_size_of_its_file(
    data: bytes, cuts: list[int]
) -> None:
    text = base64.encodebytes(data).decode()  # lines of 76 characters
    bounds = [0, *sorted(min(c, len(text)) for c in cuts), len(text)]
    digest = _Base64Digest()
    for start, end in itertools.pairwise(bounds):
        digest.feed(text[start:end], "/c")
    assert digest.finish("/c") == (hashlib.sha256(data).hexdigest(), len(data))


def test_an_attachment_across_the_reader_s_feed_chunks_is_hashed_whole() -> None:
    # 200 KB of base64 cross several 64 KB feeds, at a point inside a 4-character group.
    data = hashlib.sha256(b"annex").digest() * 4_700
    raw = with_content("qcvn_package_unsigned.xml", base64.encodebytes(data))
    assert len(raw) > 3 * FEED_CHUNK
    archive = parse_edxml(raw).archive_xml
    assert digests_in(archive) == [(hashlib.sha256(data).hexdigest(), len(data))]


def test_content_outside_an_attachment_is_text_not_a_file() -> None:
    # MessageHeader/Content is the document's abstract; only Attachment/Content is hashed.
    raw = load("qcvn_package_signed.xml")
    assert b"<edXML:Content>" in raw
    assert len(digests_in(parse_edxml(raw).archive_xml)) == 2


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


# The whole summary, byte for byte: each attribute is what an exempt document's count (or
# a later audit) reads back, and nothing else may appear.
SECRET_PACKAGE_SUMMARY = """<?xml version='1.0' encoding='utf-8'?>
<EdxmlArchive xmlns="urn:khong-giay:edxml-archive:1" dialect="qcvn102" kind="package" redacted="true">
  <Document id="edxml-doc-2eb7445983b345cc6a7379540c4ed845" security="mat" stateCommendation="false" />
  <From organId="000.00.31.H34" />
  <To organId="000.00.01.H34" />
  <Promulgated at="2025-07-18T00:00:00+07:00" />
  <Sent at="2025-07-18T11:05:00+07:00" />
  <Business docType="0" />
  <Signature signerId="edxml-signer-a8cb9a488ae08dd6" />
  <Attachments count="1" />
</EdxmlArchive>"""

RECALL_SUMMARY = """<?xml version='1.0' encoding='utf-8'?>
<EdxmlArchive xmlns="urn:khong-giay:edxml-archive:1" dialect="qcvn102" kind="package" redacted="true">
  <Document id="edxml-doc-f3fb30eeca207f4a9b95eaaf8c7152f3" security="thuong" stateCommendation="true" />
  <From organId="000.00.31.H34" />
  <To organId="000.01.31.H34" />
  <To organId="000.02.31.H34" />
  <To organId="000.03.31.H34" />
  <Promulgated at="2025-07-15T00:00:00+07:00" />
  <Sent at="2025-07-16T08:00:00+07:00" />
  <Business docType="1" />
  <Attachments count="0" />
</EdxmlArchive>"""

STATUS_SUMMARY = """<?xml version='1.0' encoding='utf-8'?>
<EdxmlArchive xmlns="urn:khong-giay:edxml-archive:1" dialect="godoc" kind="status" redacted="true">
  <Document id="edxml-doc-de6b292fe5d5d46b9ece2f188f7228a9" />
  <From organId="000.00.32.H34" />
  <ResponseFor organId="000.00.01.H34" />
  <Status code="06" at="2025-07-24T10:15:00+07:00" />
</EdxmlArchive>"""


def test_a_secret_package_is_archived_as_exactly_its_summary() -> None:
    assert parse_edxml(load("qcvn_package_secret.xml")).archive_xml.decode() == (
        SECRET_PACKAGE_SUMMARY
    )


def test_an_exempt_recall_is_archived_as_its_summary_without_signature() -> None:
    # Exempt by its document type (Kế hoạch); a recall carries no attachment.
    raw = load("qcvn_package_recall.xml")
    summary = redacted_archive(raw, exempt_doc_types=frozenset({"kế hoạch"}))
    assert summary.decode() == RECALL_SUMMARY


def test_a_status_about_an_exempt_document_is_archived_as_who_reported_what_when() -> None:
    summary = redacted_archive(load("godoc_status_06.xml"))
    assert summary.decode() == STATUS_SUMMARY
    assert b"Description" not in summary


@pytest.mark.parametrize(
    "name", ["qcvn_package_signed.xml", "godoc_package.xml", "qcvn_package_unsigned.xml"]
)
def test_the_archive_is_the_message_with_each_content_element_replaced_by_its_digest(
    name: str,
) -> None:
    raw = load(name)
    if name == "qcvn_package_unsigned.xml":  # an empty element <x/> too
        raw = re.sub(rb"<ContentTransferEncoded>.*?</ContentTransferEncoded>",
                     b"<ContentTransferEncoded/>", raw, flags=re.DOTALL)  # fmt: skip

    def digest(match: re.Match[bytes]) -> bytes:
        data = base64.b64decode(b"".join((match.group(2) or b"").split()))
        return (
            f'<AttachmentDigest xmlns="{ARCHIVE_NS}" algorithm="SHA-256" size="{len(data)}">'
            f"{hashlib.sha256(data).hexdigest()}</AttachmentDigest>"
        ).encode()

    content = rb"<(ContentTransferEncoded|Content)>(.*?)</\1>|<ContentTransferEncoded/>"
    expected, n = re.subn(content, digest, raw, flags=re.DOTALL)
    assert n >= 1
    assert parse_edxml(raw).archive_xml == expected


def test_a_status_message_carrying_a_file_is_archived_without_it() -> None:
    raw = load("qcvn_status_06.xml")
    file = base64.b64encode(b"not for the archive").decode()
    attached = raw.replace(
        b"</edXML>",
        f"<AttachmentEncoded><Attachment><ContentTransferEncoded>{file}"
        "</ContentTransferEncoded></Attachment></AttachmentEncoded></edXML>".encode(),
    )
    archive = parse_edxml(attached).archive_xml
    assert file.encode() not in archive
    assert digests_in(archive) == [(hashlib.sha256(b"not for the archive").hexdigest(), 19)]

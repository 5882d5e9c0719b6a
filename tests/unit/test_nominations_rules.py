"""The pure nomination rules: transitions, file names and keys, content sniffing, ranking."""

from __future__ import annotations

import io

import pytest

from chalicelib.domain import kpi
from chalicelib.domain import nominations as rules
from tests.nominations import DOCX, JPEG, PDF, PNG, XLSX, docx, jpeg, pdf, plain_zip, png, xlsx


def test_transitions():
    table = {
        (status, action): rules.next_status(status, action)
        for status in rules.STATUSES
        for action in rules.TRANSITIONS
    }
    allowed = {k: v for k, v in table.items() if v is not None}
    assert allowed == {
        ("draft", "edit"): "draft",
        ("draft", "add_file"): "draft",
        ("draft", "delete_file"): "draft",
        ("draft", "submit"): "submitted",
        ("submitted", "approve"): "approved",
        ("submitted", "reject"): "rejected",
        ("submitted", "return"): "draft",
        # award_procedure council: the appraisal, a hold's step back, the council's decision
        ("submitted", "appraise_eligible"): "eligible",
        ("submitted", "appraise_not_eligible"): "not_eligible",
        ("eligible", "hold_back"): "submitted",
        ("eligible", "council_approve"): "approved",
        ("eligible", "council_reject"): "rejected",
    }
    assert rules.allowed_from("submit") == ["draft"]
    assert rules.allowed_from("hold_back") == ["eligible"]
    assert rules.missing_categories(["other", "to_trinh"]) == ["bao_cao_thanh_tich"]
    assert rules.missing_categories(["bien_ban"], ["to_trinh", "bien_ban"]) == ["to_trinh"]
    assert rules.checklist(["bien_ban"], ["to_trinh", "bien_ban"]) == [
        {"category": "to_trinh", "present": False},
        {"category": "bien_ban", "present": True},
    ]


@pytest.mark.parametrize(
    ("campaign", "unit"),
    [("kh-2025", ".."), ("..", "u"), (".", "u"), ("kh/2025", "u"), ("kh-2025", "a b"), ("", "u")],
)
def test_keys_refuse_unsafe_segments(campaign, unit):
    with pytest.raises(ValueError):
        rules.upload_key(campaign, unit, "0" * 32, "1" * 32)


def test_an_unsafe_key_segment_is_refused_naming_it():
    # The first message reaches people: creating a nomination answers it as a 400.
    with pytest.raises(ValueError, match=r"^'\.\.' cannot be part of an object key$"):
        rules.upload_key("kh-2025", "..", "0" * 32, "1" * 32)
    with pytest.raises(ValueError, match=r"^'not-an-id' is not a generated id$"):
        rules.upload_key("kh-2025", "u", "0" * 32, "not-an-id")


def test_keys_round_trip_and_reject_anything_else():
    key = rules.upload_key("kh-2025", "000.00.31.H34", "a" * 32, "b" * 32)
    assert key == f"nominations/kh-2025/000.00.31.H34/{'a' * 32}/{'b' * 32}"
    parsed = rules.parse_upload_key(key)
    assert parsed == rules.UploadKey("kh-2025", "000.00.31.H34", "a" * 32, "b" * 32)
    for bad in (
        key + "/x",
        key.replace("nominations/", "verified/nominations/"),
        key.replace("a" * 32, "../" + "a" * 29),
        f"nominations/kh-2025/../{'a' * 32}/{'b' * 32}",
        "nominations/x",
        rules.verified_key(key, "c" * 32),
    ):
        assert rules.parse_upload_key(bad) is None, bad
    with pytest.raises(ValueError):
        rules.upload_key("kh-2025", "u", "not-an-id", "b" * 32)


def test_download_names_and_disposition():
    assert rules.download_name("Tờ trình.PDF", PDF) == "Tờ trình.PDF"
    assert rules.download_name("report .exe", PDF) == "report .exe.pdf"
    assert rules.download_name("ảnh.jpeg", JPEG) == "ảnh.jpeg"
    assert rules.download_name("ảnh", JPEG) == "ảnh.jpg"
    header = rules.content_disposition('Tờ "trình"; x.pdf')
    assert header.startswith('attachment; filename="To _trinh__ x.pdf"; ')
    assert header.endswith("filename*=UTF-8''T%E1%BB%9D%20%22tr%C3%ACnh%22%3B%20x.pdf")
    assert "\n" not in rules.content_disposition("a\nb")


@pytest.mark.parametrize(
    ("content_type", "data"),
    [(PDF, pdf()), (DOCX, docx()), (XLSX, xlsx()), (PNG, png()), (JPEG, jpeg())],
)
def test_sniff_accepts_each_type(content_type, data):
    assert rules.sniff(content_type, io.BytesIO(data), len(data)) is None


@pytest.mark.parametrize(
    ("content_type", "data"),
    [
        (PDF, b""),
        (PDF, b"%PDF"),
        (PDF, b" %PDF-1.4\n%%EOF"),
        (DOCX, plain_zip()),
        (XLSX, plain_zip()),
        (DOCX, xlsx()),
        (XLSX, docx()),
        (PNG, b"\x89PNG\r\n"),
        (JPEG, b"\xff\xd8"),
        ("text/html", b"<html>"),
    ],
)
def test_sniff_refuses_mismatches(content_type, data):
    assert rules.sniff(content_type, io.BytesIO(data), len(data)) is not None


def test_sniff_refuses_a_hostile_content_types_part():
    import zipfile

    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE t [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">&b;</Types>'
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", bomb)
        z.writestr("word/document.xml", b"<w/>")
    data = out.getvalue()
    assert "not valid XML" in str(rules.sniff(DOCX, io.BytesIO(data), len(data)))


def test_rank_officials_orders_by_individual_kpis_and_shares_ties():
    rows = [
        {"official_id": "a", "online_rate": 0.5, "on_time_rate": 1.0, "processed_total": 4},
        {"official_id": "b", "online_rate": 1.0, "on_time_rate": None, "processed_total": 1},
        {"official_id": "c", "online_rate": 1.0, "on_time_rate": 0.5, "processed_total": 9},
        {"official_id": "d", "online_rate": 1.0, "on_time_rate": 0.5, "processed_total": 9},
        {"official_id": "e", "online_rate": None, "on_time_rate": None, "processed_total": 0},
        {"official_id": "f", "online_rate": 0.0, "on_time_rate": None, "processed_total": 2},
    ]
    ranked = rules.rank_officials(rows)
    assert [(r["official_id"], r["rank"]) for r in ranked] == [
        ("c", 1),
        ("d", 1),
        ("b", 3),
        ("a", 4),
        ("f", 5),
        ("e", 6),
    ]


def test_compliant_units_come_first():
    def row(unit_id, score, compliant):
        return {
            "unit_id": unit_id,
            "score": score,
            "online_rate": score / 100,
            "processed_total": 10,
            "compliant": compliant,
        }

    rows = [
        row("hi", 90.0, False),
        row("ok", 60.0, True),
        row("ok2", 60.0, True),
        row("lo", 10.0, False),
    ]
    ranked = rules.compliant_first(rows, kpi.rank)
    assert [(r["unit_id"], r["rank"]) for r in ranked] == [
        ("ok", 1),
        ("ok2", 1),
        ("hi", 3),
        ("lo", 4),
    ]


# --- the dossier's rules: the file limit, the separation of duties, blank text -----------


def test_only_an_upload_whose_link_expired_stops_counting_toward_the_file_limit():
    assert not rules.counts_toward_limit("rejected", rules.EXPIRED_UPLOAD)
    for status, reason in (
        ("rejected", "not a PDF file: it does not start with %PDF-"),  # refused by content
        ("rejected", None),
        ("pending", None),
        ("verified", None),
        ("pending", rules.EXPIRED_UPLOAD),
    ):
        assert rules.counts_toward_limit(status, reason), (status, reason)


def test_a_reviewer_who_created_or_submitted_a_nomination_is_named_by_their_first_record():
    trail = [
        rules.TrailEntry("created", "alice", "t1"),
        rules.TrailEntry("returned", "bob", "t2"),
        rules.TrailEntry("submitted", "carol", "t3"),
        rules.TrailEntry("submitted", "alice", "t4"),
    ]
    assert rules.authored_by("alice", trail) == trail[0]
    assert rules.authored_by("carol", trail) == trail[2]  # a later submission counts too
    assert rules.authored_by("bob", trail) is None  # returning it is a review, not authorship
    assert rules.authored_by("dave", trail) is None


def test_blank_text_is_empty_or_only_white_space():
    assert rules.is_blank("") and rules.is_blank(" \n\t ")
    assert not rules.is_blank("a") and not rules.is_blank("  Thành tích ")


# --- file names: each refusal says what is wrong -------------------------------------------


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("", "must not be empty"),
        ("   ", "must not be empty"),
        ("a" * 255, None),
        ("a" * 251 + ".pdf", None),
        ("a" * 256, "must be at most 255 characters"),
        ("a\x00b.pdf", "must not contain control characters (NUL, line breaks, bidi overrides)"),
        ("a\nb.pdf", "must not contain control characters (NUL, line breaks, bidi overrides)"),
        ("a\u202eb.pdf", "must not contain control characters (NUL, line breaks, bidi overrides)"),
        ("a\ud800b.pdf", "must not contain control characters (NUL, line breaks, bidi overrides)"),
        ("a/b.pdf", "must be a file name, not a path"),
        ("a\\b.pdf", "must be a file name, not a path"),
        ("...", "must not consist only of dots"),
        (". .", "must not consist only of dots"),
        (".pdf", None),
        ("X.X", None),
        ("Tờ trình số 12.pdf", None),
    ],
)
def test_a_file_name_is_refused_saying_what_is_wrong(name, problem):
    assert rules.filename_problem(name) == problem


def test_the_download_header_falls_back_to_file_and_encodes_every_reserved_character():
    assert rules.content_disposition("文件.pdf") == (
        "attachment; filename=\".pdf\"; filename*=UTF-8''%E6%96%87%E4%BB%B6.pdf"
    )
    assert rules.content_disposition("文件") == (
        "attachment; filename=\"file\"; filename*=UTF-8''%E6%96%87%E4%BB%B6"
    )
    # The exact name is percent-encoded whole (RFC 5987 attr-chars only), "/" included.
    assert rules.content_disposition("a/b c.pdf").endswith("filename*=UTF-8''a%2Fb%20c.pdf")


# --- content sniffing: each refusal names the type and what is wrong ----------------------


def _pdf_with_tail(tail: bytes) -> bytes:
    return b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF" + tail


def _package_with(content_types: bytes, parts: dict[str, bytes]) -> bytes:
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", content_types)
        for name, data in parts.items():
            z.writestr(name, data)
    return out.getvalue()


_TYPES_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
_DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"


def _types(overrides: str, pad: int = 0) -> bytes:
    head = f'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="{_TYPES_NS}">'.encode()
    return head + overrides.encode() + b" " * pad + b"</Types>"


@pytest.mark.parametrize(
    ("content_type", "data", "problem"),
    [
        (PDF, b"", "not a PDF file: it does not start with %PDF-"),
        (PDF, b"%PDF-1.4\n", "incomplete PDF file: no %%EOF marker at the end"),
        # %%EOF more than 2 KiB before the end is not "at the end"...
        (PDF, _pdf_with_tail(b"\n" * 2044), "incomplete PDF file: no %%EOF marker at the end"),
        (PDF, _pdf_with_tail(b"\n" * 2043), None),  # ...and ending 2048 bytes before it is
        (PNG, jpeg(), "not a PNG image"),
        (JPEG, png(), "not a JPEG image"),
        ("text/html", b"<html>", "content type 'text/html' is not allowed"),
        (DOCX, pdf(), "not a DOCX file: not a ZIP package"),
        (DOCX, b"PK\x03\x04" + b"\x00" * 40, "not a DOCX file: damaged ZIP package"),
        (DOCX, plain_zip(), "not a DOCX file: no [Content_Types].xml"),
        (XLSX, docx(), "not a XLSX file: the package has no XLSX main part"),
        (
            DOCX,
            _package_with(b"<Types/>", {"word/document.xml": b"<w/>"}),
            "not a DOCX file: [Content_Types].xml is not valid XML",
        ),
        (
            DOCX,
            _package_with(b"not xml", {"word/document.xml": b"<w/>"}),
            "not a DOCX file: [Content_Types].xml is not valid XML",
        ),
        (
            DOCX,
            _package_with(
                _types(f'<Override PartName="/word/document.xml" ContentType="{_DOCX_MAIN}"/>'),
                {"word/other.xml": b"<w/>"},
            ),
            "not a DOCX file: the declared main part is missing",
        ),
        # A main part named without its PartName is not a part named "None" or "XXXX".
        (
            DOCX,
            _package_with(
                _types(f'<Override ContentType="{_DOCX_MAIN}"/>'),
                {"None": b"<w/>", "XXXX": b"<w/>"},
            ),
            "not a DOCX file: the declared main part is missing",
        ),
        # The main part is declared by an Override: a Default of its type does not name one.
        (
            DOCX,
            _package_with(
                _types(f'<Default Extension="xml" ContentType="{_DOCX_MAIN}"/>'),
                {"word/document.xml": b"<w/>"},
            ),
            "not a DOCX file: the package has no DOCX main part",
        ),
        # Any part name works, the leading "/" only is dropped.
        (
            DOCX,
            _package_with(
                _types(f'<Override PartName="/X/doc.xml" ContentType="{_DOCX_MAIN}"/>'),
                {"X/doc.xml": b"<w/>"},
            ),
            None,
        ),
    ],
)
def test_a_file_is_refused_by_content_saying_what_is_wrong(content_type, data, problem):
    assert rules.sniff(content_type, io.BytesIO(data), len(data)) == problem


def test_the_package_bounds_are_inclusive(monkeypatch):
    """The bounds lowered (1 MiB and 10,000 parts build slowly): each is inclusive."""
    main = f'<Override PartName="/word/document.xml" ContentType="{_DOCX_MAIN}"/>'
    exact = _types(main, pad=100)
    monkeypatch.setattr(rules, "CONTENT_TYPES_MAX_BYTES", len(exact))
    # A [Content_Types].xml of exactly the bound is read whole; one byte more is too large.
    data = _package_with(exact, {"word/document.xml": b"<w/>"})
    assert rules.sniff(DOCX, io.BytesIO(data), len(data)) is None
    data = _package_with(_types(main, pad=101), {"word/document.xml": b"<w/>"})
    assert rules.sniff(DOCX, io.BytesIO(data), len(data)) == (
        "not a DOCX file: [Content_Types].xml is too large"
    )
    # As many parts as the bound are allowed, one more is too many.
    monkeypatch.setattr(rules, "ZIP_MAX_ENTRIES", 3)
    data = _package_with(_types(main), {"word/document.xml": b"<w/>", "a": b""})
    assert rules.sniff(DOCX, io.BytesIO(data), len(data)) is None
    data = _package_with(_types(main), {"word/document.xml": b"<w/>", "a": b"", "b": b""})
    assert rules.sniff(DOCX, io.BytesIO(data), len(data)) == "not a DOCX file: too many parts"

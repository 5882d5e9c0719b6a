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


def test_keys_round_trip_and_reject_anything_else():
    key = rules.upload_key("kh-2025", "000.00.31.H34", "a" * 32, "b" * 32)
    assert key == f"nominations/kh-2025/000.00.31.H34/{'a' * 32}/{'b' * 32}"
    parsed = rules.parse_upload_key(key)
    assert parsed is not None and parsed.file_id == "b" * 32
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

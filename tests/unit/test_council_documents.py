"""The council's four documents from a frozen tally: the administrative form's parts, the
names, counts and lists in both the PDF and the DOCX, and docx off the API's import path."""

from __future__ import annotations

import datetime as dt
import io
import subprocess
import sys
import zipfile
from typing import Any

import pytest

from chalicelib.domain.meetings import Meeting, build_tally
from chalicelib.reports.council_documents import all_documents
from chalicelib.reports.documents import render_meeting_documents

MEMBERS = [
    {
        "sub": "c1",
        "full_name": "Nguyễn Văn Chủ",
        "position": "Chủ tịch UBND tỉnh",
        "council_role": "chair",
    },
    {
        "sub": "c2",
        "full_name": "Trần Thị Thư",
        "position": "Giám đốc Sở Nội vụ",
        "council_role": "secretary",
    },
    {
        "sub": "c3",
        "full_name": "Lê Văn Ủy",
        "position": "Giám đốc Sở Tài chính",
        "council_role": "member",
    },
]
SHORTLIST = [
    {"nomination_id": "n1", "kind": "collective", "name": "Sở Tư pháp", "kpi_rank": 1},
    {"nomination_id": "n2", "kind": "collective", "name": "Xã Cam Lâm", "kpi_rank": 2},
    {
        "nomination_id": "n3",
        "kind": "individual",
        "name": "Phạm Thị Hoa",
        "position": "Chuyên viên",
        "unit_name": "Sở Tư pháp",
        "kpi_rank": None,
    },
]


def tally() -> dict[str, Any]:
    counts = [
        {
            "nomination_id": "n1",
            "kind": "collective",
            "agree": 3,
            "disagree": 0,
            "denominator": 3,
            "share": 1.0,
            "passed": True,
        },
        {
            "nomination_id": "n2",
            "kind": "collective",
            "agree": 1,
            "disagree": 2,
            "denominator": 3,
            "share": 1 / 3,
            "passed": False,
        },
        {
            "nomination_id": "n3",
            "kind": "individual",
            "agree": 3,
            "disagree": 0,
            "denominator": 3,
            "share": 1.0,
            "passed": True,
        },
    ]
    at = dt.datetime(2025, 8, 25, 3, 0, tzinfo=dt.UTC)
    meeting = Meeting(
        meeting_id="m1",
        campaign_id="kh-2025",
        status="decided",
        round=1,
        revision=5,
        created_at=at,
        created_by="c2",
        members=tuple(MEMBERS),
        rule={"share": "0.7"},
        shortlist=tuple(SHORTLIST),
        present=("c1", "c2"),
        written_votes={"c3": {"choices": {}}},
        rounds=(
            {
                "number": 1,
                "nominees": ["n1", "n2", "n3"],
                "ballots": 2,
                "written_votes": 1,
                "counts": counts,
            },
        ),
        outcome={
            "approved": {"collective": ["n1"], "individual": ["n3"]},
            "rejected": {"n2": "below_threshold"},
            "runoffs": [],
        },
        opened_at=at,
    )
    return build_tally(
        meeting,
        campaign_name="Ngày không in giấy",
        province_name="Khánh Hòa",
        quotas={"collective": 10, "individual": 10},
        quorum_required=2,
        decided_at=at,
        local_date=dt.date(2025, 8, 25),
    )


def test_the_four_documents_in_administrative_form() -> None:
    docs = {d.kind: d for d in all_documents(tally())}
    assert list(docs) == ["minutes", "vote_results", "submission", "draft_decision"]
    for doc in docs.values():
        text = doc.plain_text()
        assert (
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text and "Độc lập - Tự do - Hạnh phúc" in text
        )
        assert "Khánh Hòa, ngày" in text and doc.number.startswith("Số:")
    minutes = docs["minutes"].plain_text()
    assert "Nguyễn Văn Chủ" in minutes and "Lê Văn Ủy" in minutes  # present and absent
    assert "Sở Tư pháp | 3 | 0 | 100,00%" in minutes
    assert "Xã Cam Lâm | 1 | 2 | 33,33%" in minutes and "Không đạt tỷ lệ" in minutes
    assert "Có, được tính" in minutes  # the absent member's written vote
    decision = docs["draft_decision"].plain_text()
    assert "DANH SÁCH TẬP THỂ ĐƯỢC TẶNG BẰNG KHEN" in decision
    assert (
        "1 | Sở Tư pháp\n" in decision + "\n"
        and "1 | Phạm Thị Hoa | Chuyên viên | Sở Tư pháp" in decision
    )
    assert "Xã Cam Lâm" not in decision
    assert docs["draft_decision"].draft_mark == "DỰ THẢO"
    assert "Nơi nhận:" not in minutes and docs["submission"].recipients


def test_pdf_and_docx_carry_the_text() -> None:
    from docx import Document
    from pypdf import PdfReader

    files = render_meeting_documents(tally())
    assert [(f["kind"], f["format"]) for f in files][:2] == [
        ("minutes", "pdf"),
        ("minutes", "docx"),
    ]
    assert len(files) == 8
    for f in files:
        if f["format"] == "pdf":
            text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(f["body"])).pages)
        else:
            assert zipfile.is_zipfile(io.BytesIO(f["body"]))
            document = Document(io.BytesIO(f["body"]))
            text = "\n".join(p.text for p in document.paragraphs)
            text += "\n".join(c.text for t in document.tables for r in t.rows for c in r.cells)
        assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text, f["name"]
        if f["kind"] == "draft_decision":
            assert "Phạm Thị Hoa" in text and "Sở Tư pháp" in text, f["name"]


@pytest.mark.parametrize("module", ["app"])
def test_docx_is_not_on_the_api_import_path(module: str) -> None:
    code = (
        f"import sys; import {module}; "
        "bad = [m for m in ('docx', 'lxml', 'reportlab') if m in sys.modules]; "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr

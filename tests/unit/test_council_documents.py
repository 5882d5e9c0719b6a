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


def _walk(node: Any, rel: str, where: str, out: list[tuple[str, str, str, str]]) -> None:
    import ast

    for child in ast.iter_child_nodes(node):
        inner = where
        if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
            inner = child.name
        if isinstance(child, ast.Import):
            out.extend((rel, where, "import", a.name) for a in child.names)
        elif isinstance(child, ast.ImportFrom) and child.module:
            out.append((rel, where, "import", child.module))
            out.extend((rel, where, "import", f"{child.module}:{a.name}") for a in child.names)
        elif isinstance(child, ast.Call):
            f = child.func
            if isinstance(f, ast.Name):
                out.append((rel, where, "call", f.id))
            elif isinstance(f, ast.Attribute):
                receiver = f.value.id if isinstance(f.value, ast.Name) else ""
                out.append((rel, where, "call", f"{receiver}.{f.attr}"))
        _walk(child, rel, inner, out)


def _imports_and_calls() -> list[tuple[str, str, str, str]]:
    """(module path, enclosing function, kind, name) for every import (at any depth,
    function-level included) and every call by plain name or attribute, in app.py and
    chalicelib."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    out: list[tuple[str, str, str, str]] = []
    for path in [root / "app.py", *sorted((root / "chalicelib").rglob("*.py"))]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        _walk(tree, str(path.relative_to(root)), "<module>", out)
    return out


def test_the_docx_library_is_reached_only_from_the_documents_job() -> None:
    """The chain from python-docx to its one caller, at any depth (function-level imports
    too, which importing the app would not load): `docx` is imported by reports/admin_docx
    alone; admin_docx by the renderer in reports/documents alone; the meeting renderer by
    services/council/documents.generate alone, which only the meeting_documents job
    (run_meeting_documents) calls; no API module names any of them."""
    found = _imports_and_calls()

    def where(kind: str, match: Any) -> set[tuple[str, str]]:
        return {(m, f) for m, f, k, n in found if k == kind and match(n)}

    assert {m for m, _ in where("import", lambda n: n == "docx" or n.startswith("docx."))} == {
        "chalicelib/reports/admin_docx.py"
    }
    assert {
        m for m, _ in where("import", lambda n: n.startswith("chalicelib.reports.admin_docx"))
    } == {"chalicelib/reports/documents.py"}
    renderer = "chalicelib.reports.documents:render_meeting_documents"
    assert where("import", lambda n: n == renderer) == {
        ("chalicelib/services/council/documents.py", "generate")
    }
    # within the council's services, generate is called by the job alone
    assert {
        (m, f)
        for m, f in where("call", lambda n: n == "generate")
        if m.startswith("chalicelib/services/council/")
    } == {("chalicelib/services/council/documents.py", "run_meeting_documents")}
    # and nothing of the API calls it through the module
    assert not [
        (m, f)
        for m, f in where("call", lambda n: n.endswith("documents.generate"))
        if m.startswith(("chalicelib/api/", "app.py"))
    ]
    assert not [
        (m, n)
        for m, _f, k, n in found
        if k == "import"
        and m.startswith(("chalicelib/api/", "app.py"))
        and ("docx" in n or "reports.documents" in n or n.endswith(":generate"))
    ]

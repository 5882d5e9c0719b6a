"""Report model: validation, language fallback, cheap import."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from chalicelib.reports.formatting import format_cell, format_number, format_percent
from chalicelib.reports.model import (
    BarChart,
    Column,
    LineChart,
    ReportModelError,
    Section,
    Table,
    check_lang,
)
from tests.unit.report_samples import empty_document, sample_document

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("reportlab", "xlsxwriter", "PIL")


def _cols() -> list[Column]:
    return [Column("name", "Tên", "Name"), Column("rate", "Tỷ lệ", "Rate", "percent")]


def test_sample_documents_are_valid():
    doc = sample_document()
    doc.validate()
    assert len(doc.tables()) == 6
    assert {t.key: len(t.rows) for t in doc.tables()}["ranking"] == 100
    assert {t.key: len(t.rows) for t in doc.tables()}["officials"] == 1000
    empty_document().validate()


@pytest.mark.parametrize("bad", [95.1, -0.01, float("nan"), "95%", True])
def test_percent_must_be_a_ratio(bad):
    with pytest.raises(ReportModelError):
        Table("t", "T", "T", _cols(), [{"name": "x", "rate": bad}])


def test_int_column_refuses_bool_and_float():
    col = Column("n", "Số", "Count", "int")
    for bad in (True, 1.5, "3"):
        with pytest.raises(ReportModelError):
            col.check_value(bad)
    col.check_value(3)
    col.check_value(None)


def test_unknown_kind_and_bad_keys():
    with pytest.raises(ReportModelError):
        Column("x", "X", "X", "money")  # type: ignore[arg-type]
    with pytest.raises(ReportModelError):
        Table("bad key/..", "T", "T", _cols())
    with pytest.raises(ReportModelError):
        Table("t", "T", "T", [Column("a", "A", "A"), Column("a", "B", "B")])


def test_duplicate_table_keys_in_a_document_are_refused():
    doc = sample_document(n_units=5, n_officials=5, days=3)
    doc.sections.append(
        Section("extra", "Thêm", "Extra", tables=[Table("ranking", "X", "X", _cols())])
    )
    with pytest.raises(ReportModelError, match="duplicate table key"):
        doc.validate()


def test_chart_lengths_are_checked():
    with pytest.raises(ReportModelError):
        BarChart("B", "B", ["a", "b"], [1.0])
    with pytest.raises(ReportModelError):
        LineChart("L", "L", [date(2025, 7, 15)], {"s": [0.5, 0.6]})
    LineChart("L", "L", [], {})  # empty is fine: rendered as "no data"


def test_missing_cell_is_no_data():
    table = Table("t", "T", "T", _cols(), [{"name": "x"}])
    assert table.cell(table.rows[0], table.columns[1]) is None
    assert table.has_missing()


def test_language_selection_and_fallback():
    col = Column("a", "Đơn vị", "")
    assert col.label("vi") == "Đơn vị"
    assert col.label("en") == "Đơn vị"  # untranslated label falls back to Vietnamese
    table = Table("t", "Bảng", "Table", _cols(), note_vi="Ghi chú")
    assert table.title("en") == "Table"
    assert table.note("en") == "Ghi chú"
    with pytest.raises(ReportModelError):
        check_lang("fr")


def test_vietnamese_number_formatting():
    assert format_number(1234567, 0, "vi") == "1.234.567"
    assert format_number(1234.5, 2, "en") == "1,234.50"
    assert format_percent(0.9512, "vi") == "95,1 %"
    assert format_percent(0.9512, "en") == "95.1%"
    assert format_cell(None, "percent", "vi") == "—"
    assert format_cell(0.0, "percent", "vi") == "0,0 %"
    assert format_cell(True, "bool", "vi") == "Có"
    assert format_cell(date(2025, 7, 15), "date", "vi") == "15/07/2025"


@pytest.mark.parametrize(
    "stmt",
    [
        "import chalicelib.reports.model",
        "import chalicelib.reports",
        # CSV and the manifest are stdlib-only, so rendering them stays light too.
        "from tests.unit.report_samples import sample_document\n"
        "from chalicelib.reports import render_csv, build_manifest\n"
        "d = sample_document(5, 5, 3); build_manifest(d, {})\n"
        "render_csv(d)",
    ],
)
def test_model_import_does_not_load_heavy_renderers(stmt):
    code = (
        f"{stmt}\n"
        "import sys\n"
        f"heavy = sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r})\n"
        "print(heavy)\n"
        "assert not heavy, heavy\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr + proc.stdout


def test_renderers_load_their_libraries_on_first_call():
    code = (
        "import sys\n"
        "from tests.unit.report_samples import sample_document\n"
        "from chalicelib.reports import render_pdf, render_xlsx\n"
        "assert 'reportlab' not in sys.modules and 'xlsxwriter' not in sys.modules\n"
        "d = sample_document(3, 3, 2)\n"
        "render_xlsx(d); assert 'xlsxwriter' in sys.modules\n"
        "render_pdf(d); assert 'reportlab' in sys.modules\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr

"""XLSX rendering, read back with openpyxl."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date, datetime

import pytest
from openpyxl import load_workbook
from openpyxl.workbook.workbook import Workbook

from chalicelib.reports import render_xlsx
from chalicelib.reports.model import Column, ReportDocument, Section, Table
from chalicelib.reports.xlsx_renderer import SHEET_NAME_MAX, sheet_name
from tests.unit.report_samples import empty_document, sample_document

FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


@pytest.fixture(scope="module")
def doc() -> ReportDocument:
    return sample_document()


@pytest.fixture(scope="module")
def xlsx_vi(doc) -> bytes:
    return render_xlsx(doc)


@pytest.fixture(scope="module")
def wb(xlsx_vi) -> Workbook:
    return load_workbook(io.BytesIO(xlsx_vi))


def _sheet_for(wb: Workbook, title: str):
    matches = [ws for ws in wb.worksheets if ws.title == title[:SHEET_NAME_MAX]]
    assert matches, f"no sheet for {title!r}: {wb.sheetnames}"
    return matches[0]


def test_sheets_cover_tables_and_charts(doc, wb):
    names = wb.sheetnames
    assert names[0] == "Tổng quan"
    assert len(names) == 1 + len(doc.tables()) + len(doc.charts())
    assert len({n.lower() for n in names}) == len(names)
    for name in names:
        assert 0 < len(name) <= SHEET_NAME_MAX
        assert not FORBIDDEN.search(name)
    for table in doc.tables():
        _sheet_for(wb, table.title_vi)


def test_table_cells_are_typed_and_formatted(doc, wb):
    for table in doc.tables():
        ws = _sheet_for(wb, table.title_vi)
        assert ws.freeze_panes == "A2"
        header = [c.value for c in ws[1]][: len(table.columns)]
        assert header == [c.label_vi for c in table.columns]
        for r, row in enumerate(table.rows, start=2):
            for c, col in enumerate(table.columns, start=1):
                cell = ws.cell(row=r, column=c)
                value = row.get(col.key)
                if value is None:
                    assert cell.value == "—"
                elif col.kind in ("int", "float", "percent"):
                    assert isinstance(cell.value, int | float) and not isinstance(cell.value, bool)
                    assert cell.value == pytest.approx(value, abs=0)
                    expected_fmt = {"int": "#,##0", "float": "#,##0.00", "percent": "0.0%"}
                    assert cell.number_format == expected_fmt[col.kind]
                elif col.kind == "date":
                    assert isinstance(cell.value, datetime)
                    assert cell.value.date() == value
                    assert cell.number_format == "dd/mm/yyyy"
                elif col.kind == "bool":
                    assert cell.value == ("Có" if value else "Không")
                else:
                    assert cell.value == value


def test_ranking_sheet_has_vietnamese_names_and_widths(wb):
    ws = _sheet_for(wb, "Bảng xếp hạng đơn vị")
    names = {ws.cell(row=r, column=3).value for r in range(2, 102)}
    for name in (
        "UBND phường Nha Trang",
        "Sở Khoa học và Công nghệ",
        "xã Cam Lâm",
        "đặc khu Trường Sa",
    ):
        assert name in names
    assert ws.column_dimensions["C"].width >= len("Sở Khoa học và Công nghệ")
    assert ws.column_dimensions["A"].width < ws.column_dimensions["C"].width
    assert ws.auto_filter.ref == "A1:L101"
    # The rule behind the score, and the meaning of "—", are below the data.
    notes = [ws.cell(row=r, column=1).value for r in range(102, 106)]
    assert any(n and n.startswith("Điểm = 100") for n in notes)
    assert "— : không có dữ liệu" in notes


def test_cover_sheet(doc, wb):
    ws = wb["Tổng quan"]
    text = "\n".join(str(c.value) for row in ws.iter_rows() for c in row if c.value)
    assert "Báo cáo kết quả phong trào thi đua" in text
    assert doc.campaign_name in text
    assert "Tỉnh Khánh Hòa" in text
    assert "từ 15/07/2025 đến 14/08/2025" in text
    assert "16/08/2025 00:00 (UTC+07:00)" in text  # as_of in local time
    assert "Tiêu chí và chỉ tiêu" in text
    links = [c.hyperlink.location for row in ws.iter_rows() for c in row if c.hyperlink]
    assert len(links) == len(doc.tables()) + len(doc.charts())


def test_native_charts_present(xlsx_vi, wb):
    with zipfile.ZipFile(io.BytesIO(xlsx_vi)) as z:
        charts = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
    assert len(charts) == 2
    ws = _sheet_for(wb, "Tỷ lệ xử lý văn bản trên môi trường mạng theo ngày")
    # Days without data are blank cells, so Excel draws a gap rather than a drop to 0.
    assert ws.cell(row=9, column=2).value is None
    assert ws.cell(row=4, column=2).number_format == "0.0%"


def test_english_variant(doc):
    wb = load_workbook(io.BytesIO(render_xlsx(doc, lang="en")))
    assert wb.sheetnames[0] == "Overview"
    ws = wb["Unit ranking"]
    assert [c.value for c in ws[1]][:3] == ["Rank", "Unit ID", "Unit"]
    assert ws.cell(row=2, column=11).value in ("Yes", "No", "—")
    assert "UBND phường Nha Trang" in {ws.cell(row=r, column=3).value for r in range(2, 102)}


def test_text_is_never_a_formula():
    table = Table("t", "T", "T", [Column("name", "Tên", "Name")], [{"name": "=1+1"}])
    doc = sample_document(2, 2, 2)
    doc.sections.append(Section("x", "X", "X", tables=[table]))
    wb = load_workbook(io.BytesIO(render_xlsx(doc)))
    cell = wb["T"]["A2"]
    assert cell.value == "=1+1" and cell.data_type == "s"


def test_empty_report():
    doc = empty_document()
    data = render_xlsx(doc)
    wb = load_workbook(io.BytesIO(data))
    ws = wb["Bảng xếp hạng đơn vị"]
    assert ws.freeze_panes == "A2"
    assert ws["A1"].value == "Hạng"
    assert ws["A2"].value == "Không có dữ liệu trong kỳ báo cáo."
    assert ws["A4"].value == "Không có sự kiện văn bản nào trong kỳ báo cáo."
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert not [n for n in z.namelist() if n.startswith("xl/charts/")]


def test_sheet_names():
    used: set[str] = set()
    assert sheet_name("Bảng: xếp hạng [tháng 7/2025]?", used, "B") == "Bảng xếp hạng tháng 7 2025"
    long = "KPI cán bộ, công chức, viên chức các xã, phường, đặc khu"
    first = sheet_name(long, used, "B")
    second = sheet_name(long, used, "B")
    assert len(first) == len(second) == SHEET_NAME_MAX
    assert second.endswith(" (2)") and first != second
    assert sheet_name(long.upper(), used, "B").endswith(" (3)")  # Excel ignores case
    assert sheet_name("History", used, "Lịch sử") == "Lịch sử"
    assert sheet_name("'''", used, "Bảng 9") == "Bảng 9"
    assert sheet_name("Xe\u0301t duyệt", used, "B") == "Xét duyệt"  # NFC, as Excel stores it


def test_date_and_datetime_cells():
    table = Table(
        "d",
        "Ngày",
        "Dates",
        [Column("d", "Ngày", "Date", "date")],
        [{"d": date(2025, 7, 15)}, {"d": datetime(2025, 7, 15, 8, 30)}],
    )
    doc = sample_document(2, 2, 2)
    doc.sections.append(Section("x", "X", "X", tables=[table]))
    ws = load_workbook(io.BytesIO(render_xlsx(doc)))["Ngày"]
    assert ws["A2"].value == datetime(2025, 7, 15)
    assert ws["A3"].value == datetime(2025, 7, 15, 8, 30)
    assert ws["A3"].number_format == "dd/mm/yyyy hh:mm"


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_cover_links_point_at_existing_sheets(doc, lang):
    wb = load_workbook(io.BytesIO(render_xlsx(doc, lang=lang)))
    cover = wb.worksheets[0]
    targets = [c.hyperlink.location for row in cover.iter_rows() for c in row if c.hyperlink]
    assert targets
    for target in targets:
        sheet, cell = target.rsplit("!", 1)
        assert sheet.startswith("'") and sheet.endswith("'") and cell == "A1"
        assert sheet[1:-1].replace("''", "'") in wb.sheetnames
    if lang == "en":
        assert "Officials' KPIs" in wb.sheetnames

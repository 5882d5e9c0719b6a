"""PDF rendering: Vietnamese text, A4, embedded font, charts robust to missing data."""

from __future__ import annotations

import io
import re
import unicodedata
from datetime import date, timedelta
from typing import Any

import pytest
from pypdf import PdfReader

from chalicelib.reports import render_pdf
from chalicelib.reports.model import BarChart, LineChart, ReportDocument, Section
from tests.unit.report_samples import PERIOD_FROM, empty_document, sample_document

A4_W, A4_H = 595.27, 841.89
NAMES = [
    "Trường Sa",
    "đặc khu Trường Sa",
    "UBND phường Nha Trang",
    "Khánh Hòa",
    "Sở Khoa học và Công nghệ",
    "xã Cam Lâm",
    "Tiêu chí và chỉ tiêu",
    "Xếp hạng đơn vị",
]


@pytest.fixture(scope="module")
def doc() -> ReportDocument:
    return sample_document()


@pytest.fixture(scope="module")
def pdf_vi(doc) -> bytes:
    return render_pdf(doc)


def _pages_text(data: bytes) -> list[str]:
    reader = PdfReader(io.BytesIO(data))
    # Wrapped cells split names over lines: compare on normalised whitespace, NFC.
    return [
        unicodedata.normalize("NFC", re.sub(r"\s+", " ", page.extract_text()))
        for page in reader.pages
    ]


def _fonts(data: bytes) -> dict[str, Any]:
    reader = PdfReader(io.BytesIO(data))
    fonts: dict[str, Any] = {}
    for page in reader.pages:
        resources: Any = page["/Resources"]
        for ref in resources.get("/Font", {}).values():
            font = ref.get_object()
            fonts[str(font["/BaseFont"])] = font
    return fonts


def test_vietnamese_text_intact(pdf_vi):
    text = " ".join(_pages_text(pdf_vi))
    for name in NAMES:
        assert name in text, name
    assert "Báo cáo kết quả phong trào thi đua" in text
    assert "từ 15/07/2025 đến 14/08/2025" in text
    assert "100,0 %" in text  # Vietnamese percent format


def test_a4_pages(pdf_vi):
    reader = PdfReader(io.BytesIO(pdf_vi))
    assert len(reader.pages) > 5
    for page in reader.pages:
        box = page.mediabox
        assert float(box.width) == pytest.approx(A4_W, abs=0.1)
        assert float(box.height) == pytest.approx(A4_H, abs=0.1)


def test_only_the_embedded_font_is_used(pdf_vi):
    fonts = _fonts(pdf_vi)
    assert fonts, "no fonts found"
    for name, font in fonts.items():
        assert "DejaVuSans" in name, f"unexpected font {name}"
        descriptor = font["/FontDescriptor"].get_object()
        assert "/FontFile2" in descriptor, f"{name} is not embedded"


def test_long_tables_repeat_their_header(pdf_vi):
    pages = _pages_text(pdf_vi)
    with_officials_header = [p for p in pages if "Họ và tên" in p and "Chữ ký số" in p]
    assert len(with_officials_header) >= 10  # 1,000 rows span many pages, header on each
    assert any("CB00999" in p for p in with_officials_header)


def test_ranking_chart_is_split_across_pages(pdf_vi):
    text = " ".join(_pages_text(pdf_vi))
    assert "Điểm xếp hạng các đơn vị (1–50/100)" in text
    assert "Điểm xếp hạng các đơn vị (51–100/100)" in text


def test_english_variant(doc):
    text = " ".join(_pages_text(render_pdf(doc, lang="en")))
    assert "Campaign results report" in text
    assert "Unit ranking" in text
    assert "Daily online processing rate" in text
    assert "đặc khu Trường Sa" in text
    assert "100.0%" in text


def test_empty_report_says_so():
    data = render_pdf(empty_document())
    text = " ".join(_pages_text(data))
    assert "Không có dữ liệu trong kỳ báo cáo." in text
    assert "Không có sự kiện văn bản nào trong kỳ báo cáo." in text
    assert "từ 01/09/2025 đến 30/09/2025" in text


def _chart_doc(*charts) -> ReportDocument:
    doc = sample_document(2, 2, 2)
    doc.sections = [Section("c", "Biểu đồ", "Charts", charts=list(charts))]
    return doc


DAYS = [PERIOD_FROM + timedelta(days=d) for d in range(31)]


@pytest.mark.parametrize(
    "chart",
    [
        BarChart("Trống", "Empty", [], []),
        BarChart("Toàn None", "All None", ["xã Cam Lâm", "Sở Y tế"], [None, None]),
        BarChart("Có None", "Some None", ["xã Cam Lâm", "Sở Y tế"], [None, 55.5]),
        BarChart("Tự động", "Auto max", ["a", "b"], [0.0, 0.0], value_max=None),
        BarChart("Một", "One", ["đặc khu Trường Sa"], [100.0]),
        BarChart("Phần trăm", "Percent", ["a"], [0.5], value_kind="percent", value_max=1.0),
        LineChart("Trống", "Empty", [], {}),
        LineChart("Không chuỗi", "No series", DAYS, {}),
        LineChart("Toàn None", "All None", DAYS, {"Toàn tỉnh": [None] * 31}),
        LineChart(
            "Điểm lẻ",
            "Isolated points",
            DAYS,
            {"Toàn tỉnh": [None if d % 2 else 0.9 for d in range(31)]},
        ),
        LineChart("Một ngày", "One day", [date(2025, 7, 15)], {"Toàn tỉnh": [1.0]}),
        LineChart(
            "Số", "Floats", ["T1", "T2", "T3"], {"Điểm": [10.0, None, 95.5]}, value_kind="float"
        ),
        LineChart(
            "Nhiều chuỗi",
            "Many series",
            DAYS,
            {f"Chuỗi {i}": [0.1 * (i % 10)] * 31 for i in range(8)},
        ),
    ],
    ids=lambda c: c.title_en,
)
def test_charts_survive_missing_or_odd_data(chart):
    data = render_pdf(_chart_doc(chart))
    text = " ".join(_pages_text(data))
    assert chart.title_vi in text
    no_data = "Không có dữ liệu trong kỳ báo cáo."
    has_values = (
        any(v is not None for v in chart.values)
        if isinstance(chart, BarChart)
        else any(v is not None for s in chart.series.values() for v in s) and chart.x_labels
    )
    assert (no_data in text) == (not has_values)


def test_line_chart_gap_is_not_zero():
    """Days without data are left out of the line, not drawn at 0 %."""
    from chalicelib.reports.pdf_renderer import _segments

    runs = _segments([0.9, None, None, 0.8, 0.7, None, 1.0])
    assert runs == [[(0.0, 0.9)], [(3.0, 0.8), (4.0, 0.7)], [(6.0, 1.0)]]
    assert _segments([None, None]) == []

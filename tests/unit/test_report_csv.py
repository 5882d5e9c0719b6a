"""CSV rendering: BOM, labels, machine-readable values, None as empty."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from chalicelib.reports import render_csv
from chalicelib.reports.model import Column, ReportDocument, Section, Table
from tests.unit.report_samples import empty_document, sample_document


@pytest.fixture(scope="module")
def doc() -> ReportDocument:
    return sample_document()


def _parse(body: bytes) -> list[list[str]]:
    assert body.startswith(b"\xef\xbb\xbf"), "UTF-8 BOM missing"
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))


def _decode(text: str, kind: str) -> object:
    if text == "":
        return None
    if kind == "int":
        return int(text)
    if kind in ("float", "percent"):
        return float(text)
    if kind == "date":
        return date.fromisoformat(text)
    if kind == "bool":
        return {"true": True, "false": False}[text]
    return text


def test_one_file_per_table(doc):
    files = render_csv(doc)
    assert sorted(files) == sorted(f"{t.key}.csv" for t in doc.tables())


def test_values_round_trip_exactly(doc):
    files = render_csv(doc)
    for table in doc.tables():
        rows = _parse(files[f"{table.key}.csv"])
        assert rows[0] == [c.label_vi for c in table.columns]
        assert len(rows) == len(table.rows) + 1
        for raw, row in zip(rows[1:], table.rows, strict=True):
            decoded = [_decode(text, c.kind) for text, c in zip(raw, table.columns, strict=True)]
            assert decoded == [row.get(c.key) for c in table.columns]


def test_percent_is_a_dot_decimal_ratio_and_none_is_empty(doc):
    rows = _parse(render_csv(doc)["daily.csv"])
    header = rows[0]
    rate = header.index("Tỷ lệ trực tuyến")
    assert rows[6][rate] == "" and rows[7][rate] == ""  # the days without data
    assert "," not in rows[1][rate] and 0 < float(rows[1][rate]) <= 1
    assert rows[1][0] == "2025-07-15"


def test_vietnamese_names_and_english_headers(doc):
    vi = render_csv(doc)["ranking.csv"].decode("utf-8-sig")
    for name in (
        "UBND phường Nha Trang",
        "Sở Khoa học và Công nghệ",
        "xã Cam Lâm",
        "đặc khu Trường Sa",
    ):
        assert name in vi
    en = _parse(render_csv(doc, lang="en")["ranking.csv"])
    assert en[0][:3] == ["Rank", "Unit ID", "Unit"]


def test_formula_like_text_is_neutralised():
    table = Table(
        "t",
        "T",
        "T",
        [Column("name", "Tên", "Name"), Column("n", "Số", "N", "int")],
        [{"name": '=HYPERLINK("x")', "n": -5}, {"name": "@cmd", "n": 1}],
    )
    doc = sample_document(2, 2, 2)
    doc.sections.append(Section("x", "X", "X", tables=[table]))
    rows = _parse(render_csv(doc)["t.csv"])
    assert rows[1] == ['\'=HYPERLINK("x")', "-5"]
    assert rows[2][0] == "'@cmd"


def test_empty_report_is_header_only():
    files = render_csv(empty_document())
    rows = _parse(files["ranking.csv"])
    assert len(rows) == 1 and rows[0][0] == "Hạng"

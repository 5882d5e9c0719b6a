"""XLSX renderer (XlsxWriter, in memory).

Heavy import: reach it through ``chalicelib.reports.render_xlsx``, which imports this module
only when called, so Lambdas that never render do not load xlsxwriter.

Workbook layout: a cover sheet (title block, then each section's paragraphs and links to its
sheets), one sheet per table (header on row 1, frozen; real numeric cells; notes under the
data), and one sheet per chart with its data and a native Excel chart.
"""

from __future__ import annotations

import io
import math
import re
import unicodedata
from typing import Any

import xlsxwriter
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from chalicelib.reports.formatting import NO_DATA_MARK, cover_lines, format_cell, label
from chalicelib.reports.manifest import XLSX_CONTENT_TYPE
from chalicelib.reports.model import (
    BarChart,
    Chart,
    Column,
    LineChart,
    ReportDocument,
    Table,
    check_lang,
)

__all__ = ["XLSX_CONTENT_TYPE", "render_xlsx", "sheet_name"]

SHEET_NAME_MAX = 31
_FORBIDDEN_SHEET_CHARS = re.compile(r"[\[\]:*?/\\\x00-\x1f]")
_MIN_WIDTH, _MAX_WIDTH = 6, 60
_PAPER_A4 = 9
# Rows sampled to size a column: enough to be representative, bounded for big tables.
_WIDTH_SAMPLE_ROWS = 2000

_NUMBER_FORMATS = {
    "int": "#,##0",
    "percent": "0.0%",
    "float": "#,##0.00",
    "date": "dd/mm/yyyy",
}


def sheet_name(title: str, used: set[str], fallback: str) -> str:
    """A valid, unique (case-insensitively, as Excel compares) sheet name for ``title``."""
    name = unicodedata.normalize("NFC", title)
    name = _FORBIDDEN_SHEET_CHARS.sub(" ", name)
    name = " ".join(name.split()).strip("'").strip()
    if not name or name.lower() == "history":  # "History" is reserved by Excel
        name = fallback
    base = name[:SHEET_NAME_MAX].rstrip()
    candidate, n = base, 2
    while candidate.lower() in used:
        suffix = f" ({n})"
        candidate = base[: SHEET_NAME_MAX - len(suffix)].rstrip() + suffix
        n += 1
    used.add(candidate.lower())
    return candidate


class _Formats:
    def __init__(self, wb: Workbook) -> None:
        base: dict[str, Any] = {"font_name": "Arial", "font_size": 10, "valign": "top"}
        self.title = wb.add_format({**base, "bold": True, "font_size": 16})
        self.heading = wb.add_format({**base, "bold": True, "font_size": 12})
        self.bold = wb.add_format({**base, "bold": True})
        self.text = wb.add_format(base)
        self.wrap = wb.add_format({**base, "text_wrap": True})
        self.note = wb.add_format({**base, "italic": True, "font_color": "#555555"})
        self.link = wb.add_format({**base, "font_color": "blue", "underline": 1})
        self.header = wb.add_format(
            {
                **base,
                "bold": True,
                "text_wrap": True,
                "valign": "vcenter",
                "align": "center",
                "bg_color": "#D9E2F3",
                "border": 1,
            }
        )
        self.na = wb.add_format({**base, "align": "right", "font_color": "#808080"})
        self.center = wb.add_format({**base, "align": "center"})
        self.kinds = {
            kind: wb.add_format({**base, "num_format": fmt})
            for kind, fmt in _NUMBER_FORMATS.items()
        }
        self.datetime = wb.add_format({**base, "num_format": "dd/mm/yyyy hh:mm"})


def _display_width(text: str) -> int:
    return max((len(line) for line in text.splitlines()), default=0)


def _column_width(table: Table, col: Column, lang: str) -> int:
    # Headers wrap, so only their longest word forces the width; data does not wrap.
    header_words = col.label(lang).split() or [""]
    width = max(len(w) for w in header_words) + 2
    for row in table.rows[:_WIDTH_SAMPLE_ROWS]:
        width = max(width, _display_width(format_cell(table.cell(row, col), col.kind, lang)) + 2)
    return min(max(width, _MIN_WIDTH), _MAX_WIDTH)


def _write_cell(
    ws: Worksheet, r: int, c: int, value: Any, *, col: Column, fm: _Formats, lang: str
) -> None:
    if value is None:
        # Text, not blank: a blank cell reads as 0 in sums, and "no data" is not 0.
        ws.write_string(r, c, NO_DATA_MARK, fm.na)
        return
    kind = col.kind
    if kind in ("int", "float", "percent"):
        ws.write_number(r, c, value, fm.kinds[kind])
    elif kind == "date":
        if hasattr(value, "hour"):
            ws.write_datetime(r, c, value.replace(tzinfo=None), fm.datetime)
        else:
            ws.write_datetime(r, c, value, fm.kinds["date"])
    elif kind == "bool":
        ws.write_string(r, c, label("yes" if value else "no", lang), fm.center)
    else:
        ws.write_string(r, c, value, fm.text)


def _setup_print(ws: Worksheet, landscape: bool = True) -> None:
    if landscape:
        ws.set_landscape()
    ws.set_paper(_PAPER_A4)
    ws.fit_to_pages(1, 0)


def _write_table_sheet(wb: Workbook, name: str, table: Table, fm: _Formats, lang: str) -> None:
    ws = wb.add_worksheet(name)
    cols = table.columns
    widths = [_column_width(table, c, lang) for c in cols]
    for c, width in enumerate(widths):
        ws.set_column(c, c, width)
    # Excel does not grow a wrapped header row by itself: size it for the longest label.
    header_lines = max(
        math.ceil(len(col.label(lang)) / max(w - 1, 1)) for col, w in zip(cols, widths, strict=True)
    )
    ws.set_row(0, 15 * max(header_lines, 1))
    for c, col in enumerate(cols):
        ws.write_string(0, c, col.label(lang), fm.header)
    ws.freeze_panes(1, 0)
    for r, row in enumerate(table.rows, start=1):
        for c, col in enumerate(cols):
            _write_cell(ws, r, c, table.cell(row, col), col=col, fm=fm, lang=lang)
    if table.rows:
        ws.autofilter(0, 0, len(table.rows), len(cols) - 1)
        r = len(table.rows) + 2
    else:
        ws.write_string(1, 0, label("no_rows", lang), fm.note)
        r = 3
    note = table.note(lang)
    if note:
        ws.write_string(r, 0, note, fm.note)
        r += 1
    if table.has_missing():
        ws.write_string(r, 0, label("no_data_legend", lang), fm.note)
    ws.repeat_rows(0)
    _setup_print(ws)


def _chart_has_data(chart: Chart) -> bool:
    if isinstance(chart, BarChart):
        return any(v is not None for v in chart.values)
    return any(v is not None for values in chart.series.values() for v in values)


def _write_chart_sheet(wb: Workbook, name: str, chart: Chart, fm: _Formats, lang: str) -> None:
    ws = wb.add_worksheet(name)
    value_fmt = fm.kinds["percent" if chart.value_kind == "percent" else "float"]
    ws.write_string(0, 0, chart.title(lang), fm.heading)
    header_row = 2
    first, last = header_row + 1, header_row
    if isinstance(chart, BarChart):
        ws.set_column(0, 0, min(max((len(c) for c in chart.categories), default=10) + 2, 50))
        ws.set_column(1, 1, 12)
        ws.write_string(header_row, 0, label("category", lang), fm.header)
        ws.write_string(header_row, 1, label("value", lang), fm.header)
        for i, (cat, val) in enumerate(zip(chart.categories, chart.values, strict=True)):
            ws.write_string(first + i, 0, cat, fm.text)
            if val is not None:  # blank, so Excel leaves a gap rather than plotting 0
                ws.write_number(first + i, 1, val, value_fmt)
        last = header_row + len(chart.categories)
    else:
        names = list(chart.series)
        ws.set_column(0, 0, 12)
        ws.set_column(1, len(names), 18)
        ws.write_string(header_row, 0, label("date", lang), fm.header)
        for c, series_name in enumerate(names, start=1):
            ws.write_string(header_row, c, chart.series_label(series_name, lang), fm.header)
        for i, x in enumerate(chart.x_labels):
            if isinstance(x, str):
                ws.write_string(first + i, 0, x, fm.text)
            else:
                ws.write_datetime(first + i, 0, x, fm.kinds["date"])
            for c, series_name in enumerate(names, start=1):
                val = chart.series[series_name][i]
                if val is not None:
                    ws.write_number(first + i, c, val, value_fmt)
        last = header_row + len(chart.x_labels)
    ws.freeze_panes(header_row + 1, 0)
    ws.write_string(1, 0, label("blank_legend", lang), fm.note)
    if not _chart_has_data(chart):
        ws.write_string(first, 3, label("no_rows", lang), fm.note)
        _setup_print(ws, landscape=False)
        return
    if isinstance(chart, BarChart):
        xl_chart = wb.add_chart({"type": "bar"})
        xl_chart.add_series(
            {
                "name": chart.title(lang),
                "categories": [name, first, 0, last, 0],
                "values": [name, first, 1, last, 1],
                "fill": {"color": "#2F5597"},
                "gap": 40,
            }
        )
        # Rank 1 at the top, as in the table.
        xl_chart.set_y_axis({"reverse": True, "num_font": {"size": 7}})
        x_axis: dict[str, Any] = {"min": 0, "num_font": {"size": 8}}
        if chart.value_max is not None:
            x_axis["max"] = chart.value_max
        xl_chart.set_x_axis(x_axis)
        height = max(300, 16 * len(chart.categories) + 80)
    else:
        xl_chart = wb.add_chart({"type": "line"})
        for c in range(1, len(chart.series) + 1):
            xl_chart.add_series(
                {
                    "name": [name, header_row, c],
                    "categories": [name, first, 0, last, 0],
                    "values": [name, first, c, last, c],
                    "marker": {"type": "circle", "size": 4},
                }
            )
        if chart.value_kind == "percent":
            xl_chart.set_y_axis({"min": 0, "max": 1, "num_format": "0%"})
        xl_chart.set_x_axis(
            {"date_axis": False, "num_format": "dd/mm", "num_font": {"rotation": -45}}
        )
        xl_chart.show_blanks_as("gap")
        height = 400
    xl_chart.set_title({"name": chart.title(lang), "name_font": {"size": 11}})
    xl_chart.set_legend({"position": "bottom"} if isinstance(chart, LineChart) else {"none": True})
    xl_chart.set_size({"width": 760, "height": height})
    ws.insert_chart(header_row, 3, xl_chart)
    _setup_print(ws, landscape=False)


def _write_cover(
    ws: Worksheet,
    doc: ReportDocument,
    fm: _Formats,
    lang: str,
    links: dict[int, str],
) -> None:
    ws.set_column(0, 0, 26)
    ws.set_column(1, 1, 100)
    ws.write_string(0, 0, doc.title(lang), fm.title)
    r = 2
    for key, value in cover_lines(doc, lang):
        ws.write_string(r, 0, key, fm.bold)
        ws.write_string(r, 1, value, fm.text)
        r += 1
    r += 1
    ws.write_string(r, 0, label("contents", lang), fm.heading)
    r += 1
    for section in doc.sections:
        r += 1
        ws.write_string(r, 0, section.title(lang), fm.heading)
        r += 1
        for para in section.paragraphs(lang):
            # Wrapped rows are not auto-sized by Excel for files it did not write.
            ws.set_row(r, 15 * max(1, math.ceil(len(para) / 95)))
            ws.write_string(r, 1, para, fm.wrap)
            r += 1
        items: list[tuple[str, Any]] = [(label("chart", lang), c) for c in section.charts]
        items += [(label("table", lang), t) for t in section.tables]
        for kind_label, item in items:
            target = links[id(item)]
            ws.write_string(r, 0, kind_label, fm.text)
            quoted = target.replace("'", "''")  # Excel escapes a quote in a sheet ref by doubling
            ws.write_url(r, 1, f"internal:'{quoted}'!A1", fm.link, string=item.title(lang))
            r += 1
    _setup_print(ws, landscape=False)


def render_xlsx(doc: ReportDocument, lang: str = "vi") -> bytes:
    check_lang(lang)
    doc.validate()
    out = io.BytesIO()
    # No string conversion: a unit name starting with "=" must stay text, not a formula.
    wb = xlsxwriter.Workbook(
        out,
        {
            "in_memory": True,
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
        },
    )
    wb.set_properties({"title": doc.title(lang), "subject": doc.campaign_name})
    fm = _Formats(wb)
    used: set[str] = set()
    cover = wb.add_worksheet(sheet_name(label("overview", lang), used, "Overview"))
    # Name every sheet first so the cover can link to them.
    links: dict[int, str] = {}
    plan: list[tuple[str, Table | Chart]] = []
    numbers = {"chart": 0, "table": 0}  # untitled sheets are "Chart 2", "Table 3", ...
    for section in doc.sections:
        items: list[tuple[str, Table | Chart]] = [
            *(("chart", chart) for chart in section.charts),
            *(("table", table) for table in section.tables),
        ]
        for kind, item in items:
            numbers[kind] += 1
            fallback = f"{label(kind, lang)} {numbers[kind]}"
            name = sheet_name(item.title(lang), used, fallback)
            links[id(item)] = name
            plan.append((name, item))
    _write_cover(cover, doc, fm, lang, links)
    for name, item in plan:
        if isinstance(item, Table):
            _write_table_sheet(wb, name, item, fm, lang)
        else:
            _write_chart_sheet(wb, name, item, fm, lang)
    wb.close()
    return out.getvalue()

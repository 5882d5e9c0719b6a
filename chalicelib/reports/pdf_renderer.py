"""PDF renderer (ReportLab platypus + reportlab.graphics charts), A4 portrait.

Heavy import: reach it through ``chalicelib.reports.render_pdf``, which imports this module
only when called.

Every piece of text, charts included, uses the DejaVu Sans TTF shipped in ``fonts/`` (with its
licence): the 14 standard PDF fonts have no Vietnamese glyphs, and an embedded (subset) font
renders the same in every viewer.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.lineplots import LinePlot
from reportlab.graphics.charts.textlabels import NA_Label
from reportlab.graphics.shapes import Drawing, String
from reportlab.graphics.widgets.markers import makeMarker
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfmetrics import registerFontFamily, stringWidth
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    LongTable,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from chalicelib.reports import model
from chalicelib.reports.formatting import (
    NO_DATA_MARK,
    chart_x_label,
    cover_lines,
    format_cell,
    format_number,
    format_percent,
    label,
)
from chalicelib.reports.manifest import PDF_CONTENT_TYPE

__all__ = ["FONT", "FONT_BOLD", "PDF_CONTENT_TYPE", "render_pdf"]

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FONT = "KGDejaVuSans"
FONT_BOLD = "KGDejaVuSans-Bold"

PAGE_W, PAGE_H = A4
MARGIN_X = 15 * mm
MARGIN_TOP = 15 * mm
MARGIN_BOTTOM = 16 * mm
AVAIL_W = PAGE_W - 2 * MARGIN_X

CELL_SIZE = 7.5
# A table too wide for the page first tries smaller fonts, before cutting words.
CELL_SIZES = (7.5, 7.0, 6.5, 6.0)
CELL_PAD = 3.0
BAR_PITCH = 11.0
# Bars per drawing: a drawing must fit one page, so a long ranking is split into parts.
BARS_PER_CHART = 50
MIN_TEXT_COL_W = 45.0
# A longer "word" (a URL, an ID) may wrap mid-word rather than squeeze every other column.
MAX_WORD_W = 110.0
SHORT_TEXT_W = 50.0

HEADER_BG = colors.HexColor("#D9E2F3")
ZEBRA_BG = colors.HexColor("#F4F6FA")
GRID = colors.HexColor("#A6A6A6")
SERIES_COLORS = [
    colors.HexColor(c) for c in ("#2F5597", "#C55A11", "#548235", "#7030A0", "#BF9000", "#00B0F0")
]


def _register_fonts() -> None:
    # Registration is process-wide in ReportLab; do it once per warm Lambda.
    if FONT in pdfmetrics.getRegisteredFontNames():
        return
    pdfmetrics.registerFont(TTFont(FONT, str(FONT_DIR / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont(FONT_BOLD, str(FONT_DIR / "DejaVuSans-Bold.ttf")))
    registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD, italic=FONT, boldItalic=FONT_BOLD)


def _styles() -> dict[str, ParagraphStyle]:
    body = ParagraphStyle("body", fontName=FONT, fontSize=9.5, leading=12.5, spaceAfter=4)
    cell = ParagraphStyle("cell", fontName=FONT, fontSize=CELL_SIZE, leading=CELL_SIZE + 1.5)
    return {
        "title": ParagraphStyle("title", fontName=FONT_BOLD, fontSize=16, leading=20, spaceAfter=8),
        "h1": ParagraphStyle(
            "h1",
            fontName=FONT_BOLD,
            fontSize=13,
            leading=16,
            spaceBefore=12,
            spaceAfter=5,
            keepWithNext=1,
            textColor=colors.HexColor("#1F3864"),
        ),
        "h2": ParagraphStyle(
            "h2",
            fontName=FONT_BOLD,
            fontSize=10,
            leading=13,
            spaceBefore=8,
            spaceAfter=3,
            keepWithNext=1,
        ),
        "body": body,
        "note": ParagraphStyle(
            "note",
            fontName=FONT,
            fontSize=7.5,
            leading=9.5,
            spaceBefore=2,
            textColor=colors.HexColor("#555555"),
        ),
        "cell": cell,
        "head": ParagraphStyle("head", parent=cell, fontName=FONT_BOLD, alignment=TA_CENTER),
        "cell_right": ParagraphStyle("cell_right", parent=cell, alignment=TA_RIGHT),
        "meta_label": ParagraphStyle("meta_label", parent=body, fontName=FONT_BOLD, spaceAfter=0),
        "meta_value": ParagraphStyle("meta_value", parent=body, spaceAfter=0),
    }


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(text), style)


# ---------------------------------------------------------------------------------- tables


def _text_width(text: str, size: float = CELL_SIZE, bold: bool = False) -> float:
    return stringWidth(text, FONT_BOLD if bold else FONT, size)


def _measure(
    header: list[str], body: list[list[str]], kinds: Sequence[str]
) -> tuple[list[float], list[float]]:
    """Per column, the natural (unwrapped) and minimum text widths for a 1 pt font.

    The minimum is the longest word, since text wraps only on spaces (an ID like
    000.00.31.H34 must not be cut) and numbers do not wrap at all. Widths scale linearly
    with the font size, so this is measured once per table.
    """
    natural: list[float] = []
    minimum: list[float] = []
    for c, head in enumerate(header):
        head_min = max((_text_width(word, 1.0, bold=True) for word in head.split()), default=0.0)
        full = least = head_min
        for row in body:
            text = row[c]
            width = _text_width(text, 1.0)
            full = max(full, width)
            if kinds[c] != "text":
                least = max(least, width)
            elif width > least:  # only a wider text can have a wider word
                least = max(least, max((_text_width(w, 1.0) for w in text.split()), default=0.0))
        natural.append(full)
        minimum.append(least)
    return natural, minimum


def _column_widths(
    natural_1pt: list[float], minimum_1pt: list[float], kinds: Sequence[str], size: float
) -> tuple[list[float], bool]:
    """Column widths at font ``size``, and whether they fit without cutting words.

    Long text columns (unit names) shrink from natural towards their minimum, in
    proportion to their slack; short ones ("Xã, phường") keep their width. If that is not
    enough, everything is scaled down (words then break) and the result does not fit.
    """
    pad = 2 * CELL_PAD + 1
    natural = [w * size + pad for w in natural_1pt]
    minimum = [
        max(min(w * size, MAX_WORD_W) + pad, MIN_TEXT_COL_W if k == "text" else 0.0)
        for w, k in zip(minimum_1pt, kinds, strict=True)
    ]
    widths = list(natural)
    text_cols = [c for c, k in enumerate(kinds) if k == "text"]
    total = sum(widths)
    if total <= AVAIL_W:
        # Give the spare width to the text columns so the table spans the page.
        for c in text_cols:
            widths[c] += (AVAIL_W - total) / len(text_cols)
        return widths, True
    slack = {
        c: max(0.0, natural[c] - max(minimum[c], min(natural[c], SHORT_TEXT_W))) for c in text_cols
    }
    shrinkable = sum(slack.values())
    if shrinkable > 0:
        ratio = min(1.0, (total - AVAIL_W) / shrinkable)
        for c in text_cols:
            widths[c] -= slack[c] * ratio
    total = sum(widths)
    if total > AVAIL_W + 0.01:
        return [w * AVAIL_W / total for w in widths], False
    return widths, True


def _layout(
    header: list[str], body: list[list[str]], kinds: Sequence[str]
) -> tuple[float, list[float]]:
    """The largest font size at which the table fits the page width, and its widths."""
    natural, minimum = _measure(header, body, kinds)
    widths: list[float] = []
    for size in CELL_SIZES:
        widths, fits = _column_widths(natural, minimum, kinds, size)
        if fits:
            return size, widths
    return CELL_SIZES[-1], widths


def _table_flowables(
    table: model.Table, lang: str, st: dict[str, ParagraphStyle]
) -> list[Flowable]:
    cols = table.columns
    kinds = [c.kind for c in cols]
    header = [c.label(lang) for c in cols]
    body = [[format_cell(table.cell(row, c), c.kind, lang) for c in cols] for row in table.rows]
    out: list[Flowable] = [_p(table.title(lang), st["h2"])]
    size, widths = _layout(header, body, kinds)
    leading = size + 1.5
    cell_style = ParagraphStyle("cell_fit", parent=st["cell"], fontSize=size, leading=leading)
    head_style = ParagraphStyle("head_fit", parent=st["head"], fontSize=size, leading=leading)
    data: list[list[Any]] = [[_p(h, head_style) for h in header]]
    for texts in body:
        cells: list[Any] = []
        for c, text in enumerate(texts):
            # Paragraphs are slow; only text that overflows its column needs wrapping.
            if kinds[c] == "text" and _text_width(text, size) > widths[c] - 2 * CELL_PAD:
                cells.append(_p(text, cell_style))
            else:
                cells.append(text)
        data.append(cells)
    commands: list[tuple[Any, ...]] = [
        ("FONT", (0, 0), (-1, -1), FONT, size, leading),
        ("BACKGROUND", (0, 0), (-1, 0), HEADER_BG),
        ("GRID", (0, 0), (-1, -1), 0.25, GRID),
        ("VALIGN", (0, 0), (-1, 0), "MIDDLE"),
        ("VALIGN", (0, 1), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), CELL_PAD),
        ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PAD),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]
    if body:
        commands.append(("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, ZEBRA_BG]))
        for c, kind in enumerate(kinds):
            if kind in model.NUMERIC_KINDS:
                commands.append(("ALIGN", (c, 1), (c, -1), "RIGHT"))
            elif kind in ("bool", "date"):
                commands.append(("ALIGN", (c, 1), (c, -1), "CENTER"))
    else:
        # An empty period still shows the columns, and says there is no data.
        data.append([label("no_rows", lang)] + [""] * (len(cols) - 1))
        commands.append(("SPAN", (0, 1), (-1, 1)))
    # repeatRows: the header comes back on every page a long table spans.
    flow = LongTable(data, colWidths=widths, repeatRows=1, hAlign="LEFT")
    flow.setStyle(TableStyle(commands))
    out.append(flow)
    note = table.note(lang)
    if note:
        out.append(_p(note, st["note"]))
    if any(t == NO_DATA_MARK for row in body for t in row):
        out.append(_p(label("no_data_legend", lang), st["note"]))
    return out


# ---------------------------------------------------------------------------------- charts


def _value_formatter(kind: str, lang: str) -> Callable[[float], str]:
    if kind == "percent":
        return lambda v: format_percent(v, lang)
    return lambda v: format_number(v, 1, lang)


def _axis_formatter(kind: str, lang: str) -> Callable[[float], str]:
    """Axis ticks: whole numbers where possible ("20 %", "40"), unlike the data labels."""

    def fmt(v: float) -> str:
        scaled = v * 100 if kind == "percent" else v
        decimals = 0 if abs(scaled - round(scaled)) < 1e-9 else 1
        text = format_number(scaled, decimals, lang)
        if kind == "percent":
            return f"{text} %" if lang == "vi" else f"{text}%"
        return text

    return fmt


def _drawing(height: float) -> Drawing:
    # Drawings start from Helvetica (no Vietnamese, not embedded) unless told otherwise.
    return Drawing(AVAIL_W, height, initialFontName=FONT)


def _no_data_drawing(lang: str, height: float = 40) -> Drawing:
    d = _drawing(height)
    d.add(
        String(
            AVAIL_W / 2,
            height / 2 - 4,
            label("no_rows", lang),
            fontName=FONT,
            fontSize=9,
            fillColor=colors.HexColor("#555555"),
            textAnchor="middle",
        )
    )
    return d


def _truncate(text: str, max_width: float, size: float) -> str:
    if stringWidth(text, FONT, size) <= max_width:
        return text
    while text and stringWidth(text + "…", FONT, size) > max_width:
        text = text[:-1]
    return text.rstrip() + "…"


def _bar_drawing(
    categories: Sequence[str], values: Sequence[float | None], chart: model.BarChart, lang: str
) -> Drawing:
    n = len(categories)
    label_w, top, bottom, right = 180.0, 8.0, 22.0, 40.0
    height = n * BAR_PITCH + top + bottom
    d = _drawing(height)
    bc = HorizontalBarChart()
    bc.x, bc.y = label_w, bottom
    bc.width, bc.height = AVAIL_W - label_w - right, n * BAR_PITCH
    # ReportLab skips None bars and draws naLabel instead: no data is not a zero bar.
    bc.data = [list(values)]
    bc.bars[0].fillColor = SERIES_COLORS[0]
    bc.bars.strokeColor = None
    bc.barSpacing = 0
    bc.groupSpacing = 3
    fmt = _value_formatter(chart.value_kind, lang)
    bc.barLabelFormat = fmt
    bc.barLabels.fontName = FONT
    bc.barLabels.fontSize = 6
    bc.barLabels.boxAnchor = "w"
    bc.barLabels.dx = 2
    bc.naLabel = NA_Label()
    bc.naLabel.text = NO_DATA_MARK
    bc.naLabel.fontName = FONT
    bc.naLabel.fontSize = 6
    bc.naLabel.boxAnchor = "w"
    bc.naLabel.dx = 2
    cat = bc.categoryAxis
    cat.categoryNames = [_truncate(c, label_w - 8, 6.5) for c in categories]
    cat.reverseDirection = 1  # first category (rank 1) at the top
    cat.labels.fontName = FONT
    cat.labels.fontSize = 6.5
    cat.labels.boxAnchor = "e"
    cat.labels.dx = -3
    cat.tickLeft = 0
    val = bc.valueAxis
    val.valueMin = 0
    present = [v for v in values if v is not None]
    vmax = chart.value_max if chart.value_max is not None else max(present, default=1.0) or 1.0
    val.valueMax = vmax
    val.valueStep = vmax / 10
    val.labels.fontName = FONT
    val.labels.fontSize = 6.5
    val.labelTextFormat = _axis_formatter(chart.value_kind, lang)
    val.visibleGrid = 1
    val.gridStrokeColor = colors.HexColor("#DDDDDD")
    val.gridStrokeWidth = 0.3
    d.add(bc)
    return d


def _bar_flowables(
    chart: model.BarChart, lang: str, st: dict[str, ParagraphStyle]
) -> list[Flowable]:
    title = chart.title(lang)
    n = len(chart.categories)
    if n == 0 or all(v is None for v in chart.values):
        return [_p(title, st["h2"]), _no_data_drawing(lang)]
    out: list[Flowable] = []
    parts = math.ceil(n / BARS_PER_CHART)
    for part in range(parts):
        lo, hi = part * BARS_PER_CHART, min(n, (part + 1) * BARS_PER_CHART)
        suffix = f" ({lo + 1}–{hi}/{n})" if parts > 1 else ""
        out.append(_p(title + suffix, st["h2"]))
        out.append(_bar_drawing(chart.categories[lo:hi], chart.values[lo:hi], chart, lang))
    return out


def _segments(values: Sequence[float | None]) -> list[list[tuple[float, float]]]:
    """Runs of consecutive known points; a None splits the line so gaps stay visible."""
    runs: list[list[tuple[float, float]]] = []
    current: list[tuple[float, float]] = []
    for i, v in enumerate(values):
        if v is None:
            if current:
                runs.append(current)
            current = []
        else:
            current.append((float(i), float(v)))
    if current:
        runs.append(current)
    return runs


def _line_flowables(
    chart: model.LineChart, lang: str, st: dict[str, ParagraphStyle]
) -> list[Flowable]:
    title = _p(chart.title(lang), st["h2"])
    n = len(chart.x_labels)
    series = [(name, _segments(values)) for name, values in chart.series.items()]
    if n == 0 or not any(runs for _, runs in series):
        return [title, _no_data_drawing(lang)]
    height, left, bottom = 230.0, 45.0, 55.0
    d = _drawing(height)
    lp = LinePlot()
    lp.x, lp.y = left, bottom
    lp.width, lp.height = AVAIL_W - left - 15, height - bottom - 12
    data: list[list[tuple[float, float]]] = []
    legend_pairs: list[tuple[Any, str]] = []
    for s, (name, runs) in enumerate(series):
        color = SERIES_COLORS[s % len(SERIES_COLORS)]
        legend_pairs.append((color, chart.series_label(name, lang)))
        for run in runs:
            k = len(data)
            data.append(run)
            lp.lines[k].strokeColor = color
            lp.lines[k].strokeWidth = 1.2
            # A marker on every point, so a one-day run between gaps is still visible.
            lp.lines[k].symbol = makeMarker(
                "FilledCircle", size=2.5, fillColor=color, strokeColor=color
            )
    lp.data = data
    xa = lp.xValueAxis
    xa.valueMin, xa.valueMax = 0, max(n - 1, 1)
    step = max(1, math.ceil(n / 16))
    xa.valueSteps = list(range(0, n, step))
    labels = [chart_x_label(x) for x in chart.x_labels]

    def x_text(v: float) -> str:
        i = round(v)
        return labels[i] if 0 <= i < n else ""

    xa.labelTextFormat = x_text
    xa.labels.fontName = FONT
    xa.labels.fontSize = 6.5
    xa.labels.angle = 45 if n > 16 else 0
    xa.labels.boxAnchor = "ne" if n > 16 else "n"
    ya = lp.yValueAxis
    if chart.value_kind == "percent":
        ya.valueMin, ya.valueMax, ya.valueStep = 0.0, 1.0, 0.2
    ya.labelTextFormat = _axis_formatter(chart.value_kind, lang)
    ya.labels.fontName = FONT
    ya.labels.fontSize = 6.5
    ya.visibleGrid = 1
    ya.gridStrokeColor = colors.HexColor("#DDDDDD")
    ya.gridStrokeWidth = 0.3
    d.add(lp)
    legend = Legend()
    legend.fontName = FONT
    legend.fontSize = 7
    legend.x, legend.y = left, 10
    legend.alignment = "right"
    legend.columnMaximum = 1  # one item per column: a horizontal legend
    legend.deltax = max(stringWidth(t, FONT, 7) for _, t in legend_pairs) + 25
    legend.dx, legend.dy = 8, 6
    legend.colorNamePairs = legend_pairs
    d.add(legend)
    return [title, d]


# ---------------------------------------------------------------------------------- document


class _Doc(BaseDocTemplate):
    def __init__(self, buf: io.BytesIO, doc: model.ReportDocument, lang: str) -> None:
        super().__init__(
            buf,
            pagesize=A4,
            leftMargin=MARGIN_X,
            rightMargin=MARGIN_X,
            topMargin=MARGIN_TOP,
            bottomMargin=MARGIN_BOTTOM,
            title=doc.title(lang),
            subject=f"{doc.campaign_name} — {doc.scope_name}",
            author=doc.scope_name,
            creator="Không Giấy",
            lang=lang,
            # Otherwise every page declares Helvetica, a non-embedded font without Vietnamese.
            initialFontName=FONT,
        )
        footer = f"{doc.title(lang)} · {doc.scope_name} · {doc.report_id}"
        page_word = label("page", lang)

        def on_page(canvas: Canvas, _doc: BaseDocTemplate) -> None:
            canvas.saveState()
            canvas.setFont(FONT, 7)
            canvas.setFillColor(colors.HexColor("#666666"))
            canvas.drawString(MARGIN_X, 9 * mm, _truncate(footer, AVAIL_W - 60, 7))
            canvas.drawRightString(
                PAGE_W - MARGIN_X, 9 * mm, f"{page_word} {canvas.getPageNumber()}"
            )
            canvas.restoreState()

        frame = Frame(
            MARGIN_X, MARGIN_BOTTOM, AVAIL_W, PAGE_H - MARGIN_TOP - MARGIN_BOTTOM, id="body"
        )
        self.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=on_page)])


def _title_block(
    doc: model.ReportDocument, lang: str, st: dict[str, ParagraphStyle]
) -> list[Flowable]:
    rows = [[_p(k, st["meta_label"]), _p(v, st["meta_value"])] for k, v in cover_lines(doc, lang)]
    meta = Table(rows, colWidths=[42 * mm, AVAIL_W - 42 * mm], hAlign="LEFT")
    meta.setStyle(
        TableStyle(
            [
                # Cell defaults are Helvetica: set ours even where cells are Paragraphs.
                ("FONT", (0, 0), (-1, -1), FONT, 9.5),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 1),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
                ("LINEBELOW", (0, -1), (-1, -1), 0.8, colors.HexColor("#1F3864")),
                ("BOTTOMPADDING", (0, -1), (-1, -1), 6),
            ]
        )
    )
    return [_p(doc.title(lang), st["title"]), meta, Spacer(1, 4 * mm)]


def render_pdf(doc: model.ReportDocument, lang: str = "vi") -> bytes:
    model.check_lang(lang)
    doc.validate()
    _register_fonts()
    st = _styles()
    story: list[Flowable] = _title_block(doc, lang, st)
    for section in doc.sections:
        story.append(_p(section.title(lang), st["h1"]))
        story.extend(_p(text, st["body"]) for text in section.paragraphs(lang))
        for chart in section.charts:
            if isinstance(chart, model.BarChart):
                story.extend(_bar_flowables(chart, lang, st))
            else:
                story.extend(_line_flowables(chart, lang, st))
        for table in section.tables:
            story.extend(_table_flowables(table, lang, st))
    buf = io.BytesIO()
    _Doc(buf, doc, lang).build(story)
    return buf.getvalue()

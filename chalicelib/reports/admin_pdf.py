"""An administrative document (reports/administrative.py) as an A4 PDF in the layout of
Decree 30/2020/NĐ-CP, Appendix I, with the reports' embedded DejaVu fonts (the standard PDF
fonts have no Vietnamese). Heavy import (ReportLab): reach it through
``render_administrative_pdf`` in chalicelib/reports/documents.py."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from chalicelib.reports.administrative import (
    MOTTO,
    MOTTO_LINE_2,
    AdministrativeDocument,
    Block,
    Grid,
    Para,
    Signature,
)
from chalicelib.reports.pdf_renderer import FONT, FONT_BOLD, _register_fonts

# Decree 30/2020 Appendix I: top 20-25 mm, bottom 20-25 mm, left 30-35 mm, right 15-20 mm.
MARGIN_LEFT = 30 * mm
MARGIN_RIGHT = 15 * mm
MARGIN_TOP = 20 * mm
MARGIN_BOTTOM = 20 * mm
WIDTH = A4[0] - MARGIN_LEFT - MARGIN_RIGHT
BODY_SIZE = 12.5
_ALIGN = {"justify": TA_JUSTIFY, "center": TA_CENTER, "left": TA_LEFT}


def _style(
    name: str,
    size: float = BODY_SIZE,
    *,
    bold: bool = False,
    align: int = TA_JUSTIFY,
    indent: float = 0,
    after: float = 4,
) -> ParagraphStyle:
    return ParagraphStyle(
        name,
        fontName=FONT_BOLD if bold else FONT,
        fontSize=size,
        leading=size * 1.3,
        alignment=align,
        firstLineIndent=indent,
        spaceAfter=after,
    )


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(text), style)


def _header(doc: AdministrativeDocument) -> list[Flowable]:
    centre = _style("hc", 11.5, align=TA_CENTER, after=0)
    centre_bold = _style("hcb", 11.5, bold=True, align=TA_CENTER, after=0)
    small = _style("hs", 11.5, align=TA_CENTER, after=0)
    left: list[Flowable] = []
    if doc.parent_body:
        left.append(_p(doc.parent_body, centre))
    left += [_p(doc.issuing_body, centre_bold), _p("―――――", small), _p(doc.number, small)]
    right: list[Flowable] = [
        _p(MOTTO, centre_bold),
        _p(MOTTO_LINE_2, centre_bold),
        _p("―――――――――――――――", small),
        _p(doc.place_date, _style("pd", 11.5, align=TA_CENTER, after=0)),
    ]
    table = Table([[left, right]], colWidths=[WIDTH * 0.42, WIDTH * 0.58])
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    out: list[Flowable] = []
    if doc.draft_mark:
        out.append(_p(doc.draft_mark, _style("draft", 11, bold=True, align=TA_RIGHT)))
    out += [table, Spacer(1, 8 * mm)]
    out.append(_p(doc.title, _style("title", 14, bold=True, align=TA_CENTER, after=2)))
    for line in doc.subtitle:
        out.append(_p(line, _style("sub", 13, bold=True, align=TA_CENTER, after=2)))
    out.append(Spacer(1, 5 * mm))
    return out


def _grid(grid: Grid) -> Table:
    cell = _style("cell", 10.5, align=TA_LEFT, after=0)
    head = _style("head", 10.5, bold=True, align=TA_CENTER, after=0)
    total = sum(grid.widths)
    widths = [WIDTH * w / total for w in grid.widths]
    rows = [[_p(c, head) for c in grid.columns]]
    rows += [[_p(c, cell) for c in row] for row in grid.rows]
    if not grid.rows:
        rows.append([_p("(không có)", cell)] + [_p("", cell) for _ in grid.columns[1:]])
    table = Table(rows, colWidths=widths, repeatRows=1, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), FONT, 10.5),
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#EEEEEE")),
                ("LEFTPADDING", (0, 0), (-1, -1), 3),
                ("RIGHTPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return table


def _blocks(blocks: tuple[Block, ...]) -> list[Flowable]:
    out: list[Flowable] = []
    for block in blocks:
        if isinstance(block, Para):
            style = _style(
                "body",
                bold=block.bold,
                align=_ALIGN[block.align],
                indent=10 * mm if block.indent and block.align == "justify" else 0,
            )
            out.append(_p(block.text, style))
        else:
            out += [_grid(block), Spacer(1, 3 * mm)]
    return out


def _signature(sig: Signature) -> list[Flowable]:
    bold = _style("sig", 12.5, bold=True, align=TA_CENTER, after=0)
    return [
        *[_p(line, bold) for line in sig.authority],
        Spacer(1, 22 * mm),
        _p(sig.name or " ", bold),
    ]


def _closing(doc: AdministrativeDocument) -> Flowable:
    if len(doc.signatures) == 2:
        cells = [_signature(doc.signatures[0]), _signature(doc.signatures[1])]
    else:
        recipients: list[Flowable] = []
        if doc.recipients:
            recipients.append(_p("Nơi nhận:", _style("rcp", 11.5, bold=True, align=TA_LEFT)))
            recipients += [
                _p(r, _style("rc", 10.5, align=TA_LEFT, after=0)) for r in doc.recipients
            ]
        sigs = _signature(doc.signatures[0]) if doc.signatures else []
        cells = [recipients, sigs]
    table = Table([cells], colWidths=[WIDTH * 0.5, WIDTH * 0.5])
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return KeepTogether([Spacer(1, 4 * mm), table])


def render_administrative_pdf(doc: AdministrativeDocument) -> bytes:
    _register_fonts()
    story: list[Flowable] = [*_header(doc), *_blocks(doc.blocks), _closing(doc)]
    for annex in doc.annexes:
        story.append(PageBreak())
        for line in annex.heading:
            story.append(_p(line, _style("ah", 12.5, bold=True, align=TA_CENTER, after=2)))
        story.append(Spacer(1, 4 * mm))
        story += _blocks(annex.blocks)
    buf = io.BytesIO()
    SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=MARGIN_LEFT,
        rightMargin=MARGIN_RIGHT,
        topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM,
        title=f"{doc.title} {' '.join(doc.subtitle)}",
        author=doc.issuing_body,
        creator="Không Giấy",
        lang="vi",
        initialFontName=FONT,
    ).build(story)
    return buf.getvalue()

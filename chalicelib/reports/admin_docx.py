"""An administrative document (reports/administrative.py) as DOCX, for the secretariat to
edit before signing: Times New Roman, A4 with the margins of Decree 30/2020/NĐ-CP, the
two-column header, the body, the recipients and the signature block.

python-docx (and lxml under it) is heavy: only the meeting-documents job imports this
module, never an API route (tests/unit/test_council_documents.py checks that importing the
app does not import docx)."""

from __future__ import annotations

import io
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

from chalicelib.reports.administrative import (
    MOTTO,
    MOTTO_LINE_2,
    AdministrativeDocument,
    Block,
    Grid,
    Para,
    Signature,
)

FONT = "Times New Roman"
BODY = Pt(13)
_ALIGN = {
    "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
    "center": WD_ALIGN_PARAGRAPH.CENTER,
    "left": WD_ALIGN_PARAGRAPH.LEFT,
}


def _line(
    container: Any,
    text: str,
    *,
    bold: bool = False,
    italic: bool = False,
    size: Pt = BODY,
    align: WD_ALIGN_PARAGRAPH = WD_ALIGN_PARAGRAPH.CENTER,
    first: bool = False,
    indent: bool = False,
) -> Paragraph:
    if first and isinstance(container, _Cell) and container.paragraphs:
        paragraph = container.paragraphs[0]
    else:
        paragraph = container.add_paragraph()
    paragraph.alignment = align
    fmt = paragraph.paragraph_format
    fmt.space_after = Pt(3)
    if indent:
        fmt.first_line_indent = Mm(10)
    run = paragraph.add_run(text)
    run.bold = bold
    run.italic = italic
    run.font.size = size
    return paragraph


def _borderless(table: Table) -> None:
    borders = table._tbl.tblPr.first_child_found_in("w:tblBorders")
    if borders is not None:
        table._tbl.tblPr.remove(borders)


def _header(document: object, doc: AdministrativeDocument) -> None:
    if doc.draft_mark:
        _line(document, doc.draft_mark, bold=True, align=WD_ALIGN_PARAGRAPH.RIGHT)
    table = document.add_table(rows=1, cols=2)  # type: ignore[attr-defined]
    _borderless(table)
    left, right = table.rows[0].cells
    left.width, right.width = Mm(65), Mm(95)
    first = True
    if doc.parent_body:
        _line(left, doc.parent_body, size=Pt(12.5), first=True)
        first = False
    _line(left, doc.issuing_body, bold=True, size=Pt(12.5), first=first)
    _line(left, "―――――", size=Pt(12))
    _line(left, doc.number, size=Pt(13))
    _line(right, MOTTO, bold=True, size=Pt(12.5), first=True)
    _line(right, MOTTO_LINE_2, bold=True, size=Pt(13.5))
    _line(right, "―――――――――――――――", size=Pt(12))
    _line(right, doc.place_date, italic=True, size=Pt(13))
    _line(document, "")
    _line(document, doc.title, bold=True, size=Pt(14))
    for line in doc.subtitle:
        _line(document, line, bold=True, size=Pt(14))
    _line(document, "")


def _grid(document: object, grid: Grid) -> None:
    table = document.add_table(rows=1, cols=len(grid.columns))  # type: ignore[attr-defined]
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    total = sum(grid.widths)
    for i, name in enumerate(grid.columns):
        cell = table.rows[0].cells[i]
        cell.width = Mm(160 * grid.widths[i] / total)
        _line(cell, name, bold=True, size=Pt(12), first=True)
    rows = grid.rows or (("(không có)", *("" for _ in grid.columns[1:])),)
    for row in rows:
        cells = table.add_row().cells
        for i, value in enumerate(row):
            cells[i].width = Mm(160 * grid.widths[i] / total)
            _line(cells[i], value, size=Pt(12), align=WD_ALIGN_PARAGRAPH.LEFT, first=True)
    _line(document, "", size=Pt(6))


def _blocks(document: object, blocks: tuple[Block, ...]) -> None:
    for block in blocks:
        if isinstance(block, Para):
            _line(
                document,
                block.text,
                bold=block.bold,
                italic=block.italic,
                align=_ALIGN[block.align],
                indent=block.indent and block.align == "justify",
            )
        else:
            _grid(document, block)


def _signature(cell: _Cell, sig: Signature) -> None:
    first = True
    for line in sig.authority:
        _line(cell, line, bold=True, first=first)
        first = False
    for _ in range(4):
        _line(cell, "")
    _line(cell, sig.name, bold=True)


def _closing(document: object, doc: AdministrativeDocument) -> None:
    table = document.add_table(rows=1, cols=2)  # type: ignore[attr-defined]
    _borderless(table)
    left, right = table.rows[0].cells
    if len(doc.signatures) == 2:
        _signature(left, doc.signatures[0])
        _signature(right, doc.signatures[1])
        return
    if doc.recipients:
        paragraph = _line(
            left,
            "Nơi nhận:",
            bold=True,
            italic=True,
            size=Pt(12),
            first=True,
            align=WD_ALIGN_PARAGRAPH.LEFT,
        )
        paragraph.paragraph_format.space_after = Pt(0)
        for r in doc.recipients:
            _line(left, r, size=Pt(11), align=WD_ALIGN_PARAGRAPH.LEFT)
    if doc.signatures:
        _signature(right, doc.signatures[0])


def render_administrative_docx(doc: AdministrativeDocument) -> bytes:
    document = Document()
    style = document.styles["Normal"]
    style.font.name = FONT
    style.font.size = BODY
    # East Asian and complex-script fallbacks too, or Word picks another font for Vietnamese.
    fonts = style.element.rPr.rFonts
    for attribute in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attribute), FONT)
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    document.core_properties.title = f"{doc.title} {' '.join(doc.subtitle)}"
    document.core_properties.author = doc.issuing_body
    _header(document, doc)
    _blocks(document, doc.blocks)
    _closing(document, doc)
    for annex in doc.annexes:
        document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        for line in annex.heading:
            _line(document, line, bold=True)
        _blocks(document, annex.blocks)
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()

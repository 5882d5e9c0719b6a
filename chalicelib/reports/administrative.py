"""A Vietnamese administrative document (Decree 30/2020/NĐ-CP, Appendix I), as data that
the PDF and DOCX renderers lay out the same way: the issuing body top left and the
national motto top right, the number and symbol (left blank for the clerk) under the
body, place and date under the motto, the bold title, the body, the recipients bottom
left and the signature block bottom right; annexes on pages of their own."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

MOTTO = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO_LINE_2 = "Độc lập - Tự do - Hạnh phúc"
# The clerk writes the number; the date is the day of the decision, its day and month
# left for the day of signing on a draft.
BLANK = "\u00a0" * 6


@dataclass(frozen=True)
class Para:
    text: str
    bold: bool = False
    italic: bool = False
    align: Literal["justify", "center", "left"] = "justify"
    indent: bool = True  # first-line indent of body paragraphs


@dataclass(frozen=True)
class Grid:
    """A table: header row, body rows (text), relative column widths."""

    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    widths: tuple[float, ...]
    bold_last_row: bool = False


Block = Para | Grid


@dataclass(frozen=True)
class Signature:
    authority: tuple[str, ...]  # "TM. HỘI ĐỒNG", "CHỦ TỊCH" (bold, upper case)
    name: str  # left blank on a draft


@dataclass(frozen=True)
class Annex:
    heading: tuple[str, ...]  # bold centred lines ("DANH SÁCH ...", "(Kèm theo ...)")
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class AdministrativeDocument:
    kind: str  # minutes | vote_results | submission | draft_decision
    filename: str  # without extension
    parent_body: str  # upper case, e.g. "UBND TỈNH KHÁNH HÒA"
    issuing_body: str  # upper case, bold, e.g. "HỘI ĐỒNG THI ĐUA - KHEN THƯỞNG"
    number: str  # "Số: ...... /BB-HĐTĐKT"
    place_date: str  # "Khánh Hòa, ngày 25 tháng 8 năm 2025"
    title: str  # "BIÊN BẢN"
    subtitle: tuple[str, ...]  # bold centred lines under the title
    blocks: tuple[Block, ...]
    recipients: tuple[str, ...] = ()  # "Nơi nhận:" lines; empty for minutes
    signatures: tuple[Signature, ...] = ()  # one: right; two: left and right
    annexes: tuple[Annex, ...] = ()
    draft_mark: str | None = None  # "DỰ THẢO" top right on a draft

    def plain_text(self) -> str:
        """Every word of the document, for tests and search (not a rendering)."""
        lines = [self.parent_body, self.issuing_body, self.number, MOTTO, MOTTO_LINE_2]
        lines += [self.place_date, self.title, *self.subtitle]
        for block in (*self.blocks, *(b for a in self.annexes for b in a.blocks)):
            if isinstance(block, Para):
                lines.append(block.text)
            else:
                lines.append(" | ".join(block.columns))
                lines += [" | ".join(r) for r in block.rows]
        for annex in self.annexes:
            lines += list(annex.heading)
        lines += list(self.recipients)
        for s in self.signatures:
            lines += [*s.authority, s.name]
        return "\n".join(lines)

"""CSV renderer: one file per table, for machines and for Excel.

Format (stable, documented for consumers):
- UTF-8 with a BOM, so Excel detects the encoding and shows Vietnamese correctly;
  "," separator, "\\r\\n" line ends, RFC 4180 quoting;
- first row: the column labels in the chosen language;
- numbers are machine-readable, never localised: "." decimal mark, no thousands separator;
  ``int`` as an integer, ``float`` and ``percent`` as the shortest round-tripping decimal;
  a ``percent`` is the ratio itself (0.9512 means 95.12 %), not a percentage;
- ``date`` as ISO 8601 (YYYY-MM-DD; datetimes YYYY-MM-DDTHH:MM:SS±HH:MM);
- ``bool`` as ``true`` / ``false``;
- None (no data) as an empty cell, never 0;
- a text cell starting with = + - @ or a tab/CR is prefixed with "'" so a spreadsheet
  does not run it as a formula (CSV injection);
- a table with no rows is just the header row.
File names: ``{table.key}.csv``.
"""

from __future__ import annotations

import csv
import io

from chalicelib.reports.manifest import CSV_CONTENT_TYPE
from chalicelib.reports.model import CellValue, ColumnKind, ReportDocument, Table, check_lang

__all__ = ["CSV_CONTENT_TYPE", "csv_value", "render_csv", "render_table_csv"]
_BOM = "\ufeff"
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def csv_value(value: CellValue, kind: ColumnKind) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        # repr is the shortest text that parses back to the same float.
        return repr(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    text = str(value)
    if kind == "text" and text.startswith(_FORMULA_PREFIXES):
        return "'" + text
    return text


def render_table_csv(table: Table, lang: str = "vi") -> bytes:
    buf = io.StringIO()
    buf.write(_BOM)
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([c.label(lang) for c in table.columns])
    for row in table.rows:
        writer.writerow([csv_value(table.cell(row, c), c.kind) for c in table.columns])
    return buf.getvalue().encode("utf-8")


def render_csv(doc: ReportDocument, lang: str = "vi") -> dict[str, bytes]:
    """One CSV per table of the document, keyed by file name ``{table.key}.csv``."""
    check_lang(lang)
    doc.validate()
    return {f"{t.key}.csv": render_table_csv(t, lang) for t in doc.tables()}

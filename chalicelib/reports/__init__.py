"""Report rendering: a document model and its XLSX, PDF and CSV renderings plus a manifest.

Pure: nothing here knows about S3, DynamoDB or the KPI service. A caller builds a
``ReportDocument`` and calls the renderers. Importing this package (or ``.model``) stays
cheap: xlsxwriter and reportlab are imported on the first ``render_xlsx`` / ``render_pdf``
call, so the webhook Lambda's cold start does not pay for them.
"""

from __future__ import annotations

from chalicelib.reports.csv_export import render_csv
from chalicelib.reports.manifest import (
    CSV_CONTENT_TYPE,
    MANIFEST_CONTENT_TYPE,
    PDF_CONTENT_TYPE,
    XLSX_CONTENT_TYPE,
    build_manifest,
)
from chalicelib.reports.model import (
    BarChart,
    Column,
    LineChart,
    ReportDocument,
    ReportModelError,
    Section,
    Table,
)

__all__ = [
    "CSV_CONTENT_TYPE",
    "MANIFEST_CONTENT_TYPE",
    "PDF_CONTENT_TYPE",
    "XLSX_CONTENT_TYPE",
    "BarChart",
    "Column",
    "LineChart",
    "ReportDocument",
    "ReportModelError",
    "Section",
    "Table",
    "build_manifest",
    "render_all",
    "render_csv",
    "render_pdf",
    "render_xlsx",
]


def render_xlsx(doc: ReportDocument, lang: str = "vi") -> bytes:
    """The report as an XLSX workbook (cover sheet, one sheet per table and per chart)."""
    from chalicelib.reports.xlsx_renderer import render_xlsx as impl

    return impl(doc, lang)


def render_pdf(doc: ReportDocument, lang: str = "vi") -> bytes:
    """The report as an A4 PDF with an embedded Vietnamese-capable font."""
    from chalicelib.reports.pdf_renderer import render_pdf as impl

    return impl(doc, lang)


def render_all(
    doc: ReportDocument, lang: str = "vi", basename: str = "report"
) -> dict[str, tuple[bytes, str]]:
    """Every format, as ``build_manifest`` takes them: name -> (body, content type).

    Names: ``{basename}.xlsx``, ``{basename}.pdf`` and ``csv/{table.key}.csv``.
    """
    files: dict[str, tuple[bytes, str]] = {
        f"{basename}.xlsx": (render_xlsx(doc, lang), XLSX_CONTENT_TYPE),
        f"{basename}.pdf": (render_pdf(doc, lang), PDF_CONTENT_TYPE),
    }
    for name, body in render_csv(doc, lang).items():
        files[f"csv/{name}"] = (body, CSV_CONTENT_TYPE)
    return files

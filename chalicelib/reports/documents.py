"""The awards council's documents, rendered: every document of a frozen tally as PDF and
DOCX. ReportLab and python-docx are imported on the first call only (the DOCX library is
never on an API route's import path: the meeting-documents job calls this)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from chalicelib.reports.administrative import AdministrativeDocument
from chalicelib.reports.council_documents import all_documents
from chalicelib.reports.manifest import PDF_CONTENT_TYPE

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def render_administrative_pdf(doc: AdministrativeDocument) -> bytes:
    from chalicelib.reports.admin_pdf import render_administrative_pdf as impl

    return impl(doc)


def render_administrative_docx(doc: AdministrativeDocument) -> bytes:
    from chalicelib.reports.admin_docx import render_administrative_docx as impl

    return impl(doc)


def render_meeting_documents(tally: Mapping[str, Any]) -> list[dict[str, Any]]:
    """[{kind, format, name, body, content_type}] for the four documents, PDF then DOCX."""
    files = []
    for doc in all_documents(tally):
        for fmt, render, content_type in (
            ("pdf", render_administrative_pdf, PDF_CONTENT_TYPE),
            ("docx", render_administrative_docx, DOCX_CONTENT_TYPE),
        ):
            files.append(
                {
                    "kind": doc.kind,
                    "format": fmt,
                    "name": f"{doc.filename}.{fmt}",
                    "body": render(doc),
                    "content_type": content_type,
                }
            )
    return files

"""The JSON manifest that describes a rendered report and its files (stdlib only)."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from chalicelib.reports.model import ReportDocument

MANIFEST_SCHEMA_VERSION = 1
MANIFEST_CONTENT_TYPE = "application/json"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF_CONTENT_TYPE = "application/pdf"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"


def build_manifest(doc: ReportDocument, files: Mapping[str, tuple[bytes, str]]) -> dict[str, Any]:
    """A JSON-ready description of ``doc`` and of ``files`` (name -> (body, content type)).

    Sizes and SHA-256 digests let a consumer verify what it downloaded from storage; the
    files are listed by name so the manifest itself is deterministic.
    """
    entries = [
        {
            "name": name,
            "content_type": content_type,
            "size": len(body),
            "sha256": hashlib.sha256(body).hexdigest(),
        }
        for name, (body, content_type) in sorted(files.items())
    ]
    return {
        "schema_version": MANIFEST_SCHEMA_VERSION,
        "report_id": doc.report_id,
        "campaign_id": doc.campaign_id,
        "campaign_name": doc.campaign_name,
        "title": doc.title_vi,
        "scope": doc.scope,
        "scope_name": doc.scope_name,
        "period": {"from": doc.period_from.isoformat(), "to": doc.period_to.isoformat()},
        "as_of": doc.as_of.isoformat(),
        "generated_at": doc.generated_at.isoformat(),
        "files": entries,
    }

"""Manifest and render_all."""

from __future__ import annotations

import hashlib
import json

from chalicelib.reports import (
    CSV_CONTENT_TYPE,
    PDF_CONTENT_TYPE,
    XLSX_CONTENT_TYPE,
    build_manifest,
    render_all,
)
from tests.unit.report_samples import sample_document


def test_manifest_describes_every_file():
    doc = sample_document(n_units=10, n_officials=20, days=5)
    files = render_all(doc)
    assert files["report.xlsx"][1] == XLSX_CONTENT_TYPE
    assert files["report.pdf"][1] == PDF_CONTENT_TYPE
    assert files["csv/ranking.csv"][1] == CSV_CONTENT_TYPE
    manifest = build_manifest(doc, files)
    json.dumps(manifest)  # JSON-ready
    assert manifest["report_id"] == doc.report_id
    assert manifest["scope"] == "province"
    assert manifest["period"] == {"from": "2025-07-15", "to": "2025-08-14"}
    assert manifest["as_of"] == "2025-08-15T17:00:00+00:00"
    assert manifest["generated_at"] == doc.generated_at.isoformat()
    names = [f["name"] for f in manifest["files"]]
    assert names == sorted(files)
    for entry in manifest["files"]:
        body, content_type = files[entry["name"]]
        assert entry["size"] == len(body)
        assert entry["sha256"] == hashlib.sha256(body).hexdigest()
        assert entry["content_type"] == content_type


def test_manifest_of_no_files():
    manifest = build_manifest(sample_document(2, 2, 2), {})
    assert manifest["files"] == []

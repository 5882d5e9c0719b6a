"""The nominations demo over real HTTP: chalice local, moto server, presigned POSTs."""

from __future__ import annotations

import pytest
import requests

from scripts.demo.nominations import minimal_pdf, print_rows, run_nominations_demo
from tests.factories import CAMPAIGN, OFFICIALS, UNITS

pytestmark = pytest.mark.e2e


def test_nominations_demo(stack, make_token, capsys):
    admin = make_token("province_admin")
    headers = {"Authorization": f"Bearer {admin}"}
    r = requests.post(
        f"{stack.api_url}/admin/units",
        json={"units": UNITS, "officials": OFFICIALS},
        headers=headers,
        timeout=30,
    )
    assert r.status_code == 200, r.text
    campaign = {**CAMPAIGN, "campaign_id": "demo-nominations"}
    r = requests.post(
        f"{stack.api_url}/admin/campaigns", json=campaign, headers=headers, timeout=30
    )
    assert r.status_code == 201, r.text
    log: list[str] = []
    rows = run_nominations_demo(
        stack.api_url,
        admin,
        "demo-nominations",
        token_for=make_token,
        collectives=2,
        individuals=2,
        approve=1,
        log=log.append,
    )
    assert len(rows) == 4
    assert sorted((r["kind"], r["status"]) for r in rows) == [
        ("collective", "approved"),
        ("collective", "submitted"),
        ("individual", "approved"),
        ("individual", "submitted"),
    ]
    assert all(r["verified_files"] == 2 for r in rows)
    assert all(r["rank"] is not None and r["processed_total"] is not None for r in rows)
    assert any("dời hạn" in line for line in log)  # the 2025 deadline is past: moved
    print_rows(rows)
    assert "HỒ SƠ ĐỀ NGHỊ KHEN THƯỞNG" in capsys.readouterr().out
    # The verified files are real PDFs, downloadable through short-lived links.
    files = requests.get(
        f"{stack.api_url}/nominations/{rows[0]['nomination_id']}/files", headers=headers, timeout=30
    ).json()["items"]
    data = requests.get(files[0]["download_url"], timeout=30).content
    assert data.startswith(b"%PDF-1.4") and data.rstrip().endswith(b"%%EOF")
    assert len(minimal_pdf(["x"])) < 1000


def test_minimal_pdf_is_a_valid_pdf():
    import io

    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(minimal_pdf(["Tờ trình đề nghị khen thưởng", "(Sở Nội vụ)"])))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    assert "To trinh de nghi khen thuong" in text and "(So Noi vu)" in text

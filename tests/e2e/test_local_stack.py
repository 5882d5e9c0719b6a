"""Round trips over real HTTP against moto server + chalice local."""

from __future__ import annotations

import pytest
import requests

from tests.factories import CAMPAIGN, DEPARTMENT, OFFICIALS, UNITS

pytestmark = pytest.mark.e2e


def _auth(make_token, role="province_admin", unit=None):
    return {"Authorization": f"Bearer {make_token(role, unit)}"}


def test_registry_round_trip(stack, make_token):
    url = stack.api_url
    r = requests.post(
        f"{url}/admin/units",
        json={"units": UNITS, "officials": OFFICIALS},
        headers=_auth(make_token),
        timeout=30,
    )
    assert r.status_code == 200, r.text
    r = requests.post(
        f"{url}/admin/campaigns", json=CAMPAIGN, headers=_auth(make_token), timeout=30
    )
    assert r.status_code == 201, r.text
    r = requests.get(f"{url}/units/{DEPARTMENT}", headers=_auth(make_token), timeout=30)
    assert r.json()["name"] == "Sở Nội vụ"
    r = requests.get(
        f"{url}/units/{DEPARTMENT}",
        headers=_auth(make_token, "unit_officer", "000.00.71.H34"),
        timeout=30,
    )
    assert r.status_code == 403
    assert r.json()["error"]["code"] == "forbidden"


def test_gateway_errors_have_the_service_shape(stack, make_token):
    r = requests.get(f"{stack.api_url}/units", timeout=30)
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "unauthorized"
    r = requests.get(f"{stack.api_url}/no/such/route", headers=_auth(make_token), timeout=30)
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "not_found"


def test_demo_report_downloads_every_file_from_the_moto_server(stack, make_token, tmp_path):
    import io
    import json

    from pypdf import PdfReader

    from scripts.demo.reports import generate_campaign_report

    url = stack.api_url
    r = requests.post(
        f"{url}/admin/units",
        json={"units": UNITS, "officials": OFFICIALS},
        headers=_auth(make_token),
        timeout=30,
    )
    assert r.status_code == 200, r.text
    r = requests.post(
        f"{url}/admin/campaigns", json=CAMPAIGN, headers=_auth(make_token), timeout=30
    )
    assert r.status_code in (201, 409), r.text
    paths = generate_campaign_report(url, make_token(), CAMPAIGN["campaign_id"], tmp_path)
    names = {p.name for p in paths}
    stem = f"{CAMPAIGN['campaign_id']}_campaign_province_v1"
    assert {f"{stem}.pdf", f"{stem}.xlsx", f"{stem}_manifest.json"} <= names
    assert f"{stem}_ranking_commune.csv" in names
    assert all(p.is_file() and p.parent == tmp_path for p in paths)
    pdf = (tmp_path / f"{stem}.pdf").read_bytes()
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "UBND đặc khu Trường Sa" in " ".join(text.split())
    assert (tmp_path / f"{stem}.xlsx").read_bytes().startswith(b"PK")
    assert (tmp_path / f"{stem}_ranking_commune.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    manifest = json.loads((tmp_path / f"{stem}_manifest.json").read_text(encoding="utf-8"))
    assert manifest["report_id"] == f"{CAMPAIGN['campaign_id']}~campaign~province~v1"
    assert len(manifest["files"]) == len(paths) - 1  # every file but the manifest itself

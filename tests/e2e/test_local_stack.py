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

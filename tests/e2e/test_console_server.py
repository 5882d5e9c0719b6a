"""The local console server: web/ with the CSP, config.json, the dev sign-in endpoints."""

from __future__ import annotations

import http.client
import urllib.parse

import pytest
import requests

from chalicelib.domain.vocabulary import IDENTIFIER_PATTERN, RANKED_LEVELS
from infra.console_config import console_config
from tests.factories import OFFICIALS, UNITS

pytestmark = pytest.mark.e2e


def test_serves_the_console_with_the_strict_policy(stack):
    r = requests.get(f"{stack.console_url}/", timeout=30)
    assert r.status_code == 200
    assert '<script type="module" src="js/main.js">' in r.text
    csp = r.headers["Content-Security-Policy"]
    assert "script-src 'self';" in csp and "unsafe" not in csp
    assert stack.api_url in csp and stack.moto_url in csp  # connect-src: API and bucket
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    js = requests.get(f"{stack.console_url}/js/main.js", timeout=30)
    assert js.headers["Content-Type"].startswith("text/javascript")


def test_never_serves_outside_web(stack):
    host = urllib.parse.urlsplit(stack.console_url).netloc
    for path in ("/../README.md", "/%2e%2e/README.md", "/js/../../scripts/devkeys.py"):
        connection = http.client.HTTPConnection(host, timeout=30)
        connection.request("GET", path)  # sent as is: requests would normalise the dots
        response = connection.getresponse()
        assert response.status == 404, path
        connection.close()


def test_config_json_is_the_documented_shape(stack):
    config = requests.get(f"{stack.console_url}/config.json", timeout=30).json()
    assert config == {
        "api_url": stack.api_url,
        "stage": "local",
        "auth": {"type": "dev", "sign_in_url": "/dev/sign-in"},
        # What the local API runs with (.chalice/config.json) and its vocabulary.
        "time_zone": "Asia/Ho_Chi_Minh",
        "identifier_pattern": IDENTIFIER_PATTERN,
        "province_levels": ["province", "department"],
        "ranked_levels": list(RANKED_LEVELS),
        # The vocabulary's criteria (tests/unit/test_console_config.py pins their entries).
        "criteria": console_config(api_url="", stage="", auth={}, app_environment={})["criteria"],
        "default_award_quotas": {"collective": 10, "individual": 10},
    }


def test_dev_token_is_a_token_the_api_accepts(stack, make_token):
    url = f"{stack.console_url}/dev/token"
    bad = requests.post(url, json={"role": "root"}, timeout=30)
    assert bad.status_code == 400 and "role must be one of" in bad.json()["error"]["message"]
    no_unit = requests.post(url, json={"role": "unit_officer"}, timeout=30)
    assert no_unit.status_code == 400
    not_json = requests.post(url, data="role=viewer", timeout=30)
    assert not_json.status_code == 415
    requests.post(
        f"{stack.api_url}/admin/units",
        json={"units": UNITS, "officials": OFFICIALS},
        headers={"Authorization": f"Bearer {make_token('province_admin')}"},
        timeout=30,
    ).raise_for_status()
    token = requests.post(
        url, json={"role": "unit_officer", "unit_id": "000.00.71.H34"}, timeout=30
    )
    assert token.status_code == 200
    me = requests.get(
        f"{stack.api_url}/units/000.00.71.H34",
        headers={"Authorization": f"Bearer {token.json()['id_token']}"},
        timeout=30,
    )
    assert me.status_code == 200 and me.json()["name"] == "UBND phường Nha Trang"
    units = requests.get(f"{stack.console_url}/dev/units", timeout=30).json()["items"]
    assert "000.00.71.H34" in {u["unit_id"] for u in units}

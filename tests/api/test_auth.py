"""The auth matrix: each 401 case, each role against each route, and object-level
checks of a unit officer against another unit's ids."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import pytest

from scripts.devkeys import mint_token
from tests.conftest import body
from tests.factories import COMMUNE, DEPARTMENT, DIVISION, OTHER_DEPARTMENT, load_registry


def _concrete(path: str) -> str:
    return re.sub(r"{[^}]+}", "x", path)


def test_every_authenticated_route_requires_a_token(api):
    import app  # noqa: F401
    from chalicelib.api.routing import ROUTES

    checked = 0
    for route in ROUTES:
        if not route.auth or route.public:
            continue
        r = api.request(route.method, _concrete(route.path), token=None)
        assert r.status_code == 401, (route.method, route.path, r.body)
        assert body(r)["error"]["code"] == "unauthorized"
        checked += 1
    assert checked >= 8


@pytest.mark.parametrize(
    "case",
    [
        "malformed",
        "expired",
        "wrong_issuer",
        "wrong_audience",
        "wrong_key",
        "no_role",
        "bad_scheme",
        "officer_without_unit",
    ],
)
def test_invalid_tokens_get_401(api, make_token, case):
    if case == "malformed":
        header = "Bearer not.a.jwt"
    elif case == "expired":
        header = "Bearer " + make_token("viewer", ttl_seconds=-120)
    elif case == "wrong_issuer":
        header = "Bearer " + make_token("viewer", issuer="https://evil.example")
    elif case == "wrong_audience":
        header = "Bearer " + make_token("viewer", audience="someone-else")
    elif case == "wrong_key":
        other = Path(tempfile.mkdtemp())
        header = "Bearer " + mint_token(
            "viewer", directory=other, issuer="https://auth.test", audience="khong-giay-test"
        )
    elif case == "no_role":
        header = "Bearer " + make_token("viewer", extra={"role": "superuser"})
    elif case == "bad_scheme":
        header = "Basic " + make_token("viewer")
    else:
        header = "Bearer " + make_token("unit_officer")
    r = api.get("/units", token=None, headers={"Authorization": header})
    assert r.status_code == 401, case
    assert body(r)["error"]["code"] == "unauthorized"


def test_cognito_custom_claims_are_understood(api, make_token):
    load_registry(api)
    token = make_token(
        "viewer", extra={"role": None, "custom:role": "unit_officer", "custom:unit_id": DEPARTMENT}
    )
    r = api.get(f"/units/{DEPARTMENT}", token=token)
    assert r.status_code == 200, r.body
    assert api.get(f"/units/{COMMUNE}", token=token).status_code == 403


ADMIN_ONLY = [
    ("POST", "/admin/units", {"units": []}),
    (
        "POST",
        "/admin/campaigns",
        {"campaign_id": "c", "name": "c", "start_date": "2025-01-01", "end_date": "2025-01-02"},
    ),
    ("POST", "/admin/jobs/aggregate_kpi", None),
]


@pytest.mark.parametrize("role", ["reviewer", "unit_officer", "viewer", "council_member"])
@pytest.mark.parametrize(("method", "path", "payload"), ADMIN_ONLY)
def test_admin_routes_refuse_other_roles(api, make_token, role, method, path, payload):
    load_registry(api)
    token = make_token(role, DEPARTMENT if role == "unit_officer" else None)
    r = api.request(method, path, payload, token=token)
    assert r.status_code == 403, r.body
    assert body(r)["error"]["code"] == "forbidden"


@pytest.mark.parametrize("role", ["province_admin", "reviewer", "viewer"])
def test_province_roles_read_every_unit(api, make_token, role):
    load_registry(api)
    token = make_token(role)
    for unit in (DEPARTMENT, DIVISION, COMMUNE):
        assert api.get(f"/units/{unit}", token=token).status_code == 200
        assert api.get(f"/units/{unit}/officials", token=token).status_code == 200
    assert api.get("/campaigns", token=token).status_code == 200
    assert api.get("/openapi.json", token=token).status_code == 200


def test_council_member_sees_no_unit_by_the_role_alone(api, make_token):
    """A council member acts only where a council lists their sub; the role opens no unit."""
    load_registry(api)
    token = make_token("council_member", sub="member-1")
    for unit in (DEPARTMENT, COMMUNE):
        assert api.get(f"/units/{unit}", token=token).status_code == 403
    assert body(api.get("/units", token=token))["items"] == []
    assert api.get("/campaigns", token=token).status_code == 200


def test_unit_officer_sees_own_subtree_only(api, make_token):
    load_registry(api)
    token = make_token("unit_officer", DEPARTMENT)
    assert api.get(f"/units/{DEPARTMENT}", token=token).status_code == 200
    assert api.get(f"/units/{DIVISION}", token=token).status_code == 200
    assert api.get(f"/units/{DIVISION}/officials", token=token).status_code == 200
    for other in (OTHER_DEPARTMENT, COMMUNE, "000.00.00.H34"):
        r = api.get(f"/units/{other}", token=token)
        assert r.status_code == 403, other
        assert api.get(f"/units/{other}/officials", token=token).status_code == 403
    listed = {u["unit_id"] for u in body(api.get("/units", token=token))["items"]}
    assert listed == {DEPARTMENT, DIVISION}
    # A division officer does not see its parent department.
    division_token = make_token("unit_officer", DIVISION)
    assert api.get(f"/units/{DEPARTMENT}", token=division_token).status_code == 403

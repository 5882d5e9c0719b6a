"""Clear 4xx everywhere (issue 13, item 5): every route that takes JSON refuses deep
nesting and huge numbers with a 400, every paged route refuses forged, foreign and expired
page tokens with a 400. The routes come from the route table, so new ones are covered."""

from __future__ import annotations

import base64
import datetime as dt
import json
import re

import pytest

from chalicelib import clock
from tests.conftest import body
from tests.factories import PROVINCE, load_registry
from tests.webhooks import sign

DEEP = b"[" * 100_000 + b"]" * 100_000
DEEP_OBJECT = b'{"a":' * 100_000 + b"1" + b"}" * 100_000
HUGE = [
    b'{"events": [], "n": 1' + b"0" * 5000 + b"}",
    b'{"n": 1e999}',
    b'{"n": -1e400}',
    b'{"n": NaN}',
    b'{"n": Infinity}',
    b'{"n": 12345678901234567890}',
]


def _routes(predicate) -> list[tuple[str, str]]:
    import app  # noqa: F401 - registers every route
    from chalicelib.api.routing import ROUTES

    return sorted({(r.method, re.sub(r"\{[^}]+\}", "x", r.path)) for r in ROUTES if predicate(r)})


def _admitted(method: str, path: str) -> str:
    """A role the route admits (routing.route refuses the others before reading a body)."""
    from chalicelib.api.routing import ROUTES

    return next(
        r.roles[0]
        for r in ROUTES
        if (r.method, re.sub(r"\{[^}]+\}", "x", r.path)) == (method, path)
    )


JSON_ROUTES = _routes(
    lambda r: r.auth and r.request is not None and "application/json" in r.content_types
)
PAGED_ROUTES = _routes(lambda r: any(q.name == "next_token" for q in r.query))


def test_the_route_table_has_what_the_issue_names():
    paths = {p for _, p in JSON_ROUTES}
    for expected in ("/admin/sources", "/admin/units", "/admin/campaigns", "/admin/reports"):
        assert expected in paths
    assert any(p.startswith("/campaigns/x/nominations") for p in paths)
    assert len(PAGED_ROUTES) >= 5


@pytest.mark.parametrize(("method", "path"), JSON_ROUTES)
def test_deep_nesting_and_huge_numbers_are_400_on_every_json_route(api, method, path):
    token = api.make_token(_admitted(method, path), sub="clear-4xx")
    for data in (DEEP, DEEP_OBJECT, *HUGE):
        r = api.request(method, path, raw=data, token=token)
        assert r.status_code == 400, (method, path, data[:30], r.body[:300])
        error = body(r)["error"]
        assert error["code"] == "bad_request"
        assert "JSON" in error["message"]


def test_deep_nesting_and_huge_numbers_are_400_on_the_webhook(api):
    load_registry(api)
    created = api.post("/admin/sources", {"source_id": "s", "name": "n", "units": [PROVINCE]})
    secret = body(created)["secret"]
    for data in (DEEP, DEEP_OBJECT, *HUGE):
        r = api.request("POST", "/webhooks/s", token=None, headers=sign(secret, data), raw=data)
        assert r.status_code == 400, (data[:30], r.body[:300])
        assert "JSON" in body(r)["error"]["message"]


def _token(payload) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")


FORGED = [
    _token({"x": "y"}),
    _token([]),
    _token("x"),
    _token({"v": 1, "exp": 9_999_999_999, "s": "", "key": {"x": "y"}}),
    _token({"v": 1, "exp": 9_999_999_999, "s": "", "key": {"after": {"S": "a"}}}),
    _token({"v": 1, "exp": 9_999_999_999, "s": "", "key": {"after": ""}}),
    _token({"v": 1, "exp": 9_999_999_999, "s": "", "key": {"after": "a" * 2000}}),
    _token({"v": 2, "exp": 9_999_999_999, "s": "", "key": {"after": "a"}}),
    "%%%",
    "e30",
    "a" * 5000,
    base64.urlsafe_b64encode(DEEP[:20_000]).decode(),
]


@pytest.mark.parametrize(("method", "path"), PAGED_ROUTES)
def test_forged_and_expired_page_tokens_are_400_on_every_paged_route(api, method, path):
    from chalicelib.api.http import encode_token

    load_registry(api)
    expired_at = clock.now() - dt.timedelta(days=2)
    fields = {"after": "a", "official_id": "a", "seq": "a", "report_id": "a", "listing_key": "a"}
    expired = [
        encode_token({k: v}, scope, now=expired_at)
        for k, v in fields.items()
        for scope in ("", "x")
    ]
    expired.append(encode_token({"nomination_id": "a", "created_key": "a"}, "x", now=expired_at))
    expired.append(encode_token({"report_id": "a", "listing_key": "a"}, "", now=expired_at))
    for token in FORGED + expired:
        r = api.request(method, f"{path}?next_token={token}")
        assert r.status_code == 400, (path, token[:60], r.body[:300])
        assert "next_token" in body(r)["error"]["message"]


def test_a_token_of_another_listing_is_400_and_a_fresh_one_pages(api):
    load_registry(api)
    first = body(api.get("/units/000.00.31.H34/officials?limit=1"))["next_token"]
    r = api.get(f"/units/000.00.71.H34/officials?next_token={first}")
    assert r.status_code == 400 and "another listing" in body(r)["error"]["message"]
    page = body(api.get(f"/units/000.00.31.H34/officials?limit=1&next_token={first}"))
    assert [o["official_id"] for o in page["items"]] == ["cb-002"]

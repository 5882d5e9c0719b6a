"""CORS for browser frontends: configured origins only, on every route, on preflights
(no token needed) and on every error, the gateway's own included."""

from __future__ import annotations

import re

import pytest

from tests.conftest import body
from tests.factories import DEPARTMENT, OTHER_DEPARTMENT, load_registry

# The test settings leave CORS_ALLOWED_ORIGINS unset: the local console's two origins.
CONSOLE = "http://127.0.0.1:8080"
CONSOLE_LOCALHOST = "http://localhost:8080"
OTHER = "https://evil.example"


def _concrete(path: str) -> str:
    return re.sub(r"{[^}]+}", "x", path)


def _cors(response) -> dict[str, str]:
    return {k.lower(): v for k, v in response.headers.items() if k.lower().startswith("access-")}


def _vary(response) -> list[str]:
    value = next((v for k, v in response.headers.items() if k.lower() == "vary"), "")
    return [v.strip().lower() for v in value.split(",")]


def _assert_allowed(response, origin: str) -> None:
    cors = _cors(response)
    assert cors["access-control-allow-origin"] == origin, response.headers
    exposed = {h.strip().lower() for h in cors["access-control-expose-headers"].split(",")}
    assert {"x-request-id", "retry-after"} <= exposed
    assert "origin" in _vary(response)


def _preflight(api, path: str, method: str, origin: str = CONSOLE):
    return api.client.http.request(
        "OPTIONS",
        path,
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": method,
            "Access-Control-Request-Headers": "authorization,content-type",
        },
    )


@pytest.mark.parametrize("origin", [CONSOLE, CONSOLE_LOCALHOST])
def test_an_allowed_origin_is_echoed_on_a_normal_response(api, origin):
    r = api.get("/units", headers={"Origin": origin})
    assert r.status_code == 200
    _assert_allowed(r, origin)


def test_an_origin_not_allowed_gets_no_cors_headers(api):
    for path, token in (("/units", "admin"), ("/units", None), ("/nope", None)):
        r = api.get(path, token=token, headers={"Origin": OTHER})
        assert _cors(r) == {}, (path, r.headers)
        assert "origin" in _vary(r)
    r = _preflight(api, "/units", "GET", origin=OTHER)
    assert r.status_code == 204
    assert _cors(r) == {}
    # Prefix and scheme tricks are not the console's origin either.
    for trick in (CONSOLE + ".evil.example", "https://127.0.0.1:8080", "http://127.0.0.1:80800"):
        assert _cors(api.get("/units", headers={"Origin": trick})) == {}, trick


def test_a_request_without_origin_gets_no_cors_headers(api):
    r = api.get("/units")
    assert r.status_code == 200
    assert _cors(r) == {}


@pytest.mark.parametrize(
    ("path", "method", "methods"),
    [
        ("/units/{unit_id}", "GET", {"GET"}),
        ("/admin/units", "POST", {"POST"}),
        ("/webhooks/{source_id}", "POST", {"POST"}),
        ("/nominations/{nomination_id}", "PATCH", {"GET", "PATCH"}),
        ("/health", "GET", {"GET"}),
        ("/openapi.json", "GET", {"GET"}),
    ],
)
def test_preflight_needs_no_token_and_lists_the_routes_methods(api, path, method, methods):
    r = _preflight(api, _concrete(path), method)
    assert r.status_code == 204, r.body
    _assert_allowed(r, CONSOLE)
    cors = _cors(r)
    allowed = {m.strip() for m in cors["access-control-allow-methods"].split(",")}
    assert allowed == {*methods, "OPTIONS"}
    headers = {h.strip().lower() for h in cors["access-control-allow-headers"].split(",")}
    assert {"authorization", "content-type"} <= headers
    assert int(cors["access-control-max-age"]) > 0


def test_every_path_answers_a_preflight(api):
    from app import app

    for path in app.routes:
        r = _preflight(api, _concrete(path), "GET")
        assert r.status_code == 204, (path, r.status_code, r.body)
        assert _cors(r)["access-control-allow-origin"] == CONSOLE, path


def test_errors_carry_cors_headers(api, make_token, monkeypatch):
    load_registry(api)
    origin = {"Origin": CONSOLE}
    # 401 from the gateway (no token, bad token) and 404 for an unknown route.
    _assert_allowed(api.get("/units", token=None, headers=origin), CONSOLE)
    bad = api.get("/units", token="not.a.jwt", headers=origin)
    assert bad.status_code == 401
    _assert_allowed(bad, CONSOLE)
    unknown = api.get("/no/such/route", headers=origin)
    assert unknown.status_code == 404
    _assert_allowed(unknown, CONSOLE)
    # 403 and 404 from the service.
    officer = make_token("unit_officer", DEPARTMENT)
    forbidden = api.get(f"/units/{OTHER_DEPARTMENT}", token=officer, headers=origin)
    assert forbidden.status_code == 403
    _assert_allowed(forbidden, CONSOLE)
    missing = api.get("/units/000.99.99.H34", headers=origin)
    assert missing.status_code == 404
    _assert_allowed(missing, CONSOLE)
    # 415 (Chalice, before the handler) and 400 (validation).
    wrong_type = api.get("/units", headers={**origin, "Content-Type": "text/plain"})
    assert wrong_type.status_code == 415
    _assert_allowed(wrong_type, CONSOLE)
    invalid = api.post("/admin/units", {"units": "no"}, headers=origin)
    assert invalid.status_code == 400
    _assert_allowed(invalid, CONSOLE)

    # 500: an unexpected failure inside a service.
    from chalicelib.services import registry

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(registry, "list_units", broken)
    crashed = api.get("/units", headers=origin)
    assert crashed.status_code == 500
    assert body(crashed)["error"]["code"] == "internal_error"
    _assert_allowed(crashed, CONSOLE)


def test_retry_after_is_sent_and_exposed_on_a_503(api, monkeypatch):
    from chalicelib.errors import unavailable
    from chalicelib.services import registry

    def busy(*args, **kwargs):
        raise unavailable("Storage is unavailable; retry later", retry_after_seconds=7)

    monkeypatch.setattr(registry, "list_units", busy)
    r = api.get("/units", headers={"Origin": CONSOLE})
    assert r.status_code == 503
    assert r.headers["Retry-After"] == "7"
    _assert_allowed(r, CONSOLE)


def test_health_and_openapi_need_no_token(api):
    health = api.get("/health", token=None)
    assert health.status_code == 200
    assert body(health)["status"] == "ok"
    document = api.get("/openapi.json", token=None)
    assert document.status_code == 200
    assert body(document)["openapi"] == "3.1.0"


def test_allowed_origins_setting(monkeypatch):
    from chalicelib.settings import get_settings

    def read(**env: str):
        for name in ("CORS_ALLOWED_ORIGINS", "CONSOLE_PORT"):
            monkeypatch.delenv(name, raising=False)
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        get_settings.cache_clear()
        try:
            return get_settings().cors_allowed_origins
        finally:
            get_settings.cache_clear()

    assert read() == (CONSOLE, CONSOLE_LOCALHOST)
    assert read(CONSOLE_PORT="9090") == ("http://127.0.0.1:9090", "http://localhost:9090")
    assert read(CORS_ALLOWED_ORIGINS=" https://Console.Example/ , https://b.example:8443") == (
        "https://console.example",
        "https://b.example:8443",
    )
    assert read(CORS_ALLOWED_ORIGINS="") == ()
    for invalid in ("*", "console.example", "https://console.example/app"):
        with pytest.raises(ValueError, match="CORS_ALLOWED_ORIGINS"):
            read(CORS_ALLOWED_ORIGINS=invalid)

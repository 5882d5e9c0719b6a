"""The test client checks every 2xx body against its route's declared response model
(tests/conftest.py check_declared_response): the check itself must be able to fail."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest

from tests.conftest import check_declared_response, declared_route


@dataclass
class Answer:
    status_code: int
    body: bytes
    headers: dict[str, str] | None = None


def test_the_route_is_found_as_chalice_matches_it():
    import app  # noqa: F401

    assert declared_route("GET", "/units/u1/kpi?from=2025-01-01").path == "/units/{unit_id}/kpi"
    assert declared_route("GET", "/admin/sources").path == "/admin/sources"
    assert declared_route("POST", "/admin/sources/s1/rotate").path == (
        "/admin/sources/{source_id}/rotate"
    )
    assert declared_route("PUT", "/units") is None


def test_a_body_that_breaks_the_model_fails_the_test():
    import app  # noqa: F401

    good = {"status": "ok", "stage": "test"}
    check_declared_response("GET", "/health", Answer(200, json.dumps(good).encode()))
    with pytest.raises(AssertionError, match="HealthResponse"):
        check_declared_response("GET", "/health", Answer(200, b'{"stage": 3}'))
    # Errors are not success bodies: their shape is checked elsewhere.
    check_declared_response("GET", "/health", Answer(503, b'{"error": {}}'))


def test_a_json_answer_without_a_declared_model_fails_the_test():
    import app  # noqa: F401

    json_type = {"Content-Type": "application/json"}
    with pytest.raises(AssertionError, match="declares no response model"):
        check_declared_response("GET", "/public/unsubscribe", Answer(200, b"{}", json_type))
    html = {"Content-Type": "text/html; charset=utf-8"}
    check_declared_response("GET", "/public/unsubscribe", Answer(200, b"<p>ok</p>", html))


def test_every_chalice_test_client_checks_the_body(aws):
    """Not only the `api` fixture: a Client a test builds itself is checked too."""
    from chalice.test import Client, TestHTTPClient

    from app import app

    assert getattr(TestHTTPClient.request, "checks_declared_response", False)
    with Client(app) as client:
        assert client.http.request.__func__ is TestHTTPClient.request
        response = client.http.get("/health")
    assert response.status_code == 200

"""Every response carries X-Request-Id; every error body carries the same id as
`error.request_id` (API Gateway's requestContext.requestId in AWS)."""

from __future__ import annotations

import io
import json
import logging
from typing import Any

import pytest

from tests.conftest import body


def _request_id(response: Any) -> str:
    request_id = response.headers.get("X-Request-Id") or response.headers.get("x-request-id")
    assert request_id, response.headers
    return str(request_id)


def test_success_has_a_request_id(api: Any) -> None:
    first, second = api.get("/units"), api.get("/units")
    assert first.status_code == 200
    assert _request_id(first) != _request_id(second)
    assert "error" not in body(first)


@pytest.mark.parametrize(
    ("path", "token", "status"),
    [
        ("/units/no-such-unit", "admin", 404),  # the service's own error
        ("/units", None, 401),  # API Gateway: no token
        ("/units", "not-a-jwt", 401),  # the authorizer refused the token
        ("/no/such/route", "admin", 404),  # API Gateway: unknown route
    ],
)
def test_every_error_body_carries_the_request_id(
    api: Any, path: str, token: str | None, status: int
) -> None:
    response = api.get(path, token=token)
    assert response.status_code == status, response.body
    error = body(response)["error"]
    assert set(error) == {"code", "message", "details", "request_id"}
    assert error["request_id"] == _request_id(response)


def test_chalice_errors_and_validation_errors_carry_it(api: Any) -> None:
    response = api.post("/admin/units", raw=b"{not json")
    assert response.status_code == 400
    assert body(response)["error"]["request_id"] == _request_id(response)


def test_an_unhandled_error_is_a_500_with_the_request_id(
    api: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from chalicelib.services import registry

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr(registry, "list_units", broken)
    response = api.get("/units")
    assert response.status_code == 500
    error = body(response)["error"]
    assert error["code"] == "internal_error" and "boom" not in json.dumps(error)
    assert error["request_id"] == _request_id(response)


def test_the_request_id_is_the_logs_correlation_id(api: Any) -> None:
    from chalicelib.observability import logger

    stream = io.StringIO()
    handler = logger.registered_handler
    previous = handler.setStream(stream)
    logger.setLevel(logging.INFO)
    try:
        response = api.get("/units")
    finally:
        logger.setLevel(logging.WARNING)
        handler.setStream(previous)
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    done = [line for line in lines if line.get("message") == "request done"]
    assert done and done[-1]["correlation_id"] == _request_id(response)

"""Cross-cutting concerns wired once: logging context, error shape, metrics."""

from __future__ import annotations

import json
from typing import Any

from chalice import Chalice, Response

from chalicelib.api.cors import with_cors
from chalicelib.errors import CHALICE_CODE_MAP, REQUEST_ID_HEADER, ApiError, error_body
from chalicelib.observability import flush_metrics, invocation_trace, logger


def _error_response(
    status: int, body: dict[str, Any], headers: dict[str, Any] | None = None
) -> Response:
    """An error answer: its body (already holding the request id) serialised once."""
    return Response(
        body=json.dumps(body, ensure_ascii=False),
        status_code=status,
        headers={**(headers or {}), "Content-Type": "application/json; charset=utf-8"},
    )


def _normalise(response: Response, request_id: str) -> Response:
    """Rewrite Chalice's own error bodies ({"Code", "Message"}) into ours."""
    body = response.body
    if response.status_code < 400 or not isinstance(body, dict) or "Code" not in body:
        return response
    code, default_message = CHALICE_CODE_MAP.get(str(body.get("Code")), ("error", "Request failed"))
    message = str(body.get("Message") or default_message)
    if response.status_code >= 500:
        message = default_message  # never echo internal details
    headers = {k: v for k, v in response.headers.items() if k.lower() != "content-type"}
    return _error_response(
        response.status_code, error_body(code, message, request_id=request_id), headers
    )


def _with_request_id(response: Response, request_id: str) -> Response:
    """X-Request-Id on every response; `request_id` in every error body (the ones this
    module builds carry it already; a route's own error body gets it here)."""
    response.headers[REQUEST_ID_HEADER] = request_id
    if response.status_code < 400:
        return response
    body = response.body
    if isinstance(body, dict):
        if isinstance(body.get("error"), dict):
            body["error"].setdefault("request_id", request_id)
        return response
    if not isinstance(body, str | bytes) or request_id.encode() in (
        body if isinstance(body, bytes) else body.encode()
    ):
        return response
    try:
        decoded = json.loads(body)
    except ValueError:
        return response
    if isinstance(decoded, dict) and isinstance(decoded.get("error"), dict):
        decoded["error"]["request_id"] = request_id
        response.body = json.dumps(decoded, ensure_ascii=False)
    return response


def register_middleware(app: Chalice) -> None:
    @app.middleware("http")
    def http_boundary(event: Any, get_response: Any) -> Response:
        context = event.context or {}
        authorizer = context.get("authorizer") or {}
        lambda_context = getattr(event, "lambda_context", None)
        lambda_request_id = getattr(lambda_context, "aws_request_id", None)
        # API Gateway's id of the request (chalice local has none: the invocation's).
        request_id = str(context.get("requestId") or lambda_request_id or "")
        logger.set_correlation_id(request_id)
        logger.append_keys(
            lambda_request_id=lambda_request_id,
            route=f"{event.method} {context.get('resourcePath', event.path)}",
            unit_id=authorizer.get("unit_id") or None,
            role=authorizer.get("role") or None,
        )
        resource_path = str(context.get("resourcePath", ""))
        function_name = str(getattr(lambda_context, "function_name", "") or "api")
        with invocation_trace(function_name, {"route": resource_path}):
            try:
                response = _normalise(get_response(event), request_id)
            except ApiError as exc:
                body = error_body(exc.code, exc.message, exc.details, request_id)
                response = _error_response(exc.status, body, exc.headers)
            except Exception:
                logger.exception("unhandled error")
                body = error_body("internal_error", "An internal error occurred", None, request_id)
                response = _error_response(500, body)
        response = _with_request_id(response, request_id)
        response = with_cors(response, event.headers or {})
        level = "warning" if response.status_code >= 500 else "info"
        getattr(logger, level)("request done", extra={"status": response.status_code})
        flush_metrics()
        logger.remove_keys(["lambda_request_id", "route", "unit_id", "role", "cold_start"])
        logger.set_correlation_id(None)
        return response

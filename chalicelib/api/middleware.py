"""Cross-cutting concerns wired once: logging context, error shape, metrics."""

from __future__ import annotations

import json
from typing import Any

from chalice import Chalice, Response

from chalicelib.api.cors import with_cors
from chalicelib.errors import CHALICE_CODE_MAP, ApiError, error_body
from chalicelib.observability import flush_metrics, invocation_trace, logger


def _normalise(response: Response) -> Response:
    """Rewrite Chalice's own error bodies ({"Code", "Message"}) into ours."""
    body = response.body
    if response.status_code < 400 or not isinstance(body, dict) or "Code" not in body:
        return response
    code, default_message = CHALICE_CODE_MAP.get(str(body.get("Code")), ("error", "Request failed"))
    message = str(body.get("Message") or default_message)
    if response.status_code >= 500:
        message = default_message  # never echo internal details
    headers = {k: v for k, v in response.headers.items() if k.lower() != "content-type"}
    return Response(
        body=json.dumps(error_body(code, message), ensure_ascii=False),
        status_code=response.status_code,
        headers={**headers, "Content-Type": "application/json; charset=utf-8"},
    )


def register_middleware(app: Chalice) -> None:
    @app.middleware("http")
    def http_boundary(event: Any, get_response: Any) -> Response:
        context = event.context or {}
        authorizer = context.get("authorizer") or {}
        lambda_context = getattr(event, "lambda_context", None)
        logger.append_keys(
            request_id=getattr(lambda_context, "aws_request_id", context.get("requestId")),
            route=f"{event.method} {context.get('resourcePath', event.path)}",
            unit_id=authorizer.get("unit_id") or None,
            role=authorizer.get("role") or None,
        )
        resource_path = str(context.get("resourcePath", ""))
        function_name = str(getattr(lambda_context, "function_name", "") or "api")
        with invocation_trace(function_name, {"route": resource_path}):
            try:
                response = get_response(event)
            except ApiError as exc:
                response = Response(
                    body=json.dumps(exc.body(), ensure_ascii=False),
                    status_code=exc.status,
                    headers={"Content-Type": "application/json; charset=utf-8", **exc.headers},
                )
            except Exception:
                logger.exception("unhandled error")
                response = Response(
                    body=json.dumps(error_body("internal_error", "An internal error occurred")),
                    status_code=500,
                    headers={"Content-Type": "application/json; charset=utf-8"},
                )
        response = with_cors(_normalise(response), event.headers or {})
        level = "warning" if response.status_code >= 500 else "info"
        getattr(logger, level)("request done", extra={"status": response.status_code})
        flush_metrics()
        logger.remove_keys(["request_id", "route", "unit_id", "role", "cold_start"])
        return response

    @app.middleware("scheduled")
    def scheduled_boundary(event: Any, get_response: Any) -> Any:
        return _job_boundary(event, get_response)

    @app.middleware("s3")
    def s3_boundary(event: Any, get_response: Any) -> Any:
        return _job_boundary(event, get_response)

    @app.middleware("dynamodb")
    def stream_boundary(event: Any, get_response: Any) -> Any:
        return _job_boundary(event, get_response)

    @app.middleware("pure_lambda")
    def lambda_boundary(event: Any, get_response: Any) -> Any:
        return _job_boundary(event, get_response)


def _job_boundary(event: Any, get_response: Any) -> Any:
    lambda_context = getattr(event, "context", None)
    function_name = str(getattr(lambda_context, "function_name", "") or "job")
    logger.append_keys(
        request_id=getattr(lambda_context, "aws_request_id", None),
        function=function_name,
    )
    try:
        with invocation_trace(function_name, {"event_type": _event_type(event)}):
            return get_response(event)
    finally:
        flush_metrics()
        logger.remove_keys(["request_id", "function", "cold_start"])


def _event_type(event: Any) -> str:
    """ "Scheduled Event", "Object Created", ...: the EventBridge detail-type, if any."""
    raw = event.to_dict() if hasattr(event, "to_dict") else {}
    return str(raw.get("detail-type") or type(event).__name__)

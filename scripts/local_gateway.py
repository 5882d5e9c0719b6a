"""Make Chalice's local gateway answer like our API Gateway does in AWS.

In AWS, infra configures gateway responses so that 401/403/404 produced by API
Gateway itself carry the service's error shape, and a TOKEN authorizer that
raises "Unauthorized" yields 401. Chalice's local gateway (used by
`chalice local` and `chalice.test.Client`) knows neither, so this patch mirrors
them. It is local tooling: nothing here is deployed.
"""

from __future__ import annotations

import json
from typing import Any

from chalice import local

from chalicelib.api.cors import allowed_origin, response_headers
from chalicelib.errors import GATEWAY_ERRORS, REQUEST_ID_HEADER, error_body
from chalicelib.settings import get_settings

_PATCHED = False


def _body(status: int, request_id: str, message: str | None = None) -> bytes:
    code, default = GATEWAY_ERRORS.get(status, ("error", "Request failed"))
    return json.dumps(error_body(code, message or default, request_id=request_id)).encode()


def _request_id(exc: Any) -> str:
    headers = exc.headers or {}
    return str(headers.get(REQUEST_ID_HEADER) or headers.get("x-amzn-RequestId") or "")


def install() -> None:
    global _PATCHED  # noqa: PLW0603
    if _PATCHED:
        return
    _PATCHED = True
    # The handler sends the headers and the body in two writes on an unbuffered socket:
    # with Nagle's algorithm on, the body waits for the client's delayed ACK, 40 ms on
    # every response (API Gateway answers in one piece).
    local.ChaliceRequestHandler.disable_nagle_algorithm = True
    original_authorize = local.LocalGatewayAuthorizer.authorize
    original_handle = local.LocalGateway.handle_request

    def authorize(self: Any, raw_path: str, lambda_event: Any, lambda_context: Any) -> Any:
        # API Gateway gives every request an id (requestContext.requestId).
        request_id = lambda_context.aws_request_id
        lambda_event.setdefault("requestContext", {})["requestId"] = request_id
        denied = {"x-amzn-ErrorType": "UnauthorizedException", REQUEST_ID_HEADER: request_id}
        headers = lambda_event.get("headers") or {}
        route = self._route_for_event(lambda_event)
        if (
            route is not None
            and route.authorizer is not None
            and not (headers.get("authorization") or headers.get("Authorization"))
        ):
            # API Gateway answers 401 itself when the token header is absent.
            raise local.NotAuthorizedError(denied, b"")
        try:
            return original_authorize(self, raw_path, lambda_event, lambda_context)
        except local.LocalGatewayException:
            raise
        except Exception as exc:
            if str(exc) == "Unauthorized":
                raise local.NotAuthorizedError(denied, b"") from None
            raise

    def handle_request(self: Any, method: str, path: str, headers: Any, body: Any) -> Any:
        try:
            return gateway_errors(self, method, path, headers, body)
        except local.LocalGatewayException as exc:
            # Gateway responses carry CORS headers (infra). In AWS they are static (the
            # console's origin); here the request's origin is echoed when it is allowed.
            origin = allowed_origin(headers or {}, get_settings().cors_allowed_origins)
            exc.headers = {**(exc.headers or {}), **response_headers(origin)}
            raise

    def gateway_errors(self: Any, method: str, path: str, headers: Any, body: Any) -> Any:
        try:
            return original_handle(self, method, path, headers, body)
        except local.ForbiddenError as exc:
            if b"Missing Authentication Token" in (exc.body or b"") or b"Credential" in (
                exc.body or b""
            ):
                # Unknown route: configured as a 404 gateway response in infra.
                request_id = _request_id(exc)
                err = local.LocalGatewayException(
                    {"Content-Type": "application/json", REQUEST_ID_HEADER: request_id},
                    _body(404, request_id),
                )
                err.CODE = 404
                raise err from None
            request_id = _request_id(exc)
            raise local.ForbiddenError(
                {"Content-Type": "application/json", REQUEST_ID_HEADER: request_id},
                _body(403, request_id),
            ) from None
        except local.NotAuthorizedError as exc:
            request_id = _request_id(exc)
            raise local.NotAuthorizedError(
                {
                    "Content-Type": "application/json",
                    "WWW-Authenticate": "Bearer",
                    REQUEST_ID_HEADER: request_id,
                },
                _body(401, request_id),
            ) from None

    # http.server answers a method without a do_<METHOD> (TRACE, QUERY, ...) with an HTML
    # 501; API Gateway never passes such a method to the API. Hand every method to the
    # gateway, which answers 405 in the service's error shape for a method a route lacks.
    def any_method(self: Any, name: str) -> Any:
        if name.startswith("do_"):
            return self._generic_handle
        raise AttributeError(name)

    local.ChaliceRequestHandler.__getattr__ = any_method
    local.LocalGatewayAuthorizer.authorize = authorize  # type: ignore[method-assign]
    local.LocalGateway.handle_request = handle_request  # type: ignore[method-assign]

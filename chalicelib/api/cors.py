"""CORS for browser frontends, for the configured origins only (CORS_ALLOWED_ORIGINS).

Chalice's own `cors=` sends one fixed origin, so the service answers CORS itself:
- every route gets an explicit OPTIONS view without the authorizer (a preflight never
  carries a token): API Gateway deploys it as a Lambda-proxied method, `chalice local`
  calls it because the path has a user-defined OPTIONS method;
- the HTTP middleware adds `Access-Control-Allow-Origin` (echoing the request's Origin
  when it is allowed, nothing otherwise) to every response the app produces.
API Gateway's own error responses (gateway responses) carry static headers, set in infra
(`gateway_cors_headers`); the local gateway mirrors them (scripts/local_gateway.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from chalice import Chalice, Response

ALLOWED_HEADERS = ("Authorization", "Content-Type")
EXPOSED_HEADERS = ("X-Request-Id", "Retry-After")
# Browsers cap this (Chromium: 2 h); 10 min keeps a changed route list visible soon.
MAX_AGE_SECONDS = 600


def allowed_origin(headers: Mapping[str, str], origins: tuple[str, ...]) -> str | None:
    """The request's Origin if it is one of `origins` (exact match, case-insensitive host)."""
    origin = _header(headers, "origin")
    if not origin:
        return None
    normalised = origin.strip().rstrip("/").lower()
    return origin if normalised in origins else None


def response_headers(origin: str | None) -> dict[str, str]:
    """Headers of an actual (non-preflight) response. Vary: Origin always, so a cache never
    serves one origin's answer to another."""
    if origin is None:
        return {"Vary": "Origin"}
    return {
        "Access-Control-Allow-Origin": origin,
        "Access-Control-Expose-Headers": ", ".join(EXPOSED_HEADERS),
        "Vary": "Origin",
    }


def preflight_headers(origin: str | None, methods: list[str]) -> dict[str, str]:
    """What a preflight adds to `response_headers` (the middleware adds those)."""
    if origin is None:
        return {}
    return {
        "Access-Control-Allow-Methods": ", ".join(sorted({*methods, "OPTIONS"})),
        "Access-Control-Allow-Headers": ", ".join(ALLOWED_HEADERS),
        "Access-Control-Max-Age": str(MAX_AGE_SECONDS),
    }


def with_cors(response: Response, request_headers: Mapping[str, str]) -> Response:
    """Add the CORS headers for the request's origin (none if it is not allowed)."""
    from chalicelib.settings import get_settings

    origin = allowed_origin(request_headers, get_settings().cors_allowed_origins)
    headers: dict[str, str | list[str]] = dict(response.headers or {})
    previous = headers.pop("Vary", "")
    joined = ",".join(previous) if isinstance(previous, list) else previous
    vary = [v.strip() for v in joined.split(",") if v.strip()]
    headers.update(response_headers(origin))
    headers["Vary"] = ", ".join([*(v for v in vary if v.lower() != "origin"), "Origin"])
    response.headers = headers
    return response


def register_preflights(app: Chalice) -> None:
    """An OPTIONS view on every path registered so far: call after every blueprint."""
    for path, views in list(app.routes.items()):
        if "OPTIONS" not in views:
            app.route(path, methods=["OPTIONS"])(_preflight_view(app, path))


def _preflight_view(app: Chalice, path: str) -> Any:
    def cors_preflight(**_uri_params: str) -> Response:
        from chalicelib.settings import get_settings

        request = app.current_request
        origin = allowed_origin(
            request.headers if request is not None else {}, get_settings().cors_allowed_origins
        )
        methods = [m for m in app.routes[path] if m != "OPTIONS"]
        headers: dict[str, str | list[str]] = {**preflight_headers(origin, methods)}
        return Response(body="", status_code=204, headers=headers)

    return cors_preflight


def _header(headers: Mapping[str, str], name: str) -> str | None:
    value = headers.get(name)
    if value is None:
        value = next((v for k, v in headers.items() if k.lower() == name), None)
    return value

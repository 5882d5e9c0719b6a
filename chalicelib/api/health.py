"""GET /health: a liveness probe for load balancers, uptime checks and the console.

No token and no AWS call: it answers as long as API Gateway reaches the function, and
costs one cheap Lambda invocation.
"""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.api.http import json_response
from chalicelib.api.routing import route

bp = Blueprint(__name__)


@route(
    bp,
    "/health",
    "GET",
    summary="Liveness: the API answers (no token, no AWS call)",
    tag="Meta",
    response="chalicelib.schemas.common:HealthResponse",
    public=True,
)
def health() -> Response:
    from chalicelib.settings import get_settings

    return json_response({"status": "ok", "stage": get_settings().stage})

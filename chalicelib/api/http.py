"""Request parsing and response shaping shared by every blueprint."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeVar

from chalice import Response

from chalicelib.auth import Principal
from chalicelib.errors import bad_request, forbidden, unsupported_media_type, validation_failed

if TYPE_CHECKING:
    from chalice.app import Request
    from pydantic import BaseModel

M = TypeVar("M", bound="BaseModel")
JSON_CONTENT_TYPE = "application/json; charset=utf-8"


def _default(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, set | frozenset):
        return sorted(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def dumps(body: Any) -> str:
    return json.dumps(body, ensure_ascii=False, default=_default, separators=(",", ":"))


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(
        body=dumps(body),
        status_code=status,
        headers={"Content-Type": JSON_CONTENT_TYPE, **(headers or {})},
    )


def principal_of(request: Request) -> Principal:
    context = (request.context or {}).get("authorizer") or {}
    principal = Principal.from_context(context)
    if not principal.role:
        # Only reachable if a route were deployed without the authorizer.
        raise forbidden("No caller identity")
    return principal


def require_role(principal: Principal, *roles: str) -> None:
    if principal.role not in roles:
        raise forbidden(
            f"Role {principal.role!r} may not do this; needs one of: {', '.join(roles)}"
        )


def raw_body(request: Request) -> bytes:
    body = request.raw_body
    if isinstance(body, str):
        return body.encode("utf-8")
    return body or b""


def json_payload(request: Request) -> Any:
    content_type = (request.headers.get("content-type") or "application/json").lower()
    if "json" not in content_type:
        raise unsupported_media_type(f"Expected application/json, got {content_type}")
    data = raw_body(request)
    if not data.strip():
        raise bad_request("Request body is empty; expected a JSON object")
    try:
        return json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise bad_request(f"Request body is not valid JSON: {exc}") from None


def validation_details(exc: Any) -> list[dict[str, Any]]:
    """pydantic ValidationError -> [{"field": "a.b.0", "message": ...}]"""
    details = []
    for err in exc.errors(include_url=False, include_context=False, include_input=False):
        loc = ".".join(str(p) for p in err.get("loc", ()))
        details.append({"field": loc or "(body)", "message": err.get("msg", "invalid")})
    return details


def parse_model(model: type[M], data: Any) -> M:
    from pydantic import ValidationError

    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise validation_failed(validation_details(exc)) from None


def body_as(request: Request, model: type[M]) -> M:
    return parse_model(model, json_payload(request))


def query_params(request: Request) -> dict[str, str]:
    return dict(request.query_params or {})


def query_int(request: Request, name: str, default: int, lo: int, hi: int) -> int:
    raw = query_params(request).get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise bad_request(f"Query parameter {name!r} must be an integer") from None
    if not lo <= value <= hi:
        raise bad_request(f"Query parameter {name!r} must be between {lo} and {hi}")
    return value


def query_date(request: Request, name: str) -> dt.date | None:
    raw = query_params(request).get(name)
    if raw is None or raw == "":
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise bad_request(f"Query parameter {name!r} must be a date YYYY-MM-DD") from None


def encode_token(key: dict[str, Any] | None) -> str | None:
    if not key:
        return None
    return base64.urlsafe_b64encode(dumps(key).encode()).decode().rstrip("=")


def decode_token(token: str | None) -> dict[str, Any] | None:
    if not token:
        return None
    try:
        padded = token + "=" * (-len(token) % 4)
        value = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, binascii.Error):
        raise bad_request("Query parameter 'next_token' is not a valid page token") from None
    if not isinstance(value, dict):
        raise bad_request("Query parameter 'next_token' is not a valid page token")
    return value

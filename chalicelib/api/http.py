"""Request parsing and response shaping shared by every blueprint."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from chalice import Response

from chalicelib import clock
from chalicelib.auth import Principal
from chalicelib.errors import bad_request, forbidden, parse_model, unsupported_media_type
from chalicelib.json_output import dumps

if TYPE_CHECKING:
    from chalice.app import Request
    from pydantic import BaseModel

M = TypeVar("M", bound="BaseModel")
JSON_CONTENT_TYPE = "application/json; charset=utf-8"


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


def client_address(request: Request) -> str:
    """The caller's source address as API Gateway saw it (what public rate limits count)."""
    context = request.context or {}
    return str((context.get("identity") or {}).get("sourceIp") or "unknown")


def raw_body(request: Request) -> bytes:
    body = request.raw_body
    if isinstance(body, str):
        return body.encode("utf-8")
    return body or b""


def json_payload(request: Request) -> Any:
    from chalicelib.json_input import JsonInputError, loads

    content_type = (request.headers.get("content-type") or "application/json").lower()
    if "json" not in content_type:
        raise unsupported_media_type(f"Expected application/json, got {content_type}")
    data = raw_body(request)
    if not data.strip():
        raise bad_request("Request body is empty; expected a JSON object")
    try:
        return loads(data)
    except JsonInputError as exc:
        raise bad_request(f"Request body is not acceptable JSON: {exc}") from None


def body_as(request: Request, model: type[M]) -> M:
    """The JSON body as `model`, validated strictly: no coercion (a boolean is not an
    integer, a number is not a string), as the OpenAPI document's types say."""
    return parse_model(model, json_payload(request), strict=True)


def query_params(request: Request) -> dict[str, str]:
    return dict(request.query_params or {})


PAGE_LIMIT_DEFAULT = 100
PAGE_LIMIT_MAX = 500


def page_limit(request: Request) -> int:
    """The page size of a listing (`limit`, documented by routing.PAGINATION)."""
    return query_int(request, "limit", PAGE_LIMIT_DEFAULT, 1, PAGE_LIMIT_MAX)


def page_response(items: list[Any], last: dict[str, str] | None, scope: str = "") -> Response:
    """One page of a listing: its items and the token of the next page (null on the last)."""
    return json_response({"items": items, "next_token": encode_token(last, scope)})


def campaign_listing(
    request: Request,
    campaign_id: str,
    lister: Callable[..., tuple[list[Any], dict[str, str] | None]],
    *,
    filters: Sequence[str],
    id_field: str,
) -> Response:
    """One page of a campaign's listing in creation order (nominations, initiatives,
    feedback): `lister` (a service's) called with the caller, the query's `filters` (an
    empty value is none), the page size and the key of the page token (`id_field`,
    created_key), which is scoped to the campaign."""
    params = query_params(request)
    items, last = lister(
        principal_of(request),
        campaign_id,
        **{name: params.get(name) or None for name in filters},
        limit=page_limit(request),
        token=decode_token(params.get("next_token"), (id_field, "created_key"), campaign_id),
    )
    return page_response(items, last, campaign_id)


# Query values are checked against the route's declaration (routing.QueryParam.check)
# before a handler runs; these read them, with the same rules for a route that did not
# declare them.
def query_int(request: Request, name: str, default: int, lo: int, hi: int) -> int:
    raw = query_params(request).get(name)
    if raw is None:
        return default
    if not raw.lstrip("-").isdigit() or not raw.isascii() or len(raw) > 18:
        raise bad_request(f"Query parameter {name!r} must be an integer")
    value = int(raw)
    if not lo <= value <= hi:
        raise bad_request(f"Query parameter {name!r} must be between {lo} and {hi}")
    return value


def query_date(request: Request, name: str) -> dt.date | None:
    from chalicelib.domain.vocabulary import DATE_RULE, parse_date

    raw = query_params(request).get(name)
    if raw is None:
        return None
    value = parse_date(raw)
    if value is None:
        raise bad_request(f"Query parameter {name!r} must be {DATE_RULE}")
    return value


# Page tokens: base64url of {"v", "exp", "s", "key"}. The key is where the next page starts;
# the expiry bounds how long a client may resume a listing (the data moves meanwhile); the
# scope names the listing (e.g. the unit whose officials are listed), so a token of another
# listing is refused. A token whose key has other fields than the route's, or values that
# are not short strings, is refused before it reaches DynamoDB as an ExclusiveStartKey.
PAGE_TOKEN_VERSION = 1
PAGE_TOKEN_SECONDS = 24 * 3600
PAGE_TOKEN_MAX_CHARS = 4096
# What the OpenAPI document says of a token: unpadded base64url.
PAGE_TOKEN_PATTERN = r"^[A-Za-z0-9_-]+$"  # noqa: S105 - a pattern, not a secret
_MAX_KEY_BYTES = 1024  # DynamoDB's limit for a sort key value


def encode_token(
    key: dict[str, str] | None, scope: str = "", now: dt.datetime | None = None
) -> str | None:
    if not key:
        return None
    moment = now or clock.now()
    payload = {
        "v": PAGE_TOKEN_VERSION,
        "exp": int(moment.timestamp()) + PAGE_TOKEN_SECONDS,
        "s": scope,
        "key": key,
    }
    return base64.urlsafe_b64encode(dumps(payload).encode()).decode().rstrip("=")


def decode_token(
    token: str | None,
    fields: tuple[str, ...],
    scope: str = "",
    now: dt.datetime | None = None,
) -> dict[str, str] | None:
    """The key of a page token that encode_token issued for this listing (`scope`) with a
    key of exactly `fields`; 400 for anything else and for an expired token."""
    from chalicelib.json_input import JsonInputError, loads

    if not token:
        return None
    invalid = bad_request("Query parameter 'next_token' is not a valid page token")
    if len(token) > PAGE_TOKEN_MAX_CHARS:
        raise invalid

    try:
        padded = token + "=" * (-len(token) % 4)
        payload = loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (ValueError, binascii.Error, JsonInputError):
        raise invalid from None
    if not isinstance(payload, dict) or set(payload) != {"v", "exp", "s", "key"}:
        raise invalid
    if payload["s"] != scope:
        raise bad_request("Query parameter 'next_token' belongs to another listing")
    key, expires = payload["key"], payload["exp"]
    if payload["v"] != PAGE_TOKEN_VERSION or not isinstance(expires, int):
        raise invalid
    if not isinstance(key, dict) or set(key) != set(fields):
        raise invalid
    if not all(
        isinstance(v, str) and v and len(v.encode()) <= _MAX_KEY_BYTES for v in key.values()
    ):
        raise invalid
    if expires < (now or clock.now()).timestamp():
        raise bad_request(
            "Query parameter 'next_token' has expired; list again from the first page"
        )
    return {k: str(v) for k, v in key.items()}

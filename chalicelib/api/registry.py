"""Routes of the organisation registry."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.api.http import (
    body_as,
    decode_token,
    json_response,
    page_limit,
    page_response,
    principal_of,
    query_params,
    raw_body,
)
from chalicelib.api.routing import (
    ADMIN_ONLY,
    ORGANISATION_ROLES,
    OWN_SUBTREE,
    PAGINATION,
    QueryParam,
    identifier,
    route,
)
from chalicelib.domain.vocabulary import UNIT_LEVELS

bp = Blueprint(__name__)
TAG = "Registry"


@route(
    bp,
    "/admin/units",
    "POST",
    summary="Bulk upsert units and officials (JSON body, or one CSV table as text/csv)",
    tag=TAG,
    request="chalicelib.schemas.registry:RegistryUpsertRequest",
    response="chalicelib.schemas.registry:RegistryUpsertResponse",
    roles=ADMIN_ONLY,
    content_types=("application/json", "text/csv"),
    errors=(400, 403, 415),
)
def upsert_units() -> Response:
    from chalicelib.schemas.registry import RegistryUpsertRequest
    from chalicelib.services import registry

    request = bp.current_request
    if "csv" in (request.headers.get("content-type") or "").lower():
        payload = registry.parse_registry_csv(raw_body(request))
    else:
        payload = body_as(request, RegistryUpsertRequest)
    return json_response(registry.upsert_registry(payload))


@route(
    bp,
    "/units",
    "GET",
    summary="List units",
    tag=TAG,
    response="chalicelib.schemas.registry:UnitPage",
    query=(
        QueryParam("level", "Filter by level", enum=UNIT_LEVELS),
        identifier("parent_id", "Filter by parent unit"),
        *PAGINATION,
    ),
    scope=OWN_SUBTREE,
    errors=(400,),
)
def list_units() -> Response:
    from chalicelib.services import registry

    request = bp.current_request
    params = query_params(request)
    token = decode_token(params.get("next_token"), ("after",))
    items, after = registry.list_units(
        principal_of(request),
        level=params.get("level"),
        parent_id=params.get("parent_id"),
        limit=page_limit(request),
        after=token["after"] if token else None,
    )
    return page_response(items, {"after": after} if after else None)


@route(
    bp,
    "/units/{unit_id}",
    "GET",
    summary="One unit",
    tag=TAG,
    response="chalicelib.schemas.registry:UnitOut",
    scope=OWN_SUBTREE,
    errors=(403, 404),
    roles=ORGANISATION_ROLES,
)
def get_unit(unit_id: str) -> Response:
    from chalicelib.services import registry

    unit = registry.check_unit_access(principal_of(bp.current_request), unit_id)
    return json_response(registry.unit_out(unit))


@route(
    bp,
    "/units/{unit_id}/officials",
    "GET",
    summary="Officials of a unit",
    tag=TAG,
    response="chalicelib.schemas.registry:OfficialPage",
    query=PAGINATION,
    scope=OWN_SUBTREE,
    errors=(400, 403, 404),
    roles=ORGANISATION_ROLES,
)
def list_officials(unit_id: str) -> Response:
    from chalicelib.services import registry

    request = bp.current_request
    items, last = registry.list_officials(
        principal_of(request),
        unit_id,
        page_limit(request),
        decode_token(query_params(request).get("next_token"), ("official_id",), unit_id),
    )
    return page_response(items, last, unit_id)

"""Routes that register document systems and rotate their webhook secrets."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.api.http import body_as, json_payload, json_response, parse_model
from chalicelib.api.routing import ADMIN_ONLY, QueryParam, route

bp = Blueprint(__name__)
TAG = "Sources"


@route(
    bp,
    "/admin/sources",
    "POST",
    summary="Register a document system (webhook: returns its secret once) or a hub to pull",
    tag=TAG,
    request="chalicelib.schemas.ingestion:SourceCreate",
    response="chalicelib.schemas.ingestion:SourceCreated",
    status=201,
    roles=ADMIN_ONLY,
    errors=(400, 403, 409, 422),
)
def create_source() -> Response:
    from chalicelib.schemas.ingestion import SourceCreate
    from chalicelib.services import sources

    request = bp.current_request
    payload = body_as(request, SourceCreate)
    return json_response(
        sources.register_source(
            payload.source_id,
            payload.name,
            payload.units,
            kind=payload.kind,
            mode=payload.mode,
            hub=payload.hub.model_dump() if payload.hub else None,
        ),
        status=201,
    )


@route(
    bp,
    "/admin/sources",
    "GET",
    summary="List document systems (never their secrets)",
    tag=TAG,
    response="chalicelib.schemas.ingestion:SourceList",
    roles=ADMIN_ONLY,
    errors=(403,),
)
def list_sources() -> Response:
    from chalicelib.services import sources

    return json_response({"items": sources.list_sources()})


@route(
    bp,
    "/admin/sources/{source_id}/rotate",
    "POST",
    summary="Issue a new secret; older ones keep working for a grace period (default 24 h)",
    tag=TAG,
    request="chalicelib.schemas.ingestion:SourceRotate",
    response="chalicelib.schemas.ingestion:SourceRotated",
    roles=ADMIN_ONLY,
    errors=(403, 404, 409),
    request_required=False,  # no body: the default grace period
)
def rotate_source(source_id: str) -> Response:
    from chalicelib.schemas.ingestion import SourceRotate
    from chalicelib.services import sources

    request = bp.current_request
    raw = json_payload(request) if request.raw_body else {}
    payload = parse_model(SourceRotate, raw, strict=True)
    return json_response(sources.rotate_secret(source_id, payload.grace_hours))


@route(
    bp,
    "/admin/sources/{source_id}",
    "PATCH",
    summary="Change a source's name, units, mode (live or test) or hub settings",
    tag=TAG,
    request="chalicelib.schemas.ingestion:SourcePatch",
    response="chalicelib.schemas.ingestion:SourceOut",
    roles=ADMIN_ONLY,
    errors=(400, 403, 404, 409, 422),
)
def update_source(source_id: str) -> Response:
    from chalicelib.schemas.ingestion import SourcePatch
    from chalicelib.services import sources

    request = bp.current_request
    payload = body_as(request, SourcePatch)
    return json_response(
        sources.update_source(
            source_id,
            name=payload.name,
            units=payload.units,
            mode=payload.mode,
            hub=payload.hub.model_dump() if payload.hub else None,
        )
    )


@route(
    bp,
    "/admin/sources/{source_id}",
    "DELETE",
    summary="Disable a document system",
    tag=TAG,
    response="chalicelib.schemas.ingestion:SourceOut",
    roles=ADMIN_ONLY,
    errors=(403, 404),
)
def disable_source(source_id: str) -> Response:
    from chalicelib.services import sources

    return json_response(sources.disable_source(source_id))


@route(
    bp,
    "/admin/sources/{source_id}/hub",
    "GET",
    summary="A hub source's connector state: cursors, reachability, last pull, packages set aside",
    tag=TAG,
    response="chalicelib.schemas.ingestion:HubStatus",
    roles=ADMIN_ONLY,
    errors=(403, 404),
)
def hub_status(source_id: str) -> Response:
    from chalicelib.services import hub_pull

    return json_response(hub_pull.hub_status(source_id))


@route(
    bp,
    "/admin/sources/{source_id}/deliveries",
    "GET",
    summary="A test source's deliveries (the sandbox): each answer and, per event, stored, "
    "duplicate or refused with the reason",
    tag=TAG,
    response="chalicelib.schemas.ingestion:DeliveryList",
    roles=ADMIN_ONLY,
    query=(
        QueryParam(
            "limit",
            "Deliveries to list, newest first (1-500, default 100)",
            "integer",
            minimum=1,
            maximum=500,
        ),
    ),
    errors=(400, 403, 404),
)
def source_deliveries(source_id: str) -> Response:
    from chalicelib.api.http import page_limit
    from chalicelib.services import sandbox

    limit = page_limit(bp.current_request)
    return json_response({"items": sandbox.deliveries(source_id, limit)})

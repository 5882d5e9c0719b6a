"""The front door for document systems: signed webhooks, no bearer token."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.api.http import json_response, query_params, raw_body
from chalicelib.api.routing import QueryParam, route

bp = Blueprint(__name__)
TAG = "Webhooks"


@route(
    bp,
    "/webhooks/{source_id}",
    "POST",
    summary="Receive document events (Standard Webhooks signature over the raw body)",
    tag=TAG,
    request="chalicelib.domain.events:WebhookBody",
    response="chalicelib.schemas.ingestion:IngestResponse",
    status=202,
    auth=False,
    query=(
        QueryParam(
            "dry_run",
            "true: answer (200) what would be stored, counted as duplicates or refused, per "
            "event, and store nothing",
            enum=("true", "false"),
        ),
    ),
    also_ok=(200,),
    errors=(400, 401, 409, 413, 415, 422, 503),
)
def receive_events(source_id: str) -> Response:
    from chalicelib.services import ingestion
    from chalicelib.settings import get_settings

    request = bp.current_request
    if query_params(request).get("dry_run") == "true":
        from chalicelib.services import dry_run

        return json_response(dry_run.dry_run(source_id, request.headers, raw_body(request)))
    result = ingestion.receive(
        source_id,
        request.headers,
        raw_body(request),
        content_type="application/json",
        parse=ingestion.parse_json_body,
        max_bytes=get_settings().webhook_max_body_bytes,
        lambda_context=bp.lambda_context,
    )
    return json_response(result, status=202)


@route(
    bp,
    "/webhooks/{source_id}/edxml",
    "POST",
    summary="Receive one edXML package or status message (QCVN 102:2016 or the go.vn hub "
    "variant), signed like the JSON webhook",
    tag=TAG,
    request=None,
    response="chalicelib.schemas.ingestion:IngestResponse",
    status=202,
    auth=False,
    content_types=("application/xml", "text/xml"),
    errors=(400, 401, 409, 413, 415, 422, 503),
)
def receive_edxml(source_id: str) -> Response:
    from chalicelib.services import edxml_ingestion

    request = bp.current_request
    content_type = (request.headers.get("content-type") or "application/xml").split(";")[0].strip()
    result = edxml_ingestion.receive_edxml(
        source_id,
        request.headers,
        raw_body(request),
        content_type=content_type,
        lambda_context=bp.lambda_context,
    )
    return json_response(result, status=202)

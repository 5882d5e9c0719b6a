"""Award nomination routes, and the S3 handler that verifies uploaded files."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint, Response

from chalicelib.api.http import (
    body_as,
    campaign_listing,
    decode_token,
    json_response,
    page_limit,
    page_response,
    principal_of,
    query_int,
    query_params,
)
from chalicelib.api.routing import (
    ORGANISATION_ROLES,
    OWN_SUBTREE,
    PAGINATION,
    REVIEWERS,
    WRITERS,
    QueryParam,
    identifier,
    route,
)
from chalicelib.settings import get_settings

bp = Blueprint(__name__)
TAG = "Nominations"


@route(
    bp,
    "/campaigns/{campaign_id}/nominations",
    "POST",
    summary="Create a draft nomination of a collective (unit) or an individual (official)",
    tag=TAG,
    request="chalicelib.schemas.nominations:NominationCreate",
    response="chalicelib.schemas.nominations:NominationOut",
    status=201,
    roles=WRITERS,
    scope=OWN_SUBTREE,
    errors=(403, 404),
)
def create_nomination(campaign_id: str) -> Response:
    from chalicelib.schemas.nominations import NominationCreate
    from chalicelib.services.nominations import dossiers

    request = bp.current_request
    payload = body_as(request, NominationCreate)
    return json_response(
        dossiers.create_nomination(principal_of(request), campaign_id, payload), status=201
    )


@route(
    bp,
    "/campaigns/{campaign_id}/nominations",
    "GET",
    summary="A campaign's nominations, oldest first, scoped to what the caller may see",
    tag=TAG,
    response="chalicelib.schemas.nominations:NominationPage",
    scope=OWN_SUBTREE,
    query=(
        QueryParam(
            "status",
            "Filter by state",
            enum=("draft", "submitted", "eligible", "not_eligible", "approved", "rejected"),
        ),
        QueryParam("kind", "Filter by kind", enum=("collective", "individual")),
        identifier("unit_id", "Filter by nominating unit"),
        *PAGINATION,
    ),
    errors=(400, 403, 404),
)
def list_nominations(campaign_id: str) -> Response:
    from chalicelib.services.nominations import dossiers

    return campaign_listing(
        bp.current_request,
        campaign_id,
        dossiers.list_nominations,
        filters=("status", "kind", "unit_id"),
        id_field="nomination_id",
    )


@route(
    bp,
    "/nominations/{nomination_id}",
    "GET",
    summary="One nomination, with its evidence snapshot and the nominee's current rank",
    tag=TAG,
    response="chalicelib.schemas.nominations:NominationOut",
    scope=OWN_SUBTREE,
    errors=(403, 404),
    roles=ORGANISATION_ROLES,
)
def get_nomination(nomination_id: str) -> Response:
    from chalicelib.services.nominations import dossiers

    return json_response(dossiers.get_nomination(principal_of(bp.current_request), nomination_id))


@route(
    bp,
    "/nominations/{nomination_id}",
    "PATCH",
    summary="Edit the summary or creativity of a draft",
    tag=TAG,
    request="chalicelib.schemas.nominations:NominationPatch",
    response="chalicelib.schemas.nominations:NominationOut",
    roles=WRITERS,
    scope=OWN_SUBTREE,
    errors=(403, 404, 409),
)
def update_nomination(nomination_id: str) -> Response:
    from chalicelib.schemas.nominations import NominationPatch
    from chalicelib.services.nominations import dossiers

    request = bp.current_request
    payload = body_as(request, NominationPatch)
    return json_response(dossiers.update_nomination(principal_of(request), nomination_id, payload))


@route(
    bp,
    "/nominations/{nomination_id}/files",
    "POST",
    summary="Register a file of a draft and get a presigned S3 POST for its upload "
    "(5 minutes; the key is generated, the policy pins size and Content-Type)",
    tag=TAG,
    request="chalicelib.schemas.nominations:FileCreate",
    response="chalicelib.schemas.nominations:UploadTicket",
    status=201,
    roles=WRITERS,
    scope=OWN_SUBTREE,
    errors=(403, 404, 409),
)
def add_file(nomination_id: str) -> Response:
    from chalicelib.schemas.nominations import FileCreate
    from chalicelib.services.nominations import files

    request = bp.current_request
    payload = body_as(request, FileCreate)
    return json_response(files.add_file(principal_of(request), nomination_id, payload), status=201)


@route(
    bp,
    "/nominations/{nomination_id}/files",
    "GET",
    summary="A nomination's files; verified files carry a short-lived download link",
    tag=TAG,
    response="chalicelib.schemas.nominations:FileList",
    scope=OWN_SUBTREE,
    errors=(403, 404),
    roles=ORGANISATION_ROLES,
)
def list_files(nomination_id: str) -> Response:
    from chalicelib.services.nominations import files

    return json_response(files.list_files(principal_of(bp.current_request), nomination_id))


@route(
    bp,
    "/nominations/{nomination_id}/files/{file_id}",
    "DELETE",
    summary="Delete a file of a draft",
    tag=TAG,
    status=204,
    roles=WRITERS,
    scope=OWN_SUBTREE,
    errors=(403, 404, 409),
)
def delete_file(nomination_id: str, file_id: str) -> Response:
    from chalicelib.services.nominations import files

    files.delete_file(principal_of(bp.current_request), nomination_id, file_id)
    return Response(body="", status_code=204)


@route(
    bp,
    "/nominations/{nomination_id}/submit",
    "POST",
    summary="Submit a draft before the campaign's nomination deadline (needs a verified "
    "to_trinh and bao_cao_thanh_tich); attaches the nominee's KPI evidence",
    tag=TAG,
    response="chalicelib.schemas.nominations:NominationOut",
    roles=WRITERS,
    scope=OWN_SUBTREE,
    errors=(403, 404, 409),
)
def submit_nomination(nomination_id: str) -> Response:
    from chalicelib.services.nominations import workflow

    return json_response(workflow.submit(principal_of(bp.current_request), nomination_id))


@route(
    bp,
    "/nominations/{nomination_id}/review",
    "POST",
    summary="Approve (within the kind's quota), reject, or return a submitted nomination",
    tag=TAG,
    request="chalicelib.schemas.nominations:ReviewRequest",
    response="chalicelib.schemas.nominations:NominationOut",
    roles=REVIEWERS,
    errors=(403, 404, 409, 503),
)
def review_nomination(nomination_id: str) -> Response:
    from chalicelib.schemas.nominations import ReviewRequest
    from chalicelib.services.nominations import workflow

    request = bp.current_request
    payload = body_as(request, ReviewRequest)
    return json_response(
        workflow.review(principal_of(request), nomination_id, payload.decision, payload.reason)
    )


@route(
    bp,
    "/nominations/{nomination_id}/audit",
    "GET",
    summary="The nomination's append-only audit trail, oldest first",
    tag=TAG,
    response="chalicelib.schemas.nominations:AuditPage",
    scope=OWN_SUBTREE,
    query=PAGINATION,
    errors=(400, 403, 404),
    roles=ORGANISATION_ROLES,
)
def nomination_audit(nomination_id: str) -> Response:
    from chalicelib.services.nominations import workflow

    request = bp.current_request
    items, last = workflow.audit_trail(
        principal_of(request),
        nomination_id,
        page_limit(request),
        decode_token(query_params(request).get("next_token"), ("seq",), nomination_id),
    )
    return page_response(items, last, nomination_id)


@route(
    bp,
    "/campaigns/{campaign_id}/candidates",
    "GET",
    summary="Best-ranked candidates for the campaign period: units (compliant first, by "
    "score) or officials (by individual KPI)",
    tag=TAG,
    response="chalicelib.schemas.nominations:Candidates",
    scope=OWN_SUBTREE,
    query=(
        QueryParam(
            "kind", "collective or individual", required=True, enum=("collective", "individual")
        ),
        QueryParam("limit", "How many (1-100, default 10)", "integer", minimum=1, maximum=100),
    ),
    errors=(400, 404),
)
def campaign_candidates(campaign_id: str) -> Response:
    from chalicelib.services import candidates

    request = bp.current_request
    kind = query_params(request)["kind"]  # required: checked by routing
    return json_response(
        candidates.candidates(
            principal_of(request), campaign_id, kind, query_int(request, "limit", 10, 1, 100)
        )
    )


def uploaded_keys(event: dict[str, Any], bucket: str) -> list[str]:
    """Object keys created in `bucket`, from an EventBridge "Object Created" event (how
    infra routes S3 events to this function) or an S3 notification (Records[])."""
    from urllib.parse import unquote_plus

    if event.get("source") == "aws.s3" and "detail" in event:
        detail = event["detail"]
        if detail.get("bucket", {}).get("name") == bucket and event.get("detail-type") == (
            "Object Created"
        ):
            return [str(detail["object"]["key"])]
        return []
    keys = []
    for record in event.get("Records") or []:
        s3 = record.get("s3") or {}
        if s3.get("bucket", {}).get("name") == bucket and str(
            record.get("eventName", "")
        ).startswith("ObjectCreated:"):
            keys.append(unquote_plus(str(s3["object"]["key"])))  # notifications encode keys
    return keys


# `chalice package` (the CDK app) cannot package @on_s3_event: S3 object-created events
# reach this function through EventBridge (infra/catalog.py UPLOAD_TRIGGER).
@bp.lambda_function(name="verify_upload")
def verify_upload(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Check each uploaded nomination file (size, type, magic bytes) and settle it."""
    from chalicelib.observability import event_invocation
    from chalicelib.services.nominations import files

    with event_invocation(context, event):
        keys = uploaded_keys(event, get_settings().uploads_bucket)
        return {"results": [files.verify_upload(key) for key in keys]}

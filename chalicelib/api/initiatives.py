"""Initiative routes (sáng kiến): registration, evidence files, submission, the council's
scores and the close of the assessment, the audit trail."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.api.http import (
    body_as,
    campaign_listing,
    decode_token,
    json_response,
    page_limit,
    page_response,
    principal_of,
    query_params,
)
from chalicelib.api.routing import (
    ANY_ROLE,
    COUNCIL_READERS,
    ORGANISATION_ROLES,
    OWN_SUBTREE,
    PAGINATION,
    WRITERS,
    QueryParam,
    route,
)
from chalicelib.auth import COUNCIL_MEMBER, PROVINCE_ADMIN, REVIEWER

bp = Blueprint(__name__)
TAG = "Initiatives"
READ_SCOPE = (
    f"{OWN_SUBTREE}; a council_member: only on the campaign's initiatives council, the "
    "submitted and decided ones"
)
MEMBER_ONLY = (COUNCIL_MEMBER,)
STATUSES = ("draft", "submitted", "recognised", "not_recognised")


@route(
    bp,
    "/campaigns/{campaign_id}/initiatives",
    "POST",
    summary="Register a draft initiative of a unit (title, description, benefit, "
    "applied_from, authors: officials of the unit's subtree or the unit itself)",
    tag=TAG,
    request="chalicelib.schemas.initiatives:InitiativeCreate",
    response="chalicelib.schemas.initiatives:InitiativeOut",
    status=201,
    roles=WRITERS,
    scope=OWN_SUBTREE,
    errors=(400, 403, 404),
)
def create_initiative(campaign_id: str) -> Response:
    from chalicelib.schemas.initiatives import InitiativeCreate
    from chalicelib.services.initiatives import dossiers

    request = bp.current_request
    payload = body_as(request, InitiativeCreate)
    return json_response(
        dossiers.create_initiative(principal_of(request), campaign_id, payload), status=201
    )


@route(
    bp,
    "/campaigns/{campaign_id}/initiatives",
    "GET",
    summary="A campaign's initiatives, oldest first, scoped to what the caller may see",
    tag=TAG,
    response="chalicelib.schemas.initiatives:InitiativePage",
    roles=ANY_ROLE,
    scope=READ_SCOPE,
    query=(
        QueryParam("status", "Filter by state", enum=STATUSES),
        QueryParam("unit_id", "Filter by registering unit"),
        *PAGINATION,
    ),
    errors=(400, 403, 404),
)
def list_initiatives(campaign_id: str) -> Response:
    from chalicelib.services.initiatives import dossiers

    return campaign_listing(
        bp.current_request,
        campaign_id,
        dossiers.list_initiatives,
        filters=("status", "unit_id"),
        id_field="initiative_id",
    )


@route(
    bp,
    "/initiatives/{initiative_id}",
    "GET",
    summary="One initiative; a council member also sees their own score and any recusal",
    tag=TAG,
    response="chalicelib.schemas.initiatives:InitiativeOut",
    roles=ANY_ROLE,
    scope=READ_SCOPE,
    errors=(403, 404),
)
def get_initiative(initiative_id: str) -> Response:
    from chalicelib.services.initiatives import dossiers

    return json_response(dossiers.get_initiative(principal_of(bp.current_request), initiative_id))


@route(
    bp,
    "/initiatives/{initiative_id}",
    "PATCH",
    summary="Edit a draft initiative",
    tag=TAG,
    request="chalicelib.schemas.initiatives:InitiativePatch",
    response="chalicelib.schemas.initiatives:InitiativeOut",
    roles=WRITERS,
    scope=OWN_SUBTREE,
    errors=(400, 403, 404, 409),
)
def update_initiative(initiative_id: str) -> Response:
    from chalicelib.schemas.initiatives import InitiativePatch
    from chalicelib.services.initiatives import dossiers

    request = bp.current_request
    payload = body_as(request, InitiativePatch)
    return json_response(dossiers.update_initiative(principal_of(request), initiative_id, payload))


@route(
    bp,
    "/initiatives/{initiative_id}/files",
    "POST",
    summary="Register an evidence file of a draft and get a presigned S3 POST for it (the "
    "same upload and verification path as nomination files)",
    tag=TAG,
    request="chalicelib.schemas.nominations:FileCreate",
    response="chalicelib.schemas.nominations:UploadTicket",
    status=201,
    roles=WRITERS,
    scope=OWN_SUBTREE,
    errors=(400, 403, 404, 409),
)
def add_file(initiative_id: str) -> Response:
    from chalicelib.schemas.nominations import FileCreate
    from chalicelib.services.initiatives import dossiers

    request = bp.current_request
    payload = body_as(request, FileCreate)
    return json_response(
        dossiers.add_file(principal_of(request), initiative_id, payload), status=201
    )


@route(
    bp,
    "/initiatives/{initiative_id}/files",
    "GET",
    summary="An initiative's evidence files; verified files carry a short-lived download link",
    tag=TAG,
    response="chalicelib.schemas.initiatives:InitiativeFileList",
    roles=ANY_ROLE,
    scope=READ_SCOPE,
    errors=(403, 404),
)
def list_files(initiative_id: str) -> Response:
    from chalicelib.services.initiatives import dossiers

    return json_response(dossiers.list_files(principal_of(bp.current_request), initiative_id))


@route(
    bp,
    "/initiatives/{initiative_id}/files/{file_id}",
    "DELETE",
    summary="Delete an evidence file of a draft",
    tag=TAG,
    status=204,
    roles=WRITERS,
    scope=OWN_SUBTREE,
    errors=(403, 404, 409),
)
def delete_file(initiative_id: str, file_id: str) -> Response:
    from chalicelib.services.initiatives import dossiers

    dossiers.delete_file(principal_of(bp.current_request), initiative_id, file_id)
    return Response(body="", status_code=204)


@route(
    bp,
    "/initiatives/{initiative_id}/submit",
    "POST",
    summary="Submit a draft before the campaign's initiative_deadline",
    tag=TAG,
    response="chalicelib.schemas.initiatives:InitiativeOut",
    roles=WRITERS,
    scope=OWN_SUBTREE,
    errors=(403, 404, 409),
)
def submit_initiative(initiative_id: str) -> Response:
    from chalicelib.services.initiatives import dossiers

    return json_response(dossiers.submit(principal_of(bp.current_request), initiative_id))


@route(
    bp,
    "/initiatives/{initiative_id}/return",
    "POST",
    summary="Return a submitted initiative to draft with a reason",
    tag=TAG,
    request="chalicelib.schemas.initiatives:ReturnRequest",
    response="chalicelib.schemas.initiatives:InitiativeOut",
    roles=(PROVINCE_ADMIN, REVIEWER, COUNCIL_MEMBER),
    scope="a council_member: only the initiatives council's secretary",
    errors=(400, 403, 404, 409),
)
def return_initiative(initiative_id: str) -> Response:
    from chalicelib.schemas.initiatives import ReturnRequest
    from chalicelib.services.initiatives import dossiers

    request = bp.current_request
    payload = body_as(request, ReturnRequest)
    return json_response(
        dossiers.return_initiative(principal_of(request), initiative_id, payload.reason)
    )


@route(
    bp,
    "/initiatives/{initiative_id}/scores",
    "POST",
    summary="A council member's score of a submitted initiative (points per criterion and a "
    "comment); scoring again replaces their own; 403 recused for an author or an officer of "
    "an author's unit",
    tag=TAG,
    request="chalicelib.schemas.initiatives:ScoreRequest",
    response="chalicelib.schemas.initiatives:MyScore",
    roles=MEMBER_ONLY,
    scope="only members of the campaign's initiatives council",
    errors=(400, 403, 404, 409),
)
def score_initiative(initiative_id: str) -> Response:
    from chalicelib.schemas.initiatives import ScoreRequest
    from chalicelib.services.initiatives import assessment

    request = bp.current_request
    payload = body_as(request, ScoreRequest)
    return json_response(assessment.score(principal_of(request), initiative_id, payload))


@route(
    bp,
    "/initiatives/{initiative_id}/scores",
    "GET",
    summary="An initiative's scores: while the assessment is open only the caller's own; "
    "once decided, every member's",
    tag=TAG,
    response="chalicelib.schemas.initiatives:ScoreList",
    roles=COUNCIL_READERS,
    scope="a council_member: only on the campaign's initiatives council",
    errors=(403, 404),
)
def initiative_scores(initiative_id: str) -> Response:
    from chalicelib.services.initiatives import assessment

    return json_response(assessment.scores(principal_of(bp.current_request), initiative_id))


@route(
    bp,
    "/campaigns/{campaign_id}/initiatives/assessment/close",
    "POST",
    summary="Close the assessment: decide every submitted initiative by the council's rule "
    "(recognised when the members scoring at or above pass_score reach share of the "
    "denominator)",
    tag=TAG,
    response="chalicelib.schemas.initiatives:AssessmentClosed",
    roles=(PROVINCE_ADMIN, COUNCIL_MEMBER),
    scope="a council_member: only the initiatives council's secretary",
    errors=(403, 404),
    request_required=False,
)
def close_assessment(campaign_id: str) -> Response:
    from chalicelib.services.initiatives import assessment

    return json_response(assessment.close(principal_of(bp.current_request), campaign_id))


@route(
    bp,
    "/initiatives/{initiative_id}/audit",
    "GET",
    summary="The initiative's append-only audit trail, oldest first (who scored, never the points)",
    tag=TAG,
    response="chalicelib.schemas.initiatives:InitiativeAuditPage",
    roles=ORGANISATION_ROLES,
    scope=OWN_SUBTREE,
    query=PAGINATION,
    errors=(400, 403, 404),
)
def initiative_audit(initiative_id: str) -> Response:
    from chalicelib.services.initiatives import dossiers

    request = bp.current_request
    items, last = dossiers.audit_trail(
        principal_of(request),
        initiative_id,
        page_limit(request),
        decode_token(query_params(request).get("next_token"), ("seq",), initiative_id),
    )
    return page_response(items, last, initiative_id)

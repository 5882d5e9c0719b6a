"""The appraisal of nominations (award_procedure council) and the holds that bar them."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.api.http import body_as, json_response, principal_of
from chalicelib.api.routing import ADMIN_ONLY, REVIEWERS, route

bp = Blueprint(__name__)


@route(
    bp,
    "/nominations/{nomination_id}/appraisal",
    "GET",
    summary="What the appraisal reads: the campaign's dossier checklist for the kind, what "
    "is missing, and the holds in force on the nominee",
    tag="Nominations",
    response="chalicelib.schemas.holds:AppraisalState",
    roles=REVIEWERS,
    errors=(403, 404),
)
def appraisal_state(nomination_id: str) -> Response:
    from chalicelib.services.nominations import appraisal

    return json_response(appraisal.state_of(principal_of(bp.current_request), nomination_id))


@route(
    bp,
    "/nominations/{nomination_id}/appraisal",
    "POST",
    summary="Appraise a submitted nomination (award_procedure council): eligible (a "
    "complete dossier, no hold: 409 dossier_incomplete, 409 on_hold), not_eligible with a "
    "reason, or return to draft with a reason; not by its creator or submitter",
    tag="Nominations",
    request="chalicelib.schemas.nominations:AppraisalRequest",
    response="chalicelib.schemas.holds:AppraisalOut",
    roles=REVIEWERS,
    errors=(400, 403, 404, 409),
)
def appraise(nomination_id: str) -> Response:
    from chalicelib.schemas.nominations import AppraisalRequest
    from chalicelib.services.nominations import appraisal

    request = bp.current_request
    payload = body_as(request, AppraisalRequest)
    return json_response(
        appraisal.appraise(principal_of(request), nomination_id, payload.outcome, payload.reason)
    )


@route(
    bp,
    "/admin/holds",
    "POST",
    summary="Record a hold on a unit or an official (discipline, inspection, audit, pending "
    "complaint); eligible nominations of the subject go back to submitted",
    tag="Admin",
    request="chalicelib.schemas.holds:HoldCreate",
    response="chalicelib.schemas.holds:HoldRecorded",
    status=201,
    roles=ADMIN_ONLY,
    errors=(400, 403),
)
def record_hold() -> Response:
    from chalicelib.schemas.holds import HoldCreate
    from chalicelib.services import holds

    request = bp.current_request
    payload = body_as(request, HoldCreate)
    return json_response(holds.record_hold(principal_of(request), payload), status=201)


@route(
    bp,
    "/admin/holds",
    "GET",
    summary="Every hold, lifted ones too, oldest first",
    tag="Admin",
    response="chalicelib.schemas.holds:HoldList",
    roles=ADMIN_ONLY,
    errors=(403,),
)
def list_holds() -> Response:
    from chalicelib.services import holds

    return json_response(holds.list_holds(principal_of(bp.current_request)))


@route(
    bp,
    "/admin/holds/{hold_id}",
    "DELETE",
    summary="Lift a hold (the record stays, marked lifted, and in the audit trail)",
    tag="Admin",
    status=204,
    roles=ADMIN_ONLY,
    errors=(403, 404, 409),
)
def lift_hold(hold_id: str) -> Response:
    from chalicelib.services import holds

    holds.lift_hold(principal_of(bp.current_request), hold_id)
    return Response(body="", status_code=204)

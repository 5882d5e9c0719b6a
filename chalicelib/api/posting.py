"""The public posting of the shortlist: opened by the province admin, read by anyone
without a token (bounded: a rate per client address, a rate per nominee for feedback, a
body limit; cacheable), feedback answered by province roles."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.api.http import (
    body_as,
    campaign_listing,
    client_address,
    json_response,
    principal_of,
    raw_body,
)
from chalicelib.api.routing import (
    ADMIN_ONLY,
    PAGINATION,
    PROVINCE_ROLES,
    REVIEWERS,
    QueryParam,
    route,
)

bp = Blueprint(__name__)
TAG = "Posting"
# Shared caches (CloudFront, the browser) keep the public shortlist a minute: it is frozen
# when the posting opens, and only the window's state moves.
CACHE = {"Cache-Control": "public, max-age=60, s-maxage=60"}
NO_STORE = {"Cache-Control": "no-store"}


@route(
    bp,
    "/campaigns/{campaign_id}/posting",
    "POST",
    summary="Open the public posting of the eligible shortlist (award_procedure council): "
    "opens_on and working_days (default 5; Saturdays, Sundays and the campaign's holidays "
    "skipped); the shortlist and its evidence are frozen now",
    tag=TAG,
    request="chalicelib.schemas.posting:PostingCreate",
    response="chalicelib.schemas.posting:PostingOut",
    status=201,
    roles=ADMIN_ONLY,
    errors=(400, 403, 404, 409),
)
def open_posting(campaign_id: str) -> Response:
    from chalicelib.schemas.posting import PostingCreate
    from chalicelib.services import posting

    request = bp.current_request
    payload = body_as(request, PostingCreate)
    return json_response(
        posting.open_posting(principal_of(request), campaign_id, payload), status=201
    )


@route(
    bp,
    "/campaigns/{campaign_id}/posting",
    "GET",
    summary="The campaign's posting: the frozen shortlist, the window, how much feedback is open",
    tag=TAG,
    response="chalicelib.schemas.posting:PostingOut",
    roles=PROVINCE_ROLES,
    errors=(403, 404),
)
def get_posting(campaign_id: str) -> Response:
    from chalicelib.services import posting

    return json_response(posting.get_posting_view(principal_of(bp.current_request), campaign_id))


@route(
    bp,
    "/public/campaigns/{campaign_id}/shortlist",
    "GET",
    summary="The posted shortlist, without a token: each nominee's name, position, unit, "
    "kind, the evidence's score, rank and rates, their recognised initiatives and summary, "
    "and the window; 404 when the campaign never posted one; cacheable 60 s",
    tag="Public",
    response="chalicelib.schemas.posting:PublicShortlist",
    errors=(404, 429),
    public=True,
)
def public_shortlist(campaign_id: str) -> Response:
    from chalicelib.services import posting

    request = bp.current_request
    return json_response(
        posting.public_shortlist(campaign_id, client_address(request)), headers=CACHE
    )


@route(
    bp,
    "/public/campaigns/{campaign_id}/shortlist/{nomination_id}/feedback",
    "POST",
    summary="Feedback (phản ánh) on a shortlisted nominee while the posting is open, without "
    "a token: text (at most 2,000 characters, kept as text), optional name and contact; "
    "at most 5 per client address in 10 minutes and 30 per nominee an hour (429 with "
    "Retry-After), a 16 KiB body (413), 409 outside the window",
    tag="Public",
    request="chalicelib.schemas.posting:FeedbackCreate",
    response="chalicelib.schemas.posting:FeedbackReceived",
    status=202,
    errors=(400, 404, 409, 413, 415, 429),
    public=True,
)
def send_feedback(campaign_id: str, nomination_id: str) -> Response:
    from chalicelib.domain.errors import TooLarge
    from chalicelib.domain.posting import FEEDBACK_BODY_MAX_BYTES
    from chalicelib.schemas.posting import FeedbackCreate
    from chalicelib.services import posting

    request = bp.current_request
    client = client_address(request)
    posting.admit_feedback(client)
    if len(raw_body(request)) > FEEDBACK_BODY_MAX_BYTES:
        raise TooLarge(f"A feedback request has at most {FEEDBACK_BODY_MAX_BYTES} bytes")
    payload = body_as(request, FeedbackCreate)
    return json_response(
        posting.send_feedback(campaign_id, nomination_id, payload, client),
        status=202,
        headers=NO_STORE,
    )


@route(
    bp,
    "/campaigns/{campaign_id}/feedback",
    "GET",
    summary="The public's feedback on the posted shortlist, oldest first",
    tag=TAG,
    response="chalicelib.schemas.posting:FeedbackPage",
    roles=PROVINCE_ROLES,
    query=(
        QueryParam("status", "open or resolved", enum=("open", "resolved")),
        QueryParam("nomination_id", "Only the feedback on this nominee"),
        *PAGINATION,
    ),
    errors=(400, 403, 404),
)
def list_feedback(campaign_id: str) -> Response:
    from chalicelib.services import posting

    return campaign_listing(
        bp.current_request,
        campaign_id,
        posting.list_feedback,
        filters=("status", "nomination_id"),
        id_field="feedback_id",
    )


@route(
    bp,
    "/feedback/{feedback_id}/resolve",
    "POST",
    summary="Answer a feedback item with a note (once)",
    tag=TAG,
    request="chalicelib.schemas.posting:ResolveRequest",
    response="chalicelib.schemas.posting:FeedbackOut",
    roles=REVIEWERS,
    errors=(400, 403, 404, 409),
)
def resolve_feedback(feedback_id: str) -> Response:
    from chalicelib.schemas.posting import ResolveRequest
    from chalicelib.services import posting

    request = bp.current_request
    payload = body_as(request, ResolveRequest)
    return json_response(posting.resolve(principal_of(request), feedback_id, payload.note))

"""The awards council's meeting: attendance, written votes, the secret ballot, the count,
the runoff and the documents."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from chalice import Blueprint, Response

from chalicelib.api.http import body_as, json_response, principal_of
from chalicelib.api.routing import COUNCIL_READERS, route
from chalicelib.auth import COUNCIL_MEMBER, PROVINCE_ADMIN

bp = Blueprint(__name__)
TAG = "Council meetings"
SECRETARY = (PROVINCE_ADMIN, COUNCIL_MEMBER)
SECRETARY_SCOPE = "a council member: only the secretary of the campaign's awards council"
READERS = COUNCIL_READERS
READERS_SCOPE = "a council member: only a member of the meeting's council"
MEETING = "chalicelib.schemas.meetings:MeetingOut"


def _secretary_step(
    path: str, summary: str, *, status: int = 200
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """The secretary's steps that take no body (create, open, close, runoff): declared
    alike, answering the meeting."""
    return route(
        bp,
        path,
        "POST",
        summary=summary,
        tag=TAG,
        response=MEETING,
        status=status,
        roles=SECRETARY,
        scope=SECRETARY_SCOPE,
        errors=(403, 404, 409),
        request_required=False,
    )


def _step(action: Callable[[Any, str], Any], key: str, status: int = 200) -> Response:
    return json_response(action(principal_of(bp.current_request), key), status=status)


@_secretary_step(
    "/campaigns/{campaign_id}/meetings",
    "Open the awards council's meeting for the posted shortlist (409 posting_open "
    "while the posting window runs, 409 feedback_unresolved naming the nominees)",
    status=201,
)
def create_meeting(campaign_id: str) -> Response:
    from chalicelib.services.council import meetings

    return _step(meetings.create_meeting, campaign_id, status=201)


@route(
    bp,
    "/campaigns/{campaign_id}/meetings",
    "GET",
    summary="The campaign's council meeting",
    tag=TAG,
    response=MEETING,
    roles=READERS,
    scope=READERS_SCOPE,
    errors=(403, 404),
)
def campaign_meeting(campaign_id: str) -> Response:
    from chalicelib.services.council import meetings

    principal = principal_of(bp.current_request)
    return json_response(meetings.campaign_meeting(principal, campaign_id))


@route(
    bp,
    "/meetings/{meeting_id}",
    "GET",
    summary="The meeting: attendance, who has voted and how many ballots are in (never a "
    "count per nominee while the ballot is open); the frozen tally once decided",
    tag=TAG,
    response=MEETING,
    roles=READERS,
    scope=READERS_SCOPE,
    errors=(403, 404),
)
def get_meeting(meeting_id: str) -> Response:
    from chalicelib.services.council import meetings

    return json_response(meetings.get_meeting(principal_of(bp.current_request), meeting_id))


@route(
    bp,
    "/meetings/{meeting_id}/attendance",
    "PUT",
    summary="Record who is present (every other member is absent)",
    tag=TAG,
    request="chalicelib.schemas.meetings:Attendance",
    response=MEETING,
    roles=SECRETARY,
    scope=SECRETARY_SCOPE,
    errors=(400, 403, 404, 409),
)
def set_attendance(meeting_id: str) -> Response:
    from chalicelib.schemas.meetings import Attendance
    from chalicelib.services.council import meetings

    request = bp.current_request
    payload = body_as(request, Attendance)
    return json_response(
        meetings.set_attendance(principal_of(request), meeting_id, payload.present)
    )


@route(
    bp,
    "/meetings/{meeting_id}/written-votes",
    "POST",
    summary="Record an absent member's written vote (phiếu bằng văn bản) with its scan, "
    "verified by content (PDF, JPEG, PNG; at most 4 MiB)",
    tag=TAG,
    request="chalicelib.schemas.meetings:WrittenVote",
    response=MEETING,
    status=201,
    roles=SECRETARY,
    scope=SECRETARY_SCOPE,
    errors=(400, 403, 404, 409, 413),
)
def record_written_vote(meeting_id: str) -> Response:
    from chalicelib.schemas.meetings import WrittenVote
    from chalicelib.services.council import meetings

    request = bp.current_request
    payload = body_as(request, WrittenVote)
    out = meetings.record_written_vote(
        principal_of(request),
        meeting_id,
        payload.member_sub,
        dict(payload.choices),
        payload.file.filename,
        payload.file.content_type,
        payload.file.data,
    )
    return json_response(out, status=201)


@_secretary_step(
    "/meetings/{meeting_id}/open",
    "Check the quorum (409 no_quorum, with the counts) and open the secret ballot",
)
def open_ballot(meeting_id: str) -> Response:
    from chalicelib.services.council import meetings

    return _step(meetings.open_ballot, meeting_id)


@route(
    bp,
    "/meetings/{meeting_id}/ballots",
    "POST",
    summary="Cast your secret ballot over the round's nominees (one per member and round: "
    "409 already_voted; 403 when not present, not on the council, or for someone else)",
    tag=TAG,
    request="chalicelib.schemas.meetings:Ballot",
    response="chalicelib.schemas.meetings:BallotReceipt",
    status=201,
    roles=(COUNCIL_MEMBER,),
    scope="only a member of the meeting's council who is present, for themselves",
    errors=(400, 403, 404, 409),
)
def cast_ballot(meeting_id: str) -> Response:
    from chalicelib.schemas.meetings import Ballot
    from chalicelib.services.council import ballots

    request = bp.current_request
    payload = body_as(request, Ballot)
    out = ballots.cast(principal_of(request), meeting_id, dict(payload.choices), payload.member_sub)
    return json_response(out, status=201)


@_secretary_step(
    "/meetings/{meeting_id}/close",
    "Close the ballot and count it: decided (tally frozen, nominations approved or "
    "rejected) or runoff_required (naming the nominees tied at a quota boundary)",
)
def close_ballot(meeting_id: str) -> Response:
    from chalicelib.services.council import meetings

    return _step(meetings.close_ballot, meeting_id)


@_secretary_step(
    "/meetings/{meeting_id}/runoff",
    "Open a new secret ballot among the tied nominees only, for the seats left",
)
def start_runoff(meeting_id: str) -> Response:
    from chalicelib.services.council import meetings

    return _step(meetings.start_runoff, meeting_id)


@route(
    bp,
    "/meetings/{meeting_id}/documents",
    "GET",
    summary="The minutes, vote results, submission and draft decision (PDF and DOCX) of the "
    "decision, as presigned links (status pending until the job has generated them)",
    tag=TAG,
    response="chalicelib.schemas.meetings:DocumentList",
    roles=READERS,
    scope=READERS_SCOPE,
    errors=(403, 404, 409),
)
def list_documents(meeting_id: str) -> Response:
    from chalicelib.services.council import documents

    return json_response(documents.list_documents(principal_of(bp.current_request), meeting_id))


@route(
    bp,
    "/public/campaigns/{campaign_id}/decision",
    "GET",
    summary="The council's decision, once taken: the lists proposed for the award (names; an "
    "individual's position and unit), the date and the tally's hash; never a member, a ballot "
    "or a count per nominee; cacheable 60 s; 404 before the decision",
    tag=TAG,
    response="chalicelib.schemas.meetings:PublicDecision",
    errors=(404, 429),
    public=True,
)
def public_decision(campaign_id: str) -> Response:
    from chalicelib.services import public_limits
    from chalicelib.services.council import meetings

    context = bp.current_request.context or {}
    client = str((context.get("identity") or {}).get("sourceIp") or "unknown")
    public_limits.take("decision", client)
    return json_response(
        meetings.public_decision(campaign_id),
        headers={"Cache-Control": "public, max-age=60, s-maxage=60"},
    )

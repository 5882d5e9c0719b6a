"""The secret ballot: a present member casts one ballot over the round's nominees.

Nothing here logs, measures or audits a ballot's content: the log line and the metric say
a ballot was cast, the audit record says who voted (the roll), and the choices go only to
the box (storage/council_meetings.py), with nothing that links them to the voter. The
answer gives no receipt (no ballot id): a member cannot prove to anyone how they voted.
"""

from __future__ import annotations

from typing import Any

from chalicelib.auth import Principal
from chalicelib.domain import council_vote as vote
from chalicelib.domain import meetings as rules
from chalicelib.domain.errors import Conflict, Forbidden, InvalidInput
from chalicelib.observability import logger, metrics
from chalicelib.services.council import access
from chalicelib.services.council.meetings import record
from chalicelib.storage import council_meetings as meeting_store
from chalicelib.storage.nominations import Refused


def cast(
    principal: Principal, meeting_id: str, choices: dict[str, str], member_sub: str | None
) -> dict[str, Any]:
    meeting = access.load(meeting_id)
    if member_sub is not None and member_sub != principal.sub:
        # The secretary records absent members' written votes; nobody casts another's ballot.
        raise Forbidden("A ballot is cast only by the member themselves", code="not_your_ballot")
    seat = access.seat(principal, meeting)
    if seat is None:
        raise Forbidden("Only members of this council vote", code="not_a_member")
    if meeting.status != rules.VOTING:
        raise Conflict(
            f"The ballot is not open (the meeting is {meeting.status!r})", code="ballot_closed"
        )
    if principal.sub not in (meeting.present or ()):
        raise Forbidden(
            "Only members present at the meeting vote by ballot; an absent member's vote is "
            "a written vote, recorded by the secretary",
            code="not_present",
        )
    kind_of = {n["nomination_id"]: n["kind"] for n in meeting.shortlist}
    seats = meeting.seats if meeting.round > 1 else None
    problem = vote.check_ballot(choices, meeting.ballot_nominees, seats, kind_of)
    if problem:
        # The problem names nominees, never the choices made.
        raise InvalidInput(f"The ballot is invalid: {problem}", details=[{"field": "choices"}])
    rule = rules.rule_of(meeting)
    try:
        meeting_store.cast_ballot(
            meeting,
            principal.sub,
            dict(choices),
            secret=rule.secret,
            record=record(meeting_id, principal, "voted", round=meeting.round),
        )
    except Refused as exc:
        if meeting_store.ROLL in exc.failed:
            raise Conflict("You have already voted in this round", code="already_voted") from None
        if meeting_store.MEETING in exc.failed:
            raise Conflict("The ballot closed meanwhile", code="ballot_closed") from None
        raise
    logger.info("ballot cast", extra={"meeting_id": meeting_id, "round": meeting.round})
    metrics.add_metric(name="BallotsCast", unit="Count", value=1)
    return {"status": "voted", "meeting_id": meeting_id, "round": meeting.round}

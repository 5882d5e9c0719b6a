"""The awards council's meeting: created by the secretary for the posted shortlist,
attendance and written votes, the quorum check that opens the ballot, the count when it
closes, the runoff, and what anyone may see of it meanwhile."""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import secrets
from collections.abc import Callable
from typing import Any

from chalicelib import clock
from chalicelib.auth import Principal
from chalicelib.domain import council_vote as vote
from chalicelib.domain import meetings as rules
from chalicelib.domain.council_vote import AwardsRule
from chalicelib.domain.errors import Conflict, InvalidInput, Unavailable
from chalicelib.domain.meetings import Meeting
from chalicelib.domain.nominations import AuditRecord, sniff
from chalicelib.observability import logger, metrics
from chalicelib.services import registry as registry_service
from chalicelib.services.council import access, road
from chalicelib.storage import council_meetings as meeting_store
from chalicelib.storage.nominations import Refused

_ATTEMPTS = 5


def record(meeting_id: str, principal: Principal, action: str, **details: Any) -> AuditRecord:
    """A line of the meeting's trail (the append-only audit table)."""
    return AuditRecord(
        meeting_store.audit_key(meeting_id),
        clock.now(),
        access.actor(principal),
        action,
        None,
        None,
        details,
    )


def update(
    meeting_id: str, change: Callable[[Meeting], tuple[Meeting, list[AuditRecord]]]
) -> Meeting:
    """Apply `change` to the current meeting under its revision; again when another
    change won the race (the change re-checks its state on the fresh meeting)."""
    for _ in range(_ATTEMPTS):
        current = access.load(meeting_id)
        changed, records = change(current)
        try:
            meeting_store.save_meeting(changed, records)
        except meeting_store.Stale:
            continue
        return changed
    raise Unavailable(
        "The meeting is being changed by someone else; try again", retry_after_seconds=1
    )


def _state(meeting: Meeting, *allowed: str) -> None:
    if meeting.status not in allowed:
        raise Conflict(
            f"The meeting is {meeting.status!r}; this needs {' or '.join(allowed)}",
            code="wrong_state",
            details=[{"status": meeting.status, "allowed": list(allowed)}],
        )


# --- creating the meeting ---------------------------------------------------------------------


def create_meeting(principal: Principal, campaign_id: str) -> dict[str, Any]:
    campaign = registry_service.get_campaign(campaign_id)
    council = road.awards_council(campaign_id)
    probe = Meeting(
        meeting_id="",
        campaign_id=campaign_id,
        status=rules.PREPARING,
        round=1,
        revision=0,
        created_at=clock.now(),
        created_by=principal.sub,
        members=tuple(road.member_dict(m) for m in council.members),
        rule={},
        shortlist=(),
    )
    access.check_secretary(principal, probe)
    if campaign.award_procedure != "council":
        raise Conflict(
            f"Campaign {campaign_id!r} decides its awards by review, not by the council",
            code="not_council_procedure",
        )
    shortlist = road.ready_shortlist(campaign)  # 409 posting_open / feedback_unresolved
    meeting_id = secrets.token_hex(16)
    meeting = Meeting(
        meeting_id=meeting_id,
        campaign_id=campaign_id,
        status=rules.PREPARING,
        round=1,
        revision=0,
        created_at=clock.now(),
        created_by=principal.sub,
        members=probe.members,
        rule=AwardsRule.model_validate(council.rule).model_dump(mode="json"),
        shortlist=tuple(shortlist),
        ballot_nominees=tuple(n["nomination_id"] for n in shortlist),
    )
    try:
        meeting_store.create_meeting(
            meeting, record(meeting_id, principal, "created", nominees=len(shortlist))
        )
    except Refused as exc:
        if meeting_store.CLAIM in exc.failed:
            existing = meeting_store.campaign_meeting_id(campaign_id)
            raise Conflict(
                f"Campaign {campaign_id!r} already has its council meeting {existing}",
                code="meeting_exists",
                details=[{"meeting_id": existing}],
            ) from None
        raise
    logger.info("council meeting created", extra={"meeting_id": meeting_id})
    return view(principal, meeting)


def campaign_meeting(principal: Principal, campaign_id: str) -> dict[str, Any]:
    from chalicelib.domain.errors import NotFound

    meeting_id = meeting_store.campaign_meeting_id(campaign_id)
    if meeting_id is None:
        raise NotFound(f"Campaign {campaign_id!r} has no council meeting yet")
    return get_meeting(principal, meeting_id)


# --- attendance and written votes -------------------------------------------------------------


def set_attendance(principal: Principal, meeting_id: str, present: list[str]) -> dict[str, Any]:
    meeting = access.load(meeting_id)
    access.check_secretary(principal, meeting)
    unknown = sorted(s for s in present if meeting.member(s) is None)
    if unknown:
        raise InvalidInput(
            f"Not members of this council: {', '.join(unknown)}",
            details=[{"field": "present", "sub": s} for s in unknown],
        )

    def change(m: Meeting) -> tuple[Meeting, list[AuditRecord]]:
        _state(m, rules.PREPARING)
        written = sorted(s for s in present if s in m.written_votes)
        if written:
            raise Conflict(
                f"Members with a recorded written vote cannot be present: {', '.join(written)}",
                code="written_vote_recorded",
                details=[{"sub": s} for s in written],
            )
        ordered = tuple(x["sub"] for x in m.members if x["sub"] in set(present))
        return m.changed(present=ordered), [
            record(m.meeting_id, principal, "attendance", present=list(ordered))
        ]

    return view(principal, update(meeting_id, change))


def _scan(data_b64: str, content_type: str) -> tuple[bytes, str]:
    try:
        data = base64.b64decode(data_b64, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInput(
            "The scanned ballot is not valid base64", details=[{"field": "file.data"}]
        ) from None
    if not data:
        raise InvalidInput("The scanned ballot is empty", details=[{"field": "file.data"}])
    if len(data) > rules.WRITTEN_VOTE_MAX_BYTES:
        from chalicelib.domain.errors import TooLarge

        raise TooLarge(
            f"The scanned ballot is over {rules.WRITTEN_VOTE_MAX_BYTES} bytes",
            details=[{"field": "file.data", "max_bytes": rules.WRITTEN_VOTE_MAX_BYTES}],
        )
    problem = sniff(content_type, io.BytesIO(data), len(data))
    if problem:
        raise InvalidInput(
            f"The scanned ballot is refused: {problem}",
            code="file_rejected",
            details=[{"field": "file.data", "reason": problem}],
        )
    return data, hashlib.sha256(data).hexdigest()


def record_written_vote(
    principal: Principal,
    meeting_id: str,
    member_sub: str,
    choices: dict[str, str],
    filename: str,
    content_type: str,
    data_b64: str,
) -> dict[str, Any]:
    """An absent member's written vote (phiếu bằng văn bản) with its scan, verified by its
    content before it is stored (under verified/, where no client can write)."""
    from chalicelib.domain.nominations import filename_problem
    from chalicelib.storage.nominations import uploads

    meeting = access.load(meeting_id)
    access.check_secretary(principal, meeting)
    _state(meeting, rules.PREPARING)
    if meeting.member(member_sub) is None:
        raise InvalidInput(
            f"{member_sub!r} is not a member of this council", details=[{"field": "member_sub"}]
        )
    if meeting.present is None:
        raise Conflict(
            "Record the attendance first: a written vote is an absent member's",
            code="attendance_not_recorded",
        )
    if member_sub in meeting.present:
        raise Conflict(
            f"{member_sub!r} is present and votes by ballot in the room", code="member_present"
        )
    if member_sub in meeting.written_votes:
        raise Conflict(f"{member_sub!r} already has a written vote", code="already_voted")
    problem = vote.check_ballot(choices, meeting.ballot_nominees)
    if problem:
        raise InvalidInput(
            f"The written vote is invalid: {problem}", details=[{"field": "choices"}]
        )
    name_problem = filename_problem(filename)
    if name_problem:
        raise InvalidInput(f"filename {name_problem}", details=[{"field": "file.filename"}])
    data, digest = _scan(data_b64, content_type)
    file_id = secrets.token_hex(16)
    key = f"verified/meetings/{meeting_id}/{file_id}"
    uploads.put_verified(key, io.BytesIO(data), content_type)
    entry = {
        "choices": dict(choices),
        "file": {
            "file_id": file_id,
            "key": key,
            "filename": filename,
            "content_type": content_type,
            "size": len(data),
            "sha256": digest,
        },
        "recorded_at": clock.now().isoformat(),
        "recorded_by": principal.sub,
    }

    def change(m: Meeting) -> tuple[Meeting, list[AuditRecord]]:
        _state(m, rules.PREPARING)
        if member_sub in m.written_votes:
            raise Conflict(f"{member_sub!r} already has a written vote", code="already_voted")
        if member_sub in (m.present or ()):
            raise Conflict(f"{member_sub!r} is present", code="member_present")
        return m.changed(written_votes={**m.written_votes, member_sub: entry}), [
            record(
                m.meeting_id,
                principal,
                "written_vote_recorded",
                member_sub=member_sub,
                file_sha256=digest,
            )
        ]

    return view(principal, update(meeting_id, change))


# --- opening, closing, the runoff -------------------------------------------------------------


def open_ballot(principal: Principal, meeting_id: str) -> dict[str, Any]:
    meeting = access.load(meeting_id)
    access.check_secretary(principal, meeting)

    def change(m: Meeting) -> tuple[Meeting, list[AuditRecord]]:
        _state(m, rules.PREPARING)
        if m.present is None:
            raise Conflict("Record the attendance first", code="attendance_not_recorded")
        members, present = len(m.members), len(m.present)
        required = vote.quorum_required(members, rules.rule_of(m))
        if present < required:
            raise Conflict(
                f"No quorum: {present} of {members} members present, {required} needed",
                code="no_quorum",
                details=[{"members": members, "present": present, "required": required}],
            )
        return m.changed(status=rules.VOTING, opened_at=clock.now()), [
            record(m.meeting_id, principal, "ballot_opened", round=m.round, present=present)
        ]

    return view(principal, update(meeting_id, change))


def _nominees(meeting: Meeting) -> list[vote.Nominee]:
    return [
        vote.Nominee(n["nomination_id"], n["kind"], n.get("name", ""), n.get("kpi_rank"))
        for n in meeting.shortlist
    ]


def close_ballot(principal: Principal, meeting_id: str) -> dict[str, Any]:
    """Count the open round. The first round counts against the rule and applies the
    quota; a runoff orders its tied nominees. A tie at a boundary asks for a runoff;
    otherwise the meeting is decided and its tally frozen."""
    from chalicelib.services.council import decision

    meeting = access.load(meeting_id)
    access.check_secretary(principal, meeting)
    _state(meeting, rules.VOTING)
    rule = rules.rule_of(meeting)
    voted = meeting_store.roll(meeting_id, meeting.round)
    if rule.secret:
        cast = meeting_store.ballots(meeting_id, meeting.round)
    else:
        cast = [dict(c or {}) for c in voted.values()]
    nominees = _nominees(meeting)
    campaign = registry_service.get_campaign(meeting.campaign_id)
    quotas = campaign.award_quotas.model_dump()
    if meeting.round == 1:
        written = [w["choices"] for w in meeting.written_votes.values()]
        counts = vote.count_round(
            nominees,
            cast,
            written,
            members=len(meeting.members),
            present=len(meeting.present or ()),
            rule=rule,
        )
        outcome = vote.apply_quota(nominees, counts, quotas)
        round_record = vote.RoundRecord(
            number=1,
            nominees=meeting.ballot_nominees,
            ballots=len(cast),
            written_votes=len(written),
            counts=tuple(counts),
        )
    else:
        previous = vote.outcome_of(meeting.outcome or {})
        outcome, agree = vote.apply_runoff(previous, nominees, cast)
        round_record = vote.RoundRecord(
            number=meeting.round,
            nominees=meeting.ballot_nominees,
            ballots=len(cast),
            written_votes=0,
            runoff_agree=agree,
            seats=dict(meeting.seats),
        )
    at = clock.now()
    rounds = (*meeting.rounds, vote.round_dict(round_record))
    outcome_data = vote.outcome_dict(outcome)
    if not outcome.final:
        changed = meeting.changed(status=rules.RUNOFF_REQUIRED, rounds=rounds, outcome=outcome_data)
        records = [
            record(
                meeting_id,
                principal,
                "runoff_required",
                round=meeting.round,
                ballots=len(cast),
                tied=[list(r.nominees) for r in outcome.runoffs],
            )
        ]
    else:
        changed = decision.decided(meeting, campaign, rounds, outcome_data, at, principal)
        records = [
            record(
                meeting_id,
                principal,
                "decided",
                round=meeting.round,
                ballots=len(cast),
                tally_sha256=changed.tally_sha256,
            )
        ]
    try:
        meeting_store.save_meeting(changed, records)
    except meeting_store.Stale:
        raise Conflict(
            "The meeting changed while the ballot was being counted; read it again",
            code="meeting_changed",
        ) from None
    if outcome.final:
        decision.apply_to_nominations(changed, principal)
    metrics.add_metric(name="CouncilRoundsClosed", unit="Count", value=1)
    logger.info("council ballot closed", extra={"meeting_id": meeting_id, "round": meeting.round})
    return view(principal, changed)


def start_runoff(principal: Principal, meeting_id: str) -> dict[str, Any]:
    meeting = access.load(meeting_id)
    access.check_secretary(principal, meeting)

    def change(m: Meeting) -> tuple[Meeting, list[AuditRecord]]:
        _state(m, rules.RUNOFF_REQUIRED)
        outcome = vote.outcome_of(m.outcome or {})
        tied = tuple(n for r in outcome.runoffs for n in r.nominees)
        seats = {r.kind: r.seats for r in outcome.runoffs}
        return m.changed(
            status=rules.VOTING, round=m.round + 1, ballot_nominees=tied, seats=seats
        ), [
            record(m.meeting_id, principal, "runoff_opened", round=m.round + 1, nominees=list(tied))
        ]

    return view(principal, update(meeting_id, change))


# --- reading ---------------------------------------------------------------------------------


def view(principal: Principal, meeting: Meeting) -> dict[str, Any]:
    """The meeting as its members and province roles see it. While a round is open: who
    has voted and how many ballots are in, never a count per nominee. After the decision:
    the frozen tally."""
    voted = (
        meeting_store.roll(meeting.meeting_id, meeting.round)
        if meeting.status == rules.VOTING
        else {}
    )
    me = access.seat(principal, meeting)
    present = set(meeting.present or ())
    rounds = [
        {k: r.get(k) for k in ("number", "nominees", "ballots", "written_votes", "seats")}
        for r in meeting.rounds
    ]
    out: dict[str, Any] = {
        "meeting_id": meeting.meeting_id,
        "campaign_id": meeting.campaign_id,
        "status": meeting.status,
        "round": meeting.round,
        "rule": meeting.rule,
        "created_at": meeting.created_at,
        "opened_at": meeting.opened_at,
        "decided_at": meeting.decided_at,
        "members": [
            {
                "sub": m["sub"],
                "full_name": m.get("full_name", ""),
                "position": m.get("position", ""),
                "council_role": m.get("council_role", "member"),
                "present": m["sub"] in present if meeting.present is not None else None,
                "written_vote": m["sub"] in meeting.written_votes,
                "voted": m["sub"] in voted,
            }
            for m in meeting.members
        ],
        "attendance_recorded": meeting.present is not None,
        "quorum_required": vote.quorum_required(len(meeting.members), rules.rule_of(meeting)),
        "shortlist": list(meeting.shortlist),
        "ballot_nominees": list(meeting.ballot_nominees),
        "seats": meeting.seats,
        "ballots_in": len(voted),
        "written_votes": [
            {"member_sub": sub, **{k: w["file"][k] for k in ("filename", "sha256", "size")}}
            for sub, w in meeting.written_votes.items()
        ],
        "rounds": rounds,
        "runoffs": (meeting.outcome or {}).get("runoffs", [])
        if meeting.status == rules.RUNOFF_REQUIRED
        else [],
        "tally": meeting.tally if meeting.status == rules.DECIDED else None,
        "tally_sha256": meeting.tally_sha256,
        "documents_status": meeting.documents_status,
        "you": {
            "member": me is not None,
            "council_role": me.get("council_role") if me else None,
            "present": me is not None and principal.sub in present,
            "voted": me is not None and principal.sub in voted,
        },
    }
    return out


def get_meeting(principal: Principal, meeting_id: str) -> dict[str, Any]:
    meeting = access.load(meeting_id)
    access.check_reader(principal, meeting)
    return view(principal, meeting)


def public_decision(campaign_id: str) -> dict[str, Any]:
    """What anyone may read once the council has decided: the decision's date, the rule,
    how many nominees were considered, and the lists proposed for the award (names, and an
    individual's position and unit). Never a member, a ballot or a count per nominee.
    404 alike for an unknown campaign, no meeting and a meeting not yet decided."""
    from chalicelib.domain.errors import NotFound

    meeting_id = meeting_store.campaign_meeting_id(campaign_id)
    meeting = meeting_store.get_meeting(meeting_id) if meeting_id else None
    if meeting is None or meeting.status != rules.DECIDED or meeting.tally is None:
        raise NotFound(f"No council decision for campaign {campaign_id!r} yet")
    tally = meeting.tally
    by_id = {n["nomination_id"]: n for n in tally["nominees"]}
    return {
        "campaign_id": campaign_id,
        "campaign_name": tally["campaign_name"],
        "decided_on": tally["local_date"],
        "nominees_considered": len(tally["nominees"]),
        "rule": {k: meeting.rule.get(k) for k in ("share", "denominator", "secret")},
        "tally_sha256": meeting.tally_sha256,
        "approved": {
            kind: [
                {
                    "name": by_id[nid]["name"],
                    "position": by_id[nid].get("position") or None,
                    "unit_name": by_id[nid].get("unit_name") or None,
                }
                for nid in ids
            ]
            for kind, ids in tally["approved"].items()
        },
    }

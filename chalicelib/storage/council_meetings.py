"""The awards council's meetings, the voter roll and the ballot box: three tables that
share nothing but the meeting and the round.

- `council_meetings`: one item per meeting (its state as a JSON body, changed only under
  a condition on its revision) and one claim item per campaign (`campaign#<id>`), so a
  campaign has one meeting however many secretaries press the button at once.
- `council_roll`: who has voted in a round: key (meeting, `r<round>#<sub>`) and nothing
  else; an open (non-secret) vote keeps its choices here, with the voter.
- `council_ballots`: the secret ballots of a round: key (`<meeting>#r<round>`, a random
  128-bit id) and the choices (one digit each: a ballot's size says nothing of its
  content). No member, request id, client address or time, and no sequence: a query
  returns ballots in the order of their random ids.

A ballot and its roll entry are written in one transaction (the roll's condition refuses
a second ballot; nothing can be half-cast). The transaction's request token is random and
not stored. What this does not hide (an operator watching the live tables or the request
stream at the moment of voting) is written in docs/awards.md.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence
from typing import Any

from pynamodb.attributes import JSONAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.models import Model

from chalicelib.domain.meetings import Meeting
from chalicelib.domain.nominations import AuditRecord
from chalicelib.storage.models import _meta, register_models
from chalicelib.storage.nominations import audit
from chalicelib.storage.nominations.transactions import Refused, Transaction

MEETING = "meeting"
CLAIM = "claim"
ROLL = "roll"
BALLOT = "ballot"


class MeetingModel(Model):
    Meta = _meta("council_meetings")
    meeting_id = UnicodeAttribute(hash_key=True)  # or "campaign#<id>" for the claim
    campaign_id = UnicodeAttribute()
    status = UnicodeAttribute()
    round = NumberAttribute(default=1)
    revision = NumberAttribute(default=0)
    body = JSONAttribute()


class RollModel(Model):
    """Who voted in a round. No time: nothing to order against the box."""

    Meta = _meta("council_roll")
    meeting_id = UnicodeAttribute(hash_key=True)
    voter = UnicodeAttribute(range_key=True)  # "r<round>#<sub>"
    choices = JSONAttribute(null=True)  # open votes only (rule.secret false)


class BallotModel(Model):
    """One secret ballot: where it was cast (meeting and round) and what it says."""

    Meta = _meta("council_ballots")
    box = UnicodeAttribute(hash_key=True)  # "<meeting_id>#r<round>"
    ballot_id = UnicodeAttribute(range_key=True)  # 32 random hex digits
    choices = JSONAttribute()


register_models(MeetingModel, RollModel, BallotModel)


class Stale(Exception):
    """The meeting changed since it was read (its revision moved): read again."""


def _round(number: int) -> str:
    return f"r{number:03d}"


def box_key(meeting_id: str, number: int) -> str:
    return f"{meeting_id}#{_round(number)}"


def claim_key(campaign_id: str) -> str:
    return f"campaign#{campaign_id}"


def audit_key(meeting_id: str) -> str:
    """The meeting's trail lives in the append-only audit table under this key."""
    return f"meeting~{meeting_id}"


# --- meetings -----------------------------------------------------------------------------


def _time(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _parse_time(value: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value else None


def _body(m: Meeting) -> dict[str, Any]:
    return {
        "created_at": _time(m.created_at),
        "created_by": m.created_by,
        "members": list(m.members),
        "rule": m.rule,
        "shortlist": list(m.shortlist),
        "present": list(m.present) if m.present is not None else None,
        "written_votes": m.written_votes,
        "ballot_nominees": list(m.ballot_nominees),
        "seats": m.seats,
        "rounds": list(m.rounds),
        "outcome": m.outcome,
        "tally": m.tally,
        "tally_sha256": m.tally_sha256,
        "opened_at": _time(m.opened_at),
        "decided_at": _time(m.decided_at),
        "documents_status": m.documents_status,
        "documents": list(m.documents),
    }


def _meeting(item: MeetingModel) -> Meeting:
    b = item.body
    present = b.get("present")
    return Meeting(
        meeting_id=item.meeting_id,
        campaign_id=item.campaign_id,
        status=item.status,
        round=int(item.round),
        revision=int(item.revision),
        created_at=_parse_time(b["created_at"]) or dt.datetime.min,
        created_by=b["created_by"],
        members=tuple(b["members"]),
        rule=b["rule"],
        shortlist=tuple(b["shortlist"]),
        present=tuple(present) if present is not None else None,
        written_votes=b.get("written_votes") or {},
        ballot_nominees=tuple(b.get("ballot_nominees") or ()),
        seats=b.get("seats") or {},
        rounds=tuple(b.get("rounds") or ()),
        outcome=b.get("outcome"),
        tally=b.get("tally"),
        tally_sha256=b.get("tally_sha256"),
        opened_at=_parse_time(b.get("opened_at")),
        decided_at=_parse_time(b.get("decided_at")),
        documents_status=b.get("documents_status"),
        documents=tuple(b.get("documents") or ()),
    )


def _item(m: Meeting) -> MeetingModel:
    return MeetingModel(
        m.meeting_id,
        campaign_id=m.campaign_id,
        status=m.status,
        round=m.round,
        revision=m.revision,
        body=_body(m),
    )


def create_meeting(meeting: Meeting, record: AuditRecord) -> None:
    """The campaign's meeting, once: Refused({CLAIM}) when it already has one."""
    tx = Transaction()
    tx.put(
        CLAIM,
        MeetingModel(
            claim_key(meeting.campaign_id),
            campaign_id=meeting.campaign_id,
            status="claim",
            body={"meeting_id": meeting.meeting_id},
        ),
        condition=MeetingModel.meeting_id.does_not_exist(),
    )
    tx.put(MEETING, _item(meeting), condition=MeetingModel.meeting_id.does_not_exist())
    audit.append(tx, record)
    tx.commit()


def get_meeting(meeting_id: str) -> Meeting | None:
    if meeting_id.startswith("campaign#"):
        return None
    try:
        return _meeting(MeetingModel.get(meeting_id, consistent_read=True))
    except MeetingModel.DoesNotExist:
        return None


def campaign_meeting_id(campaign_id: str) -> str | None:
    try:
        item = MeetingModel.get(claim_key(campaign_id), consistent_read=True)
    except MeetingModel.DoesNotExist:
        return None
    return str(item.body["meeting_id"])


def save_meeting(meeting: Meeting, records: Sequence[AuditRecord] = ()) -> None:
    """Write `meeting` (already `changed`: revision + 1) over the revision before it, with
    its audit records; Stale when someone else changed it first."""
    tx = Transaction()
    tx.put(
        MEETING,
        _item(meeting),
        condition=MeetingModel.revision == meeting.revision - 1,
    )
    for record in records:
        audit.append(tx, record)
    try:
        tx.commit()
    except Refused as exc:
        if MEETING in exc.failed:
            raise Stale(meeting.meeting_id) from None
        raise


# --- the roll and the box -----------------------------------------------------------------


# A ballot's stored size must not depend on what it says: the box's consumed write capacity
# (a per-minute CloudWatch metric any operator reads) beside the audit trail's "voted" times
# would otherwise hint that one voter's ballot was the long one ("disagree" is longer than
# "agree"). Each choice is stored as one digit, the nominees in the round's order (not in
# the order a client happened to send them).
_STORED = {"agree": 1, "disagree": 0}
_READ = {digit: choice for choice, digit in _STORED.items()}


def stored_choices(meeting: Meeting, choices: dict[str, str]) -> dict[str, Any]:
    """A ballot's choices as the box keeps them: one digit each, in the round's order."""
    order = [n for n in meeting.ballot_nominees if n in choices]
    order += sorted(set(choices) - set(order))
    return {nid: _STORED[choices[nid]] for nid in order}


def read_choices(stored: dict[str, Any]) -> dict[str, str]:
    """The choices of a ballot as the box keeps them (`stored_choices`), read back."""
    return {nid: _READ[digit] for nid, digit in stored.items()}


def cast_ballot(
    meeting: Meeting, sub: str, choices: dict[str, str], *, secret: bool, record: AuditRecord
) -> None:
    """One member's ballot of the open round: the roll entry and (secret) the ballot in the
    box, in one transaction. Refused({ROLL}) when the member already voted in this round,
    Refused({MEETING}) when the round is no longer open."""
    tx = Transaction()
    tx.check(
        MEETING,
        MeetingModel,
        meeting.meeting_id,
        None,
        (MeetingModel.status == "voting") & (MeetingModel.round == meeting.round),
    )
    tx.put(
        ROLL,
        RollModel(
            meeting.meeting_id,
            f"{_round(meeting.round)}#{sub}",
            choices=None if secret else choices,
        ),
        condition=RollModel.voter.does_not_exist(),
    )
    if secret:
        tx.put(
            BALLOT,
            BallotModel(
                box_key(meeting.meeting_id, meeting.round),
                secrets.token_hex(16),
                choices=stored_choices(meeting, choices),
            ),
            condition=BallotModel.ballot_id.does_not_exist(),
        )
    audit.append(tx, record)
    tx.commit()


def roll(meeting_id: str, number: int) -> dict[str, dict[str, str] | None]:
    """Who voted in round `number`: sub -> their open choices (None when secret)."""
    prefix = f"{_round(number)}#"
    return {
        item.voter[len(prefix) :]: item.choices
        for item in RollModel.query(
            meeting_id, RollModel.voter.startswith(prefix), consistent_read=True
        )
    }


def ballots(meeting_id: str, number: int) -> list[dict[str, str]]:
    """The secret ballots of round `number` (read when the round closes)."""
    return [
        read_choices(item.choices)
        for item in BallotModel.query(box_key(meeting_id, number), consistent_read=True)
    ]


def meetings_awaiting_documents() -> list[Meeting]:
    """Decided meetings whose documents are still to be generated (a scan: a province
    has a meeting or two per campaign)."""
    return [
        m
        for item in MeetingModel.scan(MeetingModel.status == "decided")
        if (m := _meeting(item)).documents_status == "pending"
    ]

"""The awards council's meeting: its states and the record storage hands back. Pure.

preparing (attendance, written votes) → voting (the secret ballot of one round) →
runoff_required (a tie at a quota boundary) → voting (the runoff round) → … → decided.

Secrecy is a property of the storage design (storage/council_meetings.py): the record of
who voted (the roll) and the ballots (the box) share nothing but the meeting and the round.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Any

from chalicelib.domain.council_vote import AwardsRule

PREPARING = "preparing"
VOTING = "voting"
RUNOFF_REQUIRED = "runoff_required"
DECIDED = "decided"
STATES = (PREPARING, VOTING, RUNOFF_REQUIRED, DECIDED)

# Document kinds, in the order the secretariat files them.
DOCUMENT_KINDS = ("minutes", "vote_results", "submission", "draft_decision")
DOCUMENT_FORMATS = ("pdf", "docx")

# The scanned written ballot: what a secretary may attach, and how large.
WRITTEN_VOTE_TYPES = ("application/pdf", "image/jpeg", "image/png")
WRITTEN_VOTE_MAX_BYTES = 4 * 1024 * 1024


@dataclass(frozen=True)
class Meeting:
    meeting_id: str
    campaign_id: str
    status: str
    round: int  # 1 the ballot over the shortlist, 2.. the runoffs
    revision: int  # optimistic concurrency: every change is conditional on it
    created_at: dt.datetime
    created_by: str
    # Frozen when the meeting was created: the council's members and rule, the shortlist.
    members: tuple[dict[str, Any], ...]
    rule: dict[str, Any]
    shortlist: tuple[dict[str, Any], ...]
    present: tuple[str, ...] | None = None  # None until attendance is recorded
    # sub -> {"choices", "file": {...}, "recorded_at", "recorded_by"}
    written_votes: dict[str, dict[str, Any]] = field(default_factory=dict)
    ballot_nominees: tuple[str, ...] = ()  # the open round's nominees
    seats: dict[str, int] = field(default_factory=dict)  # a runoff's seats per kind
    rounds: tuple[dict[str, Any], ...] = ()  # counted rounds (council_vote.RoundRecord)
    outcome: dict[str, Any] | None = None
    tally: dict[str, Any] | None = None
    tally_sha256: str | None = None
    opened_at: dt.datetime | None = None
    decided_at: dt.datetime | None = None
    documents_status: str | None = None  # pending | ready | failed
    documents: tuple[dict[str, Any], ...] = ()

    def member(self, sub: str) -> dict[str, Any] | None:
        return next((m for m in self.members if m["sub"] == sub), None)

    def nominee(self, nomination_id: str) -> dict[str, Any] | None:
        return next((n for n in self.shortlist if n["nomination_id"] == nomination_id), None)

    @property
    def secretaries(self) -> set[str]:
        return {m["sub"] for m in self.members if m.get("council_role") == "secretary"}

    def changed(self, **changes: Any) -> Meeting:
        return replace(self, revision=self.revision + 1, **changes)


def rule_of(meeting: Meeting) -> AwardsRule:
    """The council's rule as frozen when the meeting was created."""
    return AwardsRule.model_validate(meeting.rule)


def absent(meeting: Meeting) -> list[str]:
    present = set(meeting.present or ())
    return [m["sub"] for m in meeting.members if m["sub"] not in present]


def build_tally(
    meeting: Meeting,
    *,
    campaign_name: str,
    province_name: str,
    quotas: dict[str, int],
    quorum_required: int,
    decided_at: dt.datetime,
    local_date: dt.date,
) -> dict[str, Any]:
    """The frozen tally of a decided meeting: everything the documents and the public
    page say, and nothing that could tell how a member voted (counts only)."""
    outcome = meeting.outcome or {"approved": {}, "rejected": {}}
    first = meeting.rounds[0] if meeting.rounds else {"counts": []}
    counts = {c["nomination_id"]: c for c in first.get("counts", [])}
    runoff_agree: dict[str, list[int]] = {}
    for r in meeting.rounds[1:]:
        for nid, agree in (r.get("runoff_agree") or {}).items():
            runoff_agree.setdefault(nid, []).append(int(agree))
    order = {nid: i + 1 for ids in outcome["approved"].values() for i, nid in enumerate(ids)}
    present = set(meeting.present or ())
    nominees = []
    for n in meeting.shortlist:
        nid = n["nomination_id"]
        c = counts.get(nid, {})
        result = "approved" if nid in order else outcome["rejected"].get(nid, "outside_quota")
        nominees.append(
            {
                **{k: n.get(k) for k in ("nomination_id", "kind", "name", "position", "unit_name")},
                "kpi_rank": n.get("kpi_rank"),
                "score": n.get("score"),
                "agree": c.get("agree", 0),
                "disagree": c.get("disagree", 0),
                "denominator": c.get("denominator", 0),
                "share": c.get("share"),
                "passed": bool(c.get("passed")),
                "runoff_agree": runoff_agree.get(nid, []),
                "result": result,
                "order": order.get(nid),
            }
        )
    counted = bool(meeting.rule.get("written_votes_count", True))
    members = [
        {
            "full_name": m.get("full_name", ""),
            "position": m.get("position", ""),
            "council_role": m.get("council_role", "member"),
            "present": m["sub"] in present,
            "written_vote": m["sub"] in meeting.written_votes,
            "written_vote_counted": counted and m["sub"] in meeting.written_votes,
        }
        for m in meeting.members
    ]
    return {
        "meeting_id": meeting.meeting_id,
        "campaign_id": meeting.campaign_id,
        "campaign_name": campaign_name,
        "province_name": province_name,
        "rule": meeting.rule,
        "quotas": dict(quotas),
        "members": members,
        "members_total": len(meeting.members),
        "present_total": len(present),
        "quorum_required": quorum_required,
        "rounds": [
            {k: r.get(k) for k in ("number", "nominees", "ballots", "written_votes", "seats")}
            for r in meeting.rounds
        ],
        "nominees": nominees,
        "approved": {k: list(v) for k, v in outcome["approved"].items()},
        "opened_at": meeting.opened_at.isoformat() if meeting.opened_at else None,
        "decided_at": decided_at.isoformat(),
        "local_date": local_date.isoformat(),
    }

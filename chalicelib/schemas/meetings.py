"""Request and response models of the awards council's meeting routes."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from chalicelib.domain.council_vote import MAX_NOMINEES
from chalicelib.domain.councils import MAX_MEMBERS, SUB_PATTERN
from chalicelib.domain.meetings import WRITTEN_VOTE_MAX_BYTES

NOMINATION_ID = r"^[0-9a-f]{32}$"
Choice = Literal["agree", "disagree"]
Choices = dict[str, Choice]
MeetingStatus = Literal["preparing", "voting", "runoff_required", "decided"]
# base64 of the largest scan, with its padding
_B64_MAX = 4 * ((WRITTEN_VOTE_MAX_BYTES + 2) // 3)


class Attendance(BaseModel):
    model_config = ConfigDict(extra="forbid")
    present: list[str] = Field(
        max_length=MAX_MEMBERS,
        description="The subs of the members present; every other member is absent",
    )


class ScannedBallot(BaseModel):
    model_config = ConfigDict(extra="forbid")
    filename: str = Field(min_length=1, max_length=255)
    content_type: Literal["application/pdf", "image/jpeg", "image/png"]
    data: str = Field(
        min_length=4,
        max_length=_B64_MAX,
        pattern=r"^[A-Za-z0-9+/]*={0,2}$",
        description=f"The scan, base64 (at most {WRITTEN_VOTE_MAX_BYTES} bytes decoded); "
        "checked by its content (PDF, JPEG or PNG) before it is stored",
    )


class WrittenVote(BaseModel):
    model_config = ConfigDict(extra="forbid")
    member_sub: str = Field(pattern=SUB_PATTERN, description="The absent member")
    choices: Choices = Field(
        max_length=MAX_NOMINEES,
        description="agree or disagree for every nominee of the ballot, by nomination_id",
    )
    file: ScannedBallot


class Ballot(BaseModel):
    model_config = ConfigDict(extra="forbid")
    choices: Choices = Field(
        max_length=MAX_NOMINEES,
        description="agree or disagree for every nominee of the open round, by nomination_id "
        "(a runoff: at most the seats left agree, per kind)",
    )
    member_sub: str | None = Field(
        default=None,
        pattern=SUB_PATTERN,
        description="Optional; when given it must be the caller (nobody votes for another)",
    )


class BallotReceipt(BaseModel):
    status: Literal["voted"]
    meeting_id: str
    round: int


class MeetingMember(BaseModel):
    sub: str
    full_name: str
    position: str
    council_role: str
    present: bool | None = Field(description="null until attendance is recorded")
    written_vote: bool
    voted: bool = Field(description="Has cast a ballot in the open round")


class WrittenVoteOut(BaseModel):
    member_sub: str
    filename: str
    sha256: str
    size: int


class YouOut(BaseModel):
    member: bool
    council_role: str | None
    present: bool
    voted: bool


class MeetingOut(BaseModel):
    meeting_id: str
    campaign_id: str
    status: MeetingStatus
    round: int = Field(ge=1)
    rule: dict[str, Any]
    created_at: dt.datetime
    opened_at: dt.datetime | None
    decided_at: dt.datetime | None
    members: list[MeetingMember]
    attendance_recorded: bool
    quorum_required: int
    shortlist: list[dict[str, Any]]
    ballot_nominees: list[str] = Field(description="The open or next round's nominees")
    seats: dict[str, int] = Field(description="A runoff's seats per kind")
    ballots_in: int = Field(description="Ballots cast in the open round (never per nominee)")
    written_votes: list[WrittenVoteOut]
    rounds: list[dict[str, Any]] = Field(description="Counted rounds: nominees and ballots")
    runoffs: list[dict[str, Any]] = Field(description="Ties at a quota boundary to settle")
    tally: dict[str, Any] | None = Field(description="The frozen tally, once decided")
    tally_sha256: str | None
    documents_status: Literal["pending", "ready", "failed"] | None
    you: YouOut


class DocumentOut(BaseModel):
    kind: Literal["minutes", "vote_results", "submission", "draft_decision"]
    format: Literal["pdf", "docx"]
    name: str
    content_type: str
    size: int
    sha256: str
    url: str = Field(description="Presigned download link")


class DocumentList(BaseModel):
    meeting_id: str
    status: Literal["pending", "ready", "failed"] | None
    tally_sha256: str | None
    expires_at: dt.datetime | None = Field(description="When the links stop working")
    items: list[DocumentOut]


class PublicAwardee(BaseModel):
    name: str
    position: str | None
    unit_name: str | None


class PublicDecision(BaseModel):
    campaign_id: str
    campaign_name: str
    decided_on: dt.date
    nominees_considered: int
    rule: dict[str, Any]
    tally_sha256: str | None
    approved: dict[Literal["collective", "individual"], list[PublicAwardee]]

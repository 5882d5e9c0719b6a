"""Request and response models of the initiative routes. Text is kept exactly as sent."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from chalicelib.domain.fields import NOT_BLANK, IsoDate
from chalicelib.domain.initiatives import (
    COMMENT_MAX_CHARS,
    MAX_AUTHORS,
    TEXT_MAX_CHARS,
    TITLE_MAX_CHARS,
)
from chalicelib.domain.nominations import REASON_MAX_CHARS, is_blank
from chalicelib.domain.vocabulary import IDENTIFIER_PATTERN
from chalicelib.schemas.nominations import Actor, FileOut

Status = Literal["draft", "submitted", "recognised", "not_recognised"]


def _required(value: str) -> str:
    if is_blank(value):
        raise ValueError("must not be blank")
    return value


class AuthorIn(BaseModel):
    """An author: an official of the unit's subtree, or the unit itself (collective)."""

    model_config = ConfigDict(extra="forbid")
    official_id: str | None = Field(default=None, pattern=IDENTIFIER_PATTERN)
    unit_id: str | None = Field(
        default=None,
        pattern=IDENTIFIER_PATTERN,
        description="The registering unit itself, as a collective author",
    )

    @model_validator(mode="after")
    def _one(self) -> AuthorIn:
        if (self.official_id is None) == (self.unit_id is None):
            raise ValueError("an author names either official_id or unit_id")
        return self


class InitiativeCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    unit_id: str | None = Field(
        default=None,
        pattern=IDENTIFIER_PATTERN,
        description="The registering unit: a unit officer's own unit or a sub-unit (default "
        "their unit); required for the province admin",
    )
    title: str = Field(max_length=TITLE_MAX_CHARS, json_schema_extra=NOT_BLANK)
    description: str = Field(
        max_length=TEXT_MAX_CHARS, description="What was done", json_schema_extra=NOT_BLANK
    )
    benefit: str = Field(
        max_length=TEXT_MAX_CHARS,
        description="What it changed, with figures where there are some",
        json_schema_extra=NOT_BLANK,
    )
    applied_from: IsoDate = Field(description="The local date it was first applied")
    authors: list[AuthorIn] = Field(min_length=1, max_length=MAX_AUTHORS)

    _texts = field_validator("title", "description", "benefit")(_required)


class InitiativePatch(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"minProperties": 1})
    title: str | None = Field(default=None, max_length=TITLE_MAX_CHARS, json_schema_extra=NOT_BLANK)
    description: str | None = Field(
        default=None, max_length=TEXT_MAX_CHARS, json_schema_extra=NOT_BLANK
    )
    benefit: str | None = Field(
        default=None, max_length=TEXT_MAX_CHARS, json_schema_extra=NOT_BLANK
    )
    applied_from: IsoDate | None = None
    authors: list[AuthorIn] | None = Field(default=None, min_length=1, max_length=MAX_AUTHORS)

    @field_validator("title", "description", "benefit")
    @classmethod
    def _texts(cls, value: str | None) -> str | None:
        return None if value is None else _required(value)

    @model_validator(mode="after")
    def _something(self) -> InitiativePatch:
        if not self.model_fields_set:
            raise ValueError(
                "name at least one of title, description, benefit, applied_from, authors"
            )
        return self


class ReturnRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(max_length=REASON_MAX_CHARS, json_schema_extra=NOT_BLANK)

    _reason = field_validator("reason")(_required)


class ScoreRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    points: dict[str, int] = Field(
        description="Points per scoring criterion of the campaign (initiative_criteria): "
        "each from 0 to its max_points, every criterion once"
    )
    comment: str = Field(default="", max_length=COMMENT_MAX_CHARS)


# --- responses -------------------------------------------------------------------------------


class AuthorOut(BaseModel):
    name: str
    unit_id: str
    official_id: str | None


class Recusal(BaseModel):
    reason: Literal["author", "author_unit"]
    message: str


class AssessmentOut(BaseModel):
    scores: int = Field(description="How many members scored it")
    members: int = Field(description="The council's members at the close")
    in_favour: int = Field(description="Members whose total reached the rule's pass_score")
    denominator: int
    required: int = Field(description="The fewest in favour that meet the rule's share")
    average: dict[str, float] = Field(description="Average points per criterion")
    average_total: float = Field(description="Average total, out of 100")
    outcome: Literal["recognised", "not_recognised"]
    closed_at: dt.datetime
    rule: dict[str, Any]


class MyScore(BaseModel):
    points: dict[str, int]
    total: int
    comment: str
    at: dt.datetime


class InitiativeOut(BaseModel):
    initiative_id: str
    campaign_id: str
    unit_id: str
    unit_name: str
    title: str
    description: str
    benefit: str
    applied_from: dt.date
    authors: list[AuthorOut]
    status: Status
    return_reason: str | None
    file_count: int
    assessment: AssessmentOut | None = Field(description="Once the assessment closed")
    scores_received: int | None = Field(
        description="Province roles and the council, while submitted: how many members "
        "scored it (never the scores)"
    )
    my_score: MyScore | None = Field(description="A council member's own score")
    recusal: Recusal | None = Field(description="Why the calling member may not score it")
    created_by: Actor
    created_at: dt.datetime
    updated_at: dt.datetime
    submitted_at: dt.datetime | None


class InitiativePage(BaseModel):
    items: list[InitiativeOut]
    next_token: str | None


class InitiativeFileList(BaseModel):
    initiative_id: str
    items: list[FileOut]


class ScoreOut(BaseModel):
    member_sub: str
    full_name: str
    points: dict[str, int]
    total: int
    comment: str
    at: dt.datetime


class ScoreList(BaseModel):
    initiative_id: str
    open: bool = Field(description="True while the assessment is open: only your own score")
    count: int = Field(description="How many members scored it")
    items: list[ScoreOut]


class ClosedItem(BaseModel):
    initiative_id: str
    title: str
    unit_id: str
    outcome: Literal["recognised", "not_recognised"]
    assessment: AssessmentOut


class AssessmentClosed(BaseModel):
    campaign_id: str
    closed_at: dt.datetime
    recognised: int
    not_recognised: int
    items: list[ClosedItem]


class InitiativeAuditRecord(BaseModel):
    initiative_id: str
    at: dt.datetime
    actor: Actor
    action: str
    from_status: Status | None
    to_status: Status | None
    details: dict[str, Any]


class InitiativeAuditPage(BaseModel):
    items: list[InitiativeAuditRecord]
    next_token: str | None

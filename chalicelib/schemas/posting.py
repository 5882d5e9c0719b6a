"""Request and response models of the posting, the public shortlist and the feedback."""

from __future__ import annotations

import datetime as dt
import unicodedata
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from chalicelib.domain.fields import NOT_BLANK, PLAIN_NOT_BLANK, PLAIN_TEXT, IsoDate
from chalicelib.domain.nominations import is_blank
from chalicelib.domain.posting import (
    DEFAULT_WORKING_DAYS,
    FEEDBACK_CONTACT_MAX_CHARS,
    FEEDBACK_NAME_MAX_CHARS,
    FEEDBACK_TEXT_MAX_CHARS,
    MAX_WORKING_DAYS,
    NOTE_MAX_CHARS,
)
from chalicelib.schemas.nominations import Actor

PostingState = Literal["scheduled", "open", "closed"]


def _plain(value: str) -> str:
    # Text, not a carrier for control characters (line breaks and tabs are text).
    if any(unicodedata.category(c) == "Cc" and c not in "\n\r\t" for c in value):
        raise ValueError("must not contain control characters")
    return value


class PostingCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    opens_on: IsoDate = Field(description="The local date the posting opens")
    working_days: int = Field(
        default=DEFAULT_WORKING_DAYS,
        ge=1,
        le=MAX_WORKING_DAYS,
        description="How many working days it stays open (Saturdays, Sundays and the "
        "campaign's holidays are skipped)",
    )


class PublicEvidence(BaseModel):
    score: float | None = None
    rank: int | None = None
    of: int | None = None
    compliant: bool | None = None
    online_rate: float | None = None
    signing_rate: float | None = None
    e_issuance_rate: float | None = None
    kpi_coverage: float | None = None
    two_way_interconnection: bool | None = None
    on_time_rate: float | None = None
    latest_evaluation_score: float | None = None
    processed_total: int | None = None
    as_of: dt.datetime | None = None


class PublicInitiative(BaseModel):
    initiative_id: str
    title: str


class ShortlistNominee(BaseModel):
    nomination_id: str
    kind: Literal["collective", "individual"]
    name: str
    position: str | None = Field(description="An individual's position")
    unit_id: str
    unit_name: str
    evidence: PublicEvidence
    initiatives: list[PublicInitiative] = Field(description="Their recognised initiatives")
    summary: str = Field(description="The summary of achievements")


class PublicShortlist(BaseModel):
    campaign_id: str
    campaign_name: str
    opens_on: dt.date = Field(description="The local date the posting opened")
    opens_at: dt.datetime
    closes_at: dt.datetime = Field(description="The first instant feedback is refused")
    last_day: dt.date
    working_days: int
    state: PostingState
    working_days_left: int
    items: list[ShortlistNominee]


class PostingOut(PublicShortlist):
    opened_by: Actor
    opened_at: dt.datetime
    feedback_open: int = Field(description="Feedback not yet answered")
    feedback_total: int


class FeedbackCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    # The document states _text's and _plain's rules (not blank, no control character).
    text: str = Field(
        max_length=FEEDBACK_TEXT_MAX_CHARS,
        description="Kept as text",
        json_schema_extra=PLAIN_NOT_BLANK,
    )
    name: str = Field(default="", max_length=FEEDBACK_NAME_MAX_CHARS, json_schema_extra=PLAIN_TEXT)
    contact: str = Field(
        default="", max_length=FEEDBACK_CONTACT_MAX_CHARS, json_schema_extra=PLAIN_TEXT
    )

    @field_validator("text")
    @classmethod
    def _text(cls, value: str) -> str:
        if is_blank(value):
            raise ValueError("must not be blank")
        return _plain(value)

    @field_validator("name", "contact")
    @classmethod
    def _short(cls, value: str) -> str:
        return _plain(value)


class FeedbackReceived(BaseModel):
    feedback_id: str
    status: Literal["received"]
    closes_at: dt.datetime


class ResolveRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    note: str = Field(max_length=NOTE_MAX_CHARS, json_schema_extra=NOT_BLANK)

    @field_validator("note")
    @classmethod
    def _note(cls, value: str) -> str:
        if is_blank(value):
            raise ValueError("must not be blank")
        return value


class Resolution(BaseModel):
    note: str
    by: Actor
    at: dt.datetime


class FeedbackOut(BaseModel):
    feedback_id: str
    campaign_id: str
    nomination_id: str
    nominee_name: str
    text: str
    name: str
    contact: str
    created_at: dt.datetime
    status: Literal["open", "resolved"]
    resolution: Resolution | None


class FeedbackPage(BaseModel):
    items: list[FeedbackOut]
    next_token: str | None

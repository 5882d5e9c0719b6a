"""Request and response models of the holds routes (/admin/holds)."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from chalicelib.domain.fields import NOT_BLANK, IsoDate
from chalicelib.domain.holds import REASON_MAX_CHARS, HoldKind, SubjectKind
from chalicelib.domain.nominations import is_blank
from chalicelib.domain.vocabulary import IDENTIFIER_PATTERN
from chalicelib.schemas.nominations import Actor, Category, ChecklistItem, NominationOut


class HoldSubject(BaseModel):
    model_config = ConfigDict(extra="forbid")
    unit_id: str | None = Field(default=None, pattern=IDENTIFIER_PATTERN)
    official_id: str | None = Field(default=None, pattern=IDENTIFIER_PATTERN)

    @model_validator(mode="after")
    def _one(self) -> HoldSubject:
        if (self.unit_id is None) == (self.official_id is None):
            raise ValueError("a hold's subject names either unit_id or official_id")
        return self


class HoldCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    subject: HoldSubject
    kind: HoldKind = Field(
        description="discipline, inspection, audit or complaint (Decree 152/2025/NĐ-CP Art. 4)"
    )
    reason: str = Field(max_length=REASON_MAX_CHARS, json_schema_extra=NOT_BLANK)
    from_: IsoDate = Field(alias="from", description="First local date of the hold")
    to: IsoDate | None = Field(default=None, description="Last local date; none: until lifted")

    @field_validator("reason")
    @classmethod
    def _reason(cls, value: str) -> str:
        if is_blank(value):
            raise ValueError("must not be blank")
        return value

    @model_validator(mode="after")
    def _dates(self) -> HoldCreate:
        if self.to is not None and self.to < self.from_:
            raise ValueError("to is before from")
        return self


class HoldOut(BaseModel):
    model_config = ConfigDict(populate_by_name=True)
    hold_id: str
    subject_kind: SubjectKind
    subject_id: str
    subject_name: str
    kind: HoldKind
    reason: str
    from_: dt.date = Field(alias="from")
    to: dt.date | None
    active: bool = Field(description="In force today (local date) and not lifted")
    created_by: Actor
    created_at: dt.datetime
    lifted_at: dt.datetime | None
    lifted_by: Actor | None


class HoldRecorded(HoldOut):
    held_back: list[str] = Field(
        description="Eligible nominations of the subject put back to submitted by this hold"
    )


class HoldList(BaseModel):
    items: list[HoldOut]


class AppraisalState(BaseModel):
    """What the appraisal reads: the campaign's checklist for the kind, what is missing, and
    the holds in force on the nominee today."""

    checklist: list[ChecklistItem]
    missing: list[Category]
    holds: list[HoldOut]


class AppraisalOut(NominationOut):
    appraisal_state: AppraisalState

"""Request and response models of the nomination routes.

Text is kept exactly as sent (no trimming, no normalisation); limits count characters.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated, Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, create_model, field_validator, model_validator

from chalicelib.domain.campaigns import FileCategory
from chalicelib.domain.fields import patch_field
from chalicelib.domain.nominations import (
    CREATIVITY_MAX_CHARS,
    FILE_TYPES,
    FILENAME_MAX_CHARS,
    FILENAME_PATTERN,
    REASON_MAX_CHARS,
    SUMMARY_MAX_CHARS,
    filename_problem,
    is_blank,
)
from chalicelib.domain.vocabulary import IDENTIFIER_PATTERN, NOT_BLANK_PATTERN
from chalicelib.schemas.kpi import criterion_fields
from chalicelib.settings import get_settings

Kind = Literal["collective", "individual"]
Status = Literal["draft", "submitted", "eligible", "not_eligible", "approved", "rejected"]
Category = FileCategory  # one list: the campaign's dossier requirements name the same
FileStatus = Literal["pending", "verified", "rejected"]
ContentType = Literal[
    "application/pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "image/jpeg",
    "image/png",
]
if set(get_args(ContentType)) != set(FILE_TYPES):  # one list of allowed types
    raise RuntimeError("ContentType and domain.nominations.FILE_TYPES disagree")
ID_PATTERN = IDENTIFIER_PATTERN
# Not blank: stated by the pattern, enforced by _text (with a message that says so).
Summary = Annotated[
    str,
    Field(
        max_length=SUMMARY_MAX_CHARS,
        description="Thành tích (achievements)",
        json_schema_extra={"minLength": 1, "pattern": NOT_BLANK_PATTERN},
    ),
]
Creativity = Annotated[
    str, Field(max_length=CREATIVITY_MAX_CHARS, description="Sáng kiến (creativity)")
]


def _text(value: str | None, *, required: bool) -> str | None:
    # pydantic already refuses text that is not valid Unicode (lone surrogates).
    if value is None:
        return None
    if required and is_blank(value):
        raise ValueError("must not be blank")
    return value


class NominationCreate(BaseModel):
    """A collective nomination names nominee_unit_id, an individual one
    nominee_official_id, never both (a rule across fields: a 400)."""

    model_config = ConfigDict(extra="forbid")
    kind: Kind
    nominee_unit_id: str | None = Field(
        default=None, pattern=ID_PATTERN, description="The unit nominated (collective)"
    )
    nominee_official_id: str | None = Field(
        default=None, pattern=ID_PATTERN, description="The official nominated (individual)"
    )
    unit_id: str | None = Field(
        default=None,
        pattern=ID_PATTERN,
        description="The nominating unit. A unit officer's nominations always belong to "
        "their unit; a province admin may name any unit (default: the nominee's unit).",
    )
    summary: Summary
    creativity: Creativity = ""

    @field_validator("summary")
    @classmethod
    def _summary(cls, value: str) -> str:
        return str(_text(value, required=True))

    @field_validator("creativity")
    @classmethod
    def _creativity(cls, value: str) -> str:
        return str(_text(value, required=False))

    @model_validator(mode="after")
    def _nominee(self) -> NominationCreate:
        if self.kind == "collective":
            if not self.nominee_unit_id or self.nominee_official_id:
                raise ValueError("a collective nomination names nominee_unit_id (and no official)")
        elif not self.nominee_official_id or self.nominee_unit_id:
            raise ValueError("an individual nomination names nominee_official_id (and no unit)")
        return self


class NominationPatch(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"minProperties": 1})
    summary: Summary = patch_field()
    creativity: Creativity = patch_field()

    @field_validator("summary")
    @classmethod
    def _summary(cls, value: str | None) -> str | None:
        return _text(value, required=True)

    @field_validator("creativity")
    @classmethod
    def _creativity(cls, value: str | None) -> str | None:
        return _text(value, required=False)

    @model_validator(mode="after")
    def _something(self) -> NominationPatch:
        if self.summary is None and self.creativity is None:
            raise ValueError("name at least one of summary, creativity")
        return self


def _upload_max(schema: dict[str, Any]) -> None:
    # Read when the document is built, so it states this deployment's UPLOAD_MAX_BYTES.
    schema["maximum"] = get_settings().upload_max_bytes


class FileCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    # The document states filename_problem's rules; filename_problem enforces them with a
    # message that says which (tests/unit/test_fields.py holds the two together).
    filename: str = Field(
        description="Shown and offered on download; never part of the key",
        json_schema_extra={
            "minLength": 1,
            "maxLength": FILENAME_MAX_CHARS,
            "pattern": FILENAME_PATTERN,
        },
    )
    content_type: ContentType
    size: int = Field(
        ge=1, description="Bytes; at most UPLOAD_MAX_BYTES", json_schema_extra=_upload_max
    )
    category: Category

    @field_validator("filename")
    @classmethod
    def _filename(cls, value: str) -> str:
        problem = filename_problem(value)
        if problem:
            raise ValueError(problem)
        return value


class AppraisalRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    outcome: Literal["eligible", "not_eligible", "return"]
    reason: str | None = Field(
        default=None,
        max_length=REASON_MAX_CHARS,
        description="Required for not_eligible and return",
    )

    @field_validator("reason")
    @classmethod
    def _reason(cls, value: str | None) -> str | None:
        return _text(value, required=False)

    @model_validator(mode="after")
    def _reason_needed(self) -> AppraisalRequest:
        if self.outcome != "eligible" and (self.reason is None or is_blank(self.reason)):
            raise ValueError(f"a reason is required for {self.outcome}")
        return self


class ReviewRequest(BaseModel):
    """A reason (not blank) is required to reject or to return (a rule across fields: a
    400)."""

    model_config = ConfigDict(extra="forbid")
    decision: Literal["approve", "reject", "return"]
    reason: str | None = Field(
        default=None,
        max_length=REASON_MAX_CHARS,
        description="Required to reject or return; optional to approve",
    )

    @field_validator("reason")
    @classmethod
    def _reason(cls, value: str | None) -> str | None:
        return _text(value, required=False)

    @model_validator(mode="after")
    def _reason_needed(self) -> ReviewRequest:
        if self.decision in ("reject", "return") and (self.reason is None or is_blank(self.reason)):
            raise ValueError(f"a reason is required to {self.decision} a nomination")
        return self


# --- responses ----------------------------------------------------------------------------


class Actor(BaseModel):
    sub: str
    role: str
    unit_id: str | None


class Nominee(BaseModel):
    unit_id: str
    official_id: str | None
    name: str
    level: str | None = Field(description="The unit's level (collective)")
    position: str | None = Field(description="The official's position (individual)")


class NomineeRank(BaseModel):
    rank: int | None = Field(description="Among the campaign's candidates of this kind")
    of: int
    level_rank: int | None = Field(
        default=None, description="Collective: rank within its level (the campaign ranking)"
    )
    score: float | None = None
    compliant: bool | None = None
    as_of: dt.datetime | None


class Review(BaseModel):
    decision: str
    reason: str | None
    by: Actor
    at: dt.datetime


class ChecklistItem(BaseModel):
    category: Category
    present: bool = Field(description="A verified file of this category is in the dossier")


class Appraisal(BaseModel):
    outcome: Literal["eligible", "not_eligible", "return"]
    reason: str | None
    by: Actor
    at: dt.datetime
    checklist: list[ChecklistItem]
    missing: list[Category]
    holds: list[str] = Field(description="Holds in force on the nominee then (their ids)")


class NominationOut(BaseModel):
    nomination_id: str
    campaign_id: str
    unit_id: str = Field(description="The nominating unit")
    kind: Kind
    nominee: Nominee
    summary: str
    creativity: str
    status: Status
    return_reason: str | None
    review: Review | None
    appraisal: Appraisal | None = Field(description="The last appraisal (award_procedure council)")
    evidence: dict[str, Any] | None = Field(
        description="KPI evidence snapshot of the nominee for the campaign period, taken at "
        "submission (unit KPIs or individual KPIs, with as_of and the rank then)"
    )
    nominee_rank: NomineeRank | None = Field(description="The nominee's rank now")
    file_count: int
    created_by: Actor
    created_at: dt.datetime
    updated_at: dt.datetime
    submitted_at: dt.datetime | None


class NominationPage(BaseModel):
    items: list[NominationOut]
    next_token: str | None


class FileOut(BaseModel):
    file_id: str
    category: Category
    filename: str
    content_type: ContentType
    size: int
    status: FileStatus
    reason: str | None = Field(description="Why the file was rejected")
    sha256: str | None
    created_at: dt.datetime
    verified_at: dt.datetime | None
    download_url: str | None = Field(description="Short-lived; verified files only")
    download_expires_at: dt.datetime | None


class FileList(BaseModel):
    nomination_id: str
    items: list[FileOut]


class PresignedPost(BaseModel):
    url: str
    fields: dict[str, str] = Field(
        description="Send as multipart/form-data fields, then the file as the last field 'file'"
    )
    expires_at: dt.datetime
    max_bytes: int


class UploadTicket(BaseModel):
    file: FileOut
    upload: PresignedPost


class AuditRecord(BaseModel):
    nomination_id: str
    at: dt.datetime
    actor: Actor
    action: str
    from_status: Status | None
    to_status: Status | None
    details: dict[str, Any]


class AuditPage(BaseModel):
    items: list[AuditRecord]
    next_token: str | None


if TYPE_CHECKING:  # built from the criteria; mypy sees a model
    CollectiveCandidate = BaseModel
else:
    CollectiveCandidate = create_model(
        "CollectiveCandidate",
        __module__=__name__,
        rank=(int, ...),
        level_rank=(int, ...),
        unit_id=(str, ...),
        name=(str, ...),
        level=(str, ...),
        score=(float, ...),
        compliant=(bool, ...),
        **criterion_fields("value"),
        processed_total=(int, ...),
        initiatives_submitted=(int, ...),
        initiatives_recognised=(int, ...),
    )


class IndividualCandidate(BaseModel):
    rank: int
    official_id: str
    unit_id: str
    full_name: str
    position: str
    processed_total: int
    online_rate: float | None
    on_time_rate: float | None
    digital_signatures: int
    latest_evaluation_score: float | None
    initiatives_submitted: int = Field(description="Initiatives they are an author of")
    initiatives_recognised: int


class Candidates(BaseModel):
    campaign_id: str
    kind: Kind
    model_config = ConfigDict(populate_by_name=True)
    from_: dt.date = Field(alias="from")
    to: dt.date
    as_of: dt.datetime | None
    items: list[CollectiveCandidate] | list[IndividualCandidate]

"""Request and response models of the results-report routes (báo cáo kết quả)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from chalicelib.domain.fields import NOT_BLANK
from chalicelib.domain.results_reports import REASON_MAX_CHARS, SECTION_MAX_CHARS
from chalicelib.domain.vocabulary import IDENTIFIER_PATTERN
from chalicelib.schemas.nominations import Actor, FileOut

Status = Literal["draft", "submitted"]
TrackingState = Literal["submitted", "late", "draft", "missing"]


class Sections(BaseModel):
    """The narrative the campaign plan asks for; every part optional, kept as sent."""

    model_config = ConfigDict(extra="forbid")
    done: str | None = Field(
        default=None, max_length=SECTION_MAX_CHARS, description="Kết quả đã thực hiện"
    )
    initiatives: str | None = Field(
        default=None, max_length=SECTION_MAX_CHARS, description="Cách làm hay, sáng kiến"
    )
    difficulties: str | None = Field(
        default=None, max_length=SECTION_MAX_CHARS, description="Khó khăn, vướng mắc"
    )
    proposals: str | None = Field(
        default=None, max_length=SECTION_MAX_CHARS, description="Đề xuất, kiến nghị"
    )


class ResultsReportCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    unit_id: str = Field(pattern=IDENTIFIER_PATTERN, description="The reporting unit")
    sections: Sections = Field(default_factory=Sections)


class ResultsReportPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    sections: Sections = Field(
        description="At least one part given as text (a rule across fields: a 400)"
    )

    @model_validator(mode="after")
    def _something(self) -> ResultsReportPatch:
        if not self.sections.model_dump(exclude_none=True):
            raise ValueError("name at least one of done, initiatives, difficulties, proposals")
        return self


class ReturnRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(max_length=REASON_MAX_CHARS, json_schema_extra=NOT_BLANK)

    @field_validator("reason")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value


class ConsolidatedCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    parent_id: str | None = Field(
        default=None,
        pattern=IDENTIFIER_PATTERN,
        description="The parent whose children's reports are consolidated; omitted by a "
        "province role: every department and commune",
    )
    lang: Literal["vi", "en"] = "vi"


class FullSections(BaseModel):
    done: str
    initiatives: str
    difficulties: str
    proposals: str


class HistoryEntry(BaseModel):
    model_config = ConfigDict(extra="allow")
    at: str
    actor: dict[str, Any]
    action: str
    from_status: Status | None
    to_status: Status


class ResultsReportOut(BaseModel):
    results_report_id: str
    campaign_id: str
    unit_id: str
    unit_name: str
    level: str | None
    parent_id: str | None
    sections: FullSections
    status: Status
    deadline: dt.date | None = Field(description="The unit's deadline (local date) by its level")
    days_left: int | None = Field(
        description="Local days until the deadline (0 on the day, negative after it)"
    )
    late: bool = Field(description="Submitted after the deadline")
    submitted_at: dt.datetime | None
    figures: dict[str, Any] | None = Field(
        description="The unit's KPIs for the campaign period, frozen at submission by the "
        "service (metrics, compliance, score, rank, as_of); never typed by the officer"
    )
    return_reason: str | None
    returned_at: dt.datetime | None
    file_count: int
    created_by: Actor
    created_at: dt.datetime
    updated_at: dt.datetime
    history: list[HistoryEntry]


class ResultsFileList(BaseModel):
    results_report_id: str
    items: list[FileOut]


class TrackingRow(BaseModel):
    unit_id: str
    name: str
    level: str
    parent_id: str | None
    state: TrackingState
    deadline: dt.date | None
    days_left: int | None
    results_report_id: str | None
    submitted_at: dt.datetime | None
    return_reason: str | None
    score: float | None
    compliant: bool | None


class TrackingCounts(BaseModel):
    submitted: int
    late: int
    draft: int
    missing: int


class TrackingView(BaseModel):
    campaign_id: str
    parent_id: str | None
    today: dt.date = Field(description="The province's date the days left count from")
    counts: TrackingCounts
    items: list[TrackingRow]

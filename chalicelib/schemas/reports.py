"""Request and response models of the report routes."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from chalicelib.domain.fields import IsoDate
from chalicelib.domain.reports import PROVINCE_SCOPE
from chalicelib.domain.vocabulary import IDENTIFIER_PATTERN


class ReportCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    campaign_id: str = Field(pattern=IDENTIFIER_PATTERN)
    from_: IsoDate | None = Field(
        default=None, alias="from", description="First local date (default: campaign start)"
    )
    to: IsoDate | None = Field(default=None, description="Last local date (default: campaign end)")
    scope: str = Field(
        default=PROVINCE_SCOPE,
        pattern=IDENTIFIER_PATTERN,
        description=f'"{PROVINCE_SCOPE}" for the whole province, or a unit_id for that unit\'s report',
    )
    lang: Literal["vi", "en"] = "vi"


class ReportFile(BaseModel):
    name: str = Field(description='"report.pdf", "report.xlsx", "csv/<table>.csv", "manifest.json"')
    content_type: str
    size: int
    sha256: str


class ReportOut(BaseModel):
    model_config = ConfigDict(populate_by_name=True)
    report_id: str
    campaign_id: str
    period: str = Field(
        description='"YYYY-MM", "campaign", "results" (a consolidated results report) or '
        '"YYYY-MM-DD_YYYY-MM-DD"'
    )
    scope: str
    scope_name: str | None
    version: int
    from_: dt.date = Field(alias="from")
    to: dt.date
    lang: Literal["vi", "en"]
    status: Literal["generating", "ready", "failed"]
    trigger: str = Field(
        description="monthly_reports, campaign_reports, on_demand or results_consolidated"
    )
    requested_by: str | None
    created_at: dt.datetime
    completed_at: dt.datetime | None
    as_of: dt.datetime | None = Field(description="Events aggregated up to this time are included")
    no_events: bool | None = Field(description="True when the period has no document event")
    figures_sha256: str | None = Field(
        description="Digest of the report's figures; a new version with the same digest has "
        "the same figures"
    )
    files: list[ReportFile]
    error: str | None


class ReportList(BaseModel):
    items: list[ReportOut]
    next_token: str | None


class DownloadLink(BaseModel):
    name: str
    url: str
    content_type: str
    size: int


class ReportDownload(BaseModel):
    report_id: str
    format: Literal["pdf", "xlsx", "csv", "manifest"]
    expires_in: int = Field(description="Seconds the links stay valid (900)")
    expires_at: dt.datetime
    url: str | None = Field(description="The file's link (pdf, xlsx, manifest); null for csv")
    files: list[DownloadLink] = Field(description="One link per file (csv: one per table)")

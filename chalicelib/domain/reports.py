"""A report version as the report index holds it (storage/reports.py writes it; the
report service and its routes read it)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from chalicelib.domain.vocabulary import IDENTIFIER_PATTERN

# A report's scope: the whole province, or else the unit_id of the unit it is about.
PROVINCE_SCOPE = "province"
# A report's period: a month, the whole campaign, the consolidated results
# (services/results_consolidated.py), or a range of local dates.
PERIOD_PATTERN = (
    r"^([0-9]{4}-[0-9]{2}|campaign|results"
    r"|[0-9]{4}-[0-9]{2}-[0-9]{2}_[0-9]{4}-[0-9]{2}-[0-9]{2})$"
)
# "<campaign_id>~<period>~<scope>~v<n>" (storage/reports.py: report_id); "~" is in no
# identifier, so the id is unambiguous.
_ID = IDENTIFIER_PATTERN.strip("^$")
REPORT_ID_PATTERN = f"^{_ID}~{PERIOD_PATTERN.strip('^$')}~{_ID}~v[1-9][0-9]{{0,8}}$"


@dataclass(frozen=True)
class ReportVersion:
    """One version of one report: its files are in S3 under ``prefix``."""

    report_id: str  # "<campaign_id>~<period>~<scope>~v<n>"
    campaign_id: str
    period: str  # "YYYY-MM" | "campaign" | "YYYY-MM-DD_YYYY-MM-DD"
    scope: str  # PROVINCE_SCOPE | unit_id
    version: int
    period_from: str  # first local date, ISO
    period_to: str  # last local date, ISO
    lang: str
    status: str  # generating | ready | failed
    trigger: str  # monthly_reports | campaign_reports | on_demand
    requested_by: str | None
    prefix: str
    created_at: dt.datetime
    completed_at: dt.datetime | None = None
    as_of: dt.datetime | None = None
    # Facts about the content, for listings and the late-correction check.
    summary: dict[str, Any] | None = None
    figures_sha256: str | None = None
    files: list[dict[str, Any]] | None = None  # [{name, key, content_type, size, sha256}]
    error: str | None = None
    listing_key: str = ""  # "<period>#<scope>#v<000001>": the paging position

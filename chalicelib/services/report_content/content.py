"""A report's words and figures, and the hash of its figures (what a new version of a
report is compared on)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from chalicelib.domain.campaigns import Campaign
from chalicelib.reports.model import Column, ReportDocument, Section
from chalicelib.services import kpi as kpi_service
from chalicelib.settings import get_settings

# Tables and columns that do not enter the figures hash: they change with the clock or with
# data outside the period, not with the period's events.
VOLATILE_TABLES = frozenset({"silent_units", "nominations"})
VOLATILE_COLUMNS = frozenset({"latest_evaluation_score", "latest_evaluation_period"})


@dataclass
class ReportContent:
    """A report's words and figures; the service gives it an id and times (``document``)."""

    scope: str
    scope_name: str
    title_vi: str
    title_en: str
    sections: list[Section]
    no_events: bool
    facts: dict[str, Any] = field(default_factory=dict)

    def figures(self) -> dict[str, list[dict[str, Any]]]:
        """The period's figures: every table but the volatile ones, as plain rows."""
        out: dict[str, list[dict[str, Any]]] = {}
        for section in self.sections:
            for table in section.tables:
                if table.key in VOLATILE_TABLES:
                    continue
                keys = [c.key for c in table.columns if _is_figure(c)]
                out[table.key] = [{k: row.get(k) for k in keys} for row in table.rows]
        return out

    def figures_sha256(self) -> str:
        canonical = json.dumps(
            self.figures(), sort_keys=True, ensure_ascii=False, default=str, separators=(",", ":")
        )
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()

    def document(
        self,
        *,
        report_id: str,
        campaign: Campaign,
        period: kpi_service.Range,
        as_of: dt.datetime,
        generated_at: dt.datetime,
    ) -> ReportDocument:
        return ReportDocument(
            report_id=report_id,
            campaign_id=campaign.campaign_id,
            campaign_name=campaign.name,
            scope=self.scope,
            scope_name=self.scope_name,
            period_from=period.start,
            period_to=period.end,
            as_of=as_of,
            generated_at=generated_at,
            sections=self.sections,
            title_vi=self.title_vi,
            title_en=self.title_en,
            timezone=get_settings().timezone,
        )


def _is_figure(column: Column) -> bool:
    """Numbers, flags and dates are figures; of the text columns only identifiers are (labels,
    names and explanations depend on the language and on the registry, not on the events)."""
    if column.key in VOLATILE_COLUMNS:
        return False
    return column.kind != "text" or column.key == "key" or column.key.endswith("_id")

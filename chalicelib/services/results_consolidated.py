"""The consolidated results report (báo cáo tổng hợp) of a parent: its children's frozen
figures and narratives in one document, rendered by the report renderers (PDF, XLSX, CSV)
and stored like every other report (period "results", trigger "results_consolidated")."""

from __future__ import annotations

from typing import Any

from chalicelib import clock
from chalicelib.auth import PROVINCE_ADMIN, REVIEWER, UNIT_OFFICER, Principal
from chalicelib.domain import results_reports as rules
from chalicelib.domain.errors import Forbidden, InvalidInput
from chalicelib.domain.reports import PROVINCE_SCOPE
from chalicelib.reports.model import Section, Table
from chalicelib.services import quotas
from chalicelib.services import registry as registry_service
from chalicelib.services import reports as report_service
from chalicelib.services import results_reports as results_service
from chalicelib.services.report_content import ReportContent, ReportContext
from chalicelib.services.report_content.columns import (
    COMPLIANT,
    CRITERION_VALUE_COLUMNS,
    SCORE,
    UNIT_ID,
    UNIT_NAME,
    column,
    level_label,
)
from chalicelib.settings import get_settings
from chalicelib.storage import results_reports as results_store

PERIOD_LABEL = "results"
TRIGGER = "results_consolidated"
STATE_LABELS = {
    "submitted": ("Đã nộp đúng hạn", "Submitted on time"),
    "late": ("Nộp muộn", "Submitted late"),
    "draft": ("Đang soạn", "Draft"),
    "missing": ("Chưa có báo cáo", "Missing"),
}
TRACKING_COLUMNS = [
    UNIT_ID,
    UNIT_NAME,
    column("level", "Cấp", "Level"),
    column("state", "Tình trạng", "State"),
    column("deadline", "Hạn nộp", "Deadline", "date"),
    column("submitted_on", "Ngày nộp", "Submitted on", "date"),
    SCORE,
    *CRITERION_VALUE_COLUMNS,
    COMPLIANT,
]


def _check(principal: Principal, parent_id: str | None) -> None:
    if principal.role in (PROVINCE_ADMIN, REVIEWER):
        return
    if parent_id is None:
        raise InvalidInput("'parent_id' is required for a unit officer: your own unit")
    if principal.role == UNIT_OFFICER and principal.unit_id == parent_id:
        return
    raise Forbidden("Only the parent unit's officers and province staff consolidate its reports")


def content(ctx: ReportContext, parent_id: str | None, lang: str) -> ReportContent:
    campaign = ctx.campaign
    children = results_service.children_of(parent_id, ctx.units)
    reports = {r.unit_id: r for r in results_store.of_campaign(campaign.campaign_id)}
    today = clock.local_today()
    zone = get_settings().zone
    rows: list[dict[str, Any]] = []
    states: list[str] = []
    narratives: list[Section] = []
    for unit in children:
        report = reports.get(unit.unit_id)
        row = results_service.tracking_row(unit, report, campaign, today)
        figures = (report.figures or {}) if report and report.status == "submitted" else {}
        metrics = figures.get("metrics") or {}
        submitted = row["submitted_at"]
        states.append(row["state"])
        rows.append(
            {
                "unit_id": unit.unit_id,
                "name": unit.name,
                "level": level_label(unit.level, lang),
                "state": STATE_LABELS[row["state"]][1 if lang == "en" else 0],
                "deadline": row["deadline"],
                "submitted_on": submitted.astimezone(zone).date() if submitted else None,
                "score": figures.get("score"),
                **{c.key: metrics.get(c.key) for c in CRITERION_VALUE_COLUMNS},
                "compliant": (figures.get("compliance") or {}).get("compliant"),
            }
        )
        if report is not None and report.status == "submitted":
            paragraphs = [
                f"{rules.SECTION_LABELS[k][1 if lang == 'en' else 0]}: {report.sections.get(k) or '—'}"
                for k in rules.SECTIONS
            ]
            narratives.append(
                Section(
                    key=f"unit_{len(narratives) + 1}",
                    title_vi=unit.name,
                    title_en=unit.name,
                    paragraphs_vi=paragraphs,
                    paragraphs_en=paragraphs,
                )
            )
    counts = {s: states.count(s) for s in rules.TRACKING_STATES}
    summary_vi = (
        f"{len(rows)} đơn vị phải báo cáo: {counts['submitted']} nộp đúng hạn, "
        f"{counts['late']} nộp muộn, {counts['draft']} đang soạn, {counts['missing']} chưa có "
        "báo cáo. Số liệu của mỗi đơn vị là số liệu được chốt khi đơn vị nộp báo cáo."
    )
    summary_en = (
        f"{len(rows)} units report: {counts['submitted']} on time, {counts['late']} late, "
        f"{counts['draft']} drafting, {counts['missing']} missing. Each unit's figures are "
        "those frozen when it submitted."
    )
    table = Table(
        key="results_reports",
        title_vi="Tình hình nộp báo cáo và số liệu đã chốt",
        title_en="Reports received and their frozen figures",
        columns=TRACKING_COLUMNS,
        rows=rows,
    )
    scope_name = (
        ctx.units[parent_id].name
        if parent_id and parent_id in ctx.units
        else ("Toàn tỉnh" if lang == "vi" else "Province")
    )
    sections = [
        Section(
            key="summary",
            title_vi="Tổng hợp",
            title_en="Summary",
            paragraphs_vi=[summary_vi],
            paragraphs_en=[summary_en],
            tables=[table],
        ),
        *narratives,
    ]
    return ReportContent(
        scope=parent_id or PROVINCE_SCOPE,
        scope_name=scope_name,
        title_vi="Báo cáo tổng hợp kết quả thực hiện phong trào",
        title_en="Consolidated campaign results report",
        sections=sections,
        no_events=False,
        facts={"children": len(rows), **counts},
    )


def generate(
    principal: Principal, campaign_id: str, parent_id: str | None, lang: str
) -> dict[str, Any]:
    _check(principal, parent_id)
    campaign = registry_service.get_campaign(campaign_id)
    if parent_id is not None:
        registry_service.check_unit_access(principal, parent_id)
    quotas.take(
        "reports",
        principal.sub or "anonymous",
        limit=get_settings().reports_per_hour,
        window_seconds=3600,
        what="report generations",
    )
    ctx = ReportContext.load(campaign, campaign.start_date, campaign.end_date)
    built = content(ctx, parent_id, lang)
    item = report_service.generate(
        ctx,
        parent_id or PROVINCE_SCOPE,
        PERIOD_LABEL,
        lang=lang,
        trigger=TRIGGER,
        requested_by=principal.sub or None,
        content=built,
    )
    return report_service.report_out(item)

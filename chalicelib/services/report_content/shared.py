"""What the province and unit reports share: the period's words, the overview, the
criteria and targets section, the paper estimate."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from chalicelib.domain.campaigns import Campaign
from chalicelib.domain.vocabulary import (
    CRITERIA,
    FLAG_CRITERIA,
    RATE_CRITERIA,
)
from chalicelib.reports.model import Section, Table
from chalicelib.services import kpi as kpi_service
from chalicelib.services.report_content.columns import (
    CRITERION_LABELS,
    DEFAULT_CRITERIA_TEXT,
    column,
    in_language,
)
from chalicelib.services.report_content.context import ReportContext
from chalicelib.settings import get_settings

# Paper saved is an estimate: every document handled electronically at one step (processed
# online, or issued electronically) would otherwise have been printed; the pages of an
# electronic document are unknown, so an assumed average is used and shown in the report.
ASSUMED_PAGES_PER_DOCUMENT = 2
NO_EVENTS_VI = "Không có sự kiện văn bản nào trong kỳ báo cáo."
NO_EVENTS_EN = "No document events in the reporting period."


def has_events(totals: Mapping[str, int]) -> bool:
    return any(totals.values())


def date_vi(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def period_titles(
    campaign: Campaign, period: kpi_service.Range, period_label: str
) -> tuple[str, str]:
    """(vi, en) words for the period in titles."""
    if period_label == "campaign":
        return "tổng kết phong trào", "end of campaign"
    if len(period_label) == 7:  # YYYY-MM
        return (
            f"tháng {period.start.month:02d}/{period.start.year}",
            f"month {period.start.year}-{period.start.month:02d}",
        )
    return (
        f"từ {date_vi(period.start)} đến {date_vi(period.end)}",
        f"{period.start.isoformat()} to {period.end.isoformat()}",
    )


def paper_saved(counts: Mapping[str, Any]) -> int:
    return ASSUMED_PAGES_PER_DOCUMENT * (
        int(counts.get("processed_online") or 0) + int(counts.get("issued_online") or 0)
    )


ESTIMATE_NOTE_VI = (
    "(*) Ước tính, không phải số đo: (văn bản xử lý trên môi trường mạng + văn bản phát hành "
    f"điện tử) × {ASSUMED_PAGES_PER_DOCUMENT} trang/văn bản (số trang bình quân giả định)."
)
ESTIMATE_NOTE_EN = (
    "(*) An estimate, not a measurement: (documents processed online + documents issued "
    f"electronically) × {ASSUMED_PAGES_PER_DOCUMENT} pages per document (an assumed average)."
)


def _score_paragraphs(campaign: Campaign) -> tuple[str, str]:
    return (
        "Điểm (0–100) = 100 × trung bình có trọng số của bốn tỷ lệ và liên thông hai chiều "
        "(có = 1, không = 0; phòng thuộc sở không xét liên thông); tỷ lệ không có dữ liệu tính "
        "là 0 và không được coi là đạt. Một đơn vị đạt khi mọi tỷ lệ đạt chỉ tiêu và có liên "
        "thông hai chiều.",
        "Score (0–100) = 100 × the weighted mean of the four rates and two-way exchange (yes = "
        "1, no = 0; divisions are not assessed on exchange); a rate without data counts 0 and "
        "is never met. A unit is compliant when every rate meets its target and it exchanges "
        "both ways.",
    )


def criteria_section(campaign: Campaign, lang: str) -> Section:
    if campaign.criteria:
        rows = [
            {"no": i, "key": c.key, "description": c.description, "measured": c.measured}
            for i, c in enumerate(campaign.criteria, start=1)
        ]
        note_vi = note_en = None
    else:
        rows = [
            {
                "no": i,
                "key": key,
                "description": in_language(DEFAULT_CRITERIA_TEXT[key], lang),
                "measured": True,
            }
            for i, key in enumerate(CRITERIA, start=1)
        ]
        note_vi = "Phong trào chưa khai báo tiêu chí: liệt kê các tiêu chí đo lường mặc định."
        note_en = "The campaign lists no criteria: the default measured criteria are shown."
    targets = campaign.rate_targets()
    weights = campaign.score_weights()
    target_rows = [
        {
            "criterion": in_language(CRITERION_LABELS[key], lang),
            "key": key,
            "target": targets.get(key) if key in RATE_CRITERIA else None,
            "required": True if key in FLAG_CRITERIA else None,
            "weight": weights[key],
        }
        for key in CRITERIA
    ]
    score_vi, score_en = _score_paragraphs(campaign)
    return Section(
        key="criteria",
        title_vi="Tiêu chí và chỉ tiêu",
        title_en="Criteria and targets",
        paragraphs_vi=[score_vi],
        paragraphs_en=[score_en],
        tables=[
            Table(
                "criteria",
                "Tiêu chí của phong trào",
                "Campaign criteria",
                [
                    column("no", "STT", "No.", "int"),
                    column("key", "Mã", "Key"),
                    column("description", "Tiêu chí", "Criterion"),
                    column("measured", "Đo bằng số liệu", "Measured", "bool"),
                ],
                rows,
                note_vi,
                note_en,
            ),
            Table(
                "targets",
                "Chỉ tiêu và trọng số",
                "Targets and weights",
                [
                    column("criterion", "Tiêu chí", "Criterion"),
                    column("key", "Mã", "Key"),
                    column("target", "Chỉ tiêu", "Target", "percent"),
                    column("required", "Bắt buộc", "Required", "bool"),
                    column("weight", "Trọng số", "Weight", "float"),
                ],
                target_rows,
                "Liên thông hai chiều: bắt buộc với cấp tỉnh và cấp xã, không xét với phòng "
                "thuộc sở.",
                "Two-way exchange: required of province-level units and communes, not assessed "
                "for divisions.",
            ),
        ],
    )


def overview_paragraphs(
    ctx: ReportContext, what_vi: str, what_en: str, no_events: bool
) -> tuple[list[str], list[str]]:
    campaign, period = ctx.campaign, ctx.period
    vi = [
        f"{what_vi} Phong trào “{campaign.name}” ({date_vi(campaign.start_date)} – "
        f"{date_vi(campaign.end_date)}); kỳ báo cáo từ {date_vi(period.start)} đến "
        f"{date_vi(period.end)} (ngày theo giờ địa phương {get_settings().timezone}).",
    ]
    en = [
        f"{what_en} Campaign “{campaign.name}” ({campaign.start_date.isoformat()} – "
        f"{campaign.end_date.isoformat()}); reporting period {period.start.isoformat()} to "
        f"{period.end.isoformat()} (local dates, {get_settings().timezone}).",
    ]
    if ctx.as_of is None:
        vi.append("Chưa có lần tổng hợp số liệu nào: mọi số liệu bằng 0 hoặc không có dữ liệu.")
        en.append("No aggregation has run yet: every figure is zero or no data.")
    else:
        vi.append(
            "Số liệu gồm các sự kiện đã tiếp nhận và tổng hợp đến thời điểm “Số liệu tính đến”; "
            "mọi số liệu trùng với API KPI cho cùng kỳ và cùng thời điểm."
        )
        en.append(
            "Figures include the events received and aggregated up to “Figures as of”; every "
            "figure equals the KPI API's for the same range and time."
        )
    if no_events:
        vi.append(NO_EVENTS_VI)
        en.append(NO_EVENTS_EN)
    return vi, en

"""A unit's report: its figures and trend, its sub-units and officials, what it misses."""

from __future__ import annotations

import math
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from chalicelib.domain.daily_counters import (
    RECEIVED_ELECTRONIC,
    SENT_ELECTRONIC,
    interconnection_pairs,
)
from chalicelib.domain.registry import UnitRecord
from chalicelib.domain.vocabulary import (
    CRITERIA,
    CRITERIA_BY_KEY,
    FLAG_CRITERIA,
    LEVEL_COMMUNE,
    PROVINCE_LEVELS,
    RANKED_LEVELS,
    RATE_CRITERIA,
    RATE_PARTS,
)
from chalicelib.reports.formatting import format_number
from chalicelib.reports.model import LineChart, Section, Table
from chalicelib.services.report_content.columns import (
    COMPLIANT,
    CRITERIA_MET,
    CRITERION_LABELS,
    DAILY_COLUMNS,
    INDICATOR,
    KEY,
    LEVEL,
    METRIC_LABELS,
    OFFICIAL_COLUMNS,
    SCORE,
    SUB_UNIT_COLUMNS,
    UNIT_ID,
    UNIT_NAME,
    column,
    in_language,
    level_label,
)
from chalicelib.services.report_content.content import ReportContent
from chalicelib.services.report_content.context import ReportContext
from chalicelib.services.report_content.creativity import creativity_section
from chalicelib.services.report_content.shared import (
    ESTIMATE_NOTE_EN,
    ESTIMATE_NOTE_VI,
    NO_EVENTS_EN,
    NO_EVENTS_VI,
    has_events,
    overview_paragraphs,
    paper_saved,
    period_titles,
)


def build_unit(
    ctx: ReportContext, unit_id: str, period_label: str, lang: str = "vi"
) -> ReportContent:
    unit = ctx.units.get(unit_id)
    if unit is None:
        raise KeyError(unit_id)
    (row,) = ctx.unit_rows([unit_id])
    metrics, verdict = row["metrics"], row["compliance"]
    no_events = not has_events(row["totals"])
    when_vi, when_en = period_titles(ctx.campaign, ctx.period, period_label)
    parent = ctx.units.get(unit.parent_id or "")
    rank = None
    if unit.level in RANKED_LEVELS:
        for item in ctx.ranking(unit.level)["items"]:
            if item["unit_id"] == unit_id:
                rank = item["rank"]
    applicable = [k for k in CRITERIA if verdict[k] is not None]
    met = sum(1 for k in applicable if verdict[k] is True)
    overview_vi, overview_en = overview_paragraphs(
        ctx,
        f"Báo cáo kết quả của {unit.name} ({level_label(unit.level)}"
        + (f", thuộc {parent.name}" if parent else "")
        + ").",
        f"Results of {unit.name} ({level_label(unit.level, 'en')}"
        + (f", under {parent.name}" if parent else "")
        + ").",
        no_events,
    )
    verdict_vi = (
        "Đơn vị ĐẠT tất cả tiêu chí."
        if verdict["compliant"]
        else f"Đơn vị CHƯA ĐẠT: đạt {met}/{len(applicable)} tiêu chí."
    )
    verdict_en = (
        "The unit MEETS every criterion."
        if verdict["compliant"]
        else f"The unit does NOT meet every criterion: {met}/{len(applicable)} met."
    )
    overview_vi.append(f"{verdict_vi} Điểm: {format_number(row['score'], 2, 'vi')}/100.")
    overview_en.append(f"{verdict_en} Score: {row['score']:.2f}/100.")
    sections = [
        Section(
            key="overview",
            title_vi="Tổng quan",
            title_en="Overview",
            paragraphs_vi=overview_vi,
            paragraphs_en=overview_en,
            tables=[
                Table(
                    "unit_result",
                    "Kết quả chung",
                    "Overall result",
                    [
                        UNIT_ID,
                        UNIT_NAME,
                        LEVEL,
                        SCORE,
                        column("rank", "Hạng trong cấp", "Rank in level", "int"),
                        CRITERIA_MET,
                        column("criteria_total", "Số tiêu chí xét", "Criteria assessed", "int"),
                        COMPLIANT,
                    ],
                    [
                        {
                            "unit_id": unit_id,
                            "name": unit.name,
                            "level": level_label(unit.level, lang),
                            "score": row["score"],
                            "rank": rank,
                            "criteria_met": met,
                            "criteria_total": len(applicable),
                            "compliant": verdict["compliant"],
                        }
                    ],
                    "Hạng: trong bảng xếp hạng cùng cấp của phong trào.",
                    "Rank: in the campaign's ranking of the same level.",
                )
            ],
        ),
        _unit_figures_section(ctx, metrics, verdict, no_events, lang),
        _trend_section(ctx, unit_id),
        _sub_units_section(ctx, unit_id, lang),
        _officials_section(ctx, unit_id, metrics),
        creativity_section(ctx, unit_id),
        _missing_section(ctx, unit, row, lang),
    ]
    return ReportContent(
        scope=unit_id,
        scope_name=unit.name,
        title_vi=f"Báo cáo kết quả của đơn vị — {when_vi}",
        title_en=f"Unit results report — {when_en}",
        sections=sections,
        no_events=no_events,
        facts={"score": row["score"], "compliant": verdict["compliant"]},
    )


UNIT_COUNT_KEYS = (
    "processed_total",
    "processed_online",
    "issued_total",
    "issued_signed_digitally",
    "issued_online",
    "sent_electronic",
    "sent_paper",
    "received_electronic",
    "received_paper",
    "officials_active",
    "officials_evaluated",
    "on_time_total",
    "on_time",
    "exempt_total",
    "paper_pages",
    "paper_saved_estimate",
)


def _unit_figures_section(
    ctx: ReportContext,
    metrics: Mapping[str, Any],
    verdict: Mapping[str, Any],
    no_events: bool,
    lang: str,
) -> Section:
    targets = ctx.campaign.rate_targets()
    counts = [
        {
            "key": key,
            "indicator": in_language(METRIC_LABELS[key], lang),
            "value": paper_saved(metrics) if key == "paper_saved_estimate" else metrics[key],
        }
        for key in UNIT_COUNT_KEYS
    ]
    criteria_rows = [
        {
            "key": key,
            "indicator": in_language(CRITERION_LABELS[key], lang),
            "value": metrics[key] if key not in FLAG_CRITERIA else None,
            "achieved": metrics[key] if key in FLAG_CRITERIA else None,
            "target": targets.get(key),
            "compliant": verdict.get(key),
        }
        for key in (*CRITERIA, "on_time_rate")
    ]
    return Section(
        key="figures",
        title_vi="Số liệu của đơn vị",
        title_en="The unit's figures",
        paragraphs_vi=[NO_EVENTS_VI] if no_events else [],
        paragraphs_en=[NO_EVENTS_EN] if no_events else [],
        tables=[
            Table(
                "unit_figures",
                "Số liệu của đơn vị",
                "Unit figures",
                [KEY, INDICATOR, column("value", "Giá trị", "Value", "int")],
                counts,
                ESTIMATE_NOTE_VI,
                ESTIMATE_NOTE_EN,
            ),
            Table(
                "unit_criteria",
                "Kết quả theo tiêu chí",
                "Criteria results",
                [
                    KEY,
                    column("indicator", "Tiêu chí", "Criterion"),
                    column("value", "Tỷ lệ đạt được", "Rate achieved", "percent"),
                    column("achieved", "Có liên thông", "Exchanging both ways", "bool"),
                    column("target", "Chỉ tiêu", "Target", "percent"),
                    column("compliant", "Đạt", "Met", "bool"),
                ],
                criteria_rows,
                "Tỷ lệ không có dữ liệu (—) không được coi là đạt. Xử lý đúng hạn chỉ để tham "
                "khảo, không phải tiêu chí.",
                "A rate without data (—) is never met. On-time processing is for information, "
                "not a criterion.",
            ),
        ],
    )


def _trend_section(ctx: ReportContext, unit_id: str) -> Section:
    days = ctx.daily(unit_id)["days"]
    rows = [
        {
            "date": day["date"],
            **{c.key: day["metrics"][c.key] for c in DAILY_COLUMNS if c.key != "date"},
        }
        for day in days
    ]
    online = "Tỷ lệ xử lý trên môi trường mạng"
    signing = "Tỷ lệ ký số"
    return Section(
        key="trend",
        title_vi="Diễn biến theo ngày",
        title_en="Daily trend",
        charts=[
            LineChart(
                "Tỷ lệ xử lý văn bản trên môi trường mạng theo ngày",
                "Daily online processing rate",
                x_labels=[r["date"] for r in rows],
                series={
                    online: [r["online_rate"] for r in rows],
                    signing: [r["signing_rate"] for r in rows],
                },
                series_en={online: "Online processing rate", signing: "Digital signing rate"},
            )
        ],
        tables=[
            Table(
                "daily",
                "Số liệu theo ngày",
                "Daily figures",
                DAILY_COLUMNS,
                rows,
                "Ngày không có văn bản: tỷ lệ không có dữ liệu (—), không vẽ trên biểu đồ.",
                "Days without documents: no rate (—), a gap in the chart.",
            )
        ],
    )


def _unit_list_row(row: Mapping[str, Any], lang: str) -> dict[str, Any]:
    unit: UnitRecord = row["unit"]
    metrics = row["metrics"]
    return {
        "unit_id": unit.unit_id,
        "name": unit.name,
        "level": level_label(unit.level, lang),
        "score": row["score"],
        "processed_total": metrics["processed_total"],
        **{key: metrics[key] for key in CRITERIA},
        "compliant": row["compliance"]["compliant"],
    }


def _sub_units_section(ctx: ReportContext, unit_id: str, lang: str) -> Section:
    children = ctx.children(unit_id)
    if not children:
        return Section(
            key="sub_units",
            title_vi="Đơn vị trực thuộc",
            title_en="Sub-units",
            paragraphs_vi=["Đơn vị không có đơn vị trực thuộc."],
            paragraphs_en=["The unit has no sub-units."],
        )
    rows = [_unit_list_row(r, lang) for r in ctx.unit_rows(u.unit_id for u in children)]
    return Section(
        key="sub_units",
        title_vi="Đơn vị trực thuộc",
        title_en="Sub-units",
        paragraphs_vi=[
            f"{len(rows)} đơn vị trực thuộc; {sum(1 for r in rows if r['compliant'])} đạt tất "
            "cả tiêu chí."
        ],
        paragraphs_en=[
            f"{len(rows)} sub-units; {sum(1 for r in rows if r['compliant'])} meet every criterion."
        ],
        tables=[Table("sub_units", "Đơn vị trực thuộc", "Sub-units", SUB_UNIT_COLUMNS, rows)],
    )


def _officials_section(ctx: ReportContext, unit_id: str, metrics: Mapping[str, Any]) -> Section:
    officials = ctx.officials_of(unit_id)
    evaluated = ctx.evaluated(officials)
    rows = [
        {**r, "evaluated": evaluated[r["official_id"]] if r["active"] else None}
        for r in ctx.official_rows(officials)
    ]
    coverage = metrics["kpi_coverage"]
    coverage_vi = "—" if coverage is None else f"{coverage * 100:.1f} %".replace(".", ",")
    coverage_en = "—" if coverage is None else f"{coverage * 100:.1f}%"
    return Section(
        key="officials",
        title_vi="Cán bộ, công chức và đánh giá KPI",
        title_en="Officials and KPI evaluation",
        paragraphs_vi=[
            f"{metrics['officials_evaluated']}/{metrics['officials_active']} cán bộ đang công "
            f"tác được đánh giá KPI trong kỳ ({coverage_vi})."
        ],
        paragraphs_en=[
            f"{metrics['officials_evaluated']}/{metrics['officials_active']} active officials "
            f"evaluated by KPI in the period ({coverage_en})."
        ],
        tables=[
            Table(
                "officials",
                "KPI cá nhân",
                "Individual KPIs",
                OFFICIAL_COLUMNS,
                rows,
                "Được đánh giá trong kỳ: có kết quả đánh giá của một tháng thuộc kỳ báo cáo.",
                "Evaluated in period: an evaluation for a month within the period.",
            )
        ],
    )


def _shortfall(numerator: int, denominator: int, target: float) -> int:
    """How many more of the denominator's items would have had to qualify."""
    needed = math.ceil(Decimal(str(target)) * denominator)
    return max(0, int(needed) - numerator)


def _missing_section(
    ctx: ReportContext, unit: UnitRecord, row: Mapping[str, Any], lang: str
) -> Section:
    metrics, verdict = row["metrics"], row["compliance"]
    targets = ctx.campaign.rate_targets()
    missing: list[dict[str, Any]] = []
    for key in RATE_CRITERIA:
        if verdict[key]:
            continue
        criterion = CRITERIA_BY_KEY[key]
        num_key, den_key = RATE_PARTS[key]
        n, d = int(metrics[num_key]), int(metrics[den_key])
        if d == 0:
            what_vi, what_en = criterion.no_data
            missing.append(
                {
                    "key": key,
                    "criterion": in_language(CRITERION_LABELS[key], lang),
                    "value": None,
                    "target": targets[key],
                    "shortfall": None,
                    "detail": in_language((what_vi, what_en), lang),
                    "detail_vi": what_vi,
                    "detail_en": what_en,
                }
            )
            continue
        assert criterion.shortfall is not None  # every rate has one (CriterionDefinition)
        what_vi, what_en = (text.format(count=d - n) for text in criterion.shortfall)
        missing.append(
            {
                "key": key,
                "criterion": in_language(CRITERION_LABELS[key], lang),
                "value": metrics[key],
                "target": targets[key],
                "shortfall": _shortfall(n, d, targets[key]),
                "detail": in_language((what_vi, what_en), lang),
                "detail_vi": what_vi,
                "detail_en": what_en,
            }
        )
    if verdict["two_way_interconnection"] is False:
        detail_vi, detail_en = _two_way_gap(ctx, unit, row["totals"])
        missing.append(
            {
                "key": "two_way_interconnection",
                "criterion": in_language(CRITERION_LABELS["two_way_interconnection"], lang),
                "value": None,
                "target": None,
                "shortfall": None,
                "detail": in_language((detail_vi, detail_en), lang),
                "detail_vi": detail_vi,
                "detail_en": detail_en,
            }
        )
    officials = [o for o in ctx.officials_of(unit.unit_id) if o.active]
    evaluated = ctx.evaluated(officials)
    not_evaluated = [
        {"official_id": o.official_id, "full_name": o.full_name, "position": o.position}
        for o in officials
        if not evaluated[o.official_id]
    ]
    tables = []
    if missing:
        tables.append(
            Table(
                "missing",
                "Tiêu chí chưa đạt",
                "Criteria not met",
                [
                    KEY,
                    column("criterion", "Tiêu chí", "Criterion"),
                    column("value", "Đạt được", "Achieved", "percent"),
                    column("target", "Chỉ tiêu", "Target", "percent"),
                    column("shortfall", "Còn thiếu", "Short by", "int"),
                    column("detail", "Nguyên nhân", "Why"),
                ],
                missing,
                "Còn thiếu: số văn bản (hoặc cán bộ) lẽ ra phải đạt thêm để đạt chỉ tiêu.",
                "Short by: how many more documents (or officials) had to qualify to meet the "
                "target.",
            )
        )
    if not_evaluated:
        tables.append(
            Table(
                "not_evaluated",
                "Cán bộ chưa được đánh giá KPI",
                "Officials not evaluated",
                [
                    column("official_id", "Mã cán bộ", "Official ID"),
                    column("full_name", "Họ và tên", "Full name"),
                    column("position", "Chức vụ", "Position"),
                ],
                not_evaluated,
            )
        )
    if missing:
        vi = [f"Đơn vị còn {len(missing)} tiêu chí chưa đạt:"] + [
            f"• {CRITERION_LABELS[m['key']][0]}: {m['detail_vi']}" for m in missing
        ]
        en = [f"{len(missing)} criteria are not met:"] + [
            f"• {CRITERION_LABELS[m['key']][1]}: {m['detail_en']}" for m in missing
        ]
    else:
        vi = ["Đơn vị đã đạt tất cả các tiêu chí trong kỳ."]
        en = ["The unit meets every criterion in the period."]
    return Section(
        key="missing",
        title_vi="Những gì còn thiếu để đạt tiêu chí",
        title_en="What is missing to be compliant",
        paragraphs_vi=vi,
        paragraphs_en=en,
        tables=tables,
    )


def _two_way_gap(
    ctx: ReportContext, unit: UnitRecord, totals: Mapping[str, int]
) -> tuple[str, str]:
    levels = {u.unit_id: u.level for u in ctx.units.values()}
    if unit.level == LEVEL_COMMUNE:
        wanted, other_vi, other_en = PROVINCE_LEVELS, "đơn vị cấp tỉnh", "province-level units"
    else:
        wanted, other_vi, other_en = frozenset({LEVEL_COMMUNE}), "xã, phường", "communes"
    sent = received = False
    for counterpart, counts in interconnection_pairs(totals).items():
        if levels.get(counterpart) in wanted:
            sent = sent or counts[SENT_ELECTRONIC] > 0
            received = received or counts[RECEIVED_ELECTRONIC] > 0
    gaps_vi, gaps_en = [], []
    if not sent:
        gaps_vi.append(f"chưa gửi văn bản điện tử đến {other_vi}")
        gaps_en.append(f"sent no electronic document to {other_en}")
    if not received:
        gaps_vi.append(f"chưa nhận văn bản điện tử từ {other_vi}")
        gaps_en.append(f"received no electronic document from {other_en}")
    return "; ".join(gaps_vi).capitalize() + ".", "; ".join(gaps_en).capitalize() + "."

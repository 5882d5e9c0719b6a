"""The province report: summary, rankings, interconnection, gaps, leaders, nominations."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from chalicelib.domain.daily_counters import PAIR_KINDS
from chalicelib.domain.kpi import competition_rank, ratio
from chalicelib.domain.registry import UnitRecord
from chalicelib.domain.reports import PROVINCE_SCOPE
from chalicelib.domain.vocabulary import (
    CRITERIA,
    LEVEL_COMMUNE,
    LEVEL_DEPARTMENT,
    LEVEL_LABELS,
    LEVEL_PROVINCE,
    RATE_PARTS,
    UNIT_LEVELS,
)
from chalicelib.reports.model import BarChart, Section, Table
from chalicelib.services.report_content.columns import (
    COMPLIANCE_COLUMNS,
    INDICATOR,
    KEY,
    LEADER_COLUMNS,
    METRIC_LABELS,
    NOMINATION_KIND,
    NOMINATION_STATUS,
    RANKING_COLUMNS,
    SUMMARY_COUNTS,
    UNIT_LIST_COLUMNS,
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
    criteria_section,
    has_events,
    overview_paragraphs,
    paper_saved,
    period_titles,
)
from chalicelib.settings import get_settings
from chalicelib.storage import nominations as nomination_store

LEADERS = 20
# The scoreboards the province report shows (a division's rank shows in its unit report).
REPORTED_RANKINGS = (LEVEL_DEPARTMENT, LEVEL_COMMUNE)


def province_name(units: Mapping[str, UnitRecord]) -> str:
    roots = sorted(
        (u for u in units.values() if u.level == LEVEL_PROVINCE and not u.parent_id),
        key=lambda u: u.unit_id,
    )
    return roots[0].name if roots else "Toàn tỉnh"


def build_province(ctx: ReportContext, period_label: str, lang: str = "vi") -> ReportContent:
    rows = ctx.all_unit_rows()
    no_events = not any(has_events(r["totals"]) for r in rows)
    when_vi, when_en = period_titles(ctx.campaign, ctx.period, period_label)
    overview_vi, overview_en = overview_paragraphs(
        ctx,
        "Báo cáo kết quả thực hiện phong trào thi đua của toàn tỉnh.",
        "Results of the emulation campaign for the whole province.",
        no_events,
    )
    sections = [
        Section(
            key="overview",
            title_vi="Tổng quan",
            title_en="Overview",
            paragraphs_vi=overview_vi,
            paragraphs_en=overview_en,
        ),
        criteria_section(ctx.campaign, lang),
        _summary_section(rows, no_events, lang),
        *(_ranking_section(ctx, level, no_events) for level in REPORTED_RANKINGS),
        _interconnection_section(ctx, lang),
        _gaps_section(ctx, rows, lang),
        _leaders_section(ctx),
        creativity_section(ctx),
        _nominations_section(ctx, lang),
    ]
    compliant = sum(1 for r in rows if r["compliance"]["compliant"])
    return ReportContent(
        scope=PROVINCE_SCOPE,
        scope_name=province_name(ctx.units),
        title_vi=f"Báo cáo kết quả phong trào thi đua — {when_vi}",
        title_en=f"Campaign results report — {when_en}",
        sections=sections,
        no_events=no_events,
        facts={"units": len(rows), "units_compliant": compliant},
    )


def _sum_counts(rows: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    totals = dict.fromkeys(SUMMARY_COUNTS, 0)
    for row in rows:
        metrics = row["metrics"]
        for key in SUMMARY_COUNTS:
            if key == "paper_saved_estimate":
                totals[key] += paper_saved(metrics)
            else:
                totals[key] += int(metrics[key])
    return totals


def _summary_section(rows: list[dict[str, Any]], no_events: bool, lang: str) -> Section:
    groups: dict[str, list[dict[str, Any]]] = {"total": rows}
    for level in UNIT_LEVELS:
        groups[level] = [r for r in rows if r["unit"].level == level]
    sums = {name: _sum_counts(group) for name, group in groups.items()}
    extra = {
        name: {
            "units": len(group),
            "units_without_data": sum(1 for r in group if not has_events(r["totals"])),
            "units_compliant": sum(1 for r in group if r["compliance"]["compliant"]),
        }
        for name, group in groups.items()
    }
    level_columns = [column(level, *LEVEL_LABELS[level], "int") for level in UNIT_LEVELS]
    counts_rows = [
        {
            "key": key,
            "indicator": in_language(METRIC_LABELS[key], lang),
            "total": sums["total"][key],
            **{level: sums[level][key] for level in UNIT_LEVELS},
        }
        for key in SUMMARY_COUNTS
    ] + [
        {
            "key": key,
            "indicator": in_language(METRIC_LABELS[key], lang),
            "total": extra["total"][key],
            **{level: extra[level][key] for level in UNIT_LEVELS},
        }
        for key in ("units", "units_without_data", "units_compliant")
    ]
    rate_rows = [
        {
            "key": key,
            "indicator": in_language(METRIC_LABELS[key], lang),
            "total": ratio(sums["total"][num], sums["total"][den]),
            **{level: ratio(sums[level][num], sums[level][den]) for level in UNIT_LEVELS},
        }
        for key, (num, den) in RATE_PARTS.items()
    ]
    note_vi = (
        "Tổng của các đơn vị: một văn bản do nhiều đơn vị xử lý được tính ở mỗi đơn vị. "
        + ESTIMATE_NOTE_VI
    )
    note_en = (
        "Sums over units: a document handled by several units counts once per unit. "
        + ESTIMATE_NOTE_EN
    )
    paragraphs_vi = [NO_EVENTS_VI] if no_events else []
    paragraphs_en = [NO_EVENTS_EN] if no_events else []
    return Section(
        key="summary",
        title_vi="Số liệu tổng hợp",
        title_en="Summary figures",
        paragraphs_vi=paragraphs_vi,
        paragraphs_en=paragraphs_en,
        tables=[
            Table(
                "summary_counts",
                "Số liệu tổng hợp",
                "Summary figures",
                [
                    KEY,
                    INDICATOR,
                    column("total", "Toàn tỉnh", "Province total", "int"),
                    *level_columns,
                ],
                counts_rows,
                note_vi,
                note_en,
            ),
            Table(
                "summary_rates",
                "Tỷ lệ tổng hợp",
                "Summary rates",
                [
                    KEY,
                    INDICATOR,
                    column("total", "Toàn tỉnh", "Province total", "percent"),
                    *(column(level, *LEVEL_LABELS[level], "percent") for level in UNIT_LEVELS),
                ],
                rate_rows,
                "Tỷ lệ tính trên tổng số của các đơn vị; — : không có dữ liệu.",
                "Rates of the summed figures; — : no data.",
            ),
        ],
    )


def _ranking_section(ctx: ReportContext, level: str, no_events: bool) -> Section:
    plural_vi = {LEVEL_DEPARTMENT: "sở, ban, ngành", LEVEL_COMMUNE: "xã, phường, đặc khu"}[level]
    plural_en = {LEVEL_DEPARTMENT: "departments", LEVEL_COMMUNE: "communes"}[level]
    items = ctx.ranking(level)["items"]
    by_id = {r["unit"].unit_id: r for r in ctx.unit_rows(i["unit_id"] for i in items)}
    compliance_rows = []
    for item in items:
        verdict = by_id[item["unit_id"]]["compliance"]
        compliance_rows.append(
            {
                "rank": item["rank"],
                "unit_id": item["unit_id"],
                "name": item["name"],
                **{key: verdict[key] for key in CRITERIA},
                "criteria_met": sum(1 for key in CRITERIA if verdict[key] is True),
                "compliant": verdict["compliant"],
            }
        )
    note_vi = NO_EVENTS_VI if no_events else None
    note_en = NO_EVENTS_EN if no_events else None
    level_key = "departments" if level == LEVEL_DEPARTMENT else "communes"
    return Section(
        key=f"ranking_{level_key}",
        title_vi=f"Xếp hạng các {plural_vi}",
        title_en=f"Ranking of {plural_en}",
        paragraphs_vi=[
            f"{len(items)} đơn vị; {sum(1 for i in items if i['compliant'])} đơn vị đạt tất cả "
            "tiêu chí. Xếp theo điểm, rồi tỷ lệ xử lý trên mạng, rồi số văn bản xử lý; bằng "
            "nhau thì cùng hạng."
        ],
        paragraphs_en=[
            f"{len(items)} units; {sum(1 for i in items if i['compliant'])} meet every "
            "criterion. Ordered by score, then online rate, then documents processed; equal "
            "units share a rank."
        ],
        charts=[
            BarChart(
                f"Điểm của các {plural_vi}",
                f"Scores of {plural_en}",
                categories=[f"{i['rank']}. {i['name']}" for i in items],
                values=[i["score"] for i in items],
            )
        ],
        tables=[
            Table(
                f"ranking_{level}",
                f"Xếp hạng {plural_vi}",
                f"Ranking: {plural_en}",
                RANKING_COLUMNS,
                items,
                note_vi,
                note_en,
            ),
            Table(
                f"compliance_{level}",
                f"Đạt tiêu chí: {plural_vi}",
                f"Criteria met: {plural_en}",
                COMPLIANCE_COLUMNS,
                compliance_rows,
                note_vi,
                note_en,
            ),
        ],
    )


def _interconnection_section(ctx: ReportContext, lang: str) -> Section:
    data = ctx.interconnection()
    names = {u.unit_id: u.name for u in ctx.units.values()}
    pairs = [
        {
            "province_unit_id": p["province_unit_id"],
            "province_unit_name": names.get(p["province_unit_id"], p["province_unit_id"]),
            "commune_unit_id": p["commune_unit_id"],
            "commune_unit_name": names.get(p["commune_unit_id"], p["commune_unit_id"]),
            **{k: p[k] for k in PAIR_KINDS},
        }
        for p in data["pairs"]
    ]
    without = [{**u, "level": level_label(u["level"], lang)} for u in data["units_without_two_way"]]
    return Section(
        key="interconnection",
        title_vi="Liên thông văn bản điện tử",
        title_en="Electronic document exchange",
        paragraphs_vi=[
            f"{len(pairs)} cặp đơn vị cấp tỉnh – cấp xã có trao đổi văn bản; "
            f"{len(without)} đơn vị chưa liên thông hai chiều."
        ],
        paragraphs_en=[
            f"{len(pairs)} province-level ↔ commune pairs exchanged documents; "
            f"{len(without)} units without two-way exchange."
        ],
        tables=[
            Table(
                "interconnection",
                "Ma trận liên thông tỉnh – xã",
                "Province ↔ commune exchange",
                [
                    column("province_unit_id", "Mã đơn vị cấp tỉnh", "Province-level unit ID"),
                    column("province_unit_name", "Đơn vị cấp tỉnh", "Province-level unit"),
                    column("commune_unit_id", "Mã xã, phường", "Commune ID"),
                    column("commune_unit_name", "Xã, phường", "Commune"),
                    column("sent_electronic", "Gửi điện tử", "Sent electronically", "int"),
                    column("sent_paper", "Gửi giấy", "Sent on paper", "int"),
                    column("received_electronic", "Nhận điện tử", "Received electronically", "int"),
                    column("received_paper", "Nhận giấy", "Received on paper", "int"),
                ],
                pairs,
                "Số cặp (văn bản, nơi gửi/nhận) do đơn vị cấp tỉnh ghi nhận: gửi đến xã và "
                "nhận từ xã.",
                "(document, counterpart) pairs recorded by the province-level unit: sent to "
                "and received from the commune.",
            ),
            Table(
                "without_two_way",
                "Chưa liên thông hai chiều",
                "Without two-way exchange",
                UNIT_LIST_COLUMNS,
                without,
            ),
        ],
    )


def _gaps_section(ctx: ReportContext, rows: list[dict[str, Any]], lang: str) -> Section:
    zone = get_settings().zone
    without_data = [
        {
            "unit_id": r["unit"].unit_id,
            "name": r["unit"].name,
            "level": level_label(r["unit"].level, lang),
        }
        for r in rows
        if not has_events(r["totals"])
    ]
    fresh = ctx.freshness()
    silent = [
        {
            "unit_id": u["unit_id"],
            "name": u["name"],
            "level": level_label(u["level"], lang),
            "last_event_at": u["last_event_at"].astimezone(zone) if u["last_event_at"] else None,
        }
        for u in fresh["silent_units"]
    ]
    checked = fresh["checked_at"].astimezone(zone).strftime("%d/%m/%Y %H:%M")
    hours = fresh["silent_after_hours"]
    return Section(
        key="data_gaps",
        title_vi="Đơn vị không có dữ liệu hoặc im lặng",
        title_en="Units without data or silent",
        paragraphs_vi=[
            f"{len(without_data)} đơn vị không có sự kiện văn bản nào trong kỳ. "
            f"{len(silent)} đơn vị im lặng: không có sự kiện nào trong {hours} giờ trước thời "
            f"điểm lập báo cáo ({checked})."
        ],
        paragraphs_en=[
            f"{len(without_data)} units have no document event in the period. {len(silent)} "
            f"units are silent: no event in the {hours} hours before the report was made "
            f"({checked})."
        ],
        tables=[
            Table(
                "units_without_data",
                "Đơn vị không có dữ liệu",
                "Units without data",
                UNIT_LIST_COLUMNS,
                without_data,
            ),
            Table(
                "silent_units",
                "Đơn vị im lặng",
                "Silent units",
                [
                    *UNIT_LIST_COLUMNS,
                    column("last_event_at", "Sự kiện gần nhất", "Last event", "date"),
                ],
                silent,
                "Tình trạng tại thời điểm lập báo cáo, không phải của kỳ báo cáo.",
                "Status when the report was made, not over the period.",
            ),
        ],
    )


def _leader_key(row: Mapping[str, Any]) -> tuple[Any, ...]:
    rate = row["online_rate"]
    return (
        -row["processed_online"],
        -(rate if rate is not None else -1.0),
        -row["digital_signatures"],
    )


def _leaders_section(ctx: ReportContext) -> Section:
    names = {u.unit_id: u.name for u in ctx.units.values()}
    officials = {o.official_id: o for o in ctx.officials()}
    # Rank on the counters first; only the leaders' latest evaluations are read.
    rows = [
        r
        for r in ctx.official_rows(list(officials.values()), evaluations=False)
        if r["processed_total"] > 0 or r["digital_signatures"] > 0
    ]
    rows.sort(key=lambda r: (_leader_key(r), r["official_id"]))
    top = ctx.official_rows([officials[r["official_id"]] for r in rows[:LEADERS]])
    leaders = [
        {**row, "unit_name": names.get(row["unit_id"], row["unit_id"])}
        for row in competition_rank(top, _leader_key, "official_id")
    ]
    return Section(
        key="leaders",
        title_vi="Cá nhân dẫn đầu về KPI",
        title_en="Individual KPI leaders",
        paragraphs_vi=[
            f"{len(leaders)} cán bộ dẫn đầu theo số văn bản xử lý trên môi trường mạng, rồi tỷ lệ "
            "xử lý trên mạng, rồi số chữ ký số."
        ],
        paragraphs_en=[
            f"The {len(leaders)} leading officials by documents processed online, then online "
            "rate, then digital signatures."
        ],
        tables=[
            Table(
                "leaders",
                "Cá nhân dẫn đầu",
                "KPI leaders",
                LEADER_COLUMNS,
                leaders,
                "Điểm KPI gần nhất: lần đánh giá mới nhất đã ghi nhận.",
                "Latest KPI score: the most recent evaluation recorded.",
            )
        ],
    )


def _nominations_section(ctx: ReportContext, lang: str) -> Section:
    title_vi, title_en = "Hồ sơ đề nghị khen thưởng", "Award nominations"
    names = {u.unit_id: u.name for u in ctx.units.values()}
    items = nomination_store.campaign_nominations(ctx.campaign.campaign_id)
    drafts = sum(1 for i in items if i.status == "draft")
    zone = get_settings().zone
    rows = [
        {
            "kind": in_language(NOMINATION_KIND.get(i.kind, (i.kind, i.kind)), lang),
            "nominee": i.nominee_name or i.nominee_official_id or "",
            "nominee_unit": names.get(i.nominee_unit_id, i.nominee_unit_id),
            "unit": names.get(i.unit_id, i.unit_id),
            "status": in_language(NOMINATION_STATUS.get(i.status, (i.status, i.status)), lang),
            "submitted_at": i.submitted_at.astimezone(zone) if i.submitted_at else None,
        }
        for i in sorted(items, key=lambda i: (i.kind, i.status, i.created_key))
        if i.status != "draft"
    ]
    quotas = ctx.campaign.award_quotas
    approved = {
        kind: sum(1 for i in items if i.kind == kind and i.status == "approved")
        for kind in NOMINATION_KIND
    }
    return Section(
        key="nominations",
        title_vi=title_vi,
        title_en=title_en,
        paragraphs_vi=[
            f"Đã duyệt {approved['collective']}/{quotas.collective} tập thể và "
            f"{approved['individual']}/{quotas.individual} cá nhân; {drafts} hồ sơ đang soạn "
            "(không liệt kê)."
        ],
        paragraphs_en=[
            f"Approved: {approved['collective']}/{quotas.collective} collectives and "
            f"{approved['individual']}/{quotas.individual} individuals; {drafts} drafts (not "
            "listed)."
        ],
        tables=[
            Table(
                "nominations",
                "Hồ sơ đề nghị khen thưởng",
                "Award nominations",
                [
                    column("kind", "Loại", "Kind"),
                    column("nominee", "Tập thể, cá nhân được đề nghị", "Nominee"),
                    column("nominee_unit", "Đơn vị của người được đề nghị", "Nominee's unit"),
                    column("unit", "Đơn vị đề nghị", "Nominating unit"),
                    column("status", "Trạng thái", "Status"),
                    column("submitted_at", "Ngày gửi", "Submitted", "date"),
                ],
                rows,
            )
        ],
    )

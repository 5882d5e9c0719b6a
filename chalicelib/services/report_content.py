"""What a report says: province and unit reports assembled from the KPI service.

Every figure comes from the KPI read side (``services.kpi``: ``unit_table``, ``ranking``,
``interconnection``, ``officials_table``, ``unit_daily``, ``freshness``), so a report shows
exactly what the API returns for the same range and ``as_of``. This module only selects,
orders and labels (Vietnamese, with English labels for ``lang=en``); it renders nothing and
imports no rendering library.

A ``ReportContext`` holds one campaign, one range and the KPI reads shared by every report of
that range (a job writing the province report and every unit's report reads each figure once).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib
import json
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from chalicelib.auth import PROVINCE_ADMIN, Principal
from chalicelib.domain import kpi as kpi_rules
from chalicelib.domain.campaigns import CRITERIA, RATE_CRITERIA, Campaign
from chalicelib.domain.registry import PROVINCE_LEVEL, OfficialRecord, UnitRecord
from chalicelib.reports.formatting import format_number
from chalicelib.reports.model import BarChart, Column, LineChart, ReportDocument, Section, Table
from chalicelib.services import kpi as kpi_service
from chalicelib.settings import get_settings
from chalicelib.storage import aggregates
from chalicelib.storage import registry as registry_store

# The reports read as the system, with province-wide access (scoping happens at download).
SYSTEM = Principal(sub="reports", role=PROVINCE_ADMIN, unit_id=None)

# Paper saved is an estimate: every document handled electronically at one step (processed
# online, or issued electronically) would otherwise have been printed; the pages of an
# electronic document are unknown, so an assumed average is used and shown in the report.
ASSUMED_PAGES_PER_DOCUMENT = 2
LEADERS = 20
LEVELS = ("province", "department", "commune", "division")
RANKED_LEVELS = ("department", "commune")

# Tables and columns that do not enter the figures hash: they change with the clock or with
# data outside the period, not with the period's events.
VOLATILE_TABLES = frozenset({"silent_units", "nominations"})
VOLATILE_COLUMNS = frozenset({"latest_evaluation_score", "latest_evaluation_period"})

NO_EVENTS_VI = "Không có sự kiện văn bản nào trong kỳ báo cáo."
NO_EVENTS_EN = "No document events in the reporting period."

LEVEL_LABELS: dict[str, tuple[str, str]] = {
    "province": ("Cấp tỉnh", "Province"),
    "department": ("Sở, ban, ngành", "Department"),
    "commune": ("Xã, phường, đặc khu", "Commune"),
    "division": ("Phòng thuộc sở", "Division"),
}
CRITERION_LABELS: dict[str, tuple[str, str]] = {
    "online_rate": ("Xử lý văn bản trên môi trường mạng", "Documents processed online"),
    "signing_rate": ("Ký số văn bản phát hành", "Issued documents digitally signed"),
    "e_issuance_rate": ("Phát hành văn bản điện tử", "Documents issued electronically"),
    "kpi_coverage": ("Đánh giá cán bộ bằng KPI", "Officials evaluated by KPI"),
    "two_way_interconnection": ("Liên thông văn bản hai chiều", "Two-way interconnection"),
    "on_time_rate": ("Xử lý đúng hạn (tham khảo)", "Processed on time (for information)"),
}
DEFAULT_CRITERIA_TEXT: dict[str, tuple[str, str]] = {
    "online_rate": (
        "100% văn bản, hồ sơ công việc được xử lý trên môi trường mạng",
        "100% of documents and work records processed online",
    ),
    "signing_rate": (
        "100% văn bản phát hành được ký số (trừ văn bản mật và hồ sơ khen thưởng cấp Nhà nước)",
        "100% of issued documents digitally signed (secret documents and state commendation "
        "dossiers exempt)",
    ),
    "e_issuance_rate": (
        "100% văn bản được phát hành điện tử (trừ văn bản mật và hồ sơ khen thưởng cấp Nhà nước)",
        "100% of documents issued electronically (same exemptions)",
    ),
    "kpi_coverage": (
        "100% cán bộ, công chức, viên chức được đánh giá bằng KPI",
        "100% of officials evaluated by KPI",
    ),
    "two_way_interconnection": (
        "Liên thông văn bản điện tử hai chiều từ tỉnh đến xã",
        "Two-way electronic document exchange between province and communes",
    ),
}
METRIC_LABELS: dict[str, tuple[str, str]] = {
    "processed_total": ("Văn bản đã xử lý", "Documents processed"),
    "processed_online": ("Xử lý trên môi trường mạng", "Processed online"),
    "issued_total": ("Văn bản phát hành", "Documents issued"),
    "issued_signed_digitally": ("Văn bản phát hành có ký số", "Issued and digitally signed"),
    "issued_online": ("Phát hành điện tử", "Issued electronically"),
    "exempt_total": ("Văn bản mật, hồ sơ khen thưởng (miễn trừ)", "Exempt documents"),
    "paper_pages": ("Số trang giấy đã in", "Paper pages printed"),
    "paper_saved_estimate": (
        "Ước tính số trang giấy tiết kiệm (*)",
        "Estimated paper pages saved (*)",
    ),
    "sent_electronic": (
        "Gửi điện tử (văn bản × nơi nhận)",
        "Sent electronically (doc × recipient)",
    ),
    "sent_paper": ("Gửi bằng giấy", "Sent on paper"),
    "received_electronic": ("Nhận điện tử", "Received electronically"),
    "received_paper": ("Nhận bằng giấy", "Received on paper"),
    "on_time_total": ("Văn bản có hạn xử lý", "Documents with a due date"),
    "on_time": ("Xử lý đúng hạn", "Processed on time"),
    "officials_active": ("Cán bộ đang công tác", "Active officials"),
    "officials_evaluated": ("Cán bộ được đánh giá KPI", "Officials evaluated"),
    "units": ("Số đơn vị", "Units"),
    "units_without_data": ("Đơn vị không có dữ liệu", "Units without data"),
    "units_compliant": ("Đơn vị đạt tất cả tiêu chí", "Units meeting every criterion"),
    "online_rate": CRITERION_LABELS["online_rate"],
    "signing_rate": CRITERION_LABELS["signing_rate"],
    "e_issuance_rate": CRITERION_LABELS["e_issuance_rate"],
    "kpi_coverage": CRITERION_LABELS["kpi_coverage"],
    "on_time_rate": ("Xử lý đúng hạn", "On-time rate"),
}
SUMMARY_COUNTS = (
    "processed_total",
    "processed_online",
    "issued_total",
    "issued_signed_digitally",
    "issued_online",
    "exempt_total",
    "paper_pages",
    "paper_saved_estimate",
    "sent_electronic",
    "sent_paper",
    "received_electronic",
    "received_paper",
    "on_time_total",
    "on_time",
    "officials_active",
    "officials_evaluated",
)
RATE_PARTS: dict[str, tuple[str, str]] = {
    "online_rate": ("processed_online", "processed_total"),
    "signing_rate": ("issued_signed_digitally", "issued_total"),
    "e_issuance_rate": ("issued_online", "issued_total"),
    "kpi_coverage": ("officials_evaluated", "officials_active"),
    "on_time_rate": ("on_time", "on_time_total"),
}
NOMINATION_STATUS: dict[str, tuple[str, str]] = {
    "draft": ("Dự thảo", "Draft"),
    "submitted": ("Đã gửi", "Submitted"),
    "approved": ("Đã duyệt", "Approved"),
    "rejected": ("Không duyệt", "Rejected"),
}
NOMINATION_KIND: dict[str, tuple[str, str]] = {
    "collective": ("Tập thể", "Collective"),
    "individual": ("Cá nhân", "Individual"),
}


# --- columns ---------------------------------------------------------------------------------


def _c(key: str, vi: str, en: str, kind: Any = "text") -> Column:
    return Column(key, vi, en, kind)


UNIT_ID = _c("unit_id", "Mã định danh", "Unit ID")
UNIT_NAME = _c("name", "Đơn vị", "Unit")
LEVEL = _c("level", "Cấp", "Level")
KEY = _c("key", "Mã chỉ số", "Indicator key")
INDICATOR = _c("indicator", "Chỉ số", "Indicator")
RANKING_COLUMNS = [
    _c("rank", "Hạng", "Rank", "int"),
    UNIT_ID,
    UNIT_NAME,
    _c("score", "Điểm", "Score", "float"),
    _c("processed_total", "Văn bản xử lý", "Documents processed", "int"),
    _c("online_rate", "Tỷ lệ xử lý trên mạng", "Online rate", "percent"),
    _c("signing_rate", "Tỷ lệ ký số", "Signing rate", "percent"),
    _c("e_issuance_rate", "Tỷ lệ phát hành điện tử", "E-issuance rate", "percent"),
    _c("kpi_coverage", "Tỷ lệ đánh giá KPI", "KPI coverage", "percent"),
    _c("two_way_interconnection", "Liên thông hai chiều", "Two-way exchange", "bool"),
    _c("compliant", "Đạt tất cả tiêu chí", "Compliant", "bool"),
]
COMPLIANCE_COLUMNS = [
    _c("rank", "Hạng", "Rank", "int"),
    UNIT_ID,
    UNIT_NAME,
    _c("online_rate", "Đạt: xử lý trên mạng", "Met: online", "bool"),
    _c("signing_rate", "Đạt: ký số", "Met: signing", "bool"),
    _c("e_issuance_rate", "Đạt: phát hành điện tử", "Met: e-issuance", "bool"),
    _c("kpi_coverage", "Đạt: đánh giá KPI", "Met: KPI", "bool"),
    _c("two_way_interconnection", "Đạt: liên thông", "Met: two-way", "bool"),
    _c("criteria_met", "Số tiêu chí đạt", "Criteria met", "int"),
    _c("compliant", "Đạt tất cả", "Compliant", "bool"),
]
SUB_UNIT_COLUMNS = [
    UNIT_ID,
    UNIT_NAME,
    LEVEL,
    _c("score", "Điểm", "Score", "float"),
    _c("processed_total", "Văn bản xử lý", "Documents processed", "int"),
    _c("online_rate", "Tỷ lệ xử lý trên mạng", "Online rate", "percent"),
    _c("signing_rate", "Tỷ lệ ký số", "Signing rate", "percent"),
    _c("e_issuance_rate", "Tỷ lệ phát hành điện tử", "E-issuance rate", "percent"),
    _c("kpi_coverage", "Tỷ lệ đánh giá KPI", "KPI coverage", "percent"),
    _c("two_way_interconnection", "Liên thông hai chiều", "Two-way exchange", "bool"),
    _c("compliant", "Đạt tất cả tiêu chí", "Compliant", "bool"),
]
UNIT_LIST_COLUMNS = [UNIT_ID, UNIT_NAME, LEVEL]
DAILY_COLUMNS = [
    _c("date", "Ngày", "Date", "date"),
    _c("processed_total", "Văn bản xử lý", "Processed", "int"),
    _c("processed_online", "Xử lý trên mạng", "Processed online", "int"),
    _c("online_rate", "Tỷ lệ xử lý trên mạng", "Online rate", "percent"),
    _c("issued_total", "Văn bản phát hành", "Issued", "int"),
    _c("issued_signed_digitally", "Có ký số", "Digitally signed", "int"),
    _c("signing_rate", "Tỷ lệ ký số", "Signing rate", "percent"),
    _c("issued_online", "Phát hành điện tử", "Issued electronically", "int"),
    _c("e_issuance_rate", "Tỷ lệ phát hành điện tử", "E-issuance rate", "percent"),
]
OFFICIAL_COLUMNS = [
    _c("official_id", "Mã cán bộ", "Official ID"),
    _c("full_name", "Họ và tên", "Full name"),
    _c("position", "Chức vụ", "Position"),
    _c("active", "Đang công tác", "Active", "bool"),
    _c("evaluated", "Được đánh giá KPI trong kỳ", "Evaluated in period", "bool"),
    _c("processed_total", "Văn bản xử lý", "Processed", "int"),
    _c("processed_online", "Xử lý trên mạng", "Processed online", "int"),
    _c("online_rate", "Tỷ lệ xử lý trên mạng", "Online rate", "percent"),
    _c("on_time_rate", "Tỷ lệ đúng hạn", "On-time rate", "percent"),
    _c("digital_signatures", "Chữ ký số", "Digital signatures", "int"),
    _c("latest_evaluation_score", "Điểm KPI gần nhất", "Latest KPI score", "float"),
    _c("latest_evaluation_period", "Kỳ đánh giá", "Evaluation period"),
]
LEADER_COLUMNS = [
    _c("rank", "Hạng", "Rank", "int"),
    _c("official_id", "Mã cán bộ", "Official ID"),
    _c("full_name", "Họ và tên", "Full name"),
    _c("position", "Chức vụ", "Position"),
    _c("unit_name", "Đơn vị", "Unit"),
    _c("processed_total", "Văn bản xử lý", "Processed", "int"),
    _c("processed_online", "Xử lý trên mạng", "Processed online", "int"),
    _c("online_rate", "Tỷ lệ xử lý trên mạng", "Online rate", "percent"),
    _c("on_time_rate", "Tỷ lệ đúng hạn", "On-time rate", "percent"),
    _c("digital_signatures", "Chữ ký số", "Digital signatures", "int"),
    _c("latest_evaluation_score", "Điểm KPI gần nhất", "Latest KPI score", "float"),
]


# --- content ---------------------------------------------------------------------------------


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


# --- shared reads ----------------------------------------------------------------------------


class ReportContext:
    """One campaign and range; the KPI reads, each made at most once (lazily)."""

    def __init__(self, campaign: Campaign, period: kpi_service.Range) -> None:
        self.campaign = campaign
        self.period = period
        self.as_of = kpi_service.as_of()
        self.units: dict[str, UnitRecord] = dict(
            registry_store.registry_snapshot(max_age_seconds=0).units
        )
        self._unit_rows: dict[str, dict[str, Any]] = {}
        self._officials: list[OfficialRecord] | None = None
        self._official_totals: dict[str, dict[str, int]] = {}
        self._latest_evaluations: dict[str, dict[str, Any] | None] = {}
        self._evaluated: dict[str, bool] = {}
        self._rankings: dict[str, dict[str, Any]] = {}
        self._interconnection: dict[str, Any] | None = None
        self._freshness: dict[str, Any] | None = None

    @classmethod
    def load(cls, campaign: Campaign, start: dt.date, end: dt.date) -> ReportContext:
        return cls(campaign, kpi_service.resolve_range(start, end, campaign))

    def reload(self) -> ReportContext:
        return ReportContext(self.campaign, self.period)

    def is_current(self) -> bool:
        """False when an aggregation run moved as_of since the reads began."""
        return kpi_service.as_of() == self.as_of

    # units

    def unit_rows(self, unit_ids: Iterable[str]) -> list[dict[str, Any]]:
        wanted = [u for u in dict.fromkeys(unit_ids) if u in self.units]
        missing = [self.units[u] for u in wanted if u not in self._unit_rows]
        if missing:
            for row in kpi_service.unit_table(missing, self.period, self.campaign):
                self._unit_rows[row["unit"].unit_id] = row
        return [self._unit_rows[u] for u in wanted]

    def all_unit_rows(self) -> list[dict[str, Any]]:
        return self.unit_rows(sorted(self.units))

    def children(self, unit_id: str) -> list[UnitRecord]:
        return sorted(
            (u for u in self.units.values() if u.parent_id == unit_id), key=lambda u: u.unit_id
        )

    # officials

    def officials(self) -> list[OfficialRecord]:
        if self._officials is None:
            self._officials = sorted(registry_store.all_officials(), key=lambda o: o.official_id)
        return self._officials

    def officials_of(self, unit_id: str) -> list[OfficialRecord]:
        return [o for o in self.officials() if o.unit_id == unit_id]

    def official_totals(self, officials: Sequence[OfficialRecord]) -> dict[str, dict[str, int]]:
        missing = [o for o in officials if o.official_id not in self._official_totals]
        if missing:
            self._official_totals.update(kpi_service.official_totals(missing, self.period))
        return {o.official_id: self._official_totals[o.official_id] for o in officials}

    def official_rows(
        self, officials: Sequence[OfficialRecord], *, evaluations: bool = True
    ) -> list[dict[str, Any]]:
        """Rows as GET /units/{id}/officials/kpi returns them. ``evaluations=False`` leaves
        the latest evaluation out (one read per official less), for ranking many officials."""
        totals = self.official_totals(officials)
        rows = []
        for official in officials:
            latest = None
            if evaluations:
                if official.official_id not in self._latest_evaluations:
                    self._latest_evaluations[official.official_id] = aggregates.latest_evaluation(
                        official.official_id
                    )
                latest = self._latest_evaluations[official.official_id]
            rows.append(kpi_service.official_row(official, totals[official.official_id], latest))
        return rows

    def evaluated(self, officials: Sequence[OfficialRecord]) -> dict[str, bool]:
        """official_id -> has an evaluation for a month overlapping the range (as the KPI
        service counts ``officials_evaluated``)."""
        missing = [o.official_id for o in officials if o.official_id not in self._evaluated]
        if missing:
            months = kpi_rules.months_overlapping(self.period.start, self.period.end)
            found = aggregates.load_evaluations([(i, m) for i in missing for m in months])
            seen = {official_id for (official_id, _month) in found}
            for official_id in missing:
                self._evaluated[official_id] = official_id in seen
        return {o.official_id: self._evaluated[o.official_id] for o in officials}

    # campaign-wide views

    def ranking(self, level: str) -> dict[str, Any]:
        """As GET /campaigns/{id}/ranking?level=, from the rows already read."""
        if level not in self._rankings:
            rows = self.unit_rows(
                sorted(u.unit_id for u in self.units.values() if u.level == level)
            )
            self._rankings[level] = {"items": kpi_service.ranking_items(rows)}
        return self._rankings[level]

    def interconnection(self) -> dict[str, Any]:
        """As GET /campaigns/{id}/interconnection, from the rows already read."""
        if self._interconnection is None:
            rows = self.unit_rows(
                sorted(
                    u.unit_id
                    for u in self.units.values()
                    if u.level in PROVINCE_LEVEL or u.level == "commune"
                )
            )
            pairs, without = kpi_service.exchanges(rows, self.units)
            self._interconnection = {"pairs": pairs, "units_without_two_way": without}
        return self._interconnection

    def freshness(self) -> dict[str, Any]:
        if self._freshness is None:
            self._freshness = kpi_service.silent_units(get_settings().silent_after_hours)
        return self._freshness

    def daily(self, unit_id: str) -> dict[str, Any]:
        return kpi_service.unit_daily(SYSTEM, unit_id, self.period.start, self.period.end)


# --- helpers ---------------------------------------------------------------------------------


def _t(pair: tuple[str, str], lang: str) -> str:
    return pair[1] if lang == "en" else pair[0]


def _level(level: str, lang: str = "vi") -> str:
    return _t(LEVEL_LABELS.get(level, (level, level)), lang)


def _has_events(totals: Mapping[str, int]) -> bool:
    return any(totals.values())


def _date_vi(day: dt.date) -> str:
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
        f"từ {_date_vi(period.start)} đến {_date_vi(period.end)}",
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


def _criteria_section(campaign: Campaign, lang: str) -> Section:
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
                "description": _t(DEFAULT_CRITERIA_TEXT[key], lang),
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
            "criterion": _t(CRITERION_LABELS[key], lang),
            "key": key,
            "target": targets.get(key) if key in RATE_CRITERIA else None,
            "required": True if key == "two_way_interconnection" else None,
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
                    _c("no", "STT", "No.", "int"),
                    _c("key", "Mã", "Key"),
                    _c("description", "Tiêu chí", "Criterion"),
                    _c("measured", "Đo bằng số liệu", "Measured", "bool"),
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
                    _c("criterion", "Tiêu chí", "Criterion"),
                    _c("key", "Mã", "Key"),
                    _c("target", "Chỉ tiêu", "Target", "percent"),
                    _c("required", "Bắt buộc", "Required", "bool"),
                    _c("weight", "Trọng số", "Weight", "float"),
                ],
                target_rows,
                "Liên thông hai chiều: bắt buộc với cấp tỉnh và cấp xã, không xét với phòng "
                "thuộc sở.",
                "Two-way exchange: required of province-level units and communes, not assessed "
                "for divisions.",
            ),
        ],
    )


def _overview(
    ctx: ReportContext, what_vi: str, what_en: str, no_events: bool
) -> tuple[list[str], list[str]]:
    campaign, period = ctx.campaign, ctx.period
    vi = [
        f"{what_vi} Phong trào “{campaign.name}” ({_date_vi(campaign.start_date)} – "
        f"{_date_vi(campaign.end_date)}); kỳ báo cáo từ {_date_vi(period.start)} đến "
        f"{_date_vi(period.end)} (ngày theo giờ địa phương {get_settings().timezone}).",
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


# --- province report -------------------------------------------------------------------------


def province_name(units: Mapping[str, UnitRecord]) -> str:
    roots = sorted(
        (u for u in units.values() if u.level == "province" and not u.parent_id),
        key=lambda u: u.unit_id,
    )
    return roots[0].name if roots else "Toàn tỉnh"


def build_province(ctx: ReportContext, period_label: str, lang: str = "vi") -> ReportContent:
    rows = ctx.all_unit_rows()
    no_events = not any(_has_events(r["totals"]) for r in rows)
    when_vi, when_en = period_titles(ctx.campaign, ctx.period, period_label)
    overview_vi, overview_en = _overview(
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
        _criteria_section(ctx.campaign, lang),
        _summary_section(rows, no_events, lang),
        *(_ranking_section(ctx, level, no_events) for level in RANKED_LEVELS),
        _interconnection_section(ctx, lang),
        _gaps_section(ctx, rows, lang),
        _leaders_section(ctx),
        _nominations_section(ctx, lang),
    ]
    compliant = sum(1 for r in rows if r["compliance"]["compliant"])
    return ReportContent(
        scope="province",
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
    for level in LEVELS:
        groups[level] = [r for r in rows if r["unit"].level == level]
    sums = {name: _sum_counts(group) for name, group in groups.items()}
    extra = {
        name: {
            "units": len(group),
            "units_without_data": sum(1 for r in group if not _has_events(r["totals"])),
            "units_compliant": sum(1 for r in group if r["compliance"]["compliant"]),
        }
        for name, group in groups.items()
    }
    level_columns = [_c(level, *LEVEL_LABELS[level], "int") for level in LEVELS]
    counts_rows = [
        {
            "key": key,
            "indicator": _t(METRIC_LABELS[key], lang),
            "total": sums["total"][key],
            **{level: sums[level][key] for level in LEVELS},
        }
        for key in SUMMARY_COUNTS
    ] + [
        {
            "key": key,
            "indicator": _t(METRIC_LABELS[key], lang),
            "total": extra["total"][key],
            **{level: extra[level][key] for level in LEVELS},
        }
        for key in ("units", "units_without_data", "units_compliant")
    ]
    rate_rows = [
        {
            "key": key,
            "indicator": _t(METRIC_LABELS[key], lang),
            "total": kpi_rules.ratio(sums["total"][num], sums["total"][den]),
            **{level: kpi_rules.ratio(sums[level][num], sums[level][den]) for level in LEVELS},
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
                [KEY, INDICATOR, _c("total", "Toàn tỉnh", "Province total", "int"), *level_columns],
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
                    _c("total", "Toàn tỉnh", "Province total", "percent"),
                    *(_c(level, *LEVEL_LABELS[level], "percent") for level in LEVELS),
                ],
                rate_rows,
                "Tỷ lệ tính trên tổng số của các đơn vị; — : không có dữ liệu.",
                "Rates of the summed figures; — : no data.",
            ),
        ],
    )


def _ranking_section(ctx: ReportContext, level: str, no_events: bool) -> Section:
    plural_vi = {"department": "sở, ban, ngành", "commune": "xã, phường, đặc khu"}[level]
    plural_en = {"department": "departments", "commune": "communes"}[level]
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
    level_key = "departments" if level == "department" else "communes"
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
            **{k: p[k] for k in kpi_rules.PAIR_KINDS},
        }
        for p in data["pairs"]
    ]
    without = [{**u, "level": _level(u["level"], lang)} for u in data["units_without_two_way"]]
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
                    _c("province_unit_id", "Mã đơn vị cấp tỉnh", "Province-level unit ID"),
                    _c("province_unit_name", "Đơn vị cấp tỉnh", "Province-level unit"),
                    _c("commune_unit_id", "Mã xã, phường", "Commune ID"),
                    _c("commune_unit_name", "Xã, phường", "Commune"),
                    _c("sent_electronic", "Gửi điện tử", "Sent electronically", "int"),
                    _c("sent_paper", "Gửi giấy", "Sent on paper", "int"),
                    _c("received_electronic", "Nhận điện tử", "Received electronically", "int"),
                    _c("received_paper", "Nhận giấy", "Received on paper", "int"),
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
    zone = ZoneInfo(get_settings().timezone)
    without_data = [
        {
            "unit_id": r["unit"].unit_id,
            "name": r["unit"].name,
            "level": _level(r["unit"].level, lang),
        }
        for r in rows
        if not _has_events(r["totals"])
    ]
    fresh = ctx.freshness()
    silent = [
        {
            "unit_id": u["unit_id"],
            "name": u["name"],
            "level": _level(u["level"], lang),
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
                [*UNIT_LIST_COLUMNS, _c("last_event_at", "Sự kiện gần nhất", "Last event", "date")],
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
    leaders: list[dict[str, Any]] = []
    previous: tuple[Any, ...] | None = None
    rank = 0
    for position, row in enumerate(top, start=1):
        key = _leader_key(row)
        if key != previous:
            rank, previous = position, key
        leaders.append(
            {**row, "rank": rank, "unit_name": names.get(row["unit_id"], row["unit_id"])}
        )
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


def _nominations_module() -> Any:
    try:
        return importlib.import_module("chalicelib.storage.nominations")
    except ImportError:
        return None


def _nominations_section(ctx: ReportContext, lang: str) -> Section:
    module = _nominations_module()
    title_vi, title_en = "Hồ sơ đề nghị khen thưởng", "Award nominations"
    if module is None:
        return Section(
            key="nominations",
            title_vi=title_vi,
            title_en=title_en,
            paragraphs_vi=[
                "Chức năng hồ sơ đề nghị khen thưởng chưa được triển khai; mục này sẽ có số liệu "
                "khi chức năng được đưa vào sử dụng."
            ],
            paragraphs_en=[
                "Award nominations are not available yet; this section will list them once "
                "the feature is in service."
            ],
        )
    names = {u.unit_id: u.name for u in ctx.units.values()}
    items = list(module.NominationModel.by_campaign.query(ctx.campaign.campaign_id))
    drafts = sum(1 for i in items if i.status == "draft")
    zone = ZoneInfo(get_settings().timezone)
    rows = [
        {
            "kind": _t(NOMINATION_KIND.get(i.kind, (i.kind, i.kind)), lang),
            "nominee": str((i.nominee or {}).get("name") or i.nominee_official_id or ""),
            "nominee_unit": names.get(i.nominee_unit_id, i.nominee_unit_id),
            "unit": names.get(i.unit_id, i.unit_id),
            "status": _t(NOMINATION_STATUS.get(i.status, (i.status, i.status)), lang),
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
                    _c("kind", "Loại", "Kind"),
                    _c("nominee", "Tập thể, cá nhân được đề nghị", "Nominee"),
                    _c("nominee_unit", "Đơn vị của người được đề nghị", "Nominee's unit"),
                    _c("unit", "Đơn vị đề nghị", "Nominating unit"),
                    _c("status", "Trạng thái", "Status"),
                    _c("submitted_at", "Ngày gửi", "Submitted", "date"),
                ],
                rows,
            )
        ],
    )


# --- unit report -----------------------------------------------------------------------------


def build_unit(
    ctx: ReportContext, unit_id: str, period_label: str, lang: str = "vi"
) -> ReportContent:
    unit = ctx.units.get(unit_id)
    if unit is None:
        raise KeyError(unit_id)
    (row,) = ctx.unit_rows([unit_id])
    metrics, verdict = row["metrics"], row["compliance"]
    no_events = not _has_events(row["totals"])
    when_vi, when_en = period_titles(ctx.campaign, ctx.period, period_label)
    parent = ctx.units.get(unit.parent_id or "")
    rank = None
    if unit.level in ("department", "commune", "division"):
        for item in ctx.ranking(unit.level)["items"]:
            if item["unit_id"] == unit_id:
                rank = item["rank"]
    applicable = [k for k in CRITERIA if verdict[k] is not None]
    met = sum(1 for k in applicable if verdict[k] is True)
    overview_vi, overview_en = _overview(
        ctx,
        f"Báo cáo kết quả của {unit.name} ({_level(unit.level)}"
        + (f", thuộc {parent.name}" if parent else "")
        + ").",
        f"Results of {unit.name} ({_level(unit.level, 'en')}"
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
                        _c("score", "Điểm", "Score", "float"),
                        _c("rank", "Hạng trong cấp", "Rank in level", "int"),
                        _c("criteria_met", "Số tiêu chí đạt", "Criteria met", "int"),
                        _c("criteria_total", "Số tiêu chí xét", "Criteria assessed", "int"),
                        _c("compliant", "Đạt tất cả tiêu chí", "Compliant", "bool"),
                    ],
                    [
                        {
                            "unit_id": unit_id,
                            "name": unit.name,
                            "level": _level(unit.level, lang),
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
            "indicator": _t(METRIC_LABELS[key], lang),
            "value": paper_saved(metrics) if key == "paper_saved_estimate" else metrics[key],
        }
        for key in UNIT_COUNT_KEYS
    ]
    criteria_rows = [
        {
            "key": key,
            "indicator": _t(CRITERION_LABELS[key], lang),
            "value": metrics[key] if key != "two_way_interconnection" else None,
            "achieved": metrics[key] if key == "two_way_interconnection" else None,
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
                [KEY, INDICATOR, _c("value", "Giá trị", "Value", "int")],
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
                    _c("indicator", "Tiêu chí", "Criterion"),
                    _c("value", "Tỷ lệ đạt được", "Rate achieved", "percent"),
                    _c("achieved", "Có liên thông", "Exchanging both ways", "bool"),
                    _c("target", "Chỉ tiêu", "Target", "percent"),
                    _c("compliant", "Đạt", "Met", "bool"),
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
        "level": _level(unit.level, lang),
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
    texts: dict[str, Callable[[int, int], tuple[str, str]]] = {
        "online_rate": lambda n, d: (
            f"{d - n} văn bản xử lý trên giấy hoặc đã in ra giấy.",
            f"{d - n} documents processed on paper or printed.",
        ),
        "signing_rate": lambda n, d: (
            f"{d - n} văn bản phát hành chưa được ký số.",
            f"{d - n} issued documents not digitally signed.",
        ),
        "e_issuance_rate": lambda n, d: (
            f"{d - n} văn bản phát hành bằng giấy.",
            f"{d - n} documents issued on paper.",
        ),
        "kpi_coverage": lambda n, d: (
            f"{d - n} cán bộ chưa được đánh giá KPI trong kỳ.",
            f"{d - n} officials not evaluated by KPI in the period.",
        ),
    }
    for key in RATE_CRITERIA:
        if verdict[key]:
            continue
        num_key, den_key = RATE_PARTS[key]
        n, d = int(metrics[num_key]), int(metrics[den_key])
        if d == 0:
            what_vi, what_en = (
                ("Không có cán bộ đang công tác trong danh mục.", "No active official listed.")
                if key == "kpi_coverage"
                else ("Không có dữ liệu trong kỳ.", "No data in the period.")
            )
            missing.append(
                {
                    "key": key,
                    "criterion": _t(CRITERION_LABELS[key], lang),
                    "value": None,
                    "target": targets[key],
                    "shortfall": None,
                    "detail": _t((what_vi, what_en), lang),
                    "detail_vi": what_vi,
                    "detail_en": what_en,
                }
            )
            continue
        what_vi, what_en = texts[key](n, d)
        missing.append(
            {
                "key": key,
                "criterion": _t(CRITERION_LABELS[key], lang),
                "value": metrics[key],
                "target": targets[key],
                "shortfall": _shortfall(n, d, targets[key]),
                "detail": _t((what_vi, what_en), lang),
                "detail_vi": what_vi,
                "detail_en": what_en,
            }
        )
    if verdict["two_way_interconnection"] is False:
        detail_vi, detail_en = _two_way_gap(ctx, unit, row["totals"])
        missing.append(
            {
                "key": "two_way_interconnection",
                "criterion": _t(CRITERION_LABELS["two_way_interconnection"], lang),
                "value": None,
                "target": None,
                "shortfall": None,
                "detail": _t((detail_vi, detail_en), lang),
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
                    _c("criterion", "Tiêu chí", "Criterion"),
                    _c("value", "Đạt được", "Achieved", "percent"),
                    _c("target", "Chỉ tiêu", "Target", "percent"),
                    _c("shortfall", "Còn thiếu", "Short by", "int"),
                    _c("detail", "Nguyên nhân", "Why"),
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
                    _c("official_id", "Mã cán bộ", "Official ID"),
                    _c("full_name", "Họ và tên", "Full name"),
                    _c("position", "Chức vụ", "Position"),
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
    if unit.level == "commune":
        wanted, other_vi, other_en = PROVINCE_LEVEL, "đơn vị cấp tỉnh", "province-level units"
    else:
        wanted, other_vi, other_en = frozenset({"commune"}), "xã, phường", "communes"
    sent = received = False
    for counterpart, counts in kpi_rules.interconnection_pairs(totals).items():
        if levels.get(counterpart) in wanted:
            sent = sent or counts["sent_electronic"] > 0
            received = received or counts["received_electronic"] > 0
    gaps_vi, gaps_en = [], []
    if not sent:
        gaps_vi.append(f"chưa gửi văn bản điện tử đến {other_vi}")
        gaps_en.append(f"sent no electronic document to {other_en}")
    if not received:
        gaps_vi.append(f"chưa nhận văn bản điện tử từ {other_vi}")
        gaps_en.append(f"received no electronic document from {other_en}")
    return "; ".join(gaps_vi).capitalize() + ".", "; ".join(gaps_en).capitalize() + "."

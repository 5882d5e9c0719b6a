"""Labels and columns of the reports (Vietnamese, with English for ``lang=en``).

Criterion and level labels and the criteria's scoreboard columns come from
the shared vocabulary (``domain.vocabulary``); the rest are the reports' own words.
"""

from __future__ import annotations

from typing import Any

from chalicelib.domain.vocabulary import (
    CRITERIA_BY_KEY,
    CRITERIA_DEFINITIONS,
    LEVEL_LABELS,
    RATE_CRITERIA,
    STANDING_DEFINITIONS,
)
from chalicelib.reports.model import Column

CRITERION_LABELS: dict[str, tuple[str, str]] = {
    **{c.key: c.label for c in CRITERIA_DEFINITIONS},
    "on_time_rate": ("Xử lý đúng hạn (tham khảo)", "Processed on time (for information)"),
}
# What each criterion asks, for a campaign that lists no criteria of its own.
DEFAULT_CRITERIA_TEXT: dict[str, tuple[str, str]] = {c.key: c.text for c in CRITERIA_DEFINITIONS}
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
    **{key: CRITERION_LABELS[key] for key in RATE_CRITERIA},
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

NOMINATION_STATUS: dict[str, tuple[str, str]] = {
    "draft": ("Dự thảo", "Draft"),
    "submitted": ("Đã gửi", "Submitted"),
    "eligible": ("Đủ điều kiện", "Eligible"),
    "not_eligible": ("Không đủ điều kiện", "Not eligible"),
    "approved": ("Đã duyệt", "Approved"),
    "rejected": ("Không duyệt", "Rejected"),
}

NOMINATION_KIND: dict[str, tuple[str, str]] = {
    "collective": ("Tập thể", "Collective"),
    "individual": ("Cá nhân", "Individual"),
}


def in_language(pair: tuple[str, str], lang: str) -> str:
    return pair[1] if lang == "en" else pair[0]


def level_label(level: str, lang: str = "vi") -> str:
    return in_language(LEVEL_LABELS.get(level, (level, level)), lang)


def column(key: str, vi: str, en: str, kind: Any = "text") -> Column:
    return Column(key, vi, en, kind)


UNIT_ID = column("unit_id", "Mã định danh", "Unit ID")
UNIT_NAME = column("name", "Đơn vị", "Unit")
LEVEL = column("level", "Cấp", "Level")
KEY = column("key", "Mã chỉ số", "Indicator key")
INDICATOR = column("indicator", "Chỉ số", "Indicator")
RANK = column("rank", "Hạng", "Rank", "int")
SCORE = column("score", "Điểm", "Score", "float")
CRITERIA_MET = column("criteria_met", "Số tiêu chí đạt", "Criteria met", "int")
COMPLIANT = column("compliant", "Đạt tất cả tiêu chí", "Compliant", "bool")


def criterion_value_column(key: str) -> Column:
    """The column of a criterion's value (domain.vocabulary): a percentage, a yes/no or a
    count."""
    c = CRITERIA_BY_KEY[key]
    return column(
        c.key, *c.rate_column, "percent" if c.is_rate else "int" if c.is_count else "bool"
    )


# A scoreboard's value of each standing criterion, and whether it is met (an opt-in one,
# creativity, is in the score where its campaign turns it on, and in its own section).
CRITERION_VALUE_COLUMNS = [criterion_value_column(c.key) for c in STANDING_DEFINITIONS]
CRITERION_MET_COLUMNS = [column(c.key, *c.met_column, "bool") for c in STANDING_DEFINITIONS]
# A unit's scoreboard figures: the same columns in the rankings and the sub-units table.
_SCOREBOARD_FIGURES = [
    SCORE,
    column("processed_total", "Văn bản xử lý", "Documents processed", "int"),
    *CRITERION_VALUE_COLUMNS,
    COMPLIANT,
]
RANKING_COLUMNS = [RANK, UNIT_ID, UNIT_NAME, *_SCOREBOARD_FIGURES]
COMPLIANCE_COLUMNS = [
    RANK,
    UNIT_ID,
    UNIT_NAME,
    *CRITERION_MET_COLUMNS,
    CRITERIA_MET,
    column("compliant", "Đạt tất cả", "Compliant", "bool"),
]
SUB_UNIT_COLUMNS = [UNIT_ID, UNIT_NAME, LEVEL, *_SCOREBOARD_FIGURES]
UNIT_LIST_COLUMNS = [UNIT_ID, UNIT_NAME, LEVEL]
DAILY_COLUMNS = [
    column("date", "Ngày", "Date", "date"),
    column("processed_total", "Văn bản xử lý", "Processed", "int"),
    column("processed_online", "Xử lý trên mạng", "Processed online", "int"),
    criterion_value_column("online_rate"),
    column("issued_total", "Văn bản phát hành", "Issued", "int"),
    column("issued_signed_digitally", "Có ký số", "Digitally signed", "int"),
    criterion_value_column("signing_rate"),
    column("issued_online", "Phát hành điện tử", "Issued electronically", "int"),
    criterion_value_column("e_issuance_rate"),
]
# An official's identity and figures: the same columns in the officials and leaders tables.
_OFFICIAL_IDENTITY = [
    column("official_id", "Mã cán bộ", "Official ID"),
    column("full_name", "Họ và tên", "Full name"),
    column("position", "Chức vụ", "Position"),
]
_OFFICIAL_FIGURES = [
    column("processed_total", "Văn bản xử lý", "Processed", "int"),
    column("processed_online", "Xử lý trên mạng", "Processed online", "int"),
    criterion_value_column("online_rate"),
    column("on_time_rate", "Tỷ lệ đúng hạn", "On-time rate", "percent"),
    column("digital_signatures", "Chữ ký số", "Digital signatures", "int"),
    column("latest_evaluation_score", "Điểm KPI gần nhất", "Latest KPI score", "float"),
]
OFFICIAL_COLUMNS = [
    *_OFFICIAL_IDENTITY,
    column("active", "Đang công tác", "Active", "bool"),
    column("evaluated", "Được đánh giá KPI trong kỳ", "Evaluated in period", "bool"),
    *_OFFICIAL_FIGURES,
    column("latest_evaluation_period", "Kỳ đánh giá", "Evaluation period"),
]
LEADER_COLUMNS = [
    RANK,
    *_OFFICIAL_IDENTITY,
    column("unit_name", "Đơn vị", "Unit"),
    *_OFFICIAL_FIGURES,
]

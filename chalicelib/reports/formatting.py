"""Human-readable formatting shared by the renderers (stdlib only).

Vietnamese conventions: dates dd/mm/yyyy, "," as the decimal mark and "." as the thousands
separator (e.g. 1.234 văn bản, 95,1 %). English uses the usual "1,234" and "95.1%".
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from chalicelib.domain.reports import PROVINCE_SCOPE
from chalicelib.reports.model import CellValue, ColumnKind, ReportDocument

NO_DATA_MARK = "—"

# Static labels used by the renderers, per language.
LABELS: dict[str, dict[str, str]] = {
    "vi": {
        "no_data": "không có dữ liệu",
        "no_data_legend": "— : không có dữ liệu",
        "no_rows": "Không có dữ liệu trong kỳ báo cáo.",
        "campaign": "Phong trào",
        "scope": "Phạm vi",
        "province": "Toàn tỉnh",
        "period": "Kỳ báo cáo",
        "period_value": "từ {start} đến {end}",
        "as_of": "Số liệu tính đến",
        "generated_at": "Thời điểm lập",
        "report_id": "Mã báo cáo",
        "overview": "Tổng quan",
        "contents": "Mục lục",
        "sheet": "Trang tính",
        "table": "Bảng",
        "chart": "Biểu đồ",
        "page": "Trang",
        "yes": "Có",
        "no": "Không",
        "category": "Hạng mục",
        "value": "Giá trị",
        "date": "Ngày",
        "blank_legend": "Ô trống: không có dữ liệu",
    },
    "en": {
        "no_data": "no data",
        "no_data_legend": "— : no data",
        "no_rows": "No data in the reporting period.",
        "campaign": "Campaign",
        "scope": "Scope",
        "province": "Whole province",
        "period": "Period",
        "period_value": "{start} to {end}",
        "as_of": "Figures as of",
        "generated_at": "Generated at",
        "report_id": "Report ID",
        "overview": "Overview",
        "contents": "Contents",
        "sheet": "Sheet",
        "table": "Table",
        "chart": "Chart",
        "page": "Page",
        "yes": "Yes",
        "no": "No",
        "category": "Category",
        "value": "Value",
        "date": "Date",
        "blank_legend": "Blank cell: no data",
    },
}


def label(key: str, lang: str) -> str:
    return LABELS[lang][key]


def format_number(value: float, decimals: int, lang: str) -> str:
    text = f"{value:,.{decimals}f}"
    if lang == "vi":
        # Swap separators through a placeholder: 1,234.5 -> 1.234,5
        text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return text


def format_percent(ratio: float, lang: str) -> str:
    number = format_number(ratio * 100.0, 1, lang)
    return f"{number} %" if lang == "vi" else f"{number}%"


def format_date(value: date, lang: str) -> str:
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y %H:%M" if lang == "vi" else "%Y-%m-%d %H:%M")
    return value.strftime("%d/%m/%Y") if lang == "vi" else value.isoformat()


def format_cell(value: CellValue, kind: ColumnKind, lang: str) -> str:
    """A cell as display text; None is the no-data mark, never 0."""
    if value is None:
        return NO_DATA_MARK
    if kind == "bool" or isinstance(value, bool):
        return label("yes" if value else "no", lang)
    if kind == "int" and isinstance(value, int):
        return format_number(value, 0, lang)
    if kind == "percent" and isinstance(value, int | float):
        return format_percent(float(value), lang)
    if kind == "float" and isinstance(value, int | float):
        return format_number(float(value), 2, lang)
    if isinstance(value, date):
        return format_date(value, lang)
    return str(value)


def local_time(value: datetime, tz_name: str) -> datetime:
    """``value`` in the report's zone; naive datetimes are taken as already local."""
    if value.tzinfo is None:
        return value
    try:
        return value.astimezone(ZoneInfo(tz_name))
    except ZoneInfoNotFoundError:
        return value


def format_timestamp(value: datetime, tz_name: str) -> str:
    local = local_time(value, tz_name)
    text = local.strftime("%d/%m/%Y %H:%M")
    offset = local.strftime("%z")
    if offset:
        text += f" (UTC{offset[:3]}:{offset[3:]})"
    return text


def scope_text(doc: ReportDocument, lang: str) -> str:
    if doc.scope == PROVINCE_SCOPE:
        return f"{doc.scope_name} ({label('province', lang).lower()})"
    return f"{doc.scope_name} ({doc.scope})"


def period_text(doc: ReportDocument, lang: str) -> str:
    return label("period_value", lang).format(
        start=format_date(doc.period_from, lang), end=format_date(doc.period_to, lang)
    )


def cover_lines(doc: ReportDocument, lang: str) -> list[tuple[str, str]]:
    """(label, value) pairs of the title block, shared by the XLSX cover and the PDF."""
    return [
        (label("campaign", lang), doc.campaign_name),
        (label("scope", lang), scope_text(doc, lang)),
        (label("period", lang), period_text(doc, lang)),
        (label("as_of", lang), format_timestamp(doc.as_of, doc.timezone)),
        (label("generated_at", lang), format_timestamp(doc.generated_at, doc.timezone)),
        (label("report_id", lang), doc.report_id),
    ]


def chart_x_label(value: date | str) -> str:
    if isinstance(value, date):
        return value.strftime("%d/%m")
    return value

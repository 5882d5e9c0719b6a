"""The words of each message: subject, text part and HTML part, in Vietnamese.

Only structured data goes in (see the package docstring); every value is escaped in the
HTML part."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

from chalicelib.domain import notifications as rules
from chalicelib.domain.vocabulary import CRITERIA_BY_KEY

Rendered = tuple[str, str, str]  # subject, text, html

FOOTER_TEXT = (
    "Thư này do hệ thống Không Giấy gửi tự động; vui lòng không trả lời thư này.\n"
    "Ngừng nhận loại thư này: {unsubscribe}"
)


def _percent(value: Any) -> str:
    if value is None:
        return "chưa có dữ liệu"
    if isinstance(value, bool):
        return "đạt" if value else "chưa đạt"
    return f"{float(value) * 100:.1f}%".replace(".", ",")


def _date(day: dt.date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else "—"


def _html(title: str, paragraphs: Sequence[str], rows: Sequence[Sequence[str]] = ()) -> str:
    parts = [
        '<!doctype html><html lang="vi"><head><meta charset="utf-8">',
        f"<title>{escape(title)}</title></head>",
        '<body style="font-family:Arial,sans-serif;max-width:640px">',
        f'<h1 style="font-size:20px">{escape(title)}</h1>',
    ]
    for p in paragraphs:
        parts.append(f"<p>{escape(p)}</p>")
    if rows:
        parts.append('<table style="border-collapse:collapse" border="1" cellpadding="4">')
        header, *body = rows
        parts.append("<tr>" + "".join(f"<th>{escape(c)}</th>" for c in header) + "</tr>")
        for row in body:
            parts.append("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>")
        parts.append("</table>")
    parts.append("</body></html>")
    return "".join(parts)


def _with_footer(text: str, html: str, unsubscribe: str, console: str) -> tuple[str, str]:
    footer = FOOTER_TEXT.format(unsubscribe=unsubscribe)
    text = f"{text}\n\nXem chi tiết: {console}\n\n-- \n{footer}\n"
    html = html.replace(
        "</body>",
        f'<p><a href="{escape(console)}">Xem chi tiết trên hệ thống</a></p>'
        f'<hr><p style="font-size:12px;color:#555">Thư này do hệ thống Không Giấy gửi tự '
        f"động; vui lòng không trả lời. "
        f'<a href="{escape(unsubscribe)}">Ngừng nhận loại thư này</a></p></body>',
    )
    return text, html


def digest(
    *,
    unit_name: str,
    campaign_name: str,
    week: str,
    start: dt.date,
    end: dt.date,
    metrics: Mapping[str, Any],
    targets: Mapping[str, Any],
    compliance: Mapping[str, Any],
    score: float | None,
    rank: int | None,
    of: int,
    previous_rank: int | None,
    unsubscribe: str,
    console: str,
) -> Rendered:
    subject = f"[Không Giấy] Bản tin tuần {week}: {unit_name}"
    if rank is None:
        rank_line = "Đơn vị chưa được xếp hạng."
    else:
        rank_line = f"Xếp hạng: {rank}/{of} trong cùng cấp"
        if previous_rank is not None:
            change = previous_rank - rank
            rank_line += (
                f" (tăng {change} bậc so với tuần trước)."
                if change > 0
                else f" (giảm {-change} bậc so với tuần trước)."
                if change < 0
                else " (giữ nguyên so với tuần trước)."
            )
        else:
            rank_line += "."
    rows: list[list[str]] = [["Tiêu chí", "Kết quả", "Chỉ tiêu", "Đánh giá"]]
    missing: list[str] = []
    for key, met in compliance.items():
        if key == "compliant" or met is None or key not in CRITERIA_BY_KEY:
            continue
        label = CRITERIA_BY_KEY[key].label[0]
        target = targets.get(key)
        rows.append(
            [label, _percent(metrics.get(key)), _percent(target), "Đạt" if met else "Chưa đạt"]
        )
        if not met:
            missing.append(label)
    paragraphs = [
        f"Kính gửi {unit_name},",
        f"Kết quả của đơn vị trong phong trào “{campaign_name}” từ {_date(start)} đến "
        f"{_date(end)}: điểm {score if score is not None else 0:.2f}/100. {rank_line}",
        "Các tiêu chí chưa đạt: " + "; ".join(missing) + "."
        if missing
        else "Đơn vị đã đạt tất cả các tiêu chí. Xin chúc mừng!",
    ]
    text_rows = "\n".join(f"- {r[0]}: {r[1]} (chỉ tiêu {r[2]}) — {r[3]}" for r in rows[1:])
    text = "\n\n".join(paragraphs[:2]) + f"\n\n{text_rows}\n\n{paragraphs[2]}"
    html = _html(subject, paragraphs, rows)
    text, html = _with_footer(text, html, unsubscribe, console)
    return subject, text, html


def reminder(
    *,
    unit_name: str,
    campaign_name: str,
    subject_key: str,
    deadline: dt.date,
    days: int,
    unsubscribe: str,
    console: str,
) -> Rendered:
    what = rules.DEADLINE_SUBJECTS[subject_key][0]
    when = "hôm nay là hạn cuối" if days == 0 else f"còn {days} ngày"
    subject = f"[Không Giấy] Nhắc hạn {what}: {when} ({_date(deadline)})"
    paragraphs = [
        f"Kính gửi {unit_name},",
        f"Hạn nộp {what} của phong trào “{campaign_name}” là hết ngày {_date(deadline)} "
        f"(giờ Việt Nam); {when}. Hệ thống chưa nhận được {what} đã gửi của đơn vị.",
        "Nếu đơn vị đã nộp sau thời điểm gửi thư này, xin bỏ qua thư.",
    ]
    text = "\n\n".join(paragraphs)
    text, html = _with_footer(text, _html(subject, paragraphs), unsubscribe, console)
    return subject, text, html


def status_change(
    *,
    unit_name: str,
    what: str,
    reference: str,
    action: str,
    at: dt.datetime,
    zone: dt.tzinfo,
    unsubscribe: str,
    console: str,
) -> Rendered:
    verb = rules.STATUS_ACTIONS[action][0]
    subject = f"[Không Giấy] {what[:1].upper()}{what[1:]} {verb}"
    paragraphs = [
        f"Kính gửi {unit_name},",
        f"{what[:1].upper()}{what[1:]} (mã {reference}) {verb} lúc "
        f"{at.astimezone(zone):%H:%M ngày %d/%m/%Y}.",
        "Nội dung và lý do (nếu có) xem trên hệ thống.",
    ]
    text = "\n\n".join(paragraphs)
    text, html = _with_footer(text, _html(subject, paragraphs), unsubscribe, console)
    return subject, text, html


def alert(
    *,
    day: dt.date,
    silent_sources: Sequence[str],
    silent_units: int,
    alarms: Sequence[str],
    hours: int,
    unsubscribe: str,
    console: str,
) -> Rendered:
    subject = f"[Không Giấy] Cảnh báo vận hành ngày {_date(day)}"
    paragraphs = ["Kính gửi quản trị hệ thống,"]
    if silent_sources:
        paragraphs.append(
            f"Hệ thống văn bản không gửi dữ liệu trong {hours} giờ qua: "
            + ", ".join(silent_sources)
            + "."
        )
    if silent_units:
        paragraphs.append(
            f"Số đơn vị không phát sinh dữ liệu trong {hours} giờ qua: {silent_units}."
        )
    if alarms:
        paragraphs.append(
            "Cảnh báo đang bật (luồng tổng hợp, quét định kỳ): " + ", ".join(alarms) + "."
        )
    text = "\n\n".join(paragraphs)
    text, html = _with_footer(text, _html(subject, paragraphs), unsubscribe, console)
    return subject, text, html

"""The campaign's fifth criterion in the reports: the initiatives the initiatives council
recognised (a unit's in its report, every unit's in the province's), with the figures of
``GET /units/{id}/kpi``'s ``creativity`` and, where the campaign assesses creativity as a
criterion, its target and weight. One section, in every format the report has (the
renderers draw any section)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from chalicelib.domain import initiatives as rules
from chalicelib.domain.initiatives import Initiative
from chalicelib.domain.vocabulary import CREATIVITY
from chalicelib.reports.formatting import format_number
from chalicelib.reports.model import Section, Table
from chalicelib.services.report_content.columns import column
from chalicelib.services.report_content.context import ReportContext

TITLE = ("Tính sáng tạo: sáng kiến được công nhận", "Creativity: recognised initiatives")
_COLUMNS = [
    column("no", "STT", "No.", "int"),
    column("title", "Tên sáng kiến", "Initiative"),
    column("unit", "Đơn vị", "Unit"),
    column("authors", "Tác giả", "Authors"),
    column("applied_from", "Áp dụng từ", "Applied from", "date"),
    column("average_total", "Điểm bình quân (/100)", "Average score (/100)", "float"),
]


def _criterion_words(ctx: ReportContext) -> tuple[str, str]:
    """What the campaign makes of creativity: a figure only, or a criterion of the score."""
    campaign = ctx.campaign
    if CREATIVITY not in campaign.enabled_criteria():
        return (
            "Phong trào không tính tiêu chí sáng tạo vào điểm: số sáng kiến được nêu để tham khảo.",
            "The campaign does not score creativity: the initiatives are shown for information.",
        )
    target = campaign.count_targets()[CREATIVITY]
    weight = campaign.score_weights()[CREATIVITY]
    return (
        f"Phong trào xét tiêu chí sáng tạo: đạt khi có ít nhất {target} sáng kiến được công "
        f"nhận; trọng số {format_number(weight, 2, 'vi')}.",
        f"The campaign assesses creativity: met with at least {target} recognised "
        f"initiative(s); weight {weight:g}.",
    )


def _rows(ctx: ReportContext, items: Sequence[Initiative]) -> list[dict[str, Any]]:
    names = {u.unit_id: u.name for u in ctx.units.values()}
    recognised = sorted(
        (i for i in items if i.status == "recognised"), key=lambda i: (i.unit_id, i.created_key)
    )
    return [
        {
            "no": n,
            "title": i.title,
            "unit": names.get(i.unit_id, i.unit_id),
            "authors": ", ".join(str(a.get("name") or a.get("unit_id") or "") for a in i.authors),
            "applied_from": i.applied_from,
            "average_total": (i.assessment or {}).get("average_total"),
        }
        for n, i in enumerate(recognised, start=1)
    ]


def creativity_section(ctx: ReportContext, unit_id: str | None = None) -> Section:
    """The recognised initiatives of ``unit_id`` (a unit's report) or of every unit (None:
    the province's), and how many were submitted and recognised."""
    items = [i for i in ctx.initiatives() if unit_id is None or i.unit_id == unit_id]
    figures: Mapping[str, dict[str, int]] = rules.creativity_figures(
        (i.unit_id, i.status) for i in items
    )
    submitted = sum(f["initiatives_submitted"] for f in figures.values())
    recognised = sum(f["initiatives_recognised"] for f in figures.values())
    who_vi, who_en = ("Đơn vị", "The unit") if unit_id else ("Toàn tỉnh", "The province")
    criterion_vi, criterion_en = _criterion_words(ctx)
    rows = _rows(ctx, items)
    return Section(
        key="creativity",
        title_vi=TITLE[0],
        title_en=TITLE[1],
        paragraphs_vi=[
            f"{who_vi} có {submitted} sáng kiến đã gửi Hội đồng sáng kiến, {recognised} sáng "
            "kiến được công nhận.",
            criterion_vi,
        ],
        paragraphs_en=[
            f"{who_en} submitted {submitted} initiative(s) to the initiatives council; "
            f"{recognised} recognised.",
            criterion_en,
        ],
        tables=[
            Table(
                "recognised_initiatives",
                "Sáng kiến được công nhận",
                "Recognised initiatives",
                _COLUMNS if unit_id is None else [c for c in _COLUMNS if c.key != "unit"],
                rows,
                "Chưa có sáng kiến nào được công nhận." if not rows else None,
                "No initiative recognised yet." if not rows else None,
            )
        ],
    )

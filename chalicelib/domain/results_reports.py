"""Results reports up the chain (báo cáo kết quả thực hiện phong trào): pure rules.

Each unit below the province reports its campaign results to its parent: a division to
its department by the campaign's `unit_report_deadline`, a department or a commune to
the province by `department_report_deadline`. States: draft → submitted; the parent may
`return` a submitted report to draft with a reason. A submission after the deadline is
accepted and marked late. The figures of the campaign period are frozen into the report
when it is submitted (by the service, from the KPIs; the officer never types them).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from chalicelib.domain.campaigns import Campaign, deadline_closes_at
from chalicelib.domain.vocabulary import (
    LEVEL_COMMUNE,
    LEVEL_DEPARTMENT,
    LEVEL_DIVISION,
    LEVEL_PROVINCE,
)

STATUSES = ("draft", "submitted")
# The narrative the campaign plan asks for, in its order.
SECTIONS = ("done", "initiatives", "difficulties", "proposals")
SECTION_LABELS = {
    "done": ("Kết quả đã thực hiện", "What was done"),
    "initiatives": ("Cách làm hay, sáng kiến", "Good practices and initiatives"),
    "difficulties": ("Khó khăn, vướng mắc", "Difficulties"),
    "proposals": ("Đề xuất, kiến nghị", "Proposals"),
}
SECTION_MAX_CHARS = 8000
REASON_MAX_CHARS = 2000
# The levels that report, and the campaign field that holds their deadline.
DEADLINE_FIELDS = {
    LEVEL_DIVISION: "unit_report_deadline",
    LEVEL_DEPARTMENT: "department_report_deadline",
    LEVEL_COMMUNE: "department_report_deadline",
}
REPORTING_LEVELS = tuple(DEADLINE_FIELDS)
# What the tracking view says of a child unit.
TRACKING_STATES = ("submitted", "late", "draft", "missing")

# action -> (states it may start from, state it leads to)
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "edit": (frozenset({"draft"}), "draft"),
    "add_file": (frozenset({"draft"}), "draft"),
    "submit": (frozenset({"draft"}), "submitted"),
    "return": (frozenset({"submitted"}), "draft"),
}


def next_status(current: str, action: str) -> str | None:
    allowed_from, target = TRANSITIONS[action]
    return target if current in allowed_from else None


def allowed_from(action: str) -> list[str]:
    return sorted(TRANSITIONS[action][0])


def deadline_for(campaign: Campaign, level: str) -> dt.date | None:
    """The deadline of a unit of `level` (None: the level does not report, or the campaign
    set no date)."""
    name = DEADLINE_FIELDS.get(level)
    value = getattr(campaign, name) if name else None
    return value if isinstance(value, dt.date) else None


def is_late(submitted_at: dt.datetime, deadline: dt.date | None, zone: dt.tzinfo) -> bool:
    """Late when submitted at or after the first instant after the deadline's local day."""
    return deadline is not None and submitted_at >= deadline_closes_at(deadline, zone)


def days_left(deadline: dt.date | None, today: dt.date) -> int | None:
    """Whole local days until the deadline: 0 on the day, negative once it has passed."""
    return None if deadline is None else (deadline - today).days


def tracking_state(status: str | None, late: bool) -> str:
    if status is None:
        return "missing"
    if status == "submitted":
        return "late" if late else "submitted"
    return "draft"


def reports_to_province(level: str) -> bool:
    return level in (LEVEL_DEPARTMENT, LEVEL_COMMUNE)


def is_province(level: str) -> bool:
    return level == LEVEL_PROVINCE


def blank_sections() -> dict[str, str]:
    return dict.fromkeys(SECTIONS, "")


@dataclass(frozen=True)
class ResultsReport:
    """A unit's results report for a campaign (one per unit and campaign)."""

    results_report_id: str
    campaign_id: str
    unit_id: str
    parent_id: str | None
    sections: dict[str, str]
    status: str
    created_by: dict[str, Any]
    created_at: dt.datetime
    updated_at: dt.datetime
    deadline: dt.date | None = None
    submitted_at: dt.datetime | None = None
    late: bool = False
    figures: dict[str, Any] | None = None  # frozen at submission
    return_reason: str | None = None
    returned_at: dt.datetime | None = None
    file_count: int = 0
    history: list[dict[str, Any]] = field(default_factory=list)

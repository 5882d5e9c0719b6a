"""Public posting (công khai) of the eligible shortlist before the awards council meets, and
the public's feedback (phản ánh) on it. Pure rules: the window in working days, what the
public sees of a nominee, the feedback's bounds.

The window opens at 00:00 (local) of `opens_on` and closes at the end of its last working
day: `working_days` days counted from `opens_on`, skipping Saturdays, Sundays and the
campaign's holidays (a posting that opens on a weekend starts counting on the Monday).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

DEFAULT_WORKING_DAYS = 5
MAX_WORKING_DAYS = 60
FEEDBACK_TEXT_MAX_CHARS = 2000
FEEDBACK_NAME_MAX_CHARS = 200
FEEDBACK_CONTACT_MAX_CHARS = 200
NOTE_MAX_CHARS = 2000
# A feedback request's body: the three fields at their limits in UTF-8, JSON-escaped, fit.
FEEDBACK_BODY_MAX_BYTES = 16 * 1024


def is_working_day(day: dt.date, holidays: Iterable[dt.date]) -> bool:
    return day.weekday() < 5 and day not in set(holidays)


def last_working_day(opens_on: dt.date, working_days: int, holidays: Iterable[dt.date]) -> dt.date:
    """The `working_days`-th working day from `opens_on` (itself counted when it is one)."""
    if working_days < 1:
        raise ValueError("a posting lasts at least one working day")
    off = frozenset(holidays)
    day = opens_on
    counted = 0
    while True:
        if is_working_day(day, off):
            counted += 1
            if counted == working_days:
                return day
        day += dt.timedelta(days=1)


@dataclass(frozen=True)
class Window:
    opens_on: dt.date
    last_day: dt.date
    opens_at: dt.datetime
    closes_at: dt.datetime  # the first instant refused: 00:00 after the last day

    def state(self, now: dt.datetime) -> str:
        if now < self.opens_at:
            return "scheduled"
        if now < self.closes_at:
            return "open"
        return "closed"

    def working_days_left(self, today: dt.date, holidays: Iterable[dt.date]) -> int:
        """Working days from `today` (counted) to the last day; 0 once closed."""
        off = frozenset(holidays)
        day = max(today, self.opens_on)
        left = 0
        while day <= self.last_day:
            left += is_working_day(day, off)
            day += dt.timedelta(days=1)
        return left


def window(
    opens_on: dt.date, working_days: int, holidays: Iterable[dt.date], zone: dt.tzinfo
) -> Window:
    last = last_working_day(opens_on, working_days, holidays)
    return Window(
        opens_on=opens_on,
        last_day=last,
        opens_at=dt.datetime.combine(opens_on, dt.time(), zone),
        closes_at=dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), zone),
    )


# What the public sees of a nominee's evidence snapshot: its score, rank and rates only.
PUBLIC_EVIDENCE_KEYS = (
    "score",
    "compliant",
    "online_rate",
    "signing_rate",
    "e_issuance_rate",
    "kpi_coverage",
    "two_way_interconnection",
    "on_time_rate",
    "latest_evaluation_score",
    "processed_total",
)


def public_evidence(evidence: dict[str, Any] | None) -> dict[str, Any]:
    """The score, rank and rates of an evidence snapshot; nothing else of it."""
    evidence = evidence or {}
    # A unit's rates are under "metrics"; an official's at the top of the snapshot.
    metrics = evidence.get("metrics")
    figures = {**evidence, **(metrics if isinstance(metrics, dict) else {})}
    out: dict[str, Any] = {k: figures[k] for k in PUBLIC_EVIDENCE_KEYS if k in figures}
    rank = evidence.get("rank")
    out["rank"] = rank.get("rank") if isinstance(rank, dict) else None
    out["of"] = rank.get("of") if isinstance(rank, dict) else None
    if isinstance(rank, dict) and "compliant" in rank:
        out.setdefault("compliant", rank.get("compliant"))
    out["as_of"] = evidence.get("as_of")
    return out


@dataclass(frozen=True)
class Posting:
    campaign_id: str
    opens_on: dt.date
    working_days: int
    opens_at: dt.datetime
    closes_at: dt.datetime
    last_day: dt.date
    shortlist: list[dict[str, Any]]  # frozen at the opening: who, and their evidence
    opened_by: dict[str, Any]
    opened_at: dt.datetime

    def nominee(self, nomination_id: str) -> dict[str, Any] | None:
        return next((n for n in self.shortlist if n["nomination_id"] == nomination_id), None)

    def state(self, now: dt.datetime) -> str:
        return (
            "open"
            if self.opens_at <= now < self.closes_at
            else ("scheduled" if now < self.opens_at else "closed")
        )


@dataclass(frozen=True)
class Feedback:
    feedback_id: str
    campaign_id: str
    nomination_id: str
    created_key: str  # "<created_at iso>#<feedback_id>"
    text: str
    name: str
    contact: str
    created_at: dt.datetime
    status: str  # open | resolved
    resolution: dict[str, Any] | None = None  # {"note", "by", "at"}

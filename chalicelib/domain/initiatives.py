"""Initiatives (sáng kiến), the campaign's fifth criterion: rules and records, no AWS.

An initiative is registered by a unit (Decree 13/2012/NĐ-CP Art. 3: new within the unit,
applied with a real benefit), scored by the campaign's initiatives council and recognised
by the council's rule (Circular 18/2013/TT-BKHCN Art. 8: at least 2/3 of the members; an
author does not assess their own initiative).

States: draft → submitted → recognised | not_recognised; `return` sends a submitted
initiative back to draft with a reason.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from chalicelib.domain.council_vote import exact

STATUSES = ("draft", "submitted", "recognised", "not_recognised")
DECIDED = frozenset({"recognised", "not_recognised"})
# Every state an initiative is in once it was submitted (what "submitted" counts).
SUBMITTED_OR_LATER = frozenset({"submitted", "recognised", "not_recognised"})
TITLE_MAX_CHARS = 300
TEXT_MAX_CHARS = 8000
COMMENT_MAX_CHARS = 2000
MAX_AUTHORS = 20

# action -> (states it may start from, state it leads to)
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "edit": (frozenset({"draft"}), "draft"),
    "add_file": (frozenset({"draft"}), "draft"),
    "delete_file": (frozenset({"draft"}), "draft"),
    "submit": (frozenset({"draft"}), "submitted"),
    "return": (frozenset({"submitted"}), "draft"),
    "score": (frozenset({"submitted"}), "submitted"),
    "recognise": (frozenset({"submitted"}), "recognised"),
    "not_recognise": (frozenset({"submitted"}), "not_recognised"),
}


def next_status(current: str, action: str) -> str | None:
    allowed_from, target = TRANSITIONS[action]
    return target if current in allowed_from else None


def allowed_from(action: str) -> list[str]:
    return sorted(TRANSITIONS[action][0])


# --- recusal ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Author:
    """An author: an official (with their unit) or a unit as a collective author."""

    name: str
    unit_id: str
    official_id: str | None = None


def recusal(
    member_official_id: str | None,
    member_unit_id: str | None,
    authors: Iterable[Author],
) -> str | None:
    """Why a council member may not score an initiative, or None.

    `author`: the member is one of its authors; `author_unit`: the member is an officer
    of an author's unit (a collective author, or an author official's unit)."""
    authors = list(authors)
    if member_official_id and any(a.official_id == member_official_id for a in authors):
        return "author"
    if member_unit_id and any(a.unit_id == member_unit_id for a in authors):
        return "author_unit"
    return None


RECUSAL_TEXT = {
    "author": "the member is an author of the initiative",
    "author_unit": "the member is an officer of an author's unit",
}


# --- recognition -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Assessment:
    """The outcome of one initiative at the close of the assessment."""

    scores: int  # how many members scored it
    members: int  # the council's members at the close
    in_favour: int  # members whose total reached the pass score
    denominator: int  # what the share is taken of
    required: int  # the fewest in favour that meet the share
    average: dict[str, float]  # per criterion, over the scores (0 when none)
    average_total: float  # out of 100
    recognised: bool

    @property
    def outcome(self) -> str:
        return "recognised" if self.recognised else "not_recognised"

    def as_dict(self) -> dict[str, Any]:
        return {
            "scores": self.scores,
            "members": self.members,
            "in_favour": self.in_favour,
            "denominator": self.denominator,
            "required": self.required,
            "average": dict(self.average),
            "average_total": self.average_total,
            "outcome": self.outcome,
        }


def reaches_pass(points: Mapping[str, int], max_points: int, pass_score: float) -> bool:
    """A member's total, scaled to 100, at or above the pass score (exactly)."""
    total = sum(int(v) for v in points.values())
    return max_points > 0 and total * 100 >= exact(pass_score) * max_points


def assess(
    scores: Sequence[Mapping[str, int]],
    *,
    members: int,
    criteria: Sequence[tuple[str, int]],
    share: float,
    denominator: str,
    pass_score: float,
) -> Assessment:
    """Recognised when the members whose score reaches `pass_score` are at least `share`
    of the denominator: every member of the council (`members`) or those who scored
    (`scored`). A zero denominator recognises nothing. `scores` are the members' points
    per criterion; `criteria` the (key, maximum) pairs."""
    max_points = sum(m for _, m in criteria)
    in_favour = sum(1 for s in scores if reaches_pass(s, max_points, pass_score))
    base = members if denominator == "members" else len(scores)
    needed = exact(share) * base
    required = -(-needed.numerator // needed.denominator)  # the ceiling, exactly
    recognised = base > 0 and in_favour >= required
    average = {
        key: round(sum(int(s.get(key, 0)) for s in scores) / len(scores), 2) if scores else 0.0
        for key, _ in criteria
    }
    totals = [sum(int(v) for v in s.values()) for s in scores]
    average_total = (
        round(sum(totals) / len(totals) * 100 / max_points, 2) if totals and max_points else 0.0
    )
    return Assessment(
        scores=len(scores),
        members=members,
        in_favour=in_favour,
        denominator=base,
        required=required,
        average=average,
        average_total=average_total,
        recognised=recognised,
    )


def points_problem(points: Mapping[str, int], criteria: Sequence[tuple[str, int]]) -> str | None:
    """Why a member's points do not fit the campaign's criteria, or None."""
    keys = [k for k, _ in criteria]
    if set(points) != set(keys):
        return f"give points for exactly these criteria: {', '.join(keys)}"
    for key, maximum in criteria:
        value = points[key]
        if not 0 <= value <= maximum:
            return f"{key} takes 0 to {maximum} points, not {value}"
    return None


# --- creativity as a figure ------------------------------------------------------------------


def creativity_figures(initiatives: Iterable[tuple[str, str]]) -> dict[str, dict[str, int]]:
    """Per unit, from (unit_id, status) pairs: initiatives submitted (in any state from
    submitted on) and recognised."""
    out: dict[str, dict[str, int]] = {}
    for unit_id, status in initiatives:
        if status not in SUBMITTED_OR_LATER:
            continue
        figure = out.setdefault(unit_id, {"initiatives_submitted": 0, "initiatives_recognised": 0})
        figure["initiatives_submitted"] += 1
        if status == "recognised":
            figure["initiatives_recognised"] += 1
    return out


# --- records -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Initiative:
    initiative_id: str
    campaign_id: str
    created_key: str  # "<created_at iso>#<initiative_id>": creation order
    unit_id: str  # the registering unit
    title: str
    description: str
    benefit: str
    applied_from: dt.date
    authors: list[dict[str, Any]]  # [{"name", "unit_id", "official_id"}]
    status: str
    created_by: dict[str, Any]
    created_at: dt.datetime
    updated_at: dt.datetime
    file_count: int = 0
    return_reason: str | None = None
    submitted_at: dt.datetime | None = None
    assessment: dict[str, Any] | None = None  # Assessment.as_dict() and when, once decided

    def author_records(self) -> list[Author]:
        return [
            Author(str(a.get("name", "")), str(a["unit_id"]), a.get("official_id"))
            for a in self.authors
        ]


@dataclass(frozen=True)
class InitiativeScore:
    initiative_id: str
    member_sub: str
    points: dict[str, int]
    comment: str
    at: dt.datetime

    @property
    def total(self) -> int:
        return sum(int(v) for v in self.points.values())

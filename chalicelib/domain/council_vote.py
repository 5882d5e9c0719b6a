"""The awards council's decision: quorum, the count against the council's rule, the quota
and the runoff. Pure functions, no AWS.

The rule is campaign data (provinces write their own: 70 % of all members in one, 80 % in
another, 90 % by secret ballot for higher titles under the old Decree 91/2017 Art. 45).
Shares are compared exactly (fractions of the decimal the rule states), never as floats:
7 agree of 10 members meets 0.7.

The denominator matters: "of all members" (`members`) is the legal reading and the
default; `present` counts the members in the room plus the absent members whose written
vote counts; `votes_cast` counts the ballots and the counted written votes (the common
mistake of existing software, offered because some councils' rules say so).

The quota: per award kind, the nominees that passed, ordered by agree share (descending)
then KPI rank (ascending, no rank last). When the nominee at the quota's boundary and the
first one past it are equal on that order, nobody is picked silently: the tied nominees
go to a runoff for the seats left, and the runoff's agree counts order them (then KPI
rank); a tie again at the boundary means another runoff.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from fractions import Fraction
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from chalicelib.domain.nominations import KINDS

DENOMINATORS = ("members", "present", "votes_cast")
CHOICES = ("agree", "disagree")
BELOW_THRESHOLD = "below_threshold"
OUTSIDE_QUOTA = "outside_quota"
# A ballot is cast over at most this many nominees (two quotas of 1000 is far beyond
# any council; the bound keeps one ballot item small).
MAX_NOMINEES = 400


class AwardsRule(BaseModel):
    """How the awards council decides (the `rule` of `PUT .../councils/awards`)."""

    model_config = ConfigDict(extra="forbid")

    share: float = Field(
        default=0.7,
        gt=0,
        le=1,
        description="The share of the denominator that must agree for a nominee to pass "
        "(0.7 = 70 %); compared exactly, 7 of 10 meets 0.7",
    )
    denominator: Literal["members", "present", "votes_cast"] = Field(
        default="members",
        description="members: every member of the council (the legal reading, the default); "
        "present: the members present plus the absent members whose written vote counts; "
        "votes_cast: the ballots and the counted written votes",
    )
    quorum: float = Field(
        default=2 / 3,
        gt=0,
        le=1,
        description="The share of all members that must be present to open the ballot "
        "(default 2/3)",
    )
    secret: bool = Field(
        default=True,
        description="Secret ballot (default); false records each member's open vote with "
        "their name",
    )
    written_votes_count: bool = Field(
        default=True,
        description="Whether the written votes (phiếu bằng văn bản) of absent members count",
    )


def exact(value: float) -> Fraction:
    """The fraction a rule's decimal states: 0.7 is 7/10, not the float nearest it.
    2/3 given as 0.6666666666666666 is just under 2/3, so 10 of 15 meets it."""
    return Fraction(repr(float(value)))


def quorum_required(members: int, rule: AwardsRule) -> int:
    """The fewest members present that meet the quorum."""
    needed = exact(rule.quorum) * members
    whole = needed.numerator // needed.denominator
    return whole if whole == needed else whole + 1


def quorum_met(members: int, present: int, rule: AwardsRule) -> bool:
    return members > 0 and present >= quorum_required(members, rule)


@dataclass(frozen=True)
class Nominee:
    """One nominee on the shortlist, as frozen when the meeting opened."""

    nomination_id: str
    kind: str  # collective | individual
    name: str
    kpi_rank: int | None  # the evidence snapshot's rank; None when it has none


@dataclass(frozen=True)
class NomineeCount:
    nomination_id: str
    kind: str
    agree: int
    disagree: int
    denominator: int
    share: float | None  # agree / denominator; None when the denominator is 0
    passed: bool


@dataclass(frozen=True)
class Runoff:
    """Nominees tied at a kind's quota boundary and the seats left for them."""

    kind: str
    nominees: tuple[str, ...]
    seats: int


@dataclass(frozen=True)
class Outcome:
    """The result so far: approved (in order), rejected with the reason, and the runoffs
    still needed (none: the decision is final)."""

    approved: dict[str, tuple[str, ...]]  # kind -> nomination ids, in order
    rejected: dict[str, str]  # nomination id -> below_threshold | outside_quota
    runoffs: tuple[Runoff, ...] = ()

    @property
    def final(self) -> bool:
        return not self.runoffs


def check_ballot(
    choices: Mapping[str, str],
    nominees: Iterable[str],
    seats: Mapping[str, int] | None = None,
    kind_of: Mapping[str, str] | None = None,
) -> str | None:
    """Why a ballot is not valid for this round, or None. A ballot says agree or disagree
    for every nominee of the round and nothing else; in a runoff it agrees with at most the
    seats left per kind."""
    expected = set(nominees)
    given = set(choices)
    if given != expected:
        missing = sorted(expected - given)
        extra = sorted(given - expected)
        parts = []
        if missing:
            parts.append(f"no choice for {', '.join(missing)}")
        if extra:
            parts.append(f"not on this ballot: {', '.join(extra)}")
        return "; ".join(parts)
    wrong = sorted(n for n, c in choices.items() if c not in CHOICES)
    if wrong:
        return f"each choice must be agree or disagree ({', '.join(wrong)})"
    if seats is not None and kind_of is not None:
        for kind, limit in sorted(seats.items()):
            agreed = sum(1 for n, c in choices.items() if c == "agree" and kind_of[n] == kind)
            if agreed > limit:
                return f"a runoff ballot agrees with at most {limit} {kind} nominee(s)"
    return None


def count_round(
    nominees: Sequence[Nominee],
    ballots: Iterable[Mapping[str, str]],
    written: Iterable[Mapping[str, str]],
    *,
    members: int,
    present: int,
    rule: AwardsRule,
) -> list[NomineeCount]:
    """Agree and disagree per nominee (the written votes included when the rule counts
    them), the share against the rule's denominator and whether the nominee passed."""
    cast = list(ballots)
    counted_written = list(written) if rule.written_votes_count else []
    every = cast + counted_written
    if rule.denominator == "members":
        denominator = members
    elif rule.denominator == "present":
        denominator = present + len(counted_written)
    else:
        denominator = len(every)
    threshold = exact(rule.share)
    counts = []
    for nominee in nominees:
        agree = sum(1 for b in every if b.get(nominee.nomination_id) == "agree")
        disagree = sum(1 for b in every if b.get(nominee.nomination_id) == "disagree")
        passed = denominator > 0 and Fraction(agree, denominator) >= threshold
        counts.append(
            NomineeCount(
                nomination_id=nominee.nomination_id,
                kind=nominee.kind,
                agree=agree,
                disagree=disagree,
                denominator=denominator,
                share=agree / denominator if denominator else None,
                passed=passed,
            )
        )
    return counts


def _rank_key(rank: int | None) -> tuple[int, int]:
    return (1, 0) if rank is None else (0, rank)


def _boundary(
    ordered: Sequence[str], key: Mapping[str, Any], seats: int
) -> tuple[list[str], list[str], list[str]]:
    """Split `ordered` at `seats`: (within, tied across the boundary, outside)."""
    if len(ordered) <= seats:
        return list(ordered), [], []
    if seats == 0:
        return [], [], list(ordered)
    last_in, first_out = key[ordered[seats - 1]], key[ordered[seats]]
    if last_in != first_out:
        return list(ordered[:seats]), [], list(ordered[seats:])
    tied = [n for n in ordered if key[n] == last_in]
    within = [n for n in ordered[:seats] if key[n] != last_in]
    outside = [n for n in ordered[seats:] if key[n] != last_in]
    return within, tied, outside


def apply_quota(
    nominees: Sequence[Nominee], counts: Sequence[NomineeCount], quotas: Mapping[str, int]
) -> Outcome:
    """The first round's outcome: the quota per kind over the nominees that passed."""
    by_id = {n.nomination_id: n for n in nominees}
    approved: dict[str, tuple[str, ...]] = {}
    rejected: dict[str, str] = {}
    runoffs: list[Runoff] = []
    for kind in KINDS:
        passed = [c for c in counts if c.kind == kind and c.passed]
        for c in counts:
            if c.kind == kind and not c.passed:
                rejected[c.nomination_id] = BELOW_THRESHOLD
        # Shares of one round share a denominator: agree counts order them exactly.
        key = {
            c.nomination_id: (-c.agree, _rank_key(by_id[c.nomination_id].kpi_rank)) for c in passed
        }
        ordered = sorted(key, key=lambda n: (key[n], by_id[n].name, n))
        within, tied, outside = _boundary(ordered, key, quotas.get(kind, 0))
        approved[kind] = tuple(within)
        rejected.update(dict.fromkeys(outside, OUTSIDE_QUOTA))
        if tied:
            runoffs.append(Runoff(kind, tuple(sorted(tied)), quotas.get(kind, 0) - len(within)))
    return Outcome(approved, rejected, tuple(runoffs))


def apply_runoff(
    previous: Outcome,
    nominees: Sequence[Nominee],
    ballots: Iterable[Mapping[str, str]],
) -> tuple[Outcome, dict[str, int]]:
    """The outcome after a runoff among the tied nominees, and the runoff's agree counts.
    The runoff orders the tied nominees by agree count, then KPI rank; the seats go in
    that order, and a tie at the boundary again asks for another runoff."""
    by_id = {n.nomination_id: n for n in nominees}
    cast = list(ballots)
    approved = dict(previous.approved)
    rejected = dict(previous.rejected)
    runoffs: list[Runoff] = []
    agree_counts: dict[str, int] = {}
    for runoff in previous.runoffs:
        agree = {n: sum(1 for b in cast if b.get(n) == "agree") for n in runoff.nominees}
        agree_counts.update(agree)
        key = {n: (-agree[n], _rank_key(by_id[n].kpi_rank)) for n in runoff.nominees}
        ordered = sorted(key, key=lambda n: (key[n], by_id[n].name, n))
        within, tied, outside = _boundary(ordered, key, runoff.seats)
        approved[runoff.kind] = (*approved.get(runoff.kind, ()), *within)
        rejected.update(dict.fromkeys(outside, OUTSIDE_QUOTA))
        if tied:
            runoffs.append(Runoff(runoff.kind, tuple(sorted(tied)), runoff.seats - len(within)))
    return Outcome(approved, rejected, tuple(runoffs)), agree_counts


# --- the frozen tally -------------------------------------------------------------------------


@dataclass(frozen=True)
class RoundRecord:
    """One round of the ballot as counted: which nominees, how many ballots and written
    votes, the counts (first round) or the runoff's agree counts."""

    number: int
    nominees: tuple[str, ...]
    ballots: int
    written_votes: int
    counts: tuple[NomineeCount, ...] = ()
    runoff_agree: dict[str, int] = field(default_factory=dict)
    seats: dict[str, int] = field(default_factory=dict)


def outcome_dict(outcome: Outcome) -> dict[str, Any]:
    return {
        "approved": {k: list(v) for k, v in outcome.approved.items()},
        "rejected": dict(sorted(outcome.rejected.items())),
        "runoffs": [
            {"kind": r.kind, "nominees": list(r.nominees), "seats": r.seats}
            for r in outcome.runoffs
        ],
    }


def outcome_of(data: Mapping[str, Any]) -> Outcome:
    return Outcome(
        approved={k: tuple(v) for k, v in data["approved"].items()},
        rejected=dict(data["rejected"]),
        runoffs=tuple(
            Runoff(r["kind"], tuple(r["nominees"]), int(r["seats"])) for r in data["runoffs"]
        ),
    )


def round_dict(record: RoundRecord) -> dict[str, Any]:
    return asdict(record)


def count_of(data: Mapping[str, Any]) -> NomineeCount:
    return NomineeCount(**{k: data[k] for k in NomineeCount.__dataclass_fields__})


def tally_sha256(tally: Mapping[str, Any]) -> str:
    """The hash that freezes a tally: SHA-256 of its canonical JSON (sorted keys, no
    spaces, UTF-8)."""
    body = json.dumps(tally, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(body.encode("utf-8")).hexdigest()

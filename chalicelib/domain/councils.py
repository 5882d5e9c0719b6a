"""Councils (hội đồng) of a campaign: who sits on them and the rule they decide by.

A campaign has at most one council per kind: `initiatives` scores and recognises the
initiatives (sáng kiến, Circular 18/2013/TT-BKHCN Art. 8); `awards` is the emulation and
commendation council that votes on the shortlist (issue 22 extends its rule). Both are
campaign data set by the province admin; nothing here talks to storage.

A share is kept as an exact fraction ("2/3"), never as a float: 2 of 3 members is exactly
2/3, and 0.6667 would refuse it.
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from chalicelib.domain.vocabulary import IDENTIFIER_PATTERN

CouncilKind = Literal["initiatives", "awards"]
COUNCIL_KINDS: tuple[str, ...] = ("initiatives", "awards")
CouncilRole = Literal["chair", "vice_chair", "member", "secretary"]
COUNCIL_ROLES: tuple[str, ...] = ("chair", "vice_chair", "member", "secretary")
# Who may close a council's work besides the province admin.
CLOSING_ROLES = frozenset({"secretary"})
Denominator = Literal["members", "scored"]
MAX_MEMBERS = 60  # provincial councils have 15-22 members; initiative councils fewer
SUB_PATTERN = r"^[^\s\x00-\x1f]{1,128}$"
SHARE_PATTERN = r"^(?:\d{1,4}/\d{1,4}|0(?:\.\d{1,6})?|1(?:\.0{1,6})?)$"


def parse_share(text: str) -> Fraction:
    """ "2/3" or "0.7" as an exact fraction in (0, 1]."""
    try:
        value = Fraction(text)
    except (ValueError, ZeroDivisionError):
        raise ValueError(f"share {text!r} must be a fraction such as 2/3 or 0.7") from None
    if not 0 < value <= 1:
        raise ValueError(f"share {text!r} must be more than 0 and at most 1")
    return value


def _share_text(value: Any) -> Any:
    # A JSON number (0.7) is taken by its decimal text, never by its binary float.
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return repr(value) if isinstance(value, float) else str(value)
    return value


class CouncilMember(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    sub: str = Field(
        pattern=SUB_PATTERN, description="The member's token subject (who signs in as them)"
    )
    full_name: str = Field(min_length=1, max_length=200)
    position: str = Field(default="", max_length=300)
    council_role: CouncilRole
    official_id: str | None = Field(
        default=None,
        pattern=IDENTIFIER_PATTERN,
        description="The member's official in the registry, when they are one: recusal reads it",
    )


class CouncilRule(BaseModel):
    """What every council's rule says: the share of the denominator that decides."""

    model_config = ConfigDict(extra="forbid")
    share: str = Field(
        default="2/3",
        pattern=SHARE_PATTERN,
        description="Share of the denominator needed, as a fraction (2/3) or a decimal (0.7)",
    )
    denominator: Denominator = Field(
        default="members",
        description="members: every member of the council (as the Circular and the council "
        "rules read); scored: only the members who took part",
    )

    @field_validator("share", mode="before")
    @classmethod
    def _share_in(cls, value: Any) -> Any:
        return _share_text(value)

    @field_validator("share")
    @classmethod
    def _share(cls, value: str) -> str:
        parse_share(value)
        return value

    def share_fraction(self) -> Fraction:
        return parse_share(self.share)


class InitiativesRule(CouncilRule):
    """Circular 18/2013/TT-BKHCN Art. 8: recognised by at least 2/3 of the members."""

    pass_score: float = Field(
        default=50,
        ge=0,
        le=100,
        description="A member's score (out of 100) at or above which they count as for",
    )


class AwardsRule(CouncilRule):
    """The awards council's rule (its meeting and ballot are issue 22's)."""


RULES: dict[str, type[CouncilRule]] = {"initiatives": InitiativesRule, "awards": AwardsRule}


class Council(BaseModel):
    """A council as stored: its campaign, kind, members and rule."""

    model_config = ConfigDict(extra="forbid")
    campaign_id: str = Field(pattern=IDENTIFIER_PATTERN)
    kind: CouncilKind
    members: list[CouncilMember]
    rule: dict[str, Any]
    updated_at: dt.datetime
    updated_by: str

    def typed_rule(self) -> CouncilRule:
        return RULES[self.kind].model_validate(self.rule)

    def member(self, sub: str) -> CouncilMember | None:
        return next((m for m in self.members if m.sub == sub), None)


def validate_members(members: list[CouncilMember]) -> list[CouncilMember]:
    """At least one member; subs and officials unique; at most one chair."""
    if not members:
        raise ValueError("a council needs at least one member")
    if len(members) > MAX_MEMBERS:
        raise ValueError(f"a council has at most {MAX_MEMBERS} members")
    subs = [m.sub for m in members]
    if len(set(subs)) != len(subs):
        raise ValueError("each member's sub appears once")
    officials = [m.official_id for m in members if m.official_id]
    if len(set(officials)) != len(officials):
        raise ValueError("each official sits on the council once")
    if sum(1 for m in members if m.council_role == "chair") > 1:
        raise ValueError("a council has at most one chair")
    return members


class CouncilSetting(BaseModel):
    """What the province admin sets: the members and the rule (validated per kind)."""

    model_config = ConfigDict(extra="forbid")
    members: list[CouncilMember] = Field(min_length=1, max_length=MAX_MEMBERS)
    rule: InitiativesRule | AwardsRule = Field(
        default_factory=InitiativesRule,
        union_mode="left_to_right",
        description="The initiatives council's rule (share, denominator, pass_score) or the "
        "awards council's (issue 22); validated against the kind in the path",
    )

    @model_validator(mode="after")
    def _members(self) -> CouncilSetting:
        validate_members(self.members)
        return self


def rule_for(kind: str, given: dict[str, Any]) -> CouncilRule:
    """The rule of a council of `kind` from what was sent (defaults filled in); ValueError
    when it names a field the kind's rule does not have."""
    return RULES[kind].model_validate(given)

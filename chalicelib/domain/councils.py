"""Councils (hội đồng) of a campaign: who sits on them and the rule they decide by.

A campaign has at most one council per kind: `initiatives` scores and recognises the
initiatives (sáng kiến, Circular 18/2013/TT-BKHCN Art. 8); `awards` is the emulation and
commendation council that votes on the shortlist (its rule is `council_vote.AwardsRule`). Both are
campaign data set by the province admin; nothing here talks to storage.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from chalicelib.domain.council_vote import AwardsRule
from chalicelib.domain.vocabulary import IDENTIFIER_PATTERN

CouncilKind = Literal["initiatives", "awards"]
COUNCIL_KINDS: tuple[str, ...] = ("initiatives", "awards")
CouncilRole = Literal["chair", "vice_chair", "member", "secretary"]
COUNCIL_ROLES: tuple[str, ...] = ("chair", "vice_chair", "member", "secretary")
# Who may close a council's work besides the province admin.
CLOSING_ROLES = frozenset({"secretary"})
MAX_MEMBERS = 60  # provincial councils have 15-22 members; initiative councils fewer
SUB_PATTERN = r"^[^\s\x00-\x1f]{1,128}$"


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


class InitiativesRule(BaseModel):
    """Circular 18/2013/TT-BKHCN Art. 8: recognised by at least 2/3 of the members. The
    share is compared exactly, as the awards council's is (`council_vote.exact`)."""

    model_config = ConfigDict(extra="forbid")
    share: float = Field(
        default=2 / 3,
        gt=0,
        le=1,
        description="The share of the denominator that must score an initiative at or above "
        "pass_score for it to be recognised (default 2/3)",
    )
    denominator: Literal["members", "scored"] = Field(
        default="members",
        description="members: every member of the council (as the Circular reads, the "
        "default); scored: only the members who scored the initiative",
    )
    pass_score: float = Field(
        default=50,
        ge=0,
        le=100,
        description="A member's total, out of 100, at or above which they count as for",
    )


RULES: dict[str, type[BaseModel]] = {"initiatives": InitiativesRule, "awards": AwardsRule}


class Council(BaseModel):
    """A council as stored: its campaign, kind, members and rule."""

    model_config = ConfigDict(extra="forbid")
    campaign_id: str = Field(pattern=IDENTIFIER_PATTERN)
    kind: CouncilKind
    members: list[CouncilMember]
    rule: dict[str, Any]
    updated_at: dt.datetime
    updated_by: str

    def typed_rule(self) -> BaseModel:
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


def rule_for(kind: str, given: dict[str, Any]) -> BaseModel:
    """The rule of a council of `kind` from what was sent (defaults filled in); ValueError
    when it names a field the kind's rule does not have."""
    return RULES[kind].model_validate(given)

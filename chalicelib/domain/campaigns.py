"""What a campaign is: dates, time zone, targets, weights, deadlines, quotas.

Campaigns are data; nothing about a particular year or province is in code. The time
zone is the province's (the CAMPAIGN_TIMEZONE setting), the same for every campaign:
daily figures are shared by every campaign, and a deadline day must be the same day as
that day's figures.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from chalicelib.domain.fields import IsoDate
from chalicelib.domain.vocabulary import (
    ALL_CRITERIA,
    COUNT_CRITERIA,
    CRITERIA_BY_KEY,
    DEFAULT_COUNT_TARGETS,
    DEFAULT_TARGETS,
    DEFAULT_WEIGHTS,
    FLAG_CRITERIA,
    IDENTIFIER_PATTERN,
    NOT_BLANK_PATTERN,
    OPT_IN_CRITERIA,
    RATE_CRITERIA,
)
from chalicelib.settings import get_settings

MAX_WEIGHT = 1000.0
MAX_COUNT_TARGET = 1000
# What the OpenAPI document says of targets and weights, per criterion (the validators
# below enforce the same): a rate's target in [0, 1], a flag's true or false, a count's a
# whole number in [0, MAX_COUNT_TARGET]; weights in [0, MAX_WEIGHT] (not all zero: a rule
# across fields, in words). An opt-in criterion (creativity) is assessed only when the
# campaign names it in its targets or weighs it above 0.
_TARGETS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        **{k: {"type": "number", "minimum": 0, "maximum": 1} for k in RATE_CRITERIA},
        **{k: {"type": "boolean"} for k in FLAG_CRITERIA},
        **{
            k: {"type": "integer", "minimum": 0, "maximum": MAX_COUNT_TARGET}
            for k in COUNT_CRITERIA
        },
    },
    "additionalProperties": False,
    "description": "Targets by criterion (default: each criterion's default target). "
    "creativity: the recognised initiatives a unit needs (default 1); naming it turns the "
    "criterion on",
}
_WEIGHTS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        k: {"type": "number", "minimum": 0, "maximum": MAX_WEIGHT} for k in ALL_CRITERIA
    },
    "additionalProperties": False,
    "description": "Score weights by criterion (default: each criterion's default "
    "weight; creativity 0, off); not all zero (a rule across fields: a 400); a weight above "
    "0 for creativity turns the criterion on",
}


def _province_zone(schema: dict[str, Any]) -> None:
    # Read when the document is built (GET /openapi.json), so it names this deployment's zone.
    schema["enum"] = [get_settings().timezone]


class Criterion(BaseModel):
    model_config = ConfigDict(extra="forbid")
    key: str = Field(pattern=IDENTIFIER_PATTERN)
    description: str = Field(max_length=2000)
    # False for criteria judged by people (creativity), carried on nominations.
    measured: bool = True


class InitiativeCriterion(BaseModel):
    """One scoring criterion of initiatives: each member gives 0..max_points."""

    model_config = ConfigDict(extra="forbid")
    key: str = Field(pattern=r"^[a-z][a-z0-9_]{0,31}$")
    label_vi: str = Field(min_length=1, max_length=200)
    label_en: str = Field(min_length=1, max_length=200)
    max_points: int = Field(ge=1, le=1000)


# A common provincial scale (AWARDS.md, "Initiatives"): novelty, applicability and
# effectiveness in bands, out of 100 in all.
DEFAULT_INITIATIVE_CRITERIA: tuple[InitiativeCriterion, ...] = (
    InitiativeCriterion(key="novelty", label_vi="Tính mới", label_en="Novelty", max_points=30),
    InitiativeCriterion(
        key="applicability", label_vi="Khả năng áp dụng", label_en="Applicability", max_points=30
    ),
    InitiativeCriterion(
        key="effectiveness", label_vi="Hiệu quả", label_en="Effectiveness", max_points=40
    ),
)
FileCategory = Literal["to_trinh", "bao_cao_thanh_tich", "bien_ban", "other"]
# Law on Emulation and Commendation 2022, Art. 84: the tờ trình, the báo cáo thành tích and
# the biên bản họp xét.
DEFAULT_DOSSIER: tuple[FileCategory, ...] = ("to_trinh", "bao_cao_thanh_tich", "bien_ban")


def _default_dossier() -> list[FileCategory]:
    return list(DEFAULT_DOSSIER)


class DossierRequirements(BaseModel):
    """The file categories a dossier needs, per award kind, to be appraised eligible."""

    model_config = ConfigDict(extra="forbid")
    collective: list[FileCategory] = Field(default_factory=_default_dossier, max_length=4)
    individual: list[FileCategory] = Field(default_factory=_default_dossier, max_length=4)

    def of(self, kind: str) -> list[str]:
        return list(self.collective if kind == "collective" else self.individual)


class AwardQuotas(BaseModel):
    model_config = ConfigDict(extra="forbid")
    collective: int = Field(default=10, ge=0, le=1000)
    individual: int = Field(default=10, ge=0, le=1000)


class Campaign(BaseModel):
    model_config = ConfigDict(extra="forbid")

    campaign_id: str = Field(pattern=IDENTIFIER_PATTERN)
    name: str = Field(min_length=1, max_length=500, pattern=NOT_BLANK_PATTERN)
    start_date: IsoDate
    end_date: IsoDate = Field(description="Not before start_date")
    timezone: str = Field(
        default_factory=lambda: get_settings().timezone,
        json_schema_extra=_province_zone,
        description="The province's time zone: the CAMPAIGN_TIMEZONE setting (default "
        "Asia/Ho_Chi_Minh), which dates the figures and the deadlines of every campaign; "
        "a campaign with another zone is refused",
    )
    # Rate targets in [0, 1]; two-way interconnection is required when true.
    targets: Annotated[dict[str, float | bool], WithJsonSchema(_TARGETS_SCHEMA)] = Field(
        default_factory=dict
    )
    weights: Annotated[dict[str, float], WithJsonSchema(_WEIGHTS_SCHEMA)] = Field(
        default_factory=dict
    )
    criteria: list[Criterion] = Field(default_factory=list, max_length=50)
    unit_report_deadline: IsoDate | None = None
    department_report_deadline: IsoDate | None = None
    nomination_deadline: IsoDate | None = None
    award_quotas: AwardQuotas = Field(default_factory=AwardQuotas)
    # Document types (Decree 30/2020 names) treated as exempt, e.g. for edXML.
    exempt_doc_types: list[Annotated[str, Field(min_length=1, max_length=200)]] = Field(
        default_factory=list, max_length=100
    )
    status: Literal["active", "archived"] = "active"
    award_procedure: Literal["review", "council"] = Field(
        default="review",
        description="review: one reviewer approves (the original workflow); council: "
        "appraisal, public posting and the awards council decide",
    )
    # Public holidays (local dates): the posting's working days skip them and weekends.
    holidays: list[IsoDate] = Field(default_factory=list, max_length=366)
    initiative_deadline: IsoDate | None = None
    initiative_criteria: list[InitiativeCriterion] = Field(
        default_factory=lambda: list(DEFAULT_INITIATIVE_CRITERIA), min_length=1, max_length=12
    )
    dossier_requirements: DossierRequirements = Field(default_factory=DossierRequirements)
    public: bool = Field(
        default=False,
        description="Opt in to the public scoreboard (GET /public/campaigns/{id}/ranking and "
        "open data, no token): units' names, scores, rates and compliance; never an "
        "official. A campaign that is not public answers 404 on every public route",
    )

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}") from None
        return value

    @field_validator("targets")
    @classmethod
    def _targets(cls, value: dict[str, float | bool]) -> dict[str, float | bool]:
        for key, target in value.items():
            if key not in ALL_CRITERIA:
                raise ValueError(
                    f"unknown criterion {key!r}; expected one of {', '.join(ALL_CRITERIA)}"
                )
            if CRITERIA_BY_KEY[key].is_count:
                whole = not isinstance(target, bool) and float(target).is_integer()
                if not whole or not 0 <= target <= MAX_COUNT_TARGET:
                    raise ValueError(
                        f"{key} target must be a whole number from 0 to {MAX_COUNT_TARGET}"
                    )
            elif not CRITERIA_BY_KEY[key].is_rate:
                if not isinstance(target, bool):
                    raise ValueError(f"{key} target must be true or false")
            elif isinstance(target, bool) or not 0.0 <= float(target) <= 1.0:
                raise ValueError(f"target {key!r} must be a number between 0 and 1")
        return value

    @field_validator("weights")
    @classmethod
    def _weights(cls, value: dict[str, float]) -> dict[str, float]:
        for key, weight in value.items():
            if key not in ALL_CRITERIA:
                raise ValueError(
                    f"unknown criterion {key!r}; expected one of {', '.join(ALL_CRITERIA)}"
                )
            if not 0 <= weight <= MAX_WEIGHT:
                raise ValueError(f"weight {key!r} must be between 0 and {MAX_WEIGHT:g}")

        # The weights the score uses: those given over the defaults (an opt-in criterion's
        # default is 0, so weighing only it at 0 leaves the standing ones at theirs).
        if value and sum({**DEFAULT_WEIGHTS, **value}.values()) <= 0:
            raise ValueError("weights must not all be zero")
        return value

    @field_validator("initiative_criteria")
    @classmethod
    def _initiative_criteria(cls, value: list[InitiativeCriterion]) -> list[InitiativeCriterion]:
        keys = [c.key for c in value]
        if len(set(keys)) != len(keys):
            raise ValueError("each initiative criterion key appears once")
        return value

    @model_validator(mode="after")
    def _dates(self) -> Campaign:
        if self.end_date < self.start_date:
            raise ValueError("end_date is before start_date")
        return self

    def initiative_max_points(self) -> int:
        return sum(c.max_points for c in self.initiative_criteria)

    def rate_targets(self) -> dict[str, float]:
        return {k: float(self.targets.get(k, default)) for k, default in DEFAULT_TARGETS.items()}

    def score_weights(self) -> dict[str, float]:
        return {k: float(self.weights.get(k, default)) for k, default in DEFAULT_WEIGHTS.items()}

    def count_targets(self) -> dict[str, int]:
        return {
            k: int(self.targets.get(k, default)) for k, default in DEFAULT_COUNT_TARGETS.items()
        }

    def criterion_targets(self) -> dict[str, float]:
        """Every target compliance compares with: the rates' and the counts'."""
        return {**self.rate_targets(), **self.count_targets()}

    def enabled_criteria(self) -> tuple[str, ...]:
        """The opt-in criteria this campaign turned on: named in its targets, or weighed
        above 0 (creativity is off unless the campaign asks for it)."""
        return tuple(k for k in OPT_IN_CRITERIA if k in self.targets or self.weights.get(k, 0) > 0)

    def contains(self, day: dt.date) -> bool:
        return self.start_date <= day <= self.end_date


def deadline_closes_at(deadline: dt.date, zone: dt.tzinfo) -> dt.datetime:
    """A deadline D is open until the end of D local time: 00:00 of D+1 in `zone` is the
    first instant refused."""
    return dt.datetime.combine(deadline + dt.timedelta(days=1), dt.time(), zone)


def active_campaign(campaigns: list[Campaign], today: dt.date) -> Campaign | None:
    """The running campaign; else the one that ended most recently; else the next."""
    live = [c for c in campaigns if c.status == "active"]
    running = sorted((c for c in live if c.contains(today)), key=lambda c: c.start_date)
    if running:
        return running[-1]
    past = sorted((c for c in live if c.end_date < today), key=lambda c: c.end_date)
    if past:
        return past[-1]
    future = sorted(live, key=lambda c: c.start_date)
    return future[0] if future else None

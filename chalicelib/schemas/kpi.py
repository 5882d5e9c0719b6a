"""Response models of the KPI routes (DOMAIN.md metric names, exactly)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model

from chalicelib.domain.kpi import OFFICIAL_METRICS, UNIT_METRICS
from chalicelib.domain.vocabulary import (
    CRITERIA_DEFINITIONS,
    OPT_IN_CRITERIA,
    RATE_PARTS,
    UNIT_LEVELS,
)


def _absent_when_off(schema: dict[str, Any]) -> None:
    """An opt-in criterion is left out of the answer, not sent as null, where its campaign
    does not assess it: the document gives it no default (a generated client reads a
    default as "always present")."""
    schema.pop("default", None)


def criterion_fields(kind: str) -> dict[str, Any]:
    """Pydantic fields, one per criterion (domain.vocabulary), in order.

    kind "value": a rate (None without data), a flag (None where it does not apply) or a
    count; kind "met": whether it is met (None where it does not apply). An opt-in
    criterion (creativity) is present only where its campaign turned it on.
    """
    fields: dict[str, Any] = {}
    for c in CRITERIA_DEFINITIONS:
        everywhere = c.levels == frozenset(UNIT_LEVELS)
        if kind == "met":
            kind_type: Any = bool if everywhere else bool | None
        elif c.is_count:
            kind_type = int
        else:
            kind_type = float | None if c.is_rate else bool | None
        if c.opt_in:
            fields[c.key] = (
                kind_type | None,
                Field(
                    default=None,
                    description=f"Only when the campaign assesses {c.key}",
                    json_schema_extra=_absent_when_off,
                ),
            )
        else:
            fields[c.key] = (kind_type, ...)
    return fields


# An official's latest evaluation in the range: its score and "YYYY-MM" period, or None.
_EVALUATION_FIELDS: dict[str, Any] = {
    "latest_evaluation_score": (float | None, ...),
    "latest_evaluation_period": (str | None, ...),
}


def _metric_fields(names: tuple[str, ...]) -> dict[str, Any]:
    """Pydantic fields of metrics (domain.kpi.UNIT_METRICS or OFFICIAL_METRICS), in order:
    a criterion as its kind says, another rate (None without data), the latest evaluation,
    or a count."""
    criteria = criterion_fields("value")
    rate = (float | None, ...)
    return {
        name: criteria.get(name)
        or _EVALUATION_FIELDS.get(name)
        or (rate if name in RATE_PARTS else (int, ...))
        for name in names
    }


def _opt_in_metric_fields() -> dict[str, Any]:
    """A unit's figure of each opt-in criterion (creativity: its recognised initiatives),
    present only where its campaign assesses it."""
    criteria = criterion_fields("value")
    return {name: criteria[name] for name in OPT_IN_CRITERIA}


if TYPE_CHECKING:  # built from the metrics and criteria below; mypy sees a model
    UnitMetrics = BaseModel
    Compliance = BaseModel
    CriteriaMet = BaseModel
    RankingItem = BaseModel
    OfficialKpi = BaseModel
else:
    UnitMetrics = create_model(
        "UnitMetrics",
        __module__=__name__,
        **_metric_fields(UNIT_METRICS),
        **_opt_in_metric_fields(),
    )
    Compliance = create_model(
        "Compliance", __module__=__name__, **criterion_fields("met"), compliant=(bool, ...)
    )
    CriteriaMet = create_model("CriteriaMet", __module__=__name__, **criterion_fields("met"))
    RankingItem = create_model(
        "RankingItem",
        __module__=__name__,
        rank=(int, ...),
        unit_id=(str, ...),
        name=(str, ...),
        level=(str, ...),
        score=(float, ...),
        **criterion_fields("value"),
        processed_total=(int, ...),
        compliant=(bool, ...),
        # Each criterion met or not, as the campaign's targets say (the console marks the
        # cells from it and has no rule of its own).
        met=(CriteriaMet, ...),
    )
    OfficialKpi = create_model(
        "OfficialKpi",
        __module__=__name__,
        official_id=(str, ...),
        unit_id=(str, ...),
        full_name=(str, ...),
        position=(str, ...),
        active=(bool, ...),
        **_metric_fields(OFFICIAL_METRICS),
    )


class RecognisedInitiative(BaseModel):
    initiative_id: str
    title: str
    status: Literal["draft", "submitted", "recognised", "not_recognised"]


class Creativity(BaseModel):
    """Creativity as a figure: a unit's (or an official's) initiatives in the campaign."""

    campaign_id: str
    initiatives_submitted: int = Field(description="Initiatives submitted (in any state since)")
    initiatives_recognised: int = Field(description="Recognised by the initiatives council")
    recognised: list[RecognisedInitiative] = Field(description="The recognised initiatives")


class UnitKpi(BaseModel):
    unit_id: str
    name: str
    level: str
    campaign_id: str | None = Field(
        description="The campaign whose dates, targets and weights this answer used (the "
        "campaign_id asked for, else the one active on the province's local date; null: no "
        "campaign exists, the vocabulary's defaults)"
    )
    model_config = ConfigDict(populate_by_name=True)
    from_: dt.date = Field(alias="from")
    to: dt.date
    as_of: dt.datetime | None = Field(description="Events ingested up to this time are included")
    metrics: UnitMetrics
    compliance: Compliance
    score: float
    shortfalls: dict[str, int | None] = Field(
        description="Per rate criterion that applies at the unit's level: how many more "
        "items must qualify to reach the campaign's target (0: met; null: no data)"
    )
    interconnection_tier: Literal["province", "commune"] | None = Field(
        description="The tier the unit must exchange with both ways (null: a division)"
    )
    creativity: Creativity | None = Field(
        description="The unit's initiatives in the campaign (null when no campaign exists)"
    )


class DailyPoint(BaseModel):
    date: dt.date
    metrics: UnitMetrics
    compliance: Compliance
    score: float


class UnitDaily(BaseModel):
    unit_id: str
    campaign_id: str | None = Field(
        description="The campaign whose dates, targets and weights this answer used (the "
        "campaign_id asked for, else the one active on the province's local date; null: no "
        "campaign exists, the vocabulary's defaults)"
    )
    model_config = ConfigDict(populate_by_name=True)
    from_: dt.date = Field(alias="from")
    to: dt.date
    as_of: dt.datetime | None
    days: list[DailyPoint]


class Ranking(BaseModel):
    campaign_id: str
    level: str
    model_config = ConfigDict(populate_by_name=True)
    from_: dt.date = Field(alias="from")
    to: dt.date
    as_of: dt.datetime | None
    items: list[RankingItem]


class OfficialKpiInRange(OfficialKpi):
    """One official's KPIs for a range (GET /officials/{official_id}/kpi)."""

    campaign_id: str | None = Field(
        description="The campaign whose dates, targets and weights this answer used (the "
        "campaign_id asked for, else the one active on the province's local date; null: no "
        "campaign exists, the vocabulary's defaults)"
    )
    model_config = ConfigDict(populate_by_name=True)
    from_: dt.date = Field(alias="from")
    to: dt.date
    as_of: dt.datetime | None


class OfficialKpiList(BaseModel):
    unit_id: str
    campaign_id: str | None = Field(
        description="The campaign whose dates, targets and weights this answer used (the "
        "campaign_id asked for, else the one active on the province's local date; null: no "
        "campaign exists, the vocabulary's defaults)"
    )
    model_config = ConfigDict(populate_by_name=True)
    from_: dt.date = Field(alias="from")
    to: dt.date
    as_of: dt.datetime | None
    items: list[OfficialKpi]


class InterconnectionPair(BaseModel):
    province_unit_id: str
    commune_unit_id: str
    sent_electronic: int
    sent_paper: int
    received_electronic: int
    received_paper: int


class UnitRef(BaseModel):
    unit_id: str
    name: str
    level: str


class Interconnection(BaseModel):
    campaign_id: str
    model_config = ConfigDict(populate_by_name=True)
    from_: dt.date = Field(alias="from")
    to: dt.date
    as_of: dt.datetime | None
    pairs: list[InterconnectionPair]
    units_without_two_way: list[UnitRef]


class SilentUnit(BaseModel):
    unit_id: str
    name: str
    level: str
    last_event_at: dt.datetime | None


class SilentSource(BaseModel):
    source_id: str
    name: str
    last_event_at: dt.datetime | None


class Freshness(BaseModel):
    campaign_id: str
    silent_after_hours: int
    checked_at: dt.datetime
    as_of: dt.datetime | None
    silent_units: list[SilentUnit]
    silent_sources: list[SilentSource]

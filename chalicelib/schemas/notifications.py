"""Request and response models of the notification routes (preferences, captured mail)
and of the public scoreboard."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from chalicelib.domain.notifications import KINDS
from chalicelib.domain.registry import EMAIL_PATTERN
from chalicelib.domain.vocabulary import CRITERIA

Kind = Literal[KINDS]  # type: ignore[valid-type]


class OneClickForm(BaseModel):
    """RFC 8058's one-click unsubscribe body (application/x-www-form-urlencoded)."""

    model_config = ConfigDict(populate_by_name=True)
    one_click: Literal["One-Click"] = Field(alias="List-Unsubscribe")


class PreferencesUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email: str = Field(
        max_length=254, pattern=EMAIL_PATTERN, description="One of the unit's contacts"
    )
    unsubscribed: list[Kind] = Field(
        max_length=len(KINDS), description="The kinds this address refuses (the rest it gets)"
    )


class MailOut(BaseModel):
    message_key: str
    kind: Kind
    unit_id: str | None
    recipient: str
    subject: str
    status: Literal["claimed", "sent", "unsubscribed", "suppressed", "failed"]
    created_at: dt.datetime
    text: str | None = Field(description="Kept only when mail is captured (local stack)")
    html: str | None


class MailPage(BaseModel):
    day: dt.date
    capture: bool = Field(description="True when mail is captured locally (never sent)")
    items: list[MailOut]
    next_token: str | None


class UnsubscribeOut(BaseModel):
    email: str = Field(description="Masked")
    kind: Kind
    kind_label: str


class PublicRankingItem(BaseModel):
    model_config = ConfigDict(extra="forbid")
    rank: int
    unit_id: str
    name: str
    level: str
    score: float
    online_rate: float | None
    signing_rate: float | None
    e_issuance_rate: float | None
    kpi_coverage: float | None
    two_way_interconnection: bool | None
    compliant: bool


if set(CRITERIA) - set(PublicRankingItem.model_fields):  # one list of criteria
    raise RuntimeError("PublicRankingItem lacks a criterion of domain.vocabulary")


class PublicRanking(BaseModel):
    model_config = ConfigDict(populate_by_name=True)
    campaign_id: str
    campaign_name: str
    level: str
    from_: dt.date = Field(alias="from")
    to: dt.date
    as_of: dt.datetime | None = Field(description="Events aggregated up to this time")
    licence: str
    items: list[PublicRankingItem]


class OpenData(BaseModel):
    model_config = ConfigDict(populate_by_name=True)
    campaign_id: str
    campaign_name: str
    from_: dt.date = Field(alias="from")
    to: dt.date
    as_of: dt.datetime | None
    licence: str
    fields: list[str]
    items: list[PublicRankingItem]

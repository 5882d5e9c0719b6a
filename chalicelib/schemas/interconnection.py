"""The interconnection cross-check's answer."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field


class CrossCheckPair(BaseModel):
    from_unit_id: str
    to_unit_id: str
    from_name: str | None = Field(description="Null for a unit outside the registry")
    to_name: str | None
    reported: int = Field(description="Electronic exchanges reported by push sources")
    seen_on_hub: int = Field(description="Electronic exchanges seen by hub sources")
    reported_not_seen: int = Field(description="Reported, but never seen on the hub")
    seen_not_reported: int = Field(description="Seen on the hub, but never reported")


class CrossCheck(BaseModel):
    campaign_id: str
    from_: dt.date = Field(alias="from")
    to: dt.date
    push_sources: list[str] = Field(description="Live webhook sources (the units' systems)")
    hub_sources: list[str] = Field(description="Live hub sources (pulled from the hub)")
    pairs: list[CrossCheckPair] = Field(description="Every pair with an exchange on either side")
    differences: list[CrossCheckPair] = Field(description="The pairs whose two sides differ")

"""Response models of the council routes."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel

from chalicelib.domain.councils import AwardsRule, CouncilKind, CouncilMember, InitiativesRule


class CouncilOut(BaseModel):
    campaign_id: str
    kind: CouncilKind
    members: list[CouncilMember]
    rule: InitiativesRule | AwardsRule
    updated_at: dt.datetime
    updated_by: str

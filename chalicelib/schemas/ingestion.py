"""Request and response models of webhook sources and ingestion."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from chalicelib.domain.fields import patch_field
from chalicelib.domain.vocabulary import IDENTIFIER_PATTERN, NOT_BLANK_PATTERN

MAX_SCOPE_UNITS = 200


def _distinct(units: list[str]) -> list[str]:
    if len(set(units)) != len(units):
        raise ValueError("must not name a unit twice")
    return units


ScopeUnits = Annotated[
    list[Annotated[str, Field(pattern=IDENTIFIER_PATTERN)]],
    Field(
        min_length=1,
        max_length=MAX_SCOPE_UNITS,
        description="Units the source may speak for, each with every unit below it "
        "(the province's own unit covers the whole province)",
    ),
    AfterValidator(_distinct),
]


SourceName = Annotated[str, Field(min_length=1, max_length=200, pattern=NOT_BLANK_PATTERN)]


class SourceCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    source_id: str = Field(pattern=IDENTIFIER_PATTERN)
    name: SourceName
    units: ScopeUnits


class SourcePatch(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"minProperties": 1})
    name: SourceName = patch_field()
    units: ScopeUnits = patch_field()

    @model_validator(mode="after")
    def _something(self) -> SourcePatch:
        if self.name is None and self.units is None:
            raise ValueError("give name, units or both")
        return self


class SourceCreated(BaseModel):
    source_id: str
    name: str
    units: list[str]
    secret: str = Field(description="whsec_ + base64 of 32 random bytes; shown only once")


class SourceRotate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    grace_hours: int | None = Field(default=None, ge=0, le=168)


class SourceRotated(BaseModel):
    source_id: str
    secret: str
    previous_secrets_expire_at: dt.datetime


class SourceOut(BaseModel):
    source_id: str
    name: str
    units: list[str]
    enabled: bool
    created_at: dt.datetime
    active_secrets: int
    last_event_at: dt.datetime | None


class SourceList(BaseModel):
    items: list[SourceOut]


class IngestResponse(BaseModel):
    accepted: int
    duplicates: int

"""Request and response models of webhook sources and ingestion."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from chalicelib.domain.vocabulary import IDENTIFIER_PATTERN


class SourceCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    source_id: str = Field(pattern=IDENTIFIER_PATTERN)
    name: str = Field(min_length=1, max_length=200)


class SourceCreated(BaseModel):
    source_id: str
    name: str
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
    enabled: bool
    created_at: dt.datetime
    active_secrets: int
    last_event_at: dt.datetime | None


class SourceList(BaseModel):
    items: list[SourceOut]


class IngestResponse(BaseModel):
    accepted: int
    duplicates: int

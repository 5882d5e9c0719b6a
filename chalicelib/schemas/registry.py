"""Request and response models of the organisation registry routes."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from chalicelib.domain.vocabulary import IDENTIFIER_PATTERN, UNIT_LEVELS

# Literal of a tuple is the Literal of its items (typing flattens it); mypy cannot follow.
Level = Literal[UNIT_LEVELS]  # type: ignore[valid-type]


class UnitIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    unit_id: str = Field(max_length=64, description=f"Electronic organ id, {IDENTIFIER_PATTERN}")
    name: str = Field(max_length=300)
    # Validated by the registry rules so every bad row is reported at once.
    level: str
    parent_id: str | None = None


class OfficialIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    official_id: str = Field(max_length=64)
    unit_id: str = Field(max_length=64)
    full_name: str = Field(max_length=300)
    position: str = Field(default="", max_length=300)
    active: bool = True


class RegistryUpsertRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    units: list[UnitIn] = Field(default_factory=list, max_length=5000)
    officials: list[OfficialIn] = Field(default_factory=list, max_length=20000)


class RegistryUpsertResponse(BaseModel):
    units: int
    officials: int


class UnitOut(BaseModel):
    unit_id: str
    name: str
    level: Level
    parent_id: str | None


class OfficialOut(BaseModel):
    official_id: str
    unit_id: str
    full_name: str
    position: str
    active: bool


class UnitPage(BaseModel):
    items: list[UnitOut]
    next_token: str | None


class OfficialPage(BaseModel):
    items: list[OfficialOut]
    next_token: str | None

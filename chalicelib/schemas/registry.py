"""Request and response models of the organisation registry routes."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from chalicelib.domain.registry import CONTACT_ROLES, EMAIL_PATTERN
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


ContactRole = Literal[CONTACT_ROLES]  # type: ignore[valid-type]


class ContactIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    unit_id: str = Field(max_length=64)
    email: str = Field(max_length=254, pattern=EMAIL_PATTERN)
    role: str = Field(description=f"One of {', '.join(CONTACT_ROLES)}")


class RegistryUpsertRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    units: list[UnitIn] = Field(default_factory=list, max_length=5000)
    officials: list[OfficialIn] = Field(default_factory=list, max_length=20000)
    contacts: list[ContactIn] = Field(
        default_factory=list,
        max_length=20000,
        description="E-mail addresses per unit and role (who the notifications reach)",
    )


class RegistryUpsertResponse(BaseModel):
    units: int
    officials: int
    contacts: int


class ContactOut(BaseModel):
    email: str
    role: ContactRole
    unsubscribed: list[str] = Field(description="Kinds of notification this address refused")
    suppressed: bool = Field(description="SES reported a bounce or a complaint: never mailed")


class ContactList(BaseModel):
    unit_id: str
    items: list[ContactOut]


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

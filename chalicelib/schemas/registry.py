"""Request and response models of the organisation registry routes."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.json_schema import JsonDict

from chalicelib.domain.registry import CONTACT_ROLES, EMAIL_PATTERN, MAX_NAME_LENGTH
from chalicelib.domain.vocabulary import IDENTIFIER_PATTERN, NOT_BLANK_PATTERN, UNIT_LEVELS

# Literal of a tuple is the Literal of its items (typing flattens it); mypy cannot follow.
Level = Literal[UNIT_LEVELS]  # type: ignore[valid-type]


# A row's id, level and name are checked by the registry rules (domain.registry), not
# here, so every bad row of an upsert is reported at once, in rows; the document states
# the same rules (tests/api/test_registry.py holds the two together).
_ID: JsonDict = {"pattern": IDENTIFIER_PATTERN}
_NAME: JsonDict = {"minLength": 1, "maxLength": MAX_NAME_LENGTH, "pattern": NOT_BLANK_PATTERN}


class UnitIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    unit_id: str = Field(json_schema_extra=_ID, description="Electronic organ id")
    name: str = Field(json_schema_extra=_NAME)
    level: str = Field(json_schema_extra={"enum": list(UNIT_LEVELS)})
    parent_id: str | None = Field(
        default=None, json_schema_extra=_ID, description="A unit of this upsert or the registry"
    )


class OfficialIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    official_id: str = Field(json_schema_extra=_ID)
    unit_id: str = Field(json_schema_extra=_ID, description="A unit of this upsert or the registry")
    full_name: str = Field(json_schema_extra=_NAME)
    position: str = Field(default="", max_length=MAX_NAME_LENGTH)
    active: bool = True


ContactRole = Literal[CONTACT_ROLES]  # type: ignore[valid-type]


class ContactIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    unit_id: str = Field(json_schema_extra=_ID, description="A unit of this upsert or the registry")
    email: str = Field(max_length=254, pattern=EMAIL_PATTERN)
    role: str = Field(json_schema_extra={"enum": list(CONTACT_ROLES)})


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

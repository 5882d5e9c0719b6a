"""Request and response models of webhook sources and ingestion."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from chalicelib.domain.fields import IsoDate, patch_field
from chalicelib.domain.sources import HUB_POLL_DEFAULT_MINUTES
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
        json_schema_extra={"uniqueItems": True},  # _distinct
        description="Units the source may speak for, each with every unit below it "
        "(the province's own unit covers the whole province)",
    ),
    AfterValidator(_distinct),
]


SourceName = Annotated[str, Field(min_length=1, max_length=200, pattern=NOT_BLANK_PATTERN)]
SourceKind = Literal["webhook", "hub"]
SourceMode = Literal["live", "test"]
HubMessageType = Literal["edoc", "status"]
HUB_URL_PATTERN = r"^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/[A-Za-z0-9._~%/-]*)?$"


def _distinct_types(types: list[str]) -> list[str]:
    if len(set(types)) != len(types):
        raise ValueError("must not name a message type twice")
    return types


HubMessageTypes = Annotated[
    list[HubMessageType],
    Field(
        min_length=1,
        max_length=2,
        description="What to pull: packages (edoc), statuses",
        json_schema_extra={"uniqueItems": True},  # _distinct_types
    ),
    AfterValidator(_distinct_types),
]


def _both_message_types() -> list[HubMessageType]:
    return ["edoc", "status"]


PollMinutes = Annotated[
    int, Field(ge=1, le=1440, description="Minutes between two pulls of this hub (default 5)")
]


class HubCreate(BaseModel):
    """Where a hub source is pulled from (docs/hubs.md)."""

    model_config = ConfigDict(extra="forbid")
    base_url: str = Field(
        max_length=500,
        pattern=HUB_URL_PATTERN,
        description="The hub's REST root, e.g. https://lgsp.khanhhoa.gov.vn/api (https outside "
        "the local stack)",
    )
    system_id: str = Field(min_length=1, max_length=200, description="X-SystemId")
    secret: str = Field(
        min_length=1, max_length=500, description="X-SecretKey; stored encrypted, never returned"
    )
    message_types: HubMessageTypes = Field(default_factory=_both_message_types)
    poll_every_minutes: PollMinutes = HUB_POLL_DEFAULT_MINUTES
    acknowledge: bool = Field(
        default=False,
        description="Call updateStatus after storing a package. It clears the unit's real "
        "inbox on the hub: leave it off unless the province wants this service to take the "
        "packages",
    )
    dialect: Literal["lgsp"] = "lgsp"
    pull_from: IsoDate | None = Field(
        default=None,
        description="First local date to list before anything was pulled (default: the day "
        "the source is registered)",
    )


class HubPatch(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"minProperties": 1})
    base_url: Annotated[str, Field(max_length=500, pattern=HUB_URL_PATTERN)] = patch_field()
    system_id: Annotated[str, Field(min_length=1, max_length=200)] = patch_field()
    secret: Annotated[str, Field(min_length=1, max_length=500)] = patch_field()
    message_types: HubMessageTypes = patch_field()
    poll_every_minutes: PollMinutes = patch_field()
    acknowledge: bool = patch_field()
    pull_from: IsoDate = patch_field()


class HubOut(BaseModel):
    base_url: str
    system_id: str
    message_types: list[HubMessageType]
    poll_every_minutes: int
    acknowledge: bool
    dialect: str
    pull_from: dt.date | None


class SourceCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    source_id: str = Field(pattern=IDENTIFIER_PATTERN)
    name: SourceName
    units: ScopeUnits
    kind: SourceKind = Field(
        default="webhook", description="webhook: the system pushes; hub: the service pulls"
    )
    mode: SourceMode = Field(
        default="live", description="test: a sandbox, answered like live, never counted"
    )
    hub: HubCreate | None = Field(default=None, description="Required for kind hub, else absent")

    @model_validator(mode="after")
    def _hub_for_hubs(self) -> SourceCreate:
        if (self.kind == "hub") != (self.hub is not None):
            raise ValueError("a hub source needs `hub`; a webhook source takes none")
        return self


class SourcePatch(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"minProperties": 1})
    name: SourceName = patch_field()
    units: ScopeUnits = patch_field()
    mode: SourceMode = patch_field()
    hub: HubPatch = patch_field()

    @model_validator(mode="after")
    def _something(self) -> SourcePatch:
        if self.name is None and self.units is None and self.mode is None and self.hub is None:
            raise ValueError("give name, units, mode or hub")
        return self


class SourceCreated(BaseModel):
    source_id: str
    name: str
    units: list[str]
    kind: SourceKind
    mode: SourceMode
    secret: str | None = Field(
        description="whsec_ + base64 of 32 random bytes; shown only once (null for a hub "
        "source, which is pulled, not pushed)"
    )


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
    kind: SourceKind
    mode: SourceMode
    hub: HubOut | None = Field(description="Where a hub source is pulled from (no secret)")


class SourceList(BaseModel):
    items: list[SourceOut]


class EventOutcome(BaseModel):
    event_id: str | None
    outcome: Literal["stored", "duplicate", "refused"]
    reason: str | None = Field(default=None, description="Why it was refused")
    index: int | None = Field(
        default=None, description="The event's position, when the refusal came before ids"
    )


class IngestResponse(BaseModel):
    accepted: int
    duplicates: int
    dry_run: bool | None = Field(
        default=None, description="Only with ?dry_run=true (answered 200): nothing was stored"
    )
    refused: int | None = Field(default=None, description="Dry run: events that would be refused")
    events: list[EventOutcome] | None = Field(
        default=None, description="Dry run: what would become of each event, in order"
    )


class Delivery(BaseModel):
    """One delivery of a test source, as the sandbox stored it."""

    delivery_id: str
    received_at: dt.datetime
    status: int = Field(description="What it was answered: 202, or the refusal's status")
    answer: dict[str, Any]
    events: list[EventOutcome]


class DeliveryList(BaseModel):
    items: list[Delivery] = Field(description="Newest first; kept 30 days")


class SetAsidePackage(BaseModel):
    package_id: str
    message_type: HubMessageType
    listed_at: dt.datetime
    set_aside_at: dt.datetime
    error: str | None = Field(description="Why it could not be stored (e.g. the edXML error)")


class HubStatus(BaseModel):
    """What the connector knows of a hub source (services/hub_pull.py)."""

    source_id: str
    cursors: dict[str, str] = Field(
        description="Per message type: '<listed_at ISO>|<package id>' of the last package "
        "handled in listing order"
    )
    next_poll_at: dt.datetime | None
    unreachable_since: dt.datetime | None = Field(
        description="Since when every pull failed (timeouts, 5xx, 429, credentials); null "
        "when the last pull succeeded. An hour of it raises the HubUnreachable alarm"
    )
    last_success_at: dt.datetime | None
    last_error: str | None
    last_run: dict[str, Any] | None = Field(
        description="The last pull's figures: listed, fetched, stored, duplicates, refused, "
        "set_aside, events, more, fault"
    )
    set_aside: list[SetAsidePackage] = Field(
        description="Packages that could not be parsed: never fetched again"
    )

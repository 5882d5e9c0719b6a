"""A source (a document system) as stored: its scope, its encrypted secrets and, for a hub
that the service polls instead of one that pushes, where and how to pull."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

# `webhook`: the document system pushes (POST /webhooks/...); `hub`: the service pulls
# from a document-exchange hub (the provincial LGSP), read-only (services/hub_pull.py).
SOURCE_KINDS = ("webhook", "hub")
KIND_WEBHOOK, KIND_HUB = SOURCE_KINDS
# `test`: a vendor's sandbox; its deliveries are checked and answered like live ones but
# stored apart and never counted (services/sandbox.py).
SOURCE_MODES = ("live", "test")
MODE_LIVE, MODE_TEST = SOURCE_MODES
HUB_MESSAGE_TYPES = ("edoc", "status")
HUB_DIALECTS = ("lgsp",)
HUB_POLL_DEFAULT_MINUTES = 5


@dataclass(frozen=True)
class SourceSecret:
    ciphertext: bytes  # KMS-encrypted; the plaintext is returned once, at creation
    created_at: dt.datetime
    expires_at: dt.datetime | None  # None: no end (the newest secret)

    def active(self, now: dt.datetime) -> bool:
        return self.expires_at is None or self.expires_at > now


@dataclass(frozen=True)
class HubSettings:
    """Where and how a hub source is pulled. The secret is encrypted like webhook secrets
    and never returned."""

    base_url: str
    system_id: str
    secret_ciphertext: bytes
    message_types: tuple[str, ...] = HUB_MESSAGE_TYPES
    poll_every_minutes: int = HUB_POLL_DEFAULT_MINUTES
    # True: tell the hub each stored package was taken (updateStatus). That clears the
    # unit's real inbox on the hub, so a measuring service leaves it off unless told.
    acknowledge: bool = False
    dialect: str = "lgsp"
    # The first local date listed before anything was pulled (None: the day registered).
    pull_from: dt.date | None = None


@dataclass(frozen=True)
class SourceRecord:
    source_id: str
    name: str
    units: tuple[str, ...]  # the units it may speak for, each with everything below it
    enabled: bool
    secrets: tuple[SourceSecret, ...]
    created_at: dt.datetime
    updated_at: dt.datetime
    last_event_at: dt.datetime | None
    # The stored item's version: a write made from this record fails if it moved since.
    version: int | None
    kind: str = KIND_WEBHOOK
    mode: str = MODE_LIVE
    hub: HubSettings | None = None

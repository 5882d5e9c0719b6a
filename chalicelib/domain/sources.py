"""A webhook source (a document system) as stored: its scope and its encrypted secrets."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class SourceSecret:
    ciphertext: bytes  # KMS-encrypted; the plaintext is returned once, at creation
    created_at: dt.datetime
    expires_at: dt.datetime | None  # None: no end (the newest secret)

    def active(self, now: dt.datetime) -> bool:
        return self.expires_at is None or self.expires_at > now


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

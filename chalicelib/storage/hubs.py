"""What the hub connector remembers: per hub source its cursors, when to poll it next and
how reachable it is (`hub_state`); per listed package what became of it (`hub_packages`):
stored, refused or set aside with its error, so nothing is fetched again and again."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from pynamodb.attributes import (
    JSONAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.models import Model

from chalicelib.storage.models import TTL_ATTRIBUTES, _meta, register_models

# Packages stored or refused are remembered this long (well past the listing overlap);
# set-aside packages stay until an admin deals with them.
HANDLED_TTL = dt.timedelta(days=30)
OUTCOMES = ("stored", "duplicate", "refused", "set_aside")


class HubStateModel(Model):
    Meta = _meta("hub_state")
    source_id = UnicodeAttribute(hash_key=True)
    cursors = JSONAttribute(default=dict)  # message type -> domain.hubs.Position.encode()
    next_poll_at = UTCDateTimeAttribute(null=True)
    failures = NumberAttribute(default=0)  # consecutive failed polls (backoff)
    unreachable_since = UTCDateTimeAttribute(null=True)
    last_success_at = UTCDateTimeAttribute(null=True)
    last_error = UnicodeAttribute(null=True)
    last_run = JSONAttribute(null=True)


class HubPackageModel(Model):
    Meta = _meta("hub_packages")
    source_id = UnicodeAttribute(hash_key=True)
    package_id = UnicodeAttribute(range_key=True)
    outcome = UnicodeAttribute()  # OUTCOMES
    message_type = UnicodeAttribute(default="edoc")
    listed_at = UTCDateTimeAttribute()
    handled_at = UTCDateTimeAttribute()
    error = UnicodeAttribute(null=True)
    expires_at = TTLAttribute(null=True)


register_models(HubStateModel, HubPackageModel)
TTL_ATTRIBUTES["hub_packages"] = "expires_at"


@dataclass
class HubState:
    source_id: str
    cursors: dict[str, str] = field(default_factory=dict)
    next_poll_at: dt.datetime | None = None
    failures: int = 0
    unreachable_since: dt.datetime | None = None
    last_success_at: dt.datetime | None = None
    last_error: str | None = None
    last_run: dict[str, Any] | None = None


@dataclass(frozen=True)
class HandledPackage:
    package_id: str
    outcome: str
    message_type: str
    listed_at: dt.datetime
    handled_at: dt.datetime
    error: str | None


def get_state(source_id: str) -> HubState:
    try:
        item = HubStateModel.get(source_id, consistent_read=True)
    except HubStateModel.DoesNotExist:
        return HubState(source_id)
    return HubState(
        source_id,
        cursors=dict(item.cursors or {}),
        next_poll_at=item.next_poll_at,
        failures=int(item.failures or 0),
        unreachable_since=item.unreachable_since,
        last_success_at=item.last_success_at,
        last_error=item.last_error,
        last_run=item.last_run,
    )


def save_state(state: HubState) -> None:
    HubStateModel(
        state.source_id,
        cursors=state.cursors,
        next_poll_at=state.next_poll_at,
        failures=state.failures,
        unreachable_since=state.unreachable_since,
        last_success_at=state.last_success_at,
        last_error=state.last_error,
        last_run=state.last_run,
    ).save()


def handled_ids(source_id: str, package_ids: Iterable[str]) -> set[str]:
    """Which of these packages were handled already (any outcome)."""
    ids = sorted(set(package_ids))
    found: set[str] = set()
    for start in range(0, len(ids), 100):
        keys = [(source_id, p) for p in ids[start : start + 100]]
        found.update(item.package_id for item in HubPackageModel.batch_get(keys))
    return found


def record_handled(
    source_id: str,
    package_id: str,
    *,
    outcome: str,
    message_type: str,
    listed_at: dt.datetime,
    now: dt.datetime,
    error: str | None = None,
) -> None:
    HubPackageModel(
        source_id,
        package_id,
        outcome=outcome,
        message_type=message_type,
        listed_at=listed_at,
        handled_at=now,
        error=error,
        expires_at=None if outcome == "set_aside" else now + HANDLED_TTL,
    ).save()


def set_aside(source_id: str) -> list[HandledPackage]:
    """The packages of a hub set aside (unparseable), for the admin."""
    return [
        HandledPackage(i.package_id, i.outcome, i.message_type, i.listed_at, i.handled_at, i.error)
        for i in HubPackageModel.query(
            source_id, filter_condition=HubPackageModel.outcome == "set_aside"
        )
    ]

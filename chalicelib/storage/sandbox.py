"""A test source's deliveries, stored apart from every live table: what each delivery was
answered and, per event, stored, duplicate or refused with the reason; and the sandbox's
own ledger of event ids (so a test event never makes a live one a duplicate). Nothing
here is read by the aggregation: test data never reaches a figure."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pynamodb.attributes import JSONAttribute, TTLAttribute, UnicodeAttribute
from pynamodb.models import Model

from chalicelib.storage.models import TTL_ATTRIBUTES, _meta, register_models

KEEP = dt.timedelta(days=30)
DELIVERY, EVENT = "delivery#", "event#"


class SandboxModel(Model):
    Meta = _meta("sandbox")
    source_id = UnicodeAttribute(hash_key=True)
    # "delivery#<received_at ISO>#<delivery id>" | "event#<event_id>"
    item_key = UnicodeAttribute(range_key=True)
    body = JSONAttribute()  # a delivery's answer and events; an event's payload hash
    expires_at = TTLAttribute(null=True)


register_models(SandboxModel)
TTL_ATTRIBUTES["sandbox"] = "expires_at"


def ledger_lookup(source_id: str, event_ids: list[str]) -> dict[str, str]:
    """event id -> payload hash of the sandbox events already stored."""
    found: dict[str, str] = {}
    ids = sorted(set(event_ids))
    for start in range(0, len(ids), 100):
        keys = [(source_id, EVENT + e) for e in ids[start : start + 100]]
        for item in SandboxModel.batch_get(keys):
            found[item.item_key[len(EVENT) :]] = item.body["sha"]
    return found


def ledger_write(source_id: str, hashes: dict[str, str], now: dt.datetime) -> None:
    with SandboxModel.batch_write() as batch:
        for event_id, sha in hashes.items():
            batch.save(
                SandboxModel(source_id, EVENT + event_id, body={"sha": sha}, expires_at=now + KEEP)
            )


def record_delivery(
    source_id: str, delivery_id: str, now: dt.datetime, body: dict[str, Any]
) -> None:
    key = f"{DELIVERY}{now.astimezone(dt.UTC).isoformat()}#{delivery_id}"
    SandboxModel(source_id, key, body=body, expires_at=now + KEEP).save()


def deliveries(source_id: str, limit: int) -> list[dict[str, Any]]:
    """The newest deliveries first."""
    items = SandboxModel.query(
        source_id,
        SandboxModel.item_key.startswith(DELIVERY),
        scan_index_forward=False,
        limit=limit,
    )
    return [dict(item.body) for item in items]

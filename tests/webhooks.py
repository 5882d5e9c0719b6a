"""Helpers to build and sign webhook deliveries in tests."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

from standardwebhooks.webhooks import Webhook


def sign(
    secret: str,
    body: bytes,
    *,
    msg_id: str | None = None,
    offset_seconds: int = 0,
    timestamp: dt.datetime | None = None,
) -> dict[str, str]:
    from chalicelib import clock

    msg_id = msg_id or f"msg_{uuid.uuid4().hex}"
    # The sender's clock is the service's (a test that sets the time sets both).
    moment = timestamp or (clock.now() + dt.timedelta(seconds=offset_seconds))
    signature = Webhook(secret).sign(msg_id, moment, body.decode())
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(moment.timestamp())),
        "webhook-signature": signature,
        "Content-Type": "application/json",
    }


def encode(events: list[dict[str, Any]]) -> bytes:
    return json.dumps({"events": events}, ensure_ascii=False).encode()


def deliver(
    api: Any,
    source_id: str,
    secret: str,
    events: list[dict[str, Any]] | None = None,
    *,
    raw: bytes | None = None,
    msg_id: str | None = None,
    offset_seconds: int = 0,
    headers: dict[str, str] | None = None,
) -> Any:
    data = raw if raw is not None else encode(events or [])
    hdrs = sign(secret, data, msg_id=msg_id, offset_seconds=offset_seconds)
    hdrs.update(headers or {})
    return api.request("POST", f"/webhooks/{source_id}", token=None, headers=hdrs, raw=data)


def event(
    event_id: str,
    kind: str = "document.processed",
    *,
    unit: str = "000.00.31.H34",
    doc: str = "d-1",
    at: str = "2025-07-16T09:00:00+07:00",
    **extra: Any,
) -> dict[str, Any]:
    base: dict[str, Any] = {"event_id": event_id, "type": kind, "occurred_at": at, "unit_id": unit}
    if kind != "official.evaluated":
        base["document"] = {"id": doc, **extra.pop("document", {})}
    defaults = {
        "document.processed": {"channel": "electronic", "actor_official_id": "cb-001"},
        "document.registered": {"direction": "incoming"},
        "document.signed": {"method": "digital", "signer_official_id": "cb-001"},
        "document.issued": {"channel": "electronic"},
        "document.sent": {"to_unit_id": "000.00.71.H34", "channel": "electronic"},
        "document.received": {"from_unit_id": "000.00.71.H34", "channel": "electronic"},
        "document.printed": {"pages": 3},
        "official.evaluated": {"official_id": "cb-001", "period": "2025-07", "score": 92},
    }[kind]
    return {**base, **defaults, **extra}

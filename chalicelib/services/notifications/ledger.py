"""The ledger as the console's captured-mail page reads it (province admins)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from chalicelib.settings import get_settings
from chalicelib.storage import mail as mail_store


def day_page(
    day: dt.date, limit: int, after: dict[str, str] | None
) -> tuple[dict[str, Any], dict[str, str] | None]:
    items, last = mail_store.day_page(day.isoformat(), limit, after)
    return (
        {
            "day": day,
            "capture": bool(get_settings().mail_capture_dir),
            "items": [
                {
                    "message_key": m.key,
                    "kind": m.kind,
                    "unit_id": m.unit_id,
                    "recipient": m.recipient,
                    "subject": m.subject,
                    "status": m.status,
                    "created_at": m.created_at,
                    "text": m.text,
                    "html": m.html,
                }
                for m in items
            ],
        },
        last,
    )

"""The one JSON encoding of what the service sends (response bodies, page tokens) and of
the snapshots it keeps of them (a nomination's evidence): instants in UTC with "Z", dates
in ISO form, DynamoDB's Decimals as the numbers they are, sets as sorted lists."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any


def _default(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, set | frozenset):
        return sorted(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def dumps(body: Any) -> str:
    return json.dumps(body, ensure_ascii=False, default=_default, separators=(",", ":"))

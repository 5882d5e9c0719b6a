"""Fields of stored event records (the dicts `domain.events.to_record` writes), as document
state and evaluations read them: a record missing a field it needs is refused, never read
as a default."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def required(mapping: Mapping[str, Any], key: str, what: str) -> Any:
    """``mapping[key]``; ValueError naming ``what`` when it is missing or None."""
    value = mapping.get(key)
    if value is None:
        raise ValueError(f"{what}: missing {key!r}")
    return value

"""Instants of stored events: RFC 3339 strings to exact epoch microseconds, and back to
the local dates DOMAIN.md counts by.

Document states and evaluations keep instants as int epoch microseconds UTC (exact, JSON
and DynamoDB friendly); daily counters are keyed by the local date of such an instant.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, tzinfo

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def parse_instant_us(value: str) -> int:
    """RFC 3339 string with offset -> int epoch microseconds UTC (exact, no float)."""
    if not isinstance(value, str):
        raise ValueError(f"instant must be a string: {value!r}")
    dt = datetime.fromisoformat(value)
    if dt.tzinfo is None or dt.utcoffset() is None:
        # Without an offset the local date is unknowable; the API rejects these too.
        raise ValueError(f"instant without offset: {value!r}")
    delta = dt - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def local_date(us: int, tz: tzinfo) -> date:
    """Local calendar date of an epoch-microsecond instant in ``tz``."""
    return (_EPOCH + timedelta(microseconds=us)).astimezone(tz).date()

"""The clock of every nomination decision (deadlines, audit times)."""

from __future__ import annotations

import datetime as dt


def now() -> dt.datetime:
    """Called through this module (`clock.now()`), so tests can set the time."""
    return dt.datetime.now(dt.UTC)

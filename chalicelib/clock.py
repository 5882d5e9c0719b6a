"""The one clock: every module reads the time through `now()` and the province's date
through `local_today()`; tests set the time with `set_clock`/`frozen`, never by patching a
module's private name.

Kept beside the layers (like settings): the domain stays pure (it takes instants as
arguments), everything above it asks this module.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from chalicelib.settings import get_settings

Clock = Callable[[], dt.datetime]


def _system() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


# One slot, so setting the clock needs no `global`.
_current: list[Clock] = [_system]


def now() -> dt.datetime:
    """The current instant, timezone-aware (UTC)."""
    return _current[0]()


def timestamp() -> float:
    """`now()` as POSIX seconds (leases, rate windows, TTLs)."""
    return now().timestamp()


def local_now() -> dt.datetime:
    """`now()` in the province's time zone (CAMPAIGN_TIMEZONE)."""
    return now().astimezone(get_settings().zone)


def local_today() -> dt.date:
    """The province's date now: what "today" means for campaigns, deadlines and reports
    (from 00:00 to 07:00 in Viet Nam the UTC date is still yesterday)."""
    return local_now().date()


def monotonic() -> float:
    """Elapsed-time measurements (timeouts, budgets); not steered by `set_clock`."""
    return time.monotonic()


def set_clock(clock: Clock | None) -> None:
    """Replace the clock (tests, the demo's simulated month); `None` restores the system's."""
    _current[0] = clock or _system


@contextmanager
def frozen(moment: dt.datetime) -> Iterator[None]:
    """The clock stands at `moment` inside the block."""
    if moment.tzinfo is None:
        raise ValueError("frozen() needs a timezone-aware instant")
    previous = _current[0]
    set_clock(lambda: moment)
    try:
        yield
    finally:
        set_clock(previous)

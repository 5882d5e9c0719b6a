"""A sliding-window quota: at most `limit` admissions in any `window` seconds. Pure."""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Decision:
    admitted: bool
    times: tuple[float, ...]  # the admissions still in the window (with this one if admitted)
    retry_after: int  # seconds until an admission would succeed (0 when admitted)


def admit(
    times: tuple[float, ...] | list[float], now: float, limit: int, window: float
) -> Decision:
    """Admit one more at `now` unless `limit` admissions already lie in (now - window, now].

    Times later than `now` (another container's clock ahead) count as in the window."""
    recent = tuple(sorted(t for t in times if t > now - window))
    if len(recent) < limit:
        return Decision(True, (*recent, now), 0)
    # The admission that must leave the window before one more fits.
    blocking = recent[len(recent) - limit] if limit > 0 else max(recent, default=now)
    wait = max(1, math.ceil(blocking + window - now))
    # Float rounding may put the ceiling a second off either way: the admission test itself
    # (`t > now - window` at now + wait) decides, so the answer is the least whole wait.
    if blocking > now + wait - window:
        wait += 1
    elif wait > 1 and blocking <= now + (wait - 1) - window:
        wait -= 1
    return Decision(False, recent, wait)

"""Bounds of the routes anyone may call without a token: a request rate per client
address (a sliding window in the quotas table, domain/quotas.py), and the sizes of what
they take. Reusable by every public route (the scoreboard, unsubscribe links, the
shortlist posting): `take(route_group, client)`.
"""

from __future__ import annotations

from chalicelib import clock
from chalicelib.domain import quotas
from chalicelib.domain.errors import RateLimited, Unavailable
from chalicelib.observability import logger
from chalicelib.storage import quotas as quota_store

# Requests per client address and window, per route group.
LIMITS: dict[str, tuple[int, int]] = {
    "scoreboard": (60, 60),
    "unsubscribe": (20, 60),
    # the posted shortlist (services/posting.py): reading, and the public's feedback per
    # client address and per nominee (so many addresses cannot flood one nominee either)
    "shortlist": (120, 60),
    "feedback": (5, 600),
    "feedback_nominee": (30, 3600),
}
DEFAULT_LIMIT = (60, 60)
_ATTEMPTS = 5


def take(group: str, client: str, *, about: str = "from your address") -> None:
    """Admit one request of `client` (its source address, or what the group counts per) to
    `group`, or RateLimited with the seconds until one more fits (a 429 with Retry-After);
    `about` says in the message what was counted."""
    limit, window = LIMITS.get(group, DEFAULT_LIMIT)
    key = f"public#{group}#{client or 'unknown'}"
    try:
        for _attempt in range(_ATTEMPTS):
            now = clock.timestamp()
            times, revision = quota_store.load(key)
            decision = quotas.admit(times, now, limit, window)
            if not decision.admitted:
                raise RateLimited(
                    f"Too many requests {about}: at most {limit} in {window} seconds; "
                    f"try again in {decision.retry_after} seconds",
                    retry_after_seconds=decision.retry_after,
                    code="too_many_requests",
                )
            if quota_store.save(key, decision.times, revision, now + window):
                return
    except RateLimited:
        raise
    except Exception:
        logger.exception("public rate limit storage failed", extra={"group": group})
        raise Unavailable("Could not check the request rate right now; retry later") from None
    raise Unavailable("Too many requests at once; retry shortly", retry_after_seconds=1)

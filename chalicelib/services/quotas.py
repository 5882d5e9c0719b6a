"""Per-user quotas on costly actions (REPORTS_PER_HOUR on-demand report generations)."""

from __future__ import annotations

from chalicelib import clock
from chalicelib.domain import quotas
from chalicelib.domain.errors import DomainError, RateLimited, Unavailable
from chalicelib.observability import logger
from chalicelib.storage import quotas as quota_store

_ATTEMPTS = 5  # concurrent requests of one user retry on the revision they lost to


def take(kind: str, user: str, *, limit: int, window_seconds: int, what: str) -> None:
    """Use one of the user's `limit` slots in any `window_seconds`, or refuse with 429 and
    Retry-After (the seconds until the oldest counted use leaves the window)."""
    key = f"{kind}#{user}"
    try:
        for _attempt in range(_ATTEMPTS):
            now = clock.timestamp()
            times, revision = quota_store.load(key)
            decision = quotas.admit(times, now, limit, window_seconds)
            if not decision.admitted:
                raise RateLimited(
                    f"At most {limit} {what} per user in {window_seconds // 60} minutes; "
                    f"retry in {decision.retry_after} s",
                    retry_after_seconds=decision.retry_after,
                    code="too_many_requests",
                    details=[
                        {"limit": limit, "window_seconds": window_seconds, "used": len(times)}
                    ],
                )
            if quota_store.save(key, decision.times, revision, now + window_seconds):
                return
    except DomainError:
        raise
    except Exception:
        logger.exception("quota storage failed", extra={"quota": kind})
        raise Unavailable("Could not check your quota right now; retry later") from None
    raise Unavailable("Too many of your requests at once; retry shortly", retry_after_seconds=1)

"""Per-user quota windows (QuotaModel): read, and write only if nobody wrote meanwhile."""

from __future__ import annotations

import datetime as dt

from chalicelib.storage.models import QuotaModel, condition_failed


def load(quota_key: str) -> tuple[tuple[float, ...], int]:
    """The recorded admission times and the revision they were read at (0: none yet)."""
    try:
        item = QuotaModel.get(quota_key, consistent_read=True)
    except QuotaModel.DoesNotExist:
        return (), 0
    return tuple(float(t) for t in item.times or []), int(item.revision or 0)


def save(quota_key: str, times: tuple[float, ...], revision: int, expires_at: float) -> bool:
    """Write the times as revision + 1; False when another writer got there first."""
    from pynamodb.exceptions import PutError

    item = QuotaModel(
        quota_key,
        times=list(times),
        revision=revision + 1,
        expires_at=dt.datetime.fromtimestamp(expires_at, dt.UTC),
    )
    condition = (
        QuotaModel.quota_key.does_not_exist() if revision == 0 else QuotaModel.revision == revision
    )
    try:
        item.save(condition=condition)
    except PutError as exc:
        if condition_failed(exc):
            return False
        raise
    return True

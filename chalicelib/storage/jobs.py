"""Job state: cursors, leases, as_of and last-run figures of scheduled jobs."""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import Any

from pynamodb.exceptions import PutError, UpdateError

from chalicelib import clock
from chalicelib.storage.models import JobStateModel, condition_failed


def _load(job_name: str) -> JobStateModel:
    try:
        return JobStateModel.get(job_name, consistent_read=True)
    except JobStateModel.DoesNotExist:
        return JobStateModel(job_name)


def cursor(job_name: str) -> str | None:
    """Where an interrupted run of the job goes on from (None: from the start)."""
    return _load(job_name).cursor


def as_of(job_name: str) -> dt.datetime | None:
    return _load(job_name).as_of


def save_cursor(job_name: str, cursor: str | None) -> None:
    JobStateModel(job_name).update(
        actions=[JobStateModel.cursor.set(cursor) if cursor else JobStateModel.cursor.remove()]
    )


def acquire_lease(job_name: str, owner: str, seconds: float) -> bool:
    """A conditional write: only one run of a job at a time. An expired lease
    (a crashed run) can be taken over."""
    now = clock.timestamp()
    try:
        JobStateModel(job_name).update(
            actions=[
                JobStateModel.lease_owner.set(owner),
                JobStateModel.lease_expires_at.set(now + seconds),
            ],
            condition=(
                JobStateModel.lease_expires_at.does_not_exist()
                | (JobStateModel.lease_expires_at < now)
                | (JobStateModel.lease_owner == owner)
            ),
        )
    except UpdateError as exc:
        if condition_failed(exc):
            return False
        raise
    return True


def release_lease(job_name: str, owner: str) -> None:
    try:
        JobStateModel(job_name).update(
            actions=[JobStateModel.lease_owner.remove(), JobStateModel.lease_expires_at.remove()],
            condition=JobStateModel.lease_owner == owner,
        )
    except UpdateError as exc:
        if not condition_failed(exc):
            raise


def extend_lease(job_name: str, owner: str, seconds: float) -> bool:
    """Extend the lease while we still hold it (False: it was lost)."""
    try:
        JobStateModel(job_name).update(
            actions=[JobStateModel.lease_expires_at.set(clock.timestamp() + seconds)],
            condition=JobStateModel.lease_owner == owner,
        )
    except UpdateError as exc:
        if condition_failed(exc):
            return False
        raise
    return True


def advance_as_of(job_name: str, moment: dt.datetime) -> None:
    """as_of only moves forward: writers that race each keep a true statement, and the
    latest of them wins (a conditional write; an older value is ignored)."""
    try:
        JobStateModel(job_name).update(
            actions=[JobStateModel.as_of.set(moment)],
            condition=JobStateModel.as_of.does_not_exist() | (JobStateModel.as_of < moment),
        )
    except UpdateError as exc:
        if not condition_failed(exc):
            raise


def record_run(job_name: str, summary: dict[str, Any]) -> None:
    # The summary is informational; never fail a run over it.
    with contextlib.suppress(UpdateError, PutError):
        JobStateModel(job_name).update(actions=[JobStateModel.last_run.set(summary)])

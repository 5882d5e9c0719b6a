"""Job state: cursors, leases and last-run figures of scheduled jobs."""

from __future__ import annotations

import contextlib
import datetime as dt
import time
from typing import Any

from pynamodb.exceptions import PutError, UpdateError

from chalicelib.storage.models import JobStateModel


def load(job_name: str) -> JobStateModel:
    try:
        return JobStateModel.get(job_name, consistent_read=True)
    except JobStateModel.DoesNotExist:
        return JobStateModel(job_name)


def save_cursor(job_name: str, cursor: str | None) -> None:
    JobStateModel(job_name).update(
        actions=[JobStateModel.cursor.set(cursor) if cursor else JobStateModel.cursor.remove()]
    )


def acquire_lease(job_name: str, owner: str, seconds: float) -> bool:
    """A conditional write: only one run of a job at a time. An expired lease
    (a crashed run) can be taken over."""
    now = time.time()
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
        if exc.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    return True


def renew_lease(job_name: str, owner: str, seconds: float) -> bool:
    """Extend a lease we hold; False if it was lost (expired and taken over)."""
    return _update_as_owner(
        job_name, owner, [JobStateModel.lease_expires_at.set(time.time() + seconds)]
    )


def release_lease(job_name: str, owner: str) -> None:
    try:
        JobStateModel(job_name).update(
            actions=[JobStateModel.lease_owner.remove(), JobStateModel.lease_expires_at.remove()],
            condition=JobStateModel.lease_owner == owner,
        )
    except UpdateError as exc:
        if exc.cause_response_code != "ConditionalCheckFailedException":
            raise


def commit_progress(
    job_name: str, owner: str, cursor: str | None, as_of: dt.datetime, lease_seconds: float
) -> bool:
    """Advance the cursor (if any) and as_of only while we still hold the lease
    (and extend it)."""
    actions: list[Any] = [
        JobStateModel.as_of.set(as_of),
        JobStateModel.lease_expires_at.set(time.time() + lease_seconds),
    ]
    if cursor:
        actions.append(JobStateModel.cursor.set(cursor))
    return _update_as_owner(job_name, owner, actions)


def _update_as_owner(job_name: str, owner: str, actions: list[Any]) -> bool:
    try:
        JobStateModel(job_name).update(
            actions=actions, condition=JobStateModel.lease_owner == owner
        )
    except UpdateError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    return True


def record_run(job_name: str, summary: dict[str, Any]) -> None:
    # The summary is informational; never fail a run over it.
    with contextlib.suppress(UpdateError, PutError):
        JobStateModel(job_name).update(actions=[JobStateModel.last_run.set(summary)])

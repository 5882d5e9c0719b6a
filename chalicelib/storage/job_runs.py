"""Runs of jobs started by hand: one item per run, kept KEEP_DAYS (TTL)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pynamodb.attributes import JSONAttribute, TTLAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.models import Model

from chalicelib.domain.job_runs import FAILED, KEEP_DAYS, QUEUED, RUNNING, SUCCEEDED, JobRun
from chalicelib.storage.models import TTL_ATTRIBUTES, _meta, register_models


class JobRunModel(Model):
    Meta = _meta("job_runs")
    run_id = UnicodeAttribute(hash_key=True)
    job = UnicodeAttribute()
    state = UnicodeAttribute()  # queued | running | succeeded | failed
    requested_at = UTCDateTimeAttribute()
    requested_by = UnicodeAttribute(null=True)
    started_at = UTCDateTimeAttribute(null=True)
    finished_at = UTCDateTimeAttribute(null=True)
    result = JSONAttribute(null=True)
    error = UnicodeAttribute(null=True)
    expires_at = TTLAttribute(null=True)


register_models(JobRunModel)
TTL_ATTRIBUTES["job_runs"] = "expires_at"


def _run(item: JobRunModel) -> JobRun:
    return JobRun(
        run_id=item.run_id,
        job=item.job,
        state=item.state,
        requested_at=item.requested_at,
        requested_by=item.requested_by,
        started_at=item.started_at,
        finished_at=item.finished_at,
        result=item.result,
        error=item.error,
    )


def create(run_id: str, job: str, requested_by: str | None, at: dt.datetime) -> JobRun:
    item = JobRunModel(
        run_id,
        job=job,
        state=QUEUED,
        requested_at=at,
        requested_by=requested_by,
        expires_at=at + dt.timedelta(days=KEEP_DAYS),
    )
    item.save(condition=JobRunModel.run_id.does_not_exist())
    return _run(item)


def get(run_id: str) -> JobRun | None:
    try:
        return _run(JobRunModel.get(run_id, consistent_read=True))
    except JobRunModel.DoesNotExist:
        return None


def started(run_id: str, at: dt.datetime) -> None:
    JobRunModel(run_id).update(
        actions=[JobRunModel.state.set(RUNNING), JobRunModel.started_at.set(at)],
        condition=JobRunModel.run_id.exists(),
    )


def finished(
    run_id: str, at: dt.datetime, result: dict[str, Any] | None, error: str | None
) -> None:
    actions: list[Any] = [
        JobRunModel.state.set(FAILED if error else SUCCEEDED),
        JobRunModel.finished_at.set(at),
    ]
    if result is not None:
        actions.append(JobRunModel.result.set(result))
    if error is not None:
        actions.append(JobRunModel.error.set(error))
    JobRunModel(run_id).update(actions=actions, condition=JobRunModel.run_id.exists())


def start_function(function_name: str, payload: dict[str, Any]) -> None:
    """Invoke a function asynchronously (InvocationType Event): Lambda queues the event and
    answers 202 at once; retries and the dead-letter queue are the function's."""
    import json

    from chalicelib.storage.aws import client

    client("lambda").invoke(
        FunctionName=function_name,
        InvocationType="Event",
        Payload=json.dumps(payload).encode(),
    )

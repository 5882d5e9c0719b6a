"""The job runner: jobs started by hand (POST /admin/jobs/{name}), off the API function.

`start` records the run (queued) and hands it to the job runner: in AWS the RunJob function
(JOB_RUNNER_FUNCTION, invoked asynchronously, with the role the jobs need: the API
function's role cannot write the event and KPI tables); locally and in tests, with no
function named, `execute` runs here, in-process, under the same contract. `execute` is what
the runner calls: it moves the run to running, then succeeded with the job's result or
failed with its error (re-raised in AWS, so Lambda retries it and the dead-letter queue
alarms).
"""

from __future__ import annotations

import contextlib
import uuid
from typing import TYPE_CHECKING, Any

from chalice import Blueprint

from chalicelib import clock
from chalicelib.domain.errors import NotFound
from chalicelib.jobs.catalog import job_specs
from chalicelib.settings import get_settings

if TYPE_CHECKING:
    from chalicelib.auth import Principal
    from chalicelib.domain.job_runs import JobRun

# The storage module (PynamoDB) is imported by the functions that use it: app.py imports
# this module for its function, and the API's cold start should not pay for it.

bp = Blueprint(__name__)
# Stop this long before the Lambda timeout so a run never half-applies a batch.
SAFETY_MARGIN_SECONDS = 20.0
# An in-process run (local stack, tests) answers within API Gateway's 29 s.
IN_PROCESS_BUDGET_SECONDS = 25.0


def _spec_names() -> str:
    return ", ".join(sorted(job_specs()))


def start(principal: Principal, name: str) -> JobRun:
    from chalicelib.storage import job_runs as run_store

    if name not in job_specs():
        raise NotFound(f"No job named {name!r}; jobs: {_spec_names()}")
    run = run_store.create(uuid.uuid4().hex, name, principal.sub, clock.now())
    runner = get_settings().job_runner_function
    if runner:
        run_store.start_function(runner, {"job": name, "run_id": run.run_id})
        return run
    # A failure is the run's outcome here: execute recorded and logged it.
    with contextlib.suppress(Exception):
        execute(name, run.run_id, clock.monotonic() + IN_PROCESS_BUDGET_SECONDS)
    return run_store.get(run.run_id) or run


def execute(name: str, run_id: str, deadline: float) -> dict[str, Any]:
    """Run job `name` as run `run_id` and record how it ended; a failure is recorded,
    logged and raised again."""
    from chalicelib.json_input import loads
    from chalicelib.json_output import dumps
    from chalicelib.observability import logger
    from chalicelib.storage import job_runs as run_store

    run_store.started(run_id, clock.now())
    try:
        result = job_specs()[name].load()(deadline=deadline)
    except Exception as exc:
        logger.exception("job run failed", extra={"job": name, "run_id": run_id})
        run_store.finished(run_id, clock.now(), None, f"{type(exc).__name__}: {exc}")
        raise
    stored = loads(dumps(result))  # datetimes and Decimals as the API shows them
    run_store.finished(run_id, clock.now(), stored, None)
    return dict(stored)


@bp.lambda_function(name="run_job")
def run_job(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """The RunJob function: {"job", "run_id"} from POST /admin/jobs/{name}."""
    from chalicelib.observability import event_invocation

    remaining_ms = context.get_remaining_time_in_millis() if context is not None else 60_000
    deadline = clock.monotonic() + max(1.0, remaining_ms / 1000 - SAFETY_MARGIN_SECONDS)
    with event_invocation(context, event):
        return execute(str(event["job"]), str(event["run_id"]), deadline)


def get(name: str, run_id: str) -> JobRun:
    from chalicelib.storage import job_runs as run_store

    run = run_store.get(run_id)
    if run is None or run.job != name:
        raise NotFound(f"Job {name!r} has no run {run_id!r}")
    return run

"""A run of a job started by hand (POST /admin/jobs/{name}): its state and its result.

The API function only records the request and starts the job's function; the run's own
function (chalicelib/jobs/runner.py) moves it through the states and keeps the result.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

QUEUED = "queued"
RUNNING = "running"
SUCCEEDED = "succeeded"
FAILED = "failed"
STATES = (QUEUED, RUNNING, SUCCEEDED, FAILED)
FINISHED = frozenset({SUCCEEDED, FAILED})
# How long a run's record is kept (the table's TTL): long enough to read it back.
KEEP_DAYS = 30


@dataclass(frozen=True)
class JobRun:
    run_id: str
    job: str
    state: str
    requested_at: dt.datetime
    requested_by: str | None = None
    started_at: dt.datetime | None = None
    finished_at: dt.datetime | None = None
    result: dict[str, Any] | None = None
    error: str | None = None

    def out(self) -> dict[str, Any]:
        """The run as the API shows it (chalicelib/schemas/common.py JobRunOut)."""
        return {
            "job": self.job,
            "run_id": self.run_id,
            "state": self.state,
            "requested_at": self.requested_at,
            "requested_by": self.requested_by,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "result": self.result,
            "error": self.error,
        }

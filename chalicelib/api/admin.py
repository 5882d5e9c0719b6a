"""Operational routes for province admins: jobs started by hand, and their runs."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.api.http import json_response, principal_of
from chalicelib.api.routing import ADMIN_ONLY, route

bp = Blueprint(__name__)


@route(
    bp,
    "/admin/jobs/{name}",
    "POST",
    summary="Start a job now: 202 with the run's id. In AWS the job runs in its own function "
    "(RunJob, started asynchronously; the API function cannot write the event and KPI "
    "tables); locally it runs in-process and the answer already shows how it ended",
    tag="Admin",
    response="chalicelib.schemas.common:JobRunOut",
    status=202,
    roles=ADMIN_ONLY,
    errors=(403, 404),
)
def run_job(name: str) -> Response:
    from chalicelib.jobs import runner

    run = runner.start(principal_of(bp.current_request), name)
    return json_response(run.out(), status=202)


@route(
    bp,
    "/admin/jobs/{name}/runs/{run_id}",
    "GET",
    summary="One run of a job started by hand: queued, running, succeeded (with the job's "
    "result) or failed (with its error); kept 30 days",
    tag="Admin",
    response="chalicelib.schemas.common:JobRunOut",
    roles=ADMIN_ONLY,
    errors=(403, 404),
)
def get_job_run(name: str, run_id: str) -> Response:
    from chalicelib.jobs import runner

    return json_response(runner.get(name, run_id).out())

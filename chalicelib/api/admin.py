"""Operational routes for province admins."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib import clock
from chalicelib.api.http import json_response
from chalicelib.api.routing import ADMIN_ONLY, route
from chalicelib.errors import not_found

bp = Blueprint(__name__)

# API Gateway cuts a request at 29 s; leave room to answer.
HTTP_JOB_BUDGET_SECONDS = 25.0


@route(
    bp,
    "/admin/jobs/{name}",
    "POST",
    summary="Run a scheduled job now",
    tag="Admin",
    response="chalicelib.schemas.common:JobRunResponse",
    roles=ADMIN_ONLY,
    errors=(403, 404),
)
def run_job(name: str) -> Response:
    from chalicelib.jobs.catalog import job_specs

    spec = job_specs().get(name)
    if spec is None:
        raise not_found(f"No job named {name!r}; jobs: {', '.join(sorted(job_specs()))}")
    result = spec.load()(deadline=clock.monotonic() + HTTP_JOB_BUDGET_SECONDS)
    return json_response({"job": name, "result": result})

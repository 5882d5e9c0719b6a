"""Jobs started by hand: POST /admin/jobs/{name} answers 202 with a run id, and
GET /admin/jobs/{name}/runs/{run_id} shows the run's state and result. Locally the job runs
in-process; with JOB_RUNNER_FUNCTION set (AWS) the API only starts the runner function
asynchronously and the run moves when that function runs."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import body
from tests.factories import load_registry


def test_a_run_in_process_answers_202_and_is_recorded(api):
    load_registry(api)
    r = api.post("/admin/jobs/aggregate_kpi")
    assert r.status_code == 202, r.body
    run = body(r)
    assert run["job"] == "aggregate_kpi" and run["state"] == "succeeded"
    assert run["requested_by"] == "admin-1"
    assert run["result"]["done"] is True and run["error"] is None
    assert run["requested_at"] <= run["started_at"] <= run["finished_at"]
    again = api.get(f"/admin/jobs/aggregate_kpi/runs/{run['run_id']}")
    assert again.status_code == 200 and body(again) == run
    # A run is found only under its own job, and unknown runs and jobs are 404.
    assert api.get(f"/admin/jobs/verify_uploads/runs/{run['run_id']}").status_code == 404
    assert api.get(f"/admin/jobs/aggregate_kpi/runs/{'0' * 32}").status_code == 404
    r = api.post("/admin/jobs/no_such_job")
    assert r.status_code == 404 and "aggregate_kpi" in body(r)["error"]["message"]


def test_a_failed_job_is_a_failed_run_not_a_500(api, monkeypatch):
    from chalicelib.services import aggregation

    def broken(deadline: float) -> dict[str, Any]:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(aggregation, "run_aggregation", broken)
    r = api.post("/admin/jobs/aggregate_kpi")
    assert r.status_code == 202, r.body
    run = body(r)
    assert run["state"] == "failed" and run["result"] is None
    assert run["error"] == "RuntimeError: disk on fire"


def test_in_aws_the_api_only_starts_the_runner_function(api, setting, monkeypatch):
    from chalicelib.jobs import runner
    from chalicelib.storage import job_runs

    started: list[tuple[str, dict[str, Any]]] = []
    monkeypatch.setattr(job_runs, "start_function", lambda fn, p: started.append((fn, p)))
    setting("JOB_RUNNER_FUNCTION", "khong-giay-prod-RunJob")
    load_registry(api)
    r = api.post("/admin/jobs/aggregate_kpi")
    assert r.status_code == 202, r.body
    run = body(r)
    assert run["state"] == "queued" and run["started_at"] is None and run["result"] is None
    assert started == [
        ("khong-giay-prod-RunJob", {"job": "aggregate_kpi", "run_id": run["run_id"]})
    ]
    # Lambda then runs the RunJob function with that event.
    result = runner.run_job(started[0][1], None)
    assert result["done"] is True
    done = body(api.get(f"/admin/jobs/aggregate_kpi/runs/{run['run_id']}"))
    assert done["state"] == "succeeded" and done["result"] == result


def test_the_runner_function_raises_a_failure_so_lambda_retries_it(api, monkeypatch):
    from chalicelib import clock
    from chalicelib.jobs import runner
    from chalicelib.services import aggregation
    from chalicelib.storage import job_runs

    run = job_runs.create("a" * 32, "aggregate_kpi", "admin-1", clock.now())

    def broken(deadline: float) -> dict[str, Any]:
        raise RuntimeError("throttled")

    monkeypatch.setattr(aggregation, "run_aggregation", broken)
    with pytest.raises(RuntimeError):
        runner.run_job({"job": "aggregate_kpi", "run_id": run.run_id}, None)
    stored = job_runs.get(run.run_id)
    assert (
        stored is not None
        and stored.state == "failed"
        and stored.error == "RuntimeError: throttled"
    )


def test_start_function_is_an_asynchronous_lambda_invoke(aws):
    from botocore.stub import Stubber

    from chalicelib.storage import job_runs
    from chalicelib.storage.aws import client

    lam = client("lambda")
    with Stubber(lam) as stub:
        stub.add_response(
            "invoke",
            {"StatusCode": 202},
            {
                "FunctionName": "fn",
                "InvocationType": "Event",
                "Payload": b'{"job": "x", "run_id": "r"}',
            },
        )
        job_runs.start_function("fn", {"job": "x", "run_id": "r"})
        stub.assert_no_pending_responses()

"""Load and faults on the local stack (issue 13, item 8): eight concurrent senders with
overlapping redeliveries, two aggregation runs at once, a stream outage during which a
sweep is killed mid-way (SIGKILL, its own process) and another resumes its work. Afterwards every unit's KPIs equal a recomputation from the
events, and no request got a 5xx other than a 503 with Retry-After. `bench/load.py` runs
the same with more documents and prints the figures of docs/benchmarks.md."""

from __future__ import annotations

import pytest

from bench.load import run, stream_pauser, summarize

pytestmark = pytest.mark.e2e


def test_eight_senders_concurrent_runs_and_a_killed_run_lose_and_double_nothing(stack, make_token):
    report = run(
        stack.api_url,
        make_token(),
        stack.env,
        documents=30,
        seed=13,
        pause_stream=stream_pauser(stack),
    )
    summary = summarize(report)
    assert summary["server_errors"] == [], summary
    assert summary["not_accepted"] == [], summary  # every request finally 202
    assert report.killed_mid_way and report.killed_after_items >= 2, summary
    assert summary["aggregation_runs"] >= 4, summary  # two at once, resumed, to the end
    assert summary["kpi_mismatches"] == [], summary

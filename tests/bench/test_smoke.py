"""Every benchmark in bench/ runs with its smallest sizes, so none can rot unnoticed
(bench/aggregate.py once failed on a renamed domain function and its figures could not
be reproduced). Each runs as its own process, as documented in docs/benchmarks.md: the
scripts set their own environment (stage, region) before importing the app.

Only that a script runs to the end and prints its figures is checked here; the figures
themselves are recorded in docs/benchmarks.md from full-size runs.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import TEST_ENVIRONMENT

REPO = Path(__file__).resolve().parents[2]
# Modules of bench/ that are helpers, not benchmarks.
HELPERS = {"__init__", "dynamo_meter", "environment"}
# script -> (smallest arguments, a line its report always prints)
SMOKE: dict[str, tuple[list[str], str]] = {
    "aggregate": (["--sizes", "300", "600", "--new", "50"], "figures equal"),
    "cold_start": (["--runs", "1"], "app.py import ="),
    "console": (["--days", "1", "--runs", "1"], "API answer → laid out"),
    "edxml": (["--seconds", "2"], "large package:"),
    "hot_paths": (
        ["--campaigns", "2", "--officials", "20", "--requests", "1"],
        '"idempotency layers built for 2 webhooks": 1',
    ),
    "ingest": (["--repeats", "1"], "500-event batches"),
    "live": (["--smoke"], "total CU/ev"),
    "load": (["--documents", "12", "--senders", "2"], '"kpi_mismatches": []'),
    "package_size": (["--json"], '"within_limit": true'),
    "scale": (["--smoke"], "equal a recomputation"),
    "reports": (
        ["--units", "4", "--officials", "12", "--days", "2", "--runs", "1", "--import-runs", "1"],
        "Import time",
    ),
}


def test_every_benchmark_has_a_smoke_run() -> None:
    scripts = {p.stem for p in (REPO / "bench").glob("*.py")} - HELPERS
    assert scripts == set(SMOKE)


@pytest.mark.parametrize("script", sorted(SMOKE))
def test_benchmark_runs_with_its_smallest_sizes(script: str) -> None:
    args, expected = SMOKE[script]
    # The scripts choose their own settings; the test process's must not leak in (the
    # suite's EVENT_MAX_AGE_DAYS once hid that the console bench refused its 2025 month).
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in TEST_ENVIRONMENT and not k.startswith(("AWS_", "AUTH_", "POWERTOOLS_"))
    }
    proc = subprocess.run(
        [sys.executable, f"bench/{script}.py", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output[-4000:]
    assert expected in proc.stdout, output[-4000:]

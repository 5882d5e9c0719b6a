"""`make demo` installs the runtime and dev requirements only; `make test` everything
(infrastructure tools and checkov too). `make -n -B` prints what a fresh clone runs."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def _plan(target: str) -> str:
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    proc = subprocess.run(
        ["make", "-n", "-B", target], cwd=REPO, capture_output=True, text=True, check=True
    )
    return proc.stdout


def test_demo_installs_only_runtime_and_dev_requirements() -> None:
    plan = _plan("demo")
    assert "pip install -r requirements-dev.txt" in plan
    for heavy in ("requirements-infra.txt", "requirements-checkov.txt", "checkov"):
        assert heavy not in plan, heavy
    assert "--quiet" not in plan  # long installs show their progress


def test_test_installs_everything() -> None:
    plan = _plan("test")
    for needed in ("requirements-dev.txt", "requirements-infra.txt", "requirements-checkov.txt"):
        assert needed in plan, needed
    assert "--quiet" not in plan


def test_mutation_testing_is_its_own_target_not_part_of_test() -> None:
    assert "scripts.mutation" in _plan("mutation")  # mutmut, module by module
    assert "mutmut" not in _plan("test")
    assert "scripts.mutation" not in _plan("test")
    assert "scripts.planted_faults" in _plan("planted-faults")
    assert "planted_faults" not in _plan("test")

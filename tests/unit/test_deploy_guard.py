"""`chalice deploy` stops at once with a message pointing to `make deploy`; the other
Chalice commands, the CDK's packaging and Lambda's import of app.py are unaffected."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from chalicelib.deploy_guard import MESSAGE, refuse_chalice_deploy

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    "argv",
    [
        ["/x/.venv/bin/chalice", "deploy", "--stage", "prod"],
        ["/x/.venv/bin/chalice", "--project-dir", ".", "deploy"],
        ["/x/lib/python3.11/site-packages/chalice/__main__.py", "deploy"],
    ],
)
def test_chalice_deploy_is_refused(argv: list[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        refuse_chalice_deploy(argv)
    assert "make deploy" in str(exc.value.code)


@pytest.mark.parametrize(
    "argv",
    [
        ["/x/.venv/bin/chalice", "local", "--stage", "local"],
        ["/x/.venv/bin/chalice", "package", "out"],
        ["/var/runtime/bootstrap.py"],  # Lambda importing app.py
        ["python", "-m", "infra.app", "--stage", "prod"],  # the CDK app (chalice package)
        ["pytest", "tests/unit/test_deploy.py"],
        [],
    ],
)
def test_other_programs_import_the_app(argv: list[str]) -> None:
    refuse_chalice_deploy(argv)


def test_the_real_cli_stops_before_calling_aws(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update({"AWS_DEFAULT_REGION": "ap-southeast-1", "HOME": str(tmp_path)})
    chalice = Path(sys.executable).with_name("chalice")
    started = time.monotonic()
    proc = subprocess.run(
        [str(chalice), "--project-dir", str(REPO), "deploy", "--stage", "prod"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode != 0
    assert MESSAGE in proc.stdout + proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    assert time.monotonic() - started < 60
    assert not (REPO / ".chalice" / "deployed").exists()

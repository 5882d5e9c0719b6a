"""The report code stays out of the webhook's and the API's cold start."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("reportlab", "xlsxwriter", "PIL", "chalicelib.reports", "chalicelib.services.reports")


def test_importing_the_app_loads_no_report_code():
    code = (
        "import sys, app, chalicelib.services.ingestion\n"
        f"heavy = sorted(m for m in sys.modules if m.startswith({HEAVY!r}))\n"
        "assert not heavy, heavy\n"
        "assert 'chalicelib.api.reports' in sys.modules\n"
    )
    env = {"STAGE": "test", "AWS_DEFAULT_REGION": "ap-southeast-1", "PATH": "/usr/bin:/bin"}
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr

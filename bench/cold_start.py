"""Cold-start import cost: `import app` beside `import boto3`, in fresh processes,
measured alternately so machine noise hits both alike.

    .venv/bin/python bench/cold_start.py [--runs 15]

Also prints what a first webhook request and a first KPI request import on top
(the code those routes load lazily), so it is visible who pays for what.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SNIPPETS = {
    "boto3": "import boto3",
    "app": "import app",
    "app + webhook path": "import app; import chalicelib.services.ingestion",
    "app + kpi path": "import app; import chalicelib.services.kpi",
    "app + reports path": "import app; import chalicelib.reports.pdf_renderer, chalicelib.reports.xlsx_renderer",
}


def measure(snippet: str) -> float:
    code = f"import time; t0 = time.perf_counter(); {snippet}; print(time.perf_counter() - t0)"
    env = {
        **os.environ,
        "PYTHONDONTWRITEBYTECODE": "0",
        "STAGE": "prod",
        "AWS_DEFAULT_REGION": "ap-southeast-1",
    }
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return float(out.stdout.strip().splitlines()[-1]) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    for snippet in SNIPPETS.values():  # warm the bytecode cache once
        measure(snippet)
    samples: dict[str, list[float]] = {name: [] for name in SNIPPETS}
    for _ in range(args.runs):
        for name, snippet in SNIPPETS.items():
            samples[name].append(measure(snippet))
    boto = statistics.median(samples["boto3"])
    print(f"fresh processes per case: {args.runs} (alternating)")
    print(f"{'case':<22} {'median ms':>10} {'p90 ms':>8} {'x boto3':>8}")
    for name, values in samples.items():
        median = statistics.median(values)
        p90 = sorted(values)[int(0.9 * (len(values) - 1))]
        print(f"{name:<22} {median:>10.1f} {p90:>8.1f} {median / boto:>8.2f}")
    ratio = statistics.median(samples["app"]) / boto
    print(f"\napp.py import = {ratio:.2f} x import boto3 (target <= 1.5)")


if __name__ == "__main__":
    main()

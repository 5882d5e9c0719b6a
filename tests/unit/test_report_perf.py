"""Rendering budget: all formats of a province report within Lambda-friendly limits.

100 units, 1,000 officials, a 31-day series, in Vietnamese. Targets: well under 10 s and
300 MB peak. Measured three ways, printed for the benchmark notes (``pytest -s``):
- warm render time (imports and font registration done, as in a warm Lambda);
- peak Python allocations during a render (tracemalloc; slows that run down several times);
- a cold process: time to import and render once, and its peak RSS (what Lambda bills).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

from chalicelib.reports import build_manifest, render_all
from tests.unit.report_samples import sample_document

ROOT = Path(__file__).resolve().parents[2]
MAX_SECONDS = 10.0
MAX_PEAK_BYTES = 300 * 1024 * 1024

COLD_SCRIPT = """
import json, resource, time
start = time.perf_counter()
from chalicelib.reports import build_manifest, render_all
from tests.unit.report_samples import sample_document
doc = sample_document(n_units=100, n_officials=1000, days=31)
files = render_all(doc, lang="vi")
build_manifest(doc, files)
elapsed = time.perf_counter() - start
rss_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
print(json.dumps({"seconds": elapsed, "max_rss_bytes": rss_kib * 1024}))
"""


def _render_everything() -> dict[str, tuple[bytes, str]]:
    doc = sample_document(n_units=100, n_officials=1000, days=31)
    files = render_all(doc, lang="vi")
    build_manifest(doc, files)
    return files


def test_render_time_and_peak_memory():
    _render_everything()  # warm up: imports, font registration
    start = time.perf_counter()
    files = _render_everything()
    elapsed = time.perf_counter() - start

    tracemalloc.start()
    try:
        _render_everything()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    sizes = {name: len(body) for name, (body, _) in files.items()}
    print(f"\nwarm render, all formats: {elapsed:.2f} s; tracemalloc peak {peak / 2**20:.1f} MiB")
    print(f"sizes: {sizes}")
    assert elapsed < MAX_SECONDS
    assert peak < MAX_PEAK_BYTES


def test_cold_process_time_and_rss():
    proc = subprocess.run(
        [sys.executable, "-c", COLD_SCRIPT], cwd=ROOT, capture_output=True, text=True, check=True
    )
    result = json.loads(proc.stdout)
    print(
        f"\ncold process (imports + render all): {result['seconds']:.2f} s, "
        f"peak RSS {result['max_rss_bytes'] / 2**20:.1f} MiB"
    )
    assert result["seconds"] < MAX_SECONDS
    assert result["max_rss_bytes"] < MAX_PEAK_BYTES

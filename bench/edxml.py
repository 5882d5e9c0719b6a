"""edXML ingestion throughput: packages per second parsed and mapped, no storage.

    /work/main/.venv/bin/python bench/edxml.py [--seconds 3]

Runs `parse_edxml` on the ~20 KB signed QCVN 102 package of the test fixtures for at
least `--seconds`, then once on a ~10 MB package (one large attachment) for its time and
Python-heap peak.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import platform
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from chalicelib.domain.edxml import parse_edxml  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures" / "edxml"


def throughput(raw: bytes, seconds: float) -> tuple[list[float], float]:
    """Wall-clock latency of each run, and the process CPU time of all of them."""
    latencies: list[float] = []
    parse_edxml(raw)  # warm-up: imports, regex compilation
    cpu_started = time.process_time()
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        started = time.perf_counter()
        result = parse_edxml(raw)
        latencies.append(time.perf_counter() - started)
    assert result.events, "the bench package must map to events"
    return latencies, time.process_time() - cpu_started


def large_package() -> bytes:
    raw = (FIXTURES / "qcvn_package_signed.xml").read_bytes()
    data = hashlib.sha256(b"bench").digest() * (7_300_000 // 32)
    start = raw.index(b"<ContentTransferEncoded>") + len(b"<ContentTransferEncoded>")
    end = raw.index(b"</ContentTransferEncoded>")
    return raw[:start] + base64.encodebytes(data) + raw[end:]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0)
    args = parser.parse_args()

    raw = (FIXTURES / "qcvn_package_bench.xml").read_bytes()
    latencies, cpu = throughput(raw, max(args.seconds, 2.0))
    total = sum(latencies)
    quantiles = statistics.quantiles(latencies, n=100)
    print(f"python {platform.python_version()} on {platform.machine()}")
    print(f"package: qcvn_package_bench.xml, {len(raw)} bytes, signed, 1 attachment")
    print(f"runs: {len(latencies)} in {total:.2f} s")
    rate = len(latencies) / total
    print(f"throughput: {rate:,.0f} packages/s ({rate * len(raw) / 1e6:.1f} MB/s)")
    print(
        f"latency: mean {total / len(latencies) * 1e3:.3f} ms, p50 {quantiles[49] * 1e3:.3f} ms, "
        f"p99 {quantiles[98] * 1e3:.3f} ms"
    )
    # CPU time is the steadier figure on a shared machine: wall clock includes waiting.
    print(
        f"cpu: {cpu / len(latencies) * 1e3:.3f} ms/package ({len(latencies) / cpu:,.0f} packages/cpu-s)"
    )

    big = large_package()
    tracemalloc.start()
    started = time.perf_counter()
    result = parse_edxml(big)
    elapsed = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(
        f"large package: {len(big) / 1e6:.1f} MB in {elapsed * 1e3:.0f} ms, "
        f"Python heap peak {peak / 1e6:.2f} MB beyond the raw bytes, "
        f"archive {len(result.archive_xml)} bytes"
    )


if __name__ == "__main__":
    main()

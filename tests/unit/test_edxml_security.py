"""edXML input hardening measured: time and memory of hostile and large messages, and a
property over corrupted ones. Timing-bound, so not in the mutation selection: the refusals
themselves are in test_edxml_refusals.py, the archive in test_edxml_archive.py.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import multiprocessing
import time
import tracemalloc
import xml.etree.ElementTree as ET
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chalicelib.domain.edxml import EdxmlError, EdxmlResult, parse_edxml
from chalicelib.domain.edxml.reader import MAX_ELEMENTS
from tests.edxml_messages import MALFORMED, digests_in, load, refused


def measured(action: Callable[[], object]) -> tuple[float, int]:
    """CPU seconds and peak traced bytes of one call (raising EdxmlError is expected).
    CPU time, not wall time: the bound is on the parser's work, which other processes
    on a loaded machine (a parallel suite) do not change."""
    tracemalloc.start()
    started = time.process_time()
    with contextlib.suppress(EdxmlError):
        action()
    elapsed = time.process_time() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return elapsed, peak


@pytest.mark.parametrize("name", ["billion_laughs.xml", "external_entity.xml"])
def test_bomb_and_external_entity_are_refused_fast_with_bounded_memory(name: str) -> None:
    raw = (MALFORMED / name).read_bytes()
    elapsed, peak = measured(lambda: parse_edxml(raw))
    assert elapsed < 1.0, f"took {elapsed:.3f} s"
    assert peak < 1_000_000, f"peak {peak} bytes"  # 10^9 'lol's would be gigabytes


def test_too_many_elements_are_refused_at_the_bound() -> None:
    # Parsing stops at the bound and the rest is never fed to expat, so 10 MB of "<a/>"
    # costs what this message costs; a smaller one keeps the test process lean.
    raw = b'<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016">'
    raw += b"<a/>" * (MAX_ELEMENTS + 1_000) + b"</edXML>"
    elapsed, peak = measured(lambda: parse_edxml(raw))
    assert f"more than {MAX_ELEMENTS} elements" in refused(raw).message
    assert elapsed < 1.0
    assert peak < 20_000_000


# --- large packages ---------------------------------------------------------------------


def big_package(file_size: int) -> tuple[bytes, bytes]:
    raw = load("qcvn_package_signed.xml")
    data = hashlib.sha256(b"seed").digest() * (file_size // 32)
    start = raw.index(b"<ContentTransferEncoded>") + len(b"<ContentTransferEncoded>")
    end = raw.index(b"</ContentTransferEncoded>")
    return raw[:start] + base64.encodebytes(data) + raw[end:], data


def parse_big_package() -> dict[str, Any]:
    """Parse a ~10 MB package; run in a fresh process by the test below."""
    raw, data = big_package(7_300_000)
    results: list[EdxmlResult] = []
    elapsed, peak = measured(lambda: results.append(parse_edxml(raw)))
    (result,) = results
    return {
        "size": len(raw),
        "elapsed": elapsed,
        "peak": peak,
        "digests": digests_in(result.archive_xml),
        "expected": (hashlib.sha256(data).hexdigest(), len(data)),
        "archive_size": len(result.archive_xml),
    }


def test_ten_megabyte_package_is_hashed_in_streaming_with_bounded_memory() -> None:
    # A spawned process measures on a clean heap, and the ~30 MB this test allocates do
    # not stay in pytest's own process (glibc keeps freed heap; other tests measure RSS).
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        run = pool.submit(parse_big_package).result(timeout=120)
    assert 9_500_000 < run["size"] <= 10 * 1024 * 1024
    # The raw bytes are the caller's; parsing adds a few 64 KB chunks, not a copy of the file.
    assert run["peak"] < 3_000_000, f"peak {run['peak']} bytes"
    assert run["elapsed"] < 2.0
    assert run["digests"][0] == run["expected"]  # the big one; the 900-byte annex follows
    assert run["archive_size"] < 20_000


# --- robustness -------------------------------------------------------------------------


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=st.sampled_from(["qcvn_package_signed.xml", "qcvn_status_06.xml", "godoc_package.xml"]),
    edits=st.lists(st.tuples(st.floats(0, 1), st.integers(0, 255)), min_size=1, max_size=6),
    cut=st.none() | st.floats(0, 1),
)
def test_corrupted_messages_either_parse_or_raise_edxml_error(
    name: str, edits: list[tuple[float, int]], cut: float | None
) -> None:
    raw = bytearray(load(name))
    for where, value in edits:
        raw[int(where * (len(raw) - 1))] = value
    if cut is not None:
        raw = raw[: int(cut * len(raw))]
    try:
        result = parse_edxml(bytes(raw))
    except EdxmlError as error:
        assert error.path.startswith("/")
        assert error.message
    else:
        ET.fromstring(result.archive_xml)

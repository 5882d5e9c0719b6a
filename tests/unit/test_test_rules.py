"""Rules the tests themselves keep (issue 19, item 2): time and faults are set through
their seams (`chalicelib.clock`, `storage/outages.py`, a Lambda context of the function's
own timeout), never by patching a module's private name, which a refactoring silently
turns into a patch of nothing."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRIVATE_PATCH = re.compile(
    r"setattr\([^,()]+,\s*[\"']_[A-Za-z]"  # monkeypatch.setattr(module, "_name", ...)
    r"|patch(?:\.object)?\([\"']chalicelib[\w.]*\._\w+"  # mock.patch("chalicelib.x._name")
    r"|patch\.object\([^,()]+,\s*[\"']_[A-Za-z]"  # mock.patch.object(module, "_name")
)


def test_no_test_patches_a_private_name():
    found = [
        f"{path.relative_to(ROOT)}:{n}: {line.strip()}"
        for folder in ("tests", "bench")
        for path in sorted((ROOT / folder).rglob("*.py"))
        if path != Path(__file__).resolve()
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if PRIVATE_PATCH.search(line)
    ]
    assert not found, "\n".join(found)


def test_the_rule_catches_the_shapes_it_names():
    for line in (
        'monkeypatch.setattr(ingestion, "_now", lambda: moment)',
        'mock.patch("chalicelib.storage.aggregates._commit", side_effect=boom)',
        'mock.patch.object(schedules, "_deadline", return_value=1)',
    ):
        assert PRIVATE_PATCH.search(line), line
    for line in ('monkeypatch.setattr(settings, "region", "x")', 'outages.inject("Scan")'):
        assert not PRIVATE_PATCH.search(line), line

"""The local stack's clock (scripts/local_clock.py): the system's plus the offset a demo
writes, read again whenever the file changes; nothing without LOCAL_CLOCK_FILE."""

from __future__ import annotations

import datetime as dt

from chalicelib import clock
from scripts import local_clock


def test_the_clock_follows_the_offset_file(tmp_path):
    path = tmp_path / "offset"
    assert local_clock.install({}) is False
    try:
        assert local_clock.install({local_clock.ENV: str(path)}) is True
        # no file yet: the system's clock
        assert abs(clock.now() - dt.datetime.now(dt.UTC)) < dt.timedelta(seconds=5)
        local_clock.write_offset(path, dt.timedelta(days=6, hours=3))
        ahead = clock.now() - dt.datetime.now(dt.UTC)
        assert abs(ahead - dt.timedelta(days=6, hours=3)) < dt.timedelta(seconds=5)
        # written again at once: read again (a new file, not a stale cache)
        local_clock.write_offset(path, dt.timedelta(0))
        assert abs(clock.now() - dt.datetime.now(dt.UTC)) < dt.timedelta(seconds=5)
    finally:
        clock.set_clock(None)


def test_the_deployed_app_never_imports_it():
    """Only the local stack's processes install it: no module of the app names it."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    sources = [root / "app.py", *sorted((root / "chalicelib").rglob("*.py"))]
    assert not [p for p in sources if "local_clock" in p.read_text(encoding="utf-8")]

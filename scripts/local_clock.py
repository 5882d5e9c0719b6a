"""The local stack's clock: the system's, moved by what a demo says has happened in between.

`make demo` runs on the real clock, and some of the procedure it shows takes days: the
public posting of the award shortlist runs five working days, and the council may only meet
once it has closed (409 `posting_open` before). The demo does not backdate anything to get
there and no rule is loosened: it opens the posting today, takes the public's feedback
while the window is open, is refused the meeting, and then moves the local stack's clock
past the window's close, as the days would have passed (`LocalStack.move_clock`).

Only the local stack's own processes read this (scripts/chalice_local.py and
scripts/stream_poller.py install it when LOCAL_CLOCK_FILE is set); the deployed functions
never import it, so no setting of a deployed stack can move its clock. The file holds the
offset in seconds from the system clock; it is read again whenever it changes.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from chalicelib import clock

ENV = "LOCAL_CLOCK_FILE"


class _Offset:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.stamp: tuple[int, int, int] | None = None
        self.delta = dt.timedelta(0)

    def __call__(self) -> dt.timedelta:
        try:
            st = self.path.stat()
            # a new inode per write (written, then renamed): two writes in one tick differ
            stamp = (st.st_ino, st.st_mtime_ns, st.st_size)
        except FileNotFoundError:
            return dt.timedelta(0)
        if stamp != self.stamp:
            text = self.path.read_text(encoding="ascii").strip()
            self.delta = dt.timedelta(seconds=float(text or 0))
            self.stamp = stamp
        return self.delta


def install(environ: os._Environ[str] | dict[str, str] | None = None) -> bool:
    """Set the process's clock to the system's plus the file's offset (when LOCAL_CLOCK_FILE
    names one). True when installed."""
    path = (environ if environ is not None else os.environ).get(ENV)
    if not path:
        return False
    offset = _Offset(Path(path))
    clock.set_clock(lambda: dt.datetime.now(dt.UTC) + offset())
    return True


def write_offset(path: Path, delta: dt.timedelta) -> None:
    """Move the clocks of the processes that read `path` to the system's plus `delta`
    (written whole, then renamed: a reader never sees half a number)."""
    staging = path.with_suffix(".tmp")
    staging.write_text(f"{delta.total_seconds():.6f}\n", encoding="ascii")
    os.replace(staging, path)

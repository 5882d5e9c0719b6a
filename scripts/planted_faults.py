"""Plant the faults of issue 19 (item 9), one at a time, in a scratch copy of the repository
and check that a test fails for each (`make planted-faults`; docs/benchmarks.md records the
result).

Each fault passed every unit and API test once. The copy is a temporary git worktree of
HEAD (commit first: uncommitted changes are not in it), never this checkout; each fault is
planted alone, its tests run, the copy is reset. A fault whose tests all pass has
*survived*: the script says so and exits 1.

    .venv/bin/python -m scripts.planted_faults               # every fault
    .venv/bin/python -m scripts.planted_faults lease-ignored # one (names below)
    .venv/bin/python -m scripts.planted_faults --baseline    # the tests pass unplanted first
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Edit:
    path: str
    old: str
    new: str
    every: bool = False  # replace every occurrence (otherwise exactly one must exist)


@dataclass(frozen=True)
class Fault:
    name: str
    what: str
    edits: tuple[Edit, ...]
    tests: tuple[str, ...]


SOURCES_ROUTES = (
    "tests/api/test_role_matrix.py",
    "tests/api/test_admission.py",
)

FAULTS: tuple[Fault, ...] = (
    Fault(
        "roles-unenforced",
        "The role check removed from the /admin/sources routes (POST, GET, PATCH, DELETE, "
        "/rotate): the declarations still say admin-only, the wrapper is not applied",
        (
            Edit(
                "chalicelib/api/routing.py",
                "            view = enforcing(bp, declared, view)\n",
                '            if not path.startswith("/admin/sources"):  # planted fault\n'
                "                view = enforcing(bp, declared, view)\n",
            ),
        ),
        SOURCES_ROUTES,
    ),
    Fault(
        "roles-widened",
        "The /admin/sources declarations widened to every role (the check follows the "
        "declaration, so only a pinned policy can catch it)",
        (
            Edit(
                "chalicelib/api/sources.py",
                "from chalicelib.api.routing import ADMIN_ONLY, QueryParam, route",
                "from chalicelib.api.routing import ADMIN_ONLY, ANY_ROLE, QueryParam, route",
            ),
            Edit("chalicelib/api/sources.py", "roles=ADMIN_ONLY,", "roles=ANY_ROLE,", every=True),
        ),
        SOURCES_ROUTES,
    ),
    Fault(
        "max-age-4000",
        "The EVENT_MAX_AGE_DAYS default changed from 400 to 4000",
        (
            Edit(
                "chalicelib/settings.py",
                'event_max_age_days=_int("EVENT_MAX_AGE_DAYS", 400)',
                'event_max_age_days=_int("EVENT_MAX_AGE_DAYS", 4000)',
            ),
        ),
        ("tests/api/test_admission.py",),
    ),
    Fault(
        "settle-window-skipped",
        "The 60 s exemption settle window skipped (a marker settles at the first pass)",
        (
            Edit(
                "chalicelib/services/exemption.py",
                "settle_before = folded - dt.timedelta(seconds=get_settings().redaction_settle_seconds)",
                "settle_before = folded  # planted fault",
            ),
        ),
        ("tests/api/test_exemption.py",),
    ),
    Fault(
        "settle-default-0",
        "The REDACTION_SETTLE_SECONDS default changed from 60 to 0",
        (
            Edit(
                "chalicelib/settings.py",
                'redaction_settle_seconds=_int("REDACTION_SETTLE_SECONDS", 60)',
                'redaction_settle_seconds=_int("REDACTION_SETTLE_SECONDS", 0)',
            ),
        ),
        ("tests/api/test_exemption.py",),
    ),
    Fault(
        "lease-ignored",
        "The aggregation lease ignored (a run proceeds whatever acquire_lease answers)",
        (
            Edit(
                "chalicelib/services/aggregation.py",
                "    if not job_store.acquire_lease(JOB, owner, lease):\n"
                '        return {"skipped": "another aggregation run holds the lease"}\n',
                "    job_store.acquire_lease(JOB, owner, lease)  # planted fault\n",
            ),
        ),
        ("tests/api/test_kpi_api.py",),
    ),
    Fault(
        "lease-unconditional",
        "Every lease granted (acquire_lease's condition dropped in storage)",
        (
            Edit(
                "chalicelib/storage/jobs.py",
                "            condition=(\n"
                "                JobStateModel.lease_expires_at.does_not_exist()",
                "            condition=None\n            and (\n"
                "                JobStateModel.lease_expires_at.does_not_exist()",
            ),
        ),
        ("tests/api/test_kpi_api.py", "tests/api/test_exemption.py"),
    ),
)


def _git(*args: str, cwd: Path = ROOT) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, check=True, capture_output=True, text=True
    ).stdout


def _plant(copy: Path, fault: Fault) -> None:
    for edit in fault.edits:
        path = copy / edit.path
        text = path.read_text(encoding="utf-8")
        found = text.count(edit.old)
        if found == 0 or (found > 1 and not edit.every):
            raise SystemExit(f"{fault.name}: {edit.path} has {found} copies of {edit.old!r}")
        path.write_text(text.replace(edit.old, edit.new), encoding="utf-8")


def _pytest(copy: Path, tests: tuple[str, ...]) -> tuple[int, list[str], float]:
    started = time.monotonic()
    command = [
        "nice", "-n", "15", str(ROOT / ".venv/bin/python"), "-m", "pytest", "-q",
        "-p", "no:randomly", "-p", "no:cacheprovider", "-rf", "--tb=no", *tests,
    ]  # fmt: skip
    done = subprocess.run(command, check=False, cwd=copy, capture_output=True, text=True)
    # "FAILED <node id> - <message>": a node id may hold spaces (a parameter such as [GET /x]).
    failed = re.findall(r"^FAILED (.+?)(?: - .*)?$", done.stdout, flags=re.MULTILINE)
    return done.returncode, failed, time.monotonic() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("faults", nargs="*", help=f"of: {', '.join(f.name for f in FAULTS)}")
    parser.add_argument("--baseline", action="store_true", help="run the tests unplanted first")
    args = parser.parse_args()
    chosen = [f for f in FAULTS if not args.faults or f.name in args.faults]
    if args.faults and len(chosen) != len(args.faults):
        parser.error(f"unknown fault; known: {', '.join(f.name for f in FAULTS)}")
    commit = _git("rev-parse", "--short", "HEAD").strip()
    survived = []
    with tempfile.TemporaryDirectory(prefix="kg-planted-") as scratch:
        copy = Path(scratch) / "copy"
        _git("worktree", "add", "--detach", str(copy), "HEAD")
        try:
            (copy / ".venv").symlink_to(ROOT / ".venv")
            if args.baseline:
                tests = tuple(sorted({t for f in chosen for t in f.tests}))
                code, failed, seconds = _pytest(copy, tests)
                print(f"baseline at {commit}: exit {code} in {seconds:.0f} s {failed or ''}")
                if code != 0:
                    return 2
            print(f"| fault (planted in a copy of {commit}) | tests run | result | s |")
            print("|---|---|---|---:|")
            for fault in chosen:
                _plant(copy, fault)
                code, failed, seconds = _pytest(copy, fault.tests)
                _git("checkout", "--", ".", cwd=copy)
                if code == 0:
                    survived.append(fault.name)
                    result = "**SURVIVED**"
                elif failed:
                    shown = ", ".join(f"`{t.split('::', 1)[1]}`" for t in failed[:4])
                    more = f" (+{len(failed) - 4} more)" if len(failed) > 4 else ""
                    result = f"caught by {len(failed)}: {shown}{more}"
                else:
                    result = f"pytest exit {code} (no test failed: an error, see the run)"
                tests_run = ", ".join(f"`{Path(t).name}`" for t in fault.tests)
                print(f"| `{fault.name}`: {fault.what} | {tests_run} | {result} | {seconds:.0f} |")
                sys.stdout.flush()
        finally:
            _git("worktree", "remove", "--force", str(copy))
    if survived:
        print(f"survived: {', '.join(survived)}")
    return 1 if survived else 0


if __name__ == "__main__":
    sys.exit(main())

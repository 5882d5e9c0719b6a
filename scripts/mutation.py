"""`make mutation`: mutmut over the rules ([tool.mutmut] in pyproject.toml), module by
module, the modules that count or vote first, at low priority (nice 15), then a table per
module (mutants, killed, survived, timeout, no covering test, kill rate) for
docs/benchmarks.md.

    .venv/bin/python -m scripts.mutation                      # every module, in order
    .venv/bin/python -m scripts.mutation council_vote quotas  # some (names as below)
    .venv/bin/python -m scripts.mutation --table              # the table of the last runs

Each mutant runs only the selected unit and property tests that call its function, fastest
first, stopping at the first failure; hypothesis is derandomized (profile "ci"), so a kill
is reproducible. Results stay under mutants/ (`mutmut show <name>` prints a mutant).
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SUMMARY = ROOT / "mutants" / "module-times.json"
NICE = ("nice", "-n", "15")  # the machine is shared: mutants yield to everything else

# (name, file, the functions mutated: globs over mutmut's mutant names)
_DOMAIN_FIRST = (
    "council_vote",
    "quotas",
    "initiatives",
    "kpi",
    "document_state",
    "daily_counters",
    "evaluations",
)
MODULES: list[tuple[str, str, tuple[str, ...]]] = [
    (name, f"chalicelib/domain/{name}.py", (f"chalicelib.domain.{name}.*",))
    for name in _DOMAIN_FIRST
]
MODULES += [
    ("admission", "chalicelib/services/admission.py", ("chalicelib.services.admission.*",)),
    (
        "subtree",
        "chalicelib/services/registry.py",
        (
            "chalicelib.services.registry.x_check_unit_access__*",
            "chalicelib.services.registry.x_visible_unit_ids__*",
        ),
    ),
    (
        "access",
        "chalicelib/services/nominations/access.py",
        ("chalicelib.services.nominations.access.*",),
    ),
    # The role check every route runs (routing.check_role; `enforcing` only wraps it) and the
    # caller's identity it reads (http.principal_of).
    ("roles", "chalicelib/api/routing.py", ("chalicelib.api.routing.x_check_role__*",)),
    ("identity", "chalicelib/api/http.py", ("chalicelib.api.http.x_principal_of__*",)),
    ("auth", "chalicelib/auth.py", ("chalicelib.auth.*",)),
]
_DOMAIN = ROOT / "chalicelib" / "domain"


def _domain_module(path: Path) -> tuple[str, str, tuple[str, ...]]:
    relative = path.relative_to(_DOMAIN).with_suffix("")  # e.g. edxml/mapping
    dotted = ".".join(relative.parts).removesuffix(".__init__")
    # A package's own mutants are named after the package (chalicelib.domain.edxml.x_...).
    glob = (
        f"chalicelib.domain.{dotted}.x*"
        if path.stem == "__init__"
        else f"chalicelib.domain.{dotted}.*"
    )
    return (
        str(relative).removesuffix("/__init__"),
        f"chalicelib/domain/{path.relative_to(_DOMAIN)}",
        (glob,),
    )


MODULES += [
    _domain_module(path)
    for path in sorted(_DOMAIN.rglob("*.py"))
    if path.stem not in _DOMAIN_FIRST and path != _DOMAIN / "__init__.py"
]

# mutmut's exit codes (mutmut.stats.status_by_exit_code), grouped as the table counts them.
KILLED = {1, 3}
SURVIVED = {0}
TIMEOUT = {36, -24, 24, 152, 255}
NO_TESTS = {5, 33}


def _results(path: str, globs: tuple[str, ...]) -> dict[str, int | None]:
    meta = ROOT / "mutants" / f"{path}.meta"
    if not meta.exists():
        return {}
    codes: dict[str, int | None] = json.loads(meta.read_text())["exit_code_by_key"]
    return {k: v for k, v in codes.items() if any(fnmatch.fnmatch(k, g) for g in globs)}


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def row(
    name: str, path: str, globs: tuple[str, ...], seconds: float | None, cpu: float | None
) -> str:
    codes = _results(path, globs)
    if not codes:
        return f"| {name} | not run | | | | | | | |"
    values = list(codes.values())
    killed = sum(v in KILLED for v in values)
    survived = sum(v in SURVIVED for v in values)
    timeout = sum(v in TIMEOUT for v in values)
    no_tests = sum(v in NO_TESTS for v in values)
    other = len(values) - killed - survived - timeout - no_tests
    covered = killed + survived + timeout
    rate = f"{100 * (killed + timeout) / covered:.0f} %" if covered else "-"
    took = f"{seconds / 60:.1f}" if seconds is not None else ""
    cpu_minutes = f"{cpu / 60:.1f}" if cpu is not None else ""
    extra = f" (+{other} not checked)" if other else ""
    return (
        f"| {name} | {len(values)}{extra} | {killed} | {survived} | {timeout} | {no_tests} "
        f"| {rate} | {took} | {cpu_minutes} |"
    )


def table(names: list[str]) -> str:
    times = json.loads(SUMMARY.read_text()) if SUMMARY.exists() else {}
    lines = [
        "| module | mutants | killed | survived | timeout | no covering test | kill rate "
        "(killed+timeout)/(covered) | wall min | CPU min |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    lines += [
        row(n, p, g, times.get(n), times.get(f"{n}:cpu"))
        for n, p, g in MODULES
        if not names or n in names
    ]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("modules", nargs="*", help=", ".join(n for n, _, _ in MODULES))
    parser.add_argument("--table", action="store_true", help="print the last results only")
    parser.add_argument("--children", type=int, default=2, help="mutants run at once")
    args = parser.parse_args()
    unknown = set(args.modules) - {n for n, _, _ in MODULES}
    if unknown:
        parser.error(f"unknown module(s) {', '.join(sorted(unknown))}")
    if not args.table:
        env = {**os.environ, "HYPOTHESIS_PROFILE": "ci"}
        children = str(args.children)
        for name, _path, globs in MODULES:
            if args.modules and name not in args.modules:
                continue
            print(f"==> mutmut: {name}", flush=True)
            started = time.monotonic()
            cpu_before = _children_cpu()
            subprocess.run(
                [*NICE, sys.executable, "-m", "mutmut", "run", "--max-children", children, *globs],
                cwd=ROOT,
                env=env,
                check=False,
            )
            times = json.loads(SUMMARY.read_text()) if SUMMARY.exists() else {}
            # Wall time depends on what else runs (nice 15 yields); the CPU time of mutmut
            # and its forks is what an idle machine would spend, over two cores.
            times[name] = time.monotonic() - started
            times[f"{name}:cpu"] = _children_cpu() - cpu_before
            SUMMARY.write_text(json.dumps(times, indent=1))
            print(table([name]).splitlines()[-1], flush=True)
    print(table(args.modules))
    return 0


if __name__ == "__main__":
    sys.exit(main())

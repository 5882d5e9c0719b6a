"""The prod stack synthesized once per source state: `python -m infra.app --stage prod`.

The infrastructure gates (tests/infrastructure) and the Lambda harness (tests/lambda_runtime)
read the same synthesis: the template, cdk-nag's reports and the assets, among them the
deployment package every function runs. It is built in a subprocess with no AWS
credentials and cached under `infra/cdk.out/synth/<hash of the sources>`, so a session
(or a second test run of the checkout) synthesizes only when the app, the console, its
requirements or the infrastructure code changed. The time and output of the build are
kept with it, so the synth-time gate checks the real build even when it was cached: its
wall time, and the CPU time (user + system) of the build and every process it waited for
(the jsii node process among them). The machine's load stretches the first and not the
second, so the gate reads the CPU time.
"""

from __future__ import annotations

import fcntl
import hashlib
import importlib.metadata
import json
import resource
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CACHE = REPO / "infra" / "cdk.out" / "synth"
STAGE = "prod"
# What the synthesized template and its assets are made of (web/: the console's files).
SOURCES = ("app.py", "chalicelib", "infra", "web", "requirements.txt", ".chalice/config.json")
# Versions that change the synthesized output without changing a source file.
DISTRIBUTIONS = ("aws-cdk-lib", "chalice", "cdk-nag")


@dataclass(frozen=True)
class Synthesis:
    outdir: Path
    template_path: Path
    seconds: float  # how long the build took (when this session or an earlier one ran it)
    cpu_seconds: float  # the CPU time it used (user + system, its waited-for children too)
    output: str  # its stdout and stderr, then "(exit N)"
    built: bool  # False: taken from the cache


def source_hash() -> str:
    digest = hashlib.sha256()
    for name in SOURCES:
        base = REPO / name
        files = [base] if base.is_file() else sorted(p for p in base.rglob("*") if p.is_file())
        for path in files:
            rel = path.relative_to(REPO)
            if "__pycache__" in rel.parts or rel.parts[:2] == ("infra", "cdk.out"):
                continue
            digest.update(str(rel).encode() + b"\0" + path.read_bytes() + b"\0")
    for dist in DISTRIBUTIONS:
        digest.update(f"{dist}=={importlib.metadata.version(dist)}".encode())
    return digest.hexdigest()[:16]


def synthesize(env: dict[str, str]) -> Synthesis:
    """The cached synthesis of the current sources, built first if there is none."""
    CACHE.mkdir(parents=True, exist_ok=True)
    # One build at a time: the gates and the harness may ask at once (two xdist workers,
    # or two test runs of this checkout).
    with open(CACHE.parent / "synth.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return _synthesize(env)


def _synthesize(env: dict[str, str]) -> Synthesis:
    root = CACHE / source_hash()
    outdir = root / "cdk.out"
    record = root / "build.json"
    built = False
    if not record.exists() or "cpu_seconds" not in json.loads(record.read_text("utf-8")):
        shutil.rmtree(CACHE, ignore_errors=True)  # keep one synthesis, not one per edit
        outdir.mkdir(parents=True)
        started = time.monotonic()
        # Children's usage of this process: what the build (and what it waited for) used.
        # The lock above keeps another build of this process from adding to it.
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        proc = subprocess.run(
            [sys.executable, "-m", "infra.app", "--stage", STAGE, "--outdir", str(outdir)],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
        seconds = time.monotonic() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        output = proc.stdout + proc.stderr + f"\n(exit {proc.returncode})"
        if proc.returncode != 0 or not (outdir / f"{STAGE}.template.json").exists():
            shutil.rmtree(root, ignore_errors=True)  # a failed build is never reused
            raise RuntimeError(f"synth failed:\n{output[-6000:]}")
        record.write_text(
            json.dumps({"seconds": seconds, "cpu_seconds": cpu, "output": output}),
            encoding="utf-8",
        )
        built = True
    saved = json.loads(record.read_text(encoding="utf-8"))
    return Synthesis(
        outdir=outdir,
        template_path=outdir / f"{STAGE}.template.json",
        seconds=float(saved["seconds"]),
        cpu_seconds=float(saved["cpu_seconds"]),
        output=str(saved["output"]),
        built=built,
    )

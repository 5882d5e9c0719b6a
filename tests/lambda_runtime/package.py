"""The deployment package and template the stack deploys, built once and cached.

`python -m infra.app --stage prod` (what `make synth` / `make deploy` run) packages the
app with `chalice package` and writes the template; the asset it uploads is the
deployment package every function runs. The build is cached under
`infra/cdk.out/lambda-harness/<hash of the sources>` so a test session rebuilds it only
when the app, its requirements or the infrastructure code changed.
"""

from __future__ import annotations

import fcntl
import hashlib
import importlib.metadata
import json
import shutil
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CACHE = REPO / "infra" / "cdk.out" / "lambda-harness"
STAGE = "prod"
# What the synthesized template and package are made of.
SOURCES = ("app.py", "chalicelib", "infra", "requirements.txt", ".chalice/config.json")
# The runtime interface client and its dependencies: the managed python3.11 runtime
# provides them (in /var/runtime), outside the function's package.
RUNTIME_DISTRIBUTIONS = ("awslambdaric", "simplejson", "snapshot-restore-py")


@dataclass(frozen=True)
class Build:
    root: Path
    template_path: Path
    task_root: Path  # the unzipped deployment package (LAMBDA_TASK_ROOT)
    runtime_dir: Path  # the runtime interface client (LAMBDA_RUNTIME_DIR)
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
    digest.update(str(RUNTIME_DISTRIBUTIONS).encode())
    for dist in RUNTIME_DISTRIBUTIONS:
        digest.update(importlib.metadata.version(dist).encode())
    return digest.hexdigest()[:16]


def _synth(outdir: Path, env: dict[str, str]) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "infra.app", "--stage", STAGE, "--outdir", str(outdir)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    if proc.returncode != 0 or not (outdir / f"{STAGE}.template.json").exists():
        raise RuntimeError(
            f"synth failed (exit {proc.returncode}):\n{(proc.stdout + proc.stderr)[-6000:]}"
        )


def _unzip_asset(synth_dir: Path, task_root: Path) -> None:
    assets = json.loads((synth_dir / f"{STAGE}.assets.json").read_text(encoding="utf-8"))
    (code,) = [a for a in assets["files"].values() if a["displayName"].endswith("ChaliceAppCode")]
    source = synth_dir / code["source"]["path"]
    with zipfile.ZipFile(source) as zf:
        zf.extractall(task_root)


def _copy_runtime(runtime_dir: Path) -> None:
    for name in RUNTIME_DISTRIBUTIONS:
        dist = importlib.metadata.distribution(name)
        for file in dist.files or []:
            parts = Path(str(file)).parts
            if parts[0].endswith(".dist-info") or "__pycache__" in parts or parts[0] == "..":
                continue
            source = Path(str(dist.locate_file(file)))
            target = runtime_dir / Path(*parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)


def build(env: dict[str, str]) -> Build:
    CACHE.parent.mkdir(parents=True, exist_ok=True)
    # One build at a time (two test runs of this checkout at once).
    with open(CACHE.parent / "lambda-harness.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return _build(env)


def _build(env: dict[str, str]) -> Build:
    key = source_hash()
    root = CACHE / key
    done = root / ".complete"
    built = False
    if not done.exists():
        shutil.rmtree(CACHE, ignore_errors=True)  # keep one build, not one per edit
        synth_dir = root / "synth"
        synth_dir.mkdir(parents=True)
        _synth(synth_dir, env)
        _unzip_asset(synth_dir, root / "task")
        _copy_runtime(root / "runtime")
        for entry in synth_dir.iterdir():  # the template is all that is read from here
            if entry.name != f"{STAGE}.template.json":
                shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
        done.touch()
        built = True
    return Build(
        root=root,
        template_path=root / "synth" / f"{STAGE}.template.json",
        task_root=root / "task",
        runtime_dir=root / "runtime",
        built=built,
    )

"""The deployment package and template the stack deploys, unpacked once and cached.

`python -m infra.app --stage prod` (what `make synth` / `make deploy` run) packages the
app with `chalice package` and writes the template; the asset it uploads is the
deployment package every function runs. The synthesis is the one the infrastructure
gates read (tests/synthesis.py); the package is unzipped next to it, with the runtime
interface client beside it, so a test session rebuilds them only when the sources changed.
"""

from __future__ import annotations

import fcntl
import importlib.metadata
import json
import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path

from tests.synthesis import STAGE, synthesize

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
    synthesis = synthesize(env)
    root = synthesis.outdir.parent / "lambda-harness"
    done = root / ".complete"
    runtime = " ".join(f"{d}=={importlib.metadata.version(d)}" for d in RUNTIME_DISTRIBUTIONS)
    # One unpacking at a time (two test runs of this checkout at once).
    with open(synthesis.outdir.parent / "lambda-harness.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        built = not done.exists() or done.read_text(encoding="utf-8") != runtime
        if built:
            shutil.rmtree(root, ignore_errors=True)
            _unzip_asset(synthesis.outdir, root / "task")
            _copy_runtime(root / "runtime")
            done.write_text(runtime, encoding="utf-8")
    return Build(
        root=root,
        template_path=synthesis.template_path,
        task_root=root / "task",
        runtime_dir=root / "runtime",
        built=built,
    )

"""`make vendor`: refresh the console's third-party code from npm at pinned versions.

Each package is fetched with `npm pack NAME@VERSION` into a temporary folder and only the
files the console loads (and the licence) are copied. Nothing else from npm is used.
"""

from __future__ import annotations

import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# name, pinned version, destination, {file in the package: name in the destination}
PACKAGES: tuple[tuple[str, str, Path, dict[str, str]], ...] = (
    (
        "uplot",
        "1.6.32",
        ROOT / "web" / "vendor" / "uplot",
        {
            "dist/uPlot.esm.js": "uPlot.esm.js",
            "dist/uPlot.min.css": "uPlot.min.css",
            "LICENSE": "LICENSE",
        },
    ),
    # Test-only (tests/browser): never deployed with the console.
    (
        "axe-core",
        "4.14.1",
        ROOT / "tests" / "browser" / "vendor" / "axe-core",
        {"axe.min.js": "axe.min.js", "LICENSE": "LICENSE"},
    ),
)


def fetch(name: str, version: str, into: Path) -> Path:
    out = subprocess.run(
        ["npm", "pack", f"{name}@{version}", "--silent", "--pack-destination", str(into)],
        check=True,
        capture_output=True,
        text=True,
    )
    tarball = into / out.stdout.strip().splitlines()[-1]
    with tarfile.open(tarball) as archive:
        archive.extractall(into / name, filter="data")
    return into / name / "package"


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="kg-vendor-") as tmp:
        for name, version, dest, files in PACKAGES:
            package = fetch(name, version, Path(tmp))
            if dest.exists():
                shutil.rmtree(dest)
            dest.mkdir(parents=True)
            for source, target in files.items():
                shutil.copyfile(package / source, dest / target)
            (dest / "VERSION").write_text(f"{name}@{version} (npm)\n")
            print(f"{name}@{version} -> {dest.relative_to(ROOT)}")


if __name__ == "__main__":
    main()

"""Deployment package budget: `python bench/package_size.py [--stage prod] [--json]`.

Runs `chalice package` (its Python API, with the options infra/ deploys with: no managed
IAM role, CloudFormation/SAM format) into a temporary directory and prints the zipped and
unzipped size of deployment.zip, against Lambda's 250 MB unzipped limit (exit 1 above it).
Offline as long as every dependency is available as a wheel.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import zipfile
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
LIMIT_UNZIPPED = 250 * 1024 * 1024
MB = 1024 * 1024


def measure(stage: str) -> dict[str, object]:
    os.environ.setdefault("AWS_DEFAULT_REGION", "ap-southeast-1")
    os.environ.setdefault("PIP_NO_CACHE_DIR", "1")
    from chalice import api

    with tempfile.TemporaryDirectory(prefix="kg-package-") as out:
        started = time.monotonic()
        api.package_app(
            project_dir=str(REPO),
            output_dir=out,
            stage=stage,
            chalice_config={
                "manage_iam_role": False,
                "iam_role_arn": "arn:aws:iam::000000000000:role/package-size-only",
                "autogen_policy": False,
            },
            package_format="cloudformation",
        )
        seconds = time.monotonic() - started
        deployment = Path(out) / "deployment.zip"
        with zipfile.ZipFile(deployment) as zf:
            infos = zf.infolist()
            unzipped = sum(i.file_size for i in infos)
            top: Counter[str] = Counter()
            for i in infos:
                top[i.filename.split("/", 1)[0]] += i.file_size
        return {
            "stage": stage,
            "zipped_bytes": deployment.stat().st_size,
            "unzipped_bytes": unzipped,
            "files": len(infos),
            "limit_unzipped_bytes": LIMIT_UNZIPPED,
            "within_limit": unzipped <= LIMIT_UNZIPPED,
            "largest": [[name, size] for name, size in top.most_common(10)],
            "package_seconds": round(seconds, 1),
        }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--stage", default="prod")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    result = measure(args.stage)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        zipped = int(result["zipped_bytes"])  # type: ignore[call-overload]
        unzipped = int(result["unzipped_bytes"])  # type: ignore[call-overload]
        print(f"deployment.zip ({result['files']} files, stage {result['stage']})")
        print(f"  zipped:   {zipped / MB:8.1f} MB")
        print(f"  unzipped: {unzipped / MB:8.1f} MB  (limit {LIMIT_UNZIPPED / MB:.0f} MB)")
        print("  largest top-level entries (unzipped):")
        for name, size in result["largest"]:  # type: ignore[attr-defined]
            print(f"    {size / MB:7.1f} MB  {name}")
    if not result["within_limit"]:
        print("over Lambda's 250 MB unzipped limit", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

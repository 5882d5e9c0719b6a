"""CDK app: `python -m infra.app [--stage prod] [--outdir infra/cdk.out]`.

Writes the CloudFormation template of the stage's stack (and the Lambda deployment
package as an asset) without AWS credentials or the CDK CLI. The CDK CLI runs the same
module (`cdk.json`'s "app"), passing CDK_OUTDIR. Exits non-zero when cdk-nag reports an
unsuppressed error.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path
from typing import Any

from infra.config import REPO_ROOT, load_stage

DEFAULT_OUTDIR = REPO_ROOT / "infra" / "cdk.out"


def prepare_environment(stage: str, region: str) -> None:
    """Process settings that must be in place before aws_cdk / chalicelib are imported."""
    # jsii's package cache lives in the repo (git-ignored), not in ~/.cache.
    os.environ.setdefault(
        "JSII_RUNTIME_PACKAGE_CACHE_ROOT", str(REPO_ROOT / "infra" / "cdk.out" / ".jsii-cache")
    )
    os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
    os.environ.setdefault("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "1")
    # pip (run by `chalice package`) caches nothing outside the repo.
    os.environ.setdefault("PIP_NO_CACHE_DIR", "1")
    # chalicelib reads these at import time (table schemas); chalice package needs a region.
    os.environ["STAGE"] = stage
    os.environ.setdefault("AWS_DEFAULT_REGION", region)
    os.environ.setdefault("AWS_REGION", region)


def _clean(outdir: Path) -> None:
    """Drop what an earlier synth left (packages, assets) so the outdir does not grow."""
    if not outdir.is_dir():
        return
    for entry in outdir.iterdir():
        if entry.name == "chalice.out" or entry.name.startswith("asset."):
            if entry.is_dir():
                shutil.rmtree(entry)
            else:
                entry.unlink()


def synth(stage: str, outdir: Path | None = None) -> Any:
    """Build and synthesize the stage's stack; returns the cloud assembly."""
    config = load_stage(stage)
    prepare_environment(stage, config.region)

    import aws_cdk as cdk

    from chalicelib.storage.tables import table_specs
    from infra.compliance import apply_compliance
    from infra.stacks.service import ServiceStack

    cli_outdir = os.environ.get("CDK_OUTDIR")
    target = Path(cli_outdir) if cli_outdir else (outdir or DEFAULT_OUTDIR)
    target = target.resolve()
    _clean(target)
    app = cdk.App(
        outdir=str(target),
        context={
            "@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy": True,
            "@aws-cdk/aws-iam:minimizePolicies": True,
            "@aws-cdk/core:target-partitions": ["aws"],
        },
    )
    stack = ServiceStack(app, config=config, table_specs=table_specs(), workdir=target)
    apply_compliance(stack, config)
    assembly = app.synth()
    shutil.rmtree(target / "chalice.out", ignore_errors=True)
    return assembly


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--stage", default=os.environ.get("KG_STAGE", "prod"))
    parser.add_argument("--outdir", type=Path, default=None)
    args = parser.parse_args(argv)
    assembly = synth(args.stage, args.outdir)
    errors = 0
    for artifact in assembly.stacks:
        for message in artifact.messages:
            level = str(message.level).rsplit(".", 1)[-1].lower()
            if level == "error":
                errors += 1
                print(f"ERROR {message.id}: {message.entry.data}", file=sys.stderr)
        print(f"{artifact.stack_name}: {assembly.directory}/{artifact.template_file}")
    if errors:
        print(f"{errors} unsuppressed error(s) (cdk-nag or synthesis)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

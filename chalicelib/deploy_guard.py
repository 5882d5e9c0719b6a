"""`chalice deploy` stops at once: this service deploys with the CDK (`make deploy`).

Chalice's own deployer would create the functions and the API without the tables,
buckets, key, user pool, per-function least-privilege roles, alarms and gateway
responses the stack in infra/ creates with them, and then fail obscurely at the first
missing resource (or, worse, half-work). The CDK stack packages the app with
`chalice package` itself, which stays available.
"""

from __future__ import annotations

import os
import sys

MESSAGE = (
    "Không Giấy is not deployed with `chalice deploy`: the tables, buckets, KMS key, user "
    "pool and one least-privilege role per function come from the CDK stack in infra/, "
    "which packages this app itself.\n"
    "Deploy with:  make deploy STAGE=prod   (AWS credentials, `cdk bootstrap` once; see "
    "README, Deploying to AWS).\n"
    "`chalice local` and `chalice package` keep working."
)


def refuse_chalice_deploy(argv: list[str] | None = None) -> None:
    """Exit with MESSAGE when the running program is the Chalice CLI's `deploy`
    (the CLI imports app.py before it calls AWS)."""
    argv = sys.argv if argv is None else argv
    if not argv:
        return
    program = argv[0].replace(os.sep, "/")
    is_chalice_cli = os.path.basename(program) == "chalice" or program.endswith(
        ("chalice/__main__.py", "chalice/cli/__init__.py")
    )
    if is_chalice_cli and "deploy" in argv[1:]:
        raise SystemExit(MESSAGE)

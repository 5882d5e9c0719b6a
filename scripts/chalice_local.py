"""`chalice local`, with the local gateway answering like our API Gateway.

Usage: python -m scripts.chalice_local [chalice local options...]
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHALICE_CONFIG = ROOT / ".chalice" / "config.json"


def app_environment(stage: str, base: Mapping[str, str]) -> dict[str, str]:
    """The variables the app runs with under `chalice local --stage <stage>` started with
    the environment `base`: Chalice sets .chalice/config.json's (top level, then the
    stage's) over it."""
    config = json.loads(CHALICE_CONFIG.read_text(encoding="utf-8"))
    stage_config = config.get("stages", {}).get(stage, {})
    return {
        **base,
        **config.get("environment_variables", {}),
        **stage_config.get("environment_variables", {}),
    }


def main() -> None:
    from chalice import cli

    from scripts import local_clock
    from scripts.local_gateway import install

    install()
    local_clock.install()  # the local stack's clock (LOCAL_CLOCK_FILE), when a demo moves it
    sys.argv = ["chalice", "--project-dir", str(ROOT), "local", *sys.argv[1:]]
    cli.main()


if __name__ == "__main__":
    main()

"""`chalice local`, with the local gateway answering like our API Gateway.

Usage: python -m scripts.chalice_local [chalice local options...]
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    from chalice import cli

    from scripts.local_gateway import install

    install()
    sys.argv = ["chalice", "--project-dir", str(ROOT), "local", *sys.argv[1:]]
    cli.main()


if __name__ == "__main__":
    main()

"""`python -m moto.server` with the local stack's moto patches applied."""

from __future__ import annotations

import sys


def main() -> None:
    from scripts.moto_patches import install

    install()
    from moto.server import main as moto_main

    moto_main(sys.argv[1:])


if __name__ == "__main__":
    main()

from __future__ import annotations

from collections.abc import Iterator

import pytest

from scripts.local_stack import LocalStack, free_port

SLOW_SOURCE = "e2e-slow"
SLOW_WRITE_SECONDS = 2.5


@pytest.fixture(scope="session")
def stack() -> Iterator[LocalStack]:
    """The real local stack (moto server + chalice local) on free ports, with the
    test suite's signing key and issuer."""
    import os

    env = dict(os.environ)
    env.pop("AWS_ENDPOINT_URL", None)
    # tests/e2e/test_live.py: this source's inbox writes land long after their timestamp.
    env["MOTO_SLOW_INBOX_WRITES"] = f"{SLOW_SOURCE}={SLOW_WRITE_SECONDS}"
    with LocalStack(
        moto_port=free_port(), api_port=free_port(), scheduler=False, env=env, quiet=True
    ) as running:
        yield running

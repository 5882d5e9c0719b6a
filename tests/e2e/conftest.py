from __future__ import annotations

from collections.abc import Iterator

import pytest

from scripts.local_stack import LocalStack, free_port


@pytest.fixture(scope="session")
def stack() -> Iterator[LocalStack]:
    """The real local stack (moto server + chalice local) on free ports, with the
    test suite's signing key and issuer."""
    import os

    env = dict(os.environ)
    env.pop("AWS_ENDPOINT_URL", None)
    with LocalStack(
        moto_port=free_port(), api_port=free_port(), scheduler=False, env=env, quiet=True
    ) as running:
        yield running

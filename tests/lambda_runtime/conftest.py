"""Session fixtures of the Lambda harness (see harness.py)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.infrastructure.conftest import clean_env
from tests.lambda_runtime.harness import Harness
from tests.lambda_runtime.package import build


@pytest.fixture(scope="session")
def harness() -> Iterator[Harness]:
    running = Harness(build(clean_env()), Path(os.environ["AUTH_JWKS_FILE"]))
    try:
        yield running
    finally:
        running.stop()

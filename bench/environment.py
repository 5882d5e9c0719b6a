"""The environment of an in-process bench, set before anything imports chalicelib (its
settings and Powertools read it once): moto inside the process (no endpoint, fake keys,
none of the machine's session or profile), the bench stage, Powertools quiet and without
tracing or metrics."""

from __future__ import annotations

import os


def offline(log_level: str = "ERROR", **extra: str) -> None:
    os.environ.update(
        {
            "AWS_ACCESS_KEY_ID": "bench",
            "AWS_SECRET_ACCESS_KEY": "bench",
            "AWS_DEFAULT_REGION": "ap-southeast-1",
            "AWS_REGION": "ap-southeast-1",
            "STAGE": "bench",
            "POWERTOOLS_LOG_LEVEL": log_level,
            "POWERTOOLS_TRACE_DISABLED": "true",
            "POWERTOOLS_METRICS_DISABLED": "true",
            **extra,
        }
    )
    for name in ("AWS_ENDPOINT_URL", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        os.environ.pop(name, None)

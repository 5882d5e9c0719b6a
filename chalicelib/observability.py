"""One Logger, Metrics and Tracer for the whole service, imported everywhere."""

from __future__ import annotations

import os
import threading
from typing import Any

from aws_lambda_powertools import Logger, Metrics

SERVICE = "khong-giay"
NAMESPACE = "KhongGiay"

logger = Logger(service=SERVICE)
metrics = Metrics(namespace=NAMESPACE, service=SERVICE)

_tracer: Any = None
_tracer_lock = threading.Lock()


def tracing_enabled() -> bool:
    return os.environ.get("POWERTOOLS_TRACE_DISABLED", "").lower() not in ("1", "true")


def tracer() -> Any:
    """The Powertools Tracer, created on first use: importing the X-Ray SDK costs
    more than the rest of the app together, so imports (cold start) never pay it
    and nothing pays it where tracing is disabled."""
    global _tracer  # noqa: PLW0603
    with _tracer_lock:
        if _tracer is None:
            from aws_lambda_powertools import Tracer

            _tracer = Tracer(service=SERVICE)
        return _tracer


def flush_metrics() -> None:
    """Publish the metrics of this invocation, if any (EMF lines on stdout)."""
    if metrics.metric_set:
        metrics.flush_metrics()

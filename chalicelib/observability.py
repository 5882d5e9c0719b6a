"""One Logger, Metrics and Tracer for the whole service, imported everywhere."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from aws_lambda_powertools import Logger, Metrics

SERVICE = "khong-giay"
NAMESPACE = "KhongGiay"

logger = Logger(service=SERVICE)
metrics = Metrics(namespace=NAMESPACE, service=SERVICE)

_tracer: Any = None
_tracer_lock = threading.Lock()
_cold_start = True

Annotation = str | int | float | bool


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


def take_cold_start() -> bool:
    """True for the first invocation of this execution environment, then False."""
    global _cold_start
    cold, _cold_start = _cold_start, False
    return cold


@contextmanager
def invocation_trace(name: str, annotations: Mapping[str, Annotation]) -> Iterator[None]:
    """The subsegment `## <name>` around one invocation, as Powertools'
    `capture_lambda_handler` opens it, carrying `ColdStart`, `Service` and `annotations`.

    In Lambda the current X-Ray entity outside a subsegment is the facade segment Lambda
    owns, which refuses annotations and metadata (FacadeSegmentMutationException), so
    every annotation goes on this subsegment. Without tracing it only marks cold starts
    in the logs."""
    cold = take_cold_start()
    logger.append_keys(cold_start=cold)
    if not tracing_enabled():
        yield
        return
    with tracer().provider.in_subsegment(name=f"## {name}") as subsegment:
        subsegment.put_annotation("ColdStart", cold)
        subsegment.put_annotation("Service", SERVICE)
        for key, value in annotations.items():
            subsegment.put_annotation(key, value)
        yield


@contextmanager
def event_invocation(context: Any, event: Mapping[str, Any]) -> Iterator[None]:
    """The boundary of one invocation by an event (a schedule, an S3 object created):
    its logging context, trace subsegment and metrics.

    Applied in each handler, not as app middleware: a function's handler string names its
    blueprint module (`chalicelib.jobs.schedules.aggregate_kpi`), so in Lambda `app.py`
    is never imported and middleware registered there never runs (aws/chalice#1566)."""
    function_name = str(getattr(context, "function_name", "") or "function")
    lambda_request_id = getattr(context, "aws_request_id", None)
    # An EventBridge event's id ties the logs to the event (a retry keeps it).
    logger.set_correlation_id(str(event.get("id") or lambda_request_id or ""))
    logger.append_keys(lambda_request_id=lambda_request_id, function=function_name)
    try:
        with invocation_trace(function_name, {"event_type": _event_type(event)}):
            yield
    finally:
        flush_metrics()
        logger.remove_keys(["lambda_request_id", "function", "cold_start"])
        logger.set_correlation_id(None)


def invocation_id() -> str | None:
    """The identity of the invocation running now, which Lambda's retries of it keep (an
    EventBridge event's id, else Lambda's request id; an API request's id), or None."""
    found = logger.get_correlation_id()
    return str(found) if found else None


def _event_type(event: Mapping[str, Any]) -> str:
    """EventBridge's detail-type ("Scheduled Event", "Object Created") or the source of
    the records ("aws:dynamodb")."""
    records = event.get("Records") or [{}]
    return str(event.get("detail-type") or records[0].get("eventSource") or "")


def flush_metrics() -> None:
    """Publish the metrics of this invocation, if any (EMF lines on stdout)."""
    if metrics.metric_set:
        metrics.flush_metrics()

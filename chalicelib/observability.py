"""One Logger, Metrics and Tracer for the whole service, imported everywhere."""

from __future__ import annotations

from aws_lambda_powertools import Logger, Metrics, Tracer

SERVICE = "khong-giay"
NAMESPACE = "KhongGiay"

logger = Logger(service=SERVICE)
metrics = Metrics(namespace=NAMESPACE, service=SERVICE)
# Tracer only imports the X-Ray SDK when tracing is enabled (in Lambda).
tracer = Tracer(service=SERVICE)


def flush_metrics() -> None:
    """Publish the metrics of this invocation, if any (EMF lines on stdout)."""
    if metrics.metric_set:
        metrics.flush_metrics()

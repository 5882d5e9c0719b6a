"""The metrics the alarms watch (infra/stacks/monitoring.py) are the ones the app emits:
same namespace, same name, and exactly the alarm's dimensions (CloudWatch matches a metric
by its whole dimension set, so one dimension more or less and the alarm never fires)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.factories import PROVINCE, load_registry


def _emf(text: str) -> list[dict[str, Any]]:
    """Each EMF document printed: {namespace, name, dimensions, value}."""
    found = []
    for line in text.splitlines():
        if not line.startswith("{") or "_aws" not in line:
            continue
        doc = json.loads(line)
        for directive in doc["_aws"]["CloudWatchMetrics"]:
            (dimension_set,) = directive["Dimensions"]
            for metric in directive["Metrics"]:
                found.append(
                    {
                        "namespace": directive["Namespace"],
                        "name": metric["Name"],
                        "dimensions": {d: doc[d] for d in dimension_set},
                        "value": doc[metric["Name"]],
                    }
                )
    return found


@pytest.fixture
def emitting(monkeypatch):
    """Metrics on, as in Lambda (the suite turns them off)."""
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "false")


def _watched() -> tuple[str, dict[str, str]]:
    from infra.config import load_stage
    from infra.stacks.monitoring import METRIC_NAMESPACE

    dims = dict(load_stage("prod").silent_sources_dimensions)
    return METRIC_NAMESPACE, dims


def test_silent_sources_is_emitted_as_the_alarm_watches_it(api, emitting, capsys):
    from chalicelib.observability import flush_metrics
    from chalicelib.services import aggregation
    from infra.stacks.monitoring import SILENT_SOURCES_METRIC

    load_registry(api)
    assert (
        api.post(
            "/admin/sources", {"source_id": "quiet", "name": "Im lặng", "units": [PROVINCE]}
        ).status_code
        == 201
    )
    capsys.readouterr()
    assert aggregation.report_silence(24) == ["quiet"]
    flush_metrics()
    emitted = _emf(capsys.readouterr().out)
    namespace, dims = _watched()
    watched = [m for m in emitted if m["name"] == SILENT_SOURCES_METRIC]
    assert watched == [
        {"namespace": namespace, "name": SILENT_SOURCES_METRIC, "dimensions": dims, "value": [1.0]}
    ], emitted

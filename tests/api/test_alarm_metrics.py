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


def test_hub_unreachable_minutes_is_emitted_as_the_alarm_watches_it(
    api, emitting, capsys, clock_at
):
    """The hub alarm (infra: HubUnreachable, Maximum >= 60) watches the metric with the
    service's dimension only; the connector emits it per source and once without one."""
    import datetime as dt
    import time

    from chalicelib import clock
    from chalicelib.services import hub_pull
    from chalicelib.storage import sources as source_store
    from infra.stacks.monitoring import HUB_UNREACHABLE_METRIC, HUB_UNREACHABLE_MINUTES
    from scripts import fake_hub
    from scripts.fake_hub import FakeHub

    load_registry(api)
    start = clock.now()
    with FakeHub([]) as hub:
        created = api.post(
            "/admin/sources",
            {
                "source_id": "lgsp",
                "name": "Trục LGSP tỉnh",
                "units": [PROVINCE],
                "kind": "hub",
                "hub": {
                    "base_url": hub.url,
                    "system_id": fake_hub.SYSTEM_ID,
                    "secret": "wrong",
                    "pull_from": start.date().isoformat(),
                },
            },
        )
        assert created.status_code == 201, created.body
        source = source_store.get_source("lgsp")
        assert hub_pull.pull_hub(source, deadline=time.monotonic() + 30).fault
        # An hour and a half of refused credentials later.
        clock_at(start + dt.timedelta(minutes=90))
        capsys.readouterr()
        run = hub_pull.pull_hub(source, deadline=time.monotonic() + 30, force=True)
        assert run.fault and run.fault.startswith("credentials")
    emitted = _emf(capsys.readouterr().out)
    namespace, dims = _watched()
    watched = [
        m for m in emitted if m["name"] == HUB_UNREACHABLE_METRIC and m["dimensions"] == dims
    ]
    assert len(watched) == 1, emitted
    assert watched[0]["namespace"] == namespace
    ((minutes,),) = [m["value"] for m in watched]
    assert 89 < minutes <= 90, watched  # since the first refusal
    assert minutes >= HUB_UNREACHABLE_MINUTES  # the alarm fires on what was emitted
    # And per source, for the dashboard (a dimension more: not what the alarm reads).
    assert any(
        m["name"] == HUB_UNREACHABLE_METRIC and m["dimensions"] == {**dims, "source_id": "lgsp"}
        for m in emitted
    ), emitted


def test_every_app_metric_an_alarm_watches_is_asserted_here():
    """An alarm on a metric of the app's namespace must have its emission asserted above:
    a metric renamed in the app (or a new alarm) fails here, not silently in AWS."""
    import re
    from pathlib import Path

    from infra.stacks import monitoring

    source = Path(monitoring.__file__).read_text(encoding="utf-8")
    watched = {
        getattr(monitoring, name)
        for name in re.findall(
            r"namespace=METRIC_NAMESPACE,\s*metric_name=(\w+)", source, flags=re.S
        )
    }
    # The two tests above, one per metric.
    asserted = {monitoring.SILENT_SOURCES_METRIC, monitoring.HUB_UNREACHABLE_METRIC}
    assert watched == asserted, watched

"""Each function of the template, invoked as Lambda invokes it, cold then warm, with a
sampled trace: it answers, and its subsegment carries ColdStart, Service and no error.
The TOKEN authorizer's policy and context are read back as API Gateway reads them."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.conftest import TokenFactory
from tests.lambda_runtime.gateway import _allows
from tests.lambda_runtime.harness import Harness, object_created_event, scheduled_event


def _events(harness: Harness) -> dict[str, Any]:
    """An event of the shape AWS sends, for every function that is not behind the API."""
    events: dict[str, Any] = {}
    for schedule in harness.stack.schedules():
        events[schedule.function] = scheduled_event(
            schedule.rule_name, harness.functions[schedule.function]
        )
    for rule in harness.stack.object_created_rules():
        # An object outside the verified prefix: nothing to verify, nothing to fail.
        bucket = harness.resolver.resolve(rule.bucket)
        events[rule.function] = object_created_event(rule.rule_name, bucket, "other/x.pdf", 1)
    return events


def test_every_event_driven_function_answers_and_is_traced_cold_then_warm(
    harness: Harness,
) -> None:
    events = _events(harness)
    scheduled = {s.function for s in harness.stack.schedules()}
    assert len(events) >= 4, "expected the three scheduled jobs and the upload verifier"
    for logical_id, event in events.items():
        function = harness.functions[logical_id]
        for cold in (True, False):
            result = harness.invoke(logical_id, event, fresh=cold)
            assert result.ok, (function.name, result.payload, result.logs[-20:])
            assert result.cold is cold
            segment = harness.xray.wait_for(result.trace_root, f"## {function.name}")
            annotations = segment["annotations"]
            assert annotations["ColdStart"] is cold, (function.name, annotations)
            assert annotations["Service"] == "khong-giay"
            assert annotations["event_type"] == event["detail-type"]
            assert "fault" not in segment and "error" not in segment, segment
            if logical_id in scheduled and event["detail-type"] == "Scheduled Event":
                # Each job logs its run (VerifyUploads is sent its S3 event here: its
                # schedule, the expiry sweep, runs the same job), with the event's id as the correlation id.
                lines = [json.loads(line) for line in result.logs if line.startswith("{")]
                assert any(
                    line.get("correlation_id") == event["id"] and line.get("cold_start") is cold
                    for line in lines
                ), (function.name, result.logs)


@pytest.fixture
def authorizer(harness: Harness) -> str:
    (route, _) = harness.stack.route("GET", "/units")
    assert route.authorizer is not None
    return route.authorizer


def test_the_authorizer_allows_every_route_for_the_cached_policy(
    harness: Harness, make_token: TokenFactory, authorizer: str
) -> None:
    token = make_token(
        "unit_officer",
        "000.00.31.H34",
        sub="officer-1",
        issuer=harness.issuer,
        audience=harness.audience,
    )
    event = {
        "type": "TOKEN",
        "authorizationToken": f"Bearer {token}",
        "methodArn": harness.gateway.method_arn("GET", "/units"),
    }
    for cold in (True, False):
        result = harness.invoke(authorizer, event, fresh=cold)
        assert result.ok, result.payload
        output = result.payload
        assert output["principalId"] == "officer-1"
        assert output["context"] == {
            "sub": "officer-1",
            "role": "unit_officer",
            "unit_id": "000.00.31.H34",
        }
        # API Gateway caches the policy per token (TTL 300 s) and applies it to every
        # route the token is then used on: it must allow them all.
        for route in harness.stack.routes():
            if route.authorizer is not None:
                path = route.path.replace("{", "x").replace("}", "")
                assert _allows(
                    output["policyDocument"], harness.gateway.method_arn(route.method, path)
                )
        segment = harness.xray.wait_for(
            result.trace_root, f"## {harness.functions[authorizer].name}"
        )
        assert segment["annotations"]["ColdStart"] is cold


@pytest.mark.parametrize(
    "header",
    ["Bearer not-a-jwt", "not-even-bearer", "Bearer "],
)
def test_the_authorizer_refuses_with_unauthorized(
    harness: Harness, authorizer: str, header: str
) -> None:
    event = {
        "type": "TOKEN",
        "authorizationToken": header,
        "methodArn": harness.gateway.method_arn("GET", "/units"),
    }
    result = harness.invoke(authorizer, event)
    # The exact message API Gateway turns into a 401 (anything else is a 500).
    assert not result.ok
    assert result.payload["errorMessage"] == "Unauthorized", result.payload

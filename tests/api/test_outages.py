"""A failing dependency is a 503 with Retry-After and a logged error, never a default.

Faults are armed through the storage seam (chalicelib/storage/outages.py): the next AWS
calls answer as a throttled or failing DynamoDB would, after botocore's retries."""

from __future__ import annotations

import io
import json
import logging

from tests.conftest import body
from tests.factories import DEPARTMENT, load_registry


def _logged(call):
    from chalicelib.observability import logger

    stream = io.StringIO()
    handler = logger.registered_handler
    previous = handler.setStream(stream)
    try:
        result = call()
    finally:
        handler.setStream(previous)
    return result, [json.loads(line) for line in stream.getvalue().splitlines()]


def test_a_campaign_read_that_fails_is_a_503_not_the_default_targets(api):
    """The KPI of a unit without `campaign_id` reads the current campaign; when that read
    fails, the answer is 503, not figures judged against the default targets."""
    from chalicelib.storage import outages

    load_registry(api)  # a write: the container reads the campaigns again
    outages.inject("Scan", table="campaigns")
    response, logs = _logged(lambda: api.get(f"/units/{DEPARTMENT}/kpi"))
    assert response.status_code == 503, response.body
    assert int(response.headers["Retry-After"]) >= 1
    error = body(response)["error"]
    assert error["code"] == "unavailable"
    assert "ProvisionedThroughput" not in error["message"]  # no AWS detail for the client
    assert any(
        line["level"] == "ERROR" and line["message"] == "dependency unavailable" for line in logs
    ), logs
    outages.clear()
    ok = api.get(f"/units/{DEPARTMENT}/kpi")
    assert ok.status_code == 200, ok.body


def test_a_server_error_and_a_lost_connection_are_unavailable_too(api):
    from chalicelib.storage import outages

    load_registry(api)
    outages.inject("Scan", table="campaigns", code="InternalServerError", status=500, times=1)
    assert api.get("/campaigns").status_code == 503
    assert api.get("/campaigns").status_code == 200  # the fault was armed once


def test_a_refusal_that_is_not_an_outage_stays_what_it_is(api):
    """A validation error from DynamoDB is a bug, not an outage: a 500, not a 503."""
    from chalicelib.storage import outages

    load_registry(api)
    outages.inject("Scan", table="campaigns", code="ValidationException")
    logging.disable(logging.CRITICAL)
    try:
        response = api.get("/campaigns")
    finally:
        logging.disable(logging.NOTSET)
    assert response.status_code == 500

"""Exemption is a property of the document and leaves no trace (issue 13, item 1).

A random province scenario (120 documents, some secret with the marking on a few of their
events only) is delivered in random order with redeliveries and aggregation runs at random
points; then every item of every table and every version of every object holds no number
of an exempt document, and every unit's KPIs equal a recomputation from the events.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from zoneinfo import ZoneInfo

import pytest

from chalicelib import clock
from tests.conftest import body
from tests.factories import OFFICIALS, UNITS, load_registry
from tests.scenario import ACTING_UNITS, build, delivery_plan
from tests.storage_scan import dynamodb_text, find, s3_text
from tests.webhooks import deliver, event

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
SOURCE = "eoffice-1"


@pytest.fixture
def source(api):
    load_registry(api)
    r = api.post(
        "/admin/sources",
        {"source_id": SOURCE, "name": "Hệ thống QLVB tỉnh", "units": [UNITS[0]["unit_id"]]},
    )
    assert r.status_code == 201, r.body
    return SOURCE, body(r)["secret"]


def _aggregate() -> dict:
    from chalicelib.services.aggregation import run_aggregation

    while True:
        result = run_aggregation(deadline=time.monotonic() + 60)
        if result.get("done"):
            return result


def _storage() -> tuple[dict[str, str], dict[str, str]]:
    from chalicelib.storage.aws import client

    return dynamodb_text(client("dynamodb")), s3_text(client("s3"))


def _reference(events, unit, start, end):
    from tests.kpi_reference import reference_unit_metrics

    return reference_unit_metrics(
        [dict(e, source_id=SOURCE) for e in events],
        unit_id=unit,
        start=start,
        end=end,
        tz=ZONE,
        unit_levels={u["unit_id"]: u["level"] for u in UNITS},
        active_official_ids=[
            o["official_id"] for o in OFFICIALS if o["unit_id"] == unit and o["active"]
        ],
    )


@pytest.mark.parametrize("seed", [2026])
def test_random_delivery_leaves_no_number_of_an_exempt_document(api, source, seed):
    sid, secret = source
    scenario = build(seed)
    assert len(scenario.exempt_numbers) >= 8  # the scenario has secrets to keep
    rng = random.Random(seed)
    for batch in delivery_plan(scenario, seed):
        r = deliver(api, sid, secret, batch)
        assert r.status_code == 202, (r.status_code, r.body)
        if rng.random() < 0.1:
            _aggregate()  # runs at random points: markings arrive before and after them
    _aggregate()

    tables, objects = _storage()
    assert find(tables, scenario.exempt_numbers) == []
    assert find(objects, scenario.exempt_numbers) == []
    # The scan does read what is stored: ordinary numbers are there, in the inbox and archive.
    found = find(tables, scenario.clear_numbers)
    assert {i for _, i in found} == set(scenario.clear_numbers)
    assert {i for _, i in find(objects, scenario.clear_numbers)} == set(scenario.clear_numbers)

    # Exempt counts and corrected rates: the figures equal a recomputation from the events.
    for unit in ACTING_UNITS:
        r = api.get(f"/units/{unit}/kpi?from={scenario.first_day}&to={scenario.last_day}")
        assert r.status_code == 200, r.body
        assert body(r)["metrics"] == _reference(
            scenario.events, unit, scenario.first_day, scenario.last_day
        ), unit

    # A legitimate redelivery of any event after redaction is a duplicate, never a 409.
    again = rng.sample(scenario.events, 40)
    r = deliver(api, sid, secret, again)
    assert (r.status_code, body(r)) == (202, {"accepted": 0, "duplicates": 40})


def test_marking_after_clear_events_redacts_them_at_the_next_run(api, source, clock_at):
    sid, secret = source
    clear = [
        event("c1", "document.registered", doc="d-late", document={"number": "77/MAT-LATE"}),
        event("c2", doc="d-late", document={"number": "77/MAT-LATE", "pages": 9}),
        event("c3", "document.printed", doc="d-late", pages=4),
    ]
    assert deliver(api, sid, secret, clear).status_code == 202
    _aggregate()
    from chalicelib.domain.daily_counters import EXEMPT_TOTAL

    m = body(api.get("/units/000.00.31.H34/kpi?from=2025-07-01&to=2025-07-31"))["metrics"]
    assert (m["processed_total"], m["paper_pages"], m[EXEMPT_TOTAL]) == (1, 4, 0)
    tables, objects = _storage()
    assert find(tables, {"d": "77/MAT-LATE"}) and find(objects, {"d": "77/MAT-LATE"})

    marking = event(
        "c4", "document.signed", doc="d-late", document={"security": "mat", "number": "77/MAT-LATE"}
    )
    assert deliver(api, sid, secret, [marking]).status_code == 202
    # From the marker on, a redelivery of an earlier clear event is a duplicate (not a 409),
    # before and after the redaction pass.
    r = deliver(api, sid, secret, clear[:1])
    assert (r.status_code, body(r)) == (202, {"accepted": 0, "duplicates": 1})
    summary = _aggregate()
    assert summary["redaction"]["documents"] == 1
    tables, objects = _storage()
    assert find(tables, {"d": "77/MAT-LATE"}) == []
    assert find(objects, {"d": "77/MAT-LATE"}) == []
    m = body(api.get("/units/000.00.31.H34/kpi?from=2025-07-01&to=2025-07-31"))["metrics"]
    assert (m["processed_total"], m["paper_pages"], m[EXEMPT_TOTAL]) == (0, 0, 1)
    r = deliver(api, sid, secret, clear)
    assert (r.status_code, body(r)) == (202, {"accepted": 0, "duplicates": 3})
    # A changed payload under a used id is still refused.
    changed = event("c2", doc="d-late", channel="paper", document={"number": "77/MAT-LATE"})
    assert deliver(api, sid, secret, [changed]).status_code == 409
    assert summary["redaction"]["settled"] == 0
    # Within the settle window (REDACTION_SETTLE_SECONDS, 60 s by default) a request that
    # read no marker may still be storing clear data: the next pass redacts it again.
    again = _aggregate()["redaction"]
    assert (again["documents"], again["settled"]) == (1, 0)
    # Past the window the marker is settled, and the pass after has nothing left to do.
    clock_at(clock.now() + dt.timedelta(seconds=61), ticking=True)
    past = _aggregate()["redaction"]
    assert (past["documents"], past["settled"]) == (1, 1)
    assert _aggregate()["redaction"]["documents"] == 0


def test_redaction_pass_is_safe_to_repeat_and_to_race(api, source):
    """Two passes at once: one holds the lease, the other returns; a pass repeated on a
    redacted document changes nothing."""
    from chalicelib.services import exemption
    from chalicelib.storage import jobs

    sid, secret = source
    clear = event("r1", doc="d-race", document={"number": "88/RACE"})
    assert deliver(api, sid, secret, [clear]).status_code == 202
    marking = event("r2", "document.registered", doc="d-race", document={"security": "mat"})
    assert deliver(api, sid, secret, [marking]).status_code == 202
    # The stream consumer folds the events: the fold notes where each document's events
    # are, which the pass follows (issue 23).
    from chalicelib.services import aggregation
    from chalicelib.storage import events as event_store

    aggregation.fold(list(event_store.inbox_get(list(event_store.pending_items())).values()))
    assert jobs.acquire_lease(exemption.JOB, "someone-else", 60)
    assert "skipped" in exemption.redact_pending(time.monotonic() + 30)
    jobs.release_lease(exemption.JOB, "someone-else")
    first = exemption.redact_pending(time.monotonic() + 30)
    assert (first["documents"], first["inbox_items"], first["archive_objects"]) == (1, 1, 1)
    counts = exemption.redact_document(f"{sid}#d-race")
    assert counts == {"inbox_items": 0, "archive_objects": 0, "trail": 0}
    tables, objects = _storage()
    assert find(tables, {"d": "88/RACE"}) == [] and find(objects, {"d": "88/RACE"}) == []

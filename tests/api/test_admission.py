"""What a delivery may claim (issue 13, items 2, 3 and 6): source scopes, events that
cannot be true, and the webhook tolerance as configured."""

from __future__ import annotations

import datetime as dt

import pytest

from chalicelib import clock
from tests.conftest import body
from tests.factories import (
    COMMUNE,
    DEPARTMENT,
    DIVISION,
    OTHER_DEPARTMENT,
    PROVINCE,
    load_registry,
)
from tests.webhooks import deliver, event

OTHER_COMMUNE = "000.00.72.H34"


def _inbox() -> list[str]:
    import json
    import zlib

    from chalicelib.storage.models import InboxModel

    return sorted(
        e["event_id"]
        for item in InboxModel.scan()
        for e in json.loads(zlib.decompress(item.events))
    )


def _source(api, units: list[str], source_id: str = "eo-snv") -> tuple[str, str]:
    r = api.post("/admin/sources", {"source_id": source_id, "name": "QLVB Sở", "units": units})
    assert r.status_code == 201, r.body
    assert body(r)["units"] == units
    return source_id, body(r)["secret"]


@pytest.fixture
def department_source(api):
    load_registry(api)
    return _source(api, [DEPARTMENT])


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.timezone(dt.timedelta(hours=7))).isoformat(timespec="seconds")


# --- scopes -------------------------------------------------------------------------------------


def test_a_source_speaks_for_its_units_and_those_below(api, department_source):
    sid, secret = department_source
    r = deliver(
        api,
        sid,
        secret,
        [event("e1"), event("e2", unit=DIVISION, doc="d-2", actor_official_id="cb-003")],
    )
    assert r.status_code == 202, r.body
    assert _inbox() == ["e1", "e2"]


@pytest.mark.parametrize("outsider", [OTHER_DEPARTMENT, PROVINCE, COMMUNE])
def test_an_event_outside_the_scope_refuses_the_whole_delivery(api, department_source, outsider):
    sid, secret = department_source
    r = deliver(
        api,
        sid,
        secret,
        [event("e1"), event("e2", "document.issued", unit=outsider, doc="d-9")],
    )
    assert r.status_code == 403, r.body
    error = body(r)["error"]
    assert error["code"] == "outside_scope"
    assert error["details"] == [{"unit_id": outsider}]
    assert outsider in error["message"] and DEPARTMENT in error["message"]
    assert _inbox() == []


def test_counterparts_stay_free(api, department_source):
    sid, secret = department_source
    r = deliver(
        api,
        sid,
        secret,
        [
            event("e1", "document.sent", to_unit_id=OTHER_COMMUNE),
            event("e2", "document.received", from_unit_id=OTHER_DEPARTMENT),
            event("e3", "document.sent", to_unit_id="000.00.00.G01"),  # a ministry
        ],
    )
    assert r.status_code == 202, r.body


def test_the_province_unit_covers_the_whole_province(api):
    load_registry(api)
    sid, secret = _source(api, [PROVINCE], "eo-province")
    events = [
        event(f"e-{unit}", "document.issued", unit=unit, doc=unit)
        for unit in (PROVINCE, DEPARTMENT, DIVISION, OTHER_DEPARTMENT, COMMUNE, OTHER_COMMUNE)
    ]
    assert deliver(api, sid, secret, events).status_code == 202


def test_patch_changes_the_scope_and_the_name(api, department_source):
    sid, secret = department_source
    outside = [event("e1", "document.issued", unit=COMMUNE)]
    assert deliver(api, sid, secret, outside).status_code == 403
    r = api.patch(f"/admin/sources/{sid}", {"units": [DEPARTMENT, COMMUNE]})
    assert r.status_code == 200, r.body
    assert body(r)["units"] == [DEPARTMENT, COMMUNE]
    assert body(r)["name"] == "QLVB Sở"
    assert deliver(api, sid, secret, outside).status_code == 202
    r = api.patch(f"/admin/sources/{sid}", {"name": "QLVB Sở Nội vụ"})
    assert (body(r)["name"], body(r)["units"]) == ("QLVB Sở Nội vụ", [DEPARTMENT, COMMUNE])
    listed = body(api.get("/admin/sources"))["items"]
    assert [(s["source_id"], s["units"]) for s in listed] == [(sid, [DEPARTMENT, COMMUNE])]
    # Narrowing takes effect at once.
    assert api.patch(f"/admin/sources/{sid}", {"units": [DIVISION]}).status_code == 200
    r = deliver(api, sid, secret, [event("e2")])
    assert (r.status_code, body(r)["error"]["details"]) == (403, [{"unit_id": DEPARTMENT}])


@pytest.mark.parametrize(
    ("payload", "status", "field"),
    [
        ({}, 400, "(body)"),
        ({"units": []}, 400, "units"),
        ({"units": [DEPARTMENT, DEPARTMENT]}, 400, "units"),
        ({"units": ["bad unit"]}, 400, "units.0"),
        ({"units": [DEPARTMENT, "ghost"]}, 422, "units.1"),
        ({"name": ""}, 400, "name"),
        ({"secret": "x"}, 400, "secret"),
    ],
)
def test_patch_refuses_what_is_not_a_scope(api, department_source, payload, status, field):
    sid, _ = department_source
    r = api.patch(f"/admin/sources/{sid}", payload)
    assert r.status_code == status, r.body
    assert field in [d["field"] for d in body(r)["error"]["details"]]


def test_patch_of_an_unknown_source_is_404_and_needs_the_admin(api, department_source, make_token):
    assert api.patch("/admin/sources/nobody", {"name": "x"}).status_code == 404
    officer = make_token("unit_officer", DEPARTMENT)
    sid, _ = department_source
    assert api.patch(f"/admin/sources/{sid}", {"name": "x"}, token=officer).status_code == 403


@pytest.mark.parametrize(
    ("payload", "status", "field"),
    [
        ({"source_id": "s", "name": "n"}, 400, "units"),
        ({"source_id": "s", "name": "n", "units": []}, 400, "units"),
        ({"source_id": "s", "name": "n", "units": [PROVINCE, "ghost"]}, 422, "units.1"),
    ],
)
def test_a_new_source_needs_units_of_the_registry(api, payload, status, field):
    load_registry(api)
    r = api.post("/admin/sources", payload)
    assert r.status_code == status, r.body
    assert field in [d["field"] for d in body(r)["error"]["details"]]
    assert body(api.get("/admin/sources"))["items"] == []


# --- events that cannot be true -------------------------------------------------------------------


@pytest.fixture
def province_source(api):
    load_registry(api)
    return _source(api, [PROVINCE], "eo-province")


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        (event("x", actor_official_id="cb-999"), "actor_official_id"),
        (event("x", "document.signed", signer_official_id="cb-999"), "signer_official_id"),
        # cb-004 is of a commune, cb-003 of a division below the department.
        (event("x", actor_official_id="cb-004"), "actor_official_id"),
        (event("x", "document.signed", signer_official_id="cb-003"), "signer_official_id"),
        (event("x", "official.evaluated", official_id="cb-999"), "official_id"),
        (event("x", "official.evaluated", official_id="cb-004"), "official_id"),
        # The official of the parent department is not of the division's own staff.
        (event("x", "official.evaluated", unit=DIVISION, official_id="cb-001"), "official_id"),
        (event("x", at="2099-01-01T00:00:00+07:00"), "occurred_at"),
        (
            event("x", "official.evaluated", at="2025-07-31T20:00:00+07:00", period="2025-08"),
            "period",
        ),
    ],
)
def test_an_event_that_cannot_be_true_is_422_naming_index_and_field(
    api, province_source, bad, field
):
    sid, secret = province_source
    r = deliver(api, sid, secret, [event("ok-1"), bad])
    assert r.status_code == 422, r.body
    error = body(r)["error"]
    assert [(d["index"], d["field"]) for d in error["details"]] == [(1, field)]
    assert _inbox() == []


def test_what_may_be_true_is_accepted(api, province_source):
    sid, secret = province_source
    r = deliver(
        api,
        sid,
        secret,
        [
            # The department's director acts and signs for its division (a unit below).
            event("e1", unit=DIVISION, doc="d-2", actor_official_id="cb-001"),
            event("e2", "document.signed", unit=DIVISION, doc="d-2", signer_official_id="cb-002"),
            # An inactive official is still in the registry.
            event("e3", unit=COMMUNE, doc="d-3", actor_official_id="cb-005"),
            # 2025-08-01 08:00 local (UTC+7) is in August: an August period is not later.
            event("e4", "official.evaluated", at="2025-07-31T20:00:00-05:00", period="2025-08"),
            event("e5", "official.evaluated", at="2025-08-02T09:00:00+07:00", period="2025-07"),
        ],
    )
    assert r.status_code == 202, r.body


@pytest.mark.parametrize("tolerance", [30, 600])
def test_the_future_is_now_plus_the_tolerance(api, province_source, setting, tolerance):
    setting("WEBHOOK_TOLERANCE_SECONDS", tolerance)
    sid, secret = province_source
    now = clock.now()
    soon = _iso(now + dt.timedelta(seconds=tolerance - 10))
    assert deliver(api, sid, secret, [event("e1", at=soon)]).status_code == 202
    late = _iso(now + dt.timedelta(seconds=tolerance + 10))
    r = deliver(api, sid, secret, [event("e2", at=late)])
    assert r.status_code == 422, r.body
    assert f"{tolerance} s" in body(r)["error"]["details"][0]["message"]


def test_events_older_than_event_max_age_days_are_refused(api, province_source):
    """At the default (400 days): the suite runs on its campaign's clock, not a widened limit."""
    sid, secret = province_source
    now = clock.now()
    old = _iso(now - dt.timedelta(days=400, minutes=5))
    r = deliver(api, sid, secret, [event("e1", at=old)])
    assert r.status_code == 422, r.body
    assert body(r)["error"]["details"][0]["field"] == "occurred_at"
    assert "400 days" in body(r)["error"]["details"][0]["message"]
    recent = _iso(now - dt.timedelta(days=399))
    assert deliver(api, sid, secret, [event("e2", at=recent)]).status_code == 202


def test_an_evaluation_in_2099_cannot_win_forever(api, province_source):
    """The issue's attack: the latest occurred_at wins, so a far-future evaluation would
    override every real one. It is refused, and the real one stays the latest."""
    sid, secret = province_source
    real = event("real", "official.evaluated", score=55)
    assert deliver(api, sid, secret, [real]).status_code == 202
    forged = event("forged", "official.evaluated", at="2099-07-20T09:00:00+07:00", score=100)
    assert deliver(api, sid, secret, [forged]).status_code == 422
    assert _inbox() == ["real"]

"""On-demand reports within bounds (issue 13, item 7): equal figures give back the latest
ready version (200); at most REPORTS_PER_HOUR generations per user, then 429 with
Retry-After."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib import clock
from chalicelib.domain.quotas import admit
from tests.conftest import body
from tests.factories import CAMPAIGN, DEPARTMENT, PROVINCE, load_registry
from tests.webhooks import deliver, event

CAMPAIGN_ID = CAMPAIGN["campaign_id"]


@pytest.fixture
def source(api):
    load_registry(api)
    created = api.post("/admin/sources", {"source_id": "eo", "name": "QLVB", "units": [PROVINCE]})
    return "eo", body(created)["secret"]


def _aggregate(api) -> None:
    assert api.post("/admin/jobs/aggregate_kpi").status_code == 202


def _report(api, token: str = "admin", **fields):
    return api.post("/admin/reports", {"campaign_id": CAMPAIGN_ID, **fields}, token=token)


def _versions() -> int:
    from chalicelib.storage.models import ReportModel

    return sum(1 for _ in ReportModel.scan())


def test_equal_figures_return_the_latest_ready_version(api, source):
    sid, secret = source
    deliver(api, sid, secret, [event("p1", doc="d1")])
    _aggregate(api)
    first = _report(api)
    assert first.status_code == 201, first.body
    again = _report(api)
    assert again.status_code == 200, again.body
    assert body(again) == body(first)
    assert _versions() == 1
    # Another scope or language is another report; new figures make a new version.
    assert _report(api, scope=DEPARTMENT).status_code == 201
    english = _report(api, lang="en")
    assert (english.status_code, body(english)["version"]) == (201, 2)
    # The latest ready version in Vietnamese is still v1, with the same figures.
    assert (_report(api).status_code, body(_report(api))["version"]) == (200, 1)
    deliver(api, sid, secret, [event("p2", doc="d2", channel="paper")])
    _aggregate(api)
    newer = _report(api)
    assert (newer.status_code, body(newer)["version"]) == (201, 3)
    assert _report(api).status_code == 200
    assert _versions() == 4


def test_at_most_reports_per_hour_generations_per_user(api, source, setting):
    setting("REPORTS_PER_HOUR", 3)
    sid, secret = source
    for n in range(3):
        deliver(api, sid, secret, [event(f"p{n}", doc=f"d{n}")])
        _aggregate(api)
        assert _report(api).status_code == 201
    assert _report(api).status_code == 200  # unchanged figures: no generation, no slot used
    deliver(api, sid, secret, [event("p9", doc="d9")])
    _aggregate(api)
    refused = _report(api)
    assert refused.status_code == 429, refused.body
    retry_after = int(refused.headers["Retry-After"])
    assert 3500 <= retry_after <= 3600
    error = body(refused)["error"]
    assert error["code"] == "too_many_requests"
    assert "3 report generations" in error["message"]
    assert _versions() == 3
    # The quota is per user: another admin still generates.
    other = api.make_token("province_admin", sub="admin-2")
    assert _report(api, token=other).status_code == 201


def test_the_window_slides(api, source, setting, clock_at):
    """An hour after the first generation, one more is allowed."""
    setting("REPORTS_PER_HOUR", 1)
    sid, secret = source
    start = clock.now().replace(microsecond=0)
    clock_at(start)
    deliver(api, sid, secret, [event("p1", doc="d1")])
    _aggregate(api)
    assert _report(api).status_code == 201
    clock_at(start + dt.timedelta(seconds=1800))
    deliver(api, sid, secret, [event("p2", doc="d2")])
    _aggregate(api)
    r = _report(api)
    assert (r.status_code, r.headers["Retry-After"]) == (429, "1800")
    clock_at(start + dt.timedelta(seconds=3600))
    assert _report(api).status_code == 201


def test_the_quota_table_expires_its_items():
    from chalicelib.storage.tables import table_specs

    spec = next(s for s in table_specs() if s["logical_name"] == "quotas")
    assert spec["ttl_attribute"] == "expires_at"


@given(
    gaps=st.lists(st.floats(min_value=0, max_value=2000, allow_nan=False), max_size=40),
    limit=st.integers(1, 6),
)
def test_no_window_ever_holds_more_than_the_limit(gaps, limit):
    """Property: whatever the arrival times, admitted requests never exceed `limit` in any
    window, a refusal happens only when `limit` already lie in the window, and Retry-After
    is exactly when the next one would pass."""
    window = 3600.0
    now, times, admitted = 0.0, (), []
    for gap in gaps:
        now += gap
        decision = admit(times, now, limit, window)
        in_window = [t for t in admitted if t > now - window]
        if decision.admitted:
            assert len(in_window) < limit
            admitted.append(now)
        else:
            assert len(in_window) >= limit
            later = now + decision.retry_after
            assert admit(decision.times, later, limit, window).admitted
            assert not admit(decision.times, later - 1.001, limit, window).admitted
        times = decision.times
    for t in admitted:
        assert sum(1 for u in admitted if t - window < u <= t) <= limit

"""One campaign per answer: the KPI routes take `campaign_id` (default: the campaign active
on the province's local date, the one rule of services/registry.default_campaign) and
every answer says which campaign it used; GET /campaigns names the default for the console."""

from __future__ import annotations

import datetime as dt

from chalicelib import clock
from tests.conftest import body
from tests.factories import CAMPAIGN, DEPARTMENT, PROVINCE, load_registry
from tests.webhooks import deliver, event

# Overlaps kh-2025 (07-15..08-15) on 08-01..08-15, and asks only half online.
LENIENT = {
    **CAMPAIGN,
    "campaign_id": "kh-2025-b",
    "name": "Đợt bổ sung",
    "start_date": "2025-08-01",
    "end_date": "2025-08-31",
    "targets": {"online_rate": 0.5},
}
# 10:00 on 2025-08-10 in Khánh Hòa: inside both; kh-2025-b started later, so it is the
# running campaign by active_campaign's rule (the latest start among those running).
IN_BOTH = dt.datetime(2025, 8, 10, 3, 0, tzinfo=dt.UTC)


def _world(api):
    load_registry(api)
    assert api.post("/admin/campaigns", LENIENT).status_code == 201
    secret = body(
        api.post("/admin/sources", {"source_id": "eo", "name": "QLVB", "units": [PROVINCE]})
    )["secret"]
    at = "2025-08-05T09:00:00+07:00"
    events = [event("p1", doc="d1", at=at), event("p2", doc="d2", channel="paper", at=at)]
    assert deliver(api, "eo", secret, events).status_code == 202
    assert api.post("/admin/jobs/aggregate_kpi").status_code == 202


def test_each_answer_uses_and_names_its_campaign(api):
    with clock.frozen(IN_BOTH):
        _world(api)
        strict = body(api.get(f"/units/{DEPARTMENT}/kpi?campaign_id=kh-2025"))
        lenient = body(api.get(f"/units/{DEPARTMENT}/kpi?campaign_id=kh-2025-b"))
        assert strict["campaign_id"] == "kh-2025" and lenient["campaign_id"] == "kh-2025-b"
        assert (strict["from"], strict["to"]) == ("2025-07-15", "2025-08-15")
        assert (lenient["from"], lenient["to"]) == ("2025-08-01", "2025-08-31")
        assert strict["metrics"]["online_rate"] == lenient["metrics"]["online_rate"] == 0.5
        assert strict["compliance"]["online_rate"] is False  # the default target, 100 %
        assert lenient["compliance"]["online_rate"] is True  # its own target, 50 %
        # No campaign named: the one active on the local date, said in the answer.
        default = body(api.get(f"/units/{DEPARTMENT}/kpi"))
        assert default["campaign_id"] == "kh-2025-b"
        listing = body(api.get("/campaigns"))
        assert listing["default_campaign_id"] == "kh-2025-b"
        for path in (
            f"/units/{DEPARTMENT}/kpi/daily",
            f"/units/{DEPARTMENT}/officials/kpi",
            "/officials/cb-001/kpi",
        ):
            for campaign in ("kh-2025", "kh-2025-b"):
                r = api.get(f"{path}?campaign_id={campaign}")
                assert r.status_code == 200, (path, r.body)
                assert body(r)["campaign_id"] == campaign, path
            assert body(api.get(path))["campaign_id"] == "kh-2025-b", path
        # An unknown campaign is a 404, never a silent default.
        r = api.get(f"/units/{DEPARTMENT}/kpi?campaign_id=nope")
        assert r.status_code == 404, r.body


def test_the_default_follows_the_local_date_not_the_utc_one(api):
    # 00:30 on 2025-08-01 in Khánh Hòa is still 2025-07-31 in UTC: kh-2025-b has started.
    with clock.frozen(dt.datetime(2025, 7, 31, 17, 30, tzinfo=dt.UTC)):
        load_registry(api)
        assert api.post("/admin/campaigns", LENIENT).status_code == 201
        assert body(api.get("/campaigns"))["default_campaign_id"] == "kh-2025-b"
        assert body(api.get(f"/units/{DEPARTMENT}/kpi"))["campaign_id"] == "kh-2025-b"
    with clock.frozen(dt.datetime(2025, 7, 31, 16, 30, tzinfo=dt.UTC)):  # 23:30 local, 31/7
        assert body(api.get("/campaigns"))["default_campaign_id"] == "kh-2025"


def test_no_campaign_is_said_too(api):
    from tests.factories import OFFICIALS, UNITS

    assert api.post("/admin/units", {"units": UNITS, "officials": OFFICIALS}).status_code == 200
    assert body(api.get("/campaigns")) == {"items": [], "default_campaign_id": None}

"""Helpers for the posting tests: a council campaign with one eligible collective, one
not-eligible individual, a draft, a recognised initiative; the posting opened."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tests.conftest import body
from tests.factories import CAMPAIGN, DEPARTMENT
from tests.nominations import attach, created, officer, reviewer, setup

FULL = (
    ("to_trinh", "Tờ trình.pdf"),
    ("bao_cao_thanh_tich", "Báo cáo.pdf"),
    ("bien_ban", "Biên bản.pdf"),
)
# Friday 29 August 2025; 1 and 2 September are the national holidays: five working days
# are 29/8, 3/9, 4/9, 5/9 and 8/9.
OPENS_ON = "2025-08-29"
HOLIDAYS = ["2025-09-01", "2025-09-02"]
DURING = dt.datetime(2025, 9, 3, 3, 0, tzinfo=dt.UTC)


def submitted(api: Any, **fields: Any) -> str:
    token = officer(api, DEPARTMENT)
    nid = created(api, token, **fields)["nomination_id"]
    for category, name in FULL:
        attach(api, nid, token=token, category=category, filename=name)
    r = api.post(f"/nominations/{nid}/submit", token=token)
    assert r.status_code == 200, r.body
    return str(nid)


def council_road(api: Any) -> dict[str, str]:
    """Registry, a council campaign, an eligible, a not-eligible and a draft nomination."""
    setup(api)
    r = api.post(
        "/admin/campaigns", {**CAMPAIGN, "award_procedure": "council", "holidays": HOLIDAYS}
    )
    assert r.status_code == 201, r.body
    eligible = submitted(api)
    refused = submitted(api, kind="individual", nominee_official_id="cb-002", summary="Cá nhân")
    draft = created(api, officer(api, DEPARTMENT), kind="individual", nominee_official_id="cb-003")
    for nid, outcome in ((eligible, "eligible"), (refused, "not_eligible")):
        payload = {"outcome": outcome, **({"reason": "Chưa đạt"} if outcome != "eligible" else {})}
        r = api.post(f"/nominations/{nid}/appraisal", payload, token=reviewer(api))
        assert r.status_code == 200, r.body
    return {"eligible": eligible, "refused": refused, "draft": draft["nomination_id"]}


def open_posting(api: Any, **fields: Any) -> dict[str, Any]:
    r = api.post("/campaigns/kh-2025/posting", {"opens_on": OPENS_ON, **fields})
    assert r.status_code == 201, r.body
    return dict(body(r))

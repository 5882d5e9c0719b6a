"""The weekly digest says what the API says: each unit's rank among its level and its
change since last week (against the ranking API for the two periods), its figures, and
the criteria it misses (against the unit's KPI)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from chalicelib import clock
from chalicelib.domain.vocabulary import CRITERIA_BY_KEY
from tests.api import test_notifications as base
from tests.api.test_notifications import AUG_11, CAMPAIGN, captured, run_job
from tests.conftest import body
from tests.factories import DEPARTMENT, OFFICIALS, OTHER_DEPARTMENT, PROVINCE, UNITS
from tests.webhooks import deliver, event

mailroom = base.mailroom  # the same fixture: a registry, a campaign and contacts
THIS_WEEK_END = "2025-08-11"  # the digest on 11/8 covers the campaign up to that day
LAST_WEEK_END = "2025-08-04"


CLERK = {
    "official_id": "cb-101",
    "unit_id": OTHER_DEPARTMENT,
    "full_name": "Ngô Thị Hạnh",
    "position": "Văn thư",
    "active": True,
}


def _by_its_clerk(e: dict[str, Any]) -> dict[str, Any]:
    """An event of the second department, processed by its own clerk."""
    return {**e, "actor_official_id": CLERK["official_id"]}


def ranks(api: Any, to: str) -> dict[str, int]:
    r = api.get(f"/campaigns/{CAMPAIGN}/ranking?level=department&from=2025-07-15&to={to}")
    assert r.status_code == 200, r.body
    return {i["unit_id"]: i["rank"] for i in body(r)["items"]}


def test_the_digest_carries_rank_change_and_misses_as_the_api_says(mailroom):
    api = mailroom
    r = api.post("/admin/units", {"units": UNITS, "officials": [*OFFICIALS, CLERK]})
    assert r.status_code == 200, r.body
    with clock.frozen(AUG_11):
        secret = body(
            api.post("/admin/sources", {"source_id": "eo", "name": "QLVB", "units": [PROVINCE]})
        )["secret"]
        # Last week the first department leads (online), the second processes on paper;
        # this week the second processes a lot online and overtakes it.
        events = [
            event(f"a{i}", unit=DEPARTMENT, doc=f"a{i}", at="2025-07-20T09:00:00+07:00")
            for i in range(2)
        ]
        events += [
            _by_its_clerk(
                event(
                    f"b{i}",
                    unit=OTHER_DEPARTMENT,
                    doc=f"b{i}",
                    channel="paper",
                    at="2025-07-21T09:00:00+07:00",
                )
            )
            for i in range(2)
        ]
        events += [
            _by_its_clerk(
                event(
                    f"c{i}",
                    unit=OTHER_DEPARTMENT,
                    doc=f"c{i}",
                    at="2025-08-08T09:00:00+07:00",
                )
            )
            for i in range(20)
        ]
        events += [
            event(
                f"d{i}",
                unit=DEPARTMENT,
                doc=f"d{i}",
                channel="paper",
                at="2025-08-08T09:00:00+07:00",
            )
            for i in range(4)
        ]
        r = deliver(api, "eo", secret, events)
        assert r.status_code == 202, r.body
        assert api.post("/admin/jobs/aggregate_kpi").status_code == 202
        now, before = ranks(api, THIS_WEEK_END), ranks(api, LAST_WEEK_END)
        assert before == {DEPARTMENT: 1, OTHER_DEPARTMENT: 2}
        assert now == {DEPARTMENT: 2, OTHER_DEPARTMENT: 1}
        run_job(api)
    digests = {str(m["To"]): m for m in captured(api) if m["X-Khong-Giay-Kind"] == "digest"}
    for unit, address, change in (
        (DEPARTMENT, "vanthu@snv.khanhhoa.gov.vn", "giảm 1 bậc"),
        (OTHER_DEPARTMENT, "vanthu@skhcn.khanhhoa.gov.vn", "tăng 1 bậc"),
    ):
        text = digests[address].get_body(preferencelist=("plain",)).get_content()
        assert f"Xếp hạng: {now[unit]}/2 trong cùng cấp ({change} so với tuần trước)" in text
        r = api.get(f"/units/{unit}/kpi?from=2025-07-15&to={THIS_WEEK_END}")
        kpi = body(r)
        rate = kpi["metrics"]["online_rate"]
        assert f"{rate * 100:.1f}%".replace(".", ",") in text
        missed = [
            CRITERIA_BY_KEY[k].label[0]
            for k, met in kpi["compliance"].items()
            if k in CRITERIA_BY_KEY and met is False
        ]
        assert missed  # neither department meets every criterion
        line = re.search(r"Các tiêu chí chưa đạt: (.*)\.", text)
        assert line is not None and line.group(1).split("; ") == missed
    assert dt.date.fromisoformat(THIS_WEEK_END) == AUG_11.date()

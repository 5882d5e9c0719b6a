"""One clock: "today" is the province's date everywhere, and tests set the time through
`chalicelib.clock` (the `clock_at` fixture), never by patching a module."""

from __future__ import annotations

import datetime as dt

from tests.factories import CAMPAIGN


def _two_campaigns(api) -> None:
    for campaign_id, start, end in (
        ("july", "2025-07-01", "2025-07-31"),
        ("august", "2025-08-01", "2025-08-31"),
    ):
        payload = {**CAMPAIGN, "campaign_id": campaign_id, "start_date": start, "end_date": end}
        payload["nomination_deadline"] = end
        r = api.post("/admin/campaigns", payload)
        assert r.status_code == 201, r.body


def test_the_current_campaign_is_the_one_of_the_provinces_date(api, clock_at):
    """At 01:00 on 1 August in Viet Nam it is still 31 July in UTC: August's campaign is
    the current one (the reports and the deadlines count the same local date)."""
    from chalicelib import clock
    from chalicelib.services import registry

    _two_campaigns(api)
    one_am_local = dt.datetime(2025, 7, 31, 18, 0, tzinfo=dt.UTC)
    clock_at(one_am_local)
    assert clock.now().date() == dt.date(2025, 7, 31)  # UTC's date
    assert clock.local_today() == dt.date(2025, 8, 1)
    assert registry.current_campaign().campaign_id == "august"
    # A minute before local midnight, July's still runs.
    clock_at(dt.datetime(2025, 7, 31, 16, 59, tzinfo=dt.UTC))
    assert registry.current_campaign().campaign_id == "july"


def test_the_ticking_clock_runs_from_its_moment(clock_at):
    from chalicelib import clock

    start = dt.datetime(2025, 8, 1, tzinfo=dt.UTC)
    clock_at(start, ticking=True)
    first = clock.now()
    assert dt.timedelta(0) <= first - start < dt.timedelta(seconds=5)
    assert clock.now() >= first

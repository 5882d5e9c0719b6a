"""What a campaign is (chalicelib/domain/campaigns.py), without a stack: the default
campaign (running, else the one that ended last, else the next) against an independent
recomputation, the days a campaign contains, its targets and weights over the defaults,
its dossier per award kind and the time zone its schema names."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from hypothesis import example, given
from hypothesis import strategies as st

from chalicelib.domain.campaigns import (
    Campaign,
    DossierRequirements,
    active_campaign,
    deadline_closes_at,
)
from chalicelib.settings import get_settings

DAY0 = dt.date(2025, 1, 1)


def _day(n: int) -> dt.date:
    return DAY0 + dt.timedelta(days=n)


def _campaign(n: int, start: int, length: int, status: str = "active") -> Campaign:
    return Campaign(
        campaign_id=f"c{n}",
        name=f"Campaign {n}",
        start_date=DAY0 + dt.timedelta(days=start),
        end_date=DAY0 + dt.timedelta(days=start + length),
        status=status,
    )


@st.composite
def campaign_lists(draw: st.DrawFn) -> list[Campaign]:
    count = draw(st.integers(0, 6))
    return [
        _campaign(
            n,
            draw(st.integers(0, 12)),
            draw(st.integers(0, 6)),
            draw(st.sampled_from(["active", "active", "archived"])),
        )
        for n in range(count)
    ]


def _oracle(campaigns: list[Campaign], today: dt.date) -> Campaign | None:
    """The rule in words: among the active campaigns, the running one that started last
    (the later one listed on a tie); else the one that ended last (idem); else the one that
    starts first (the earlier one listed on a tie)."""
    live = [c for c in campaigns if c.status == "active"]
    best: Campaign | None = None
    for c in live:
        if c.start_date <= today <= c.end_date and (
            best is None or c.start_date >= best.start_date
        ):
            best = c
    if best is not None:
        return best
    for c in live:
        if c.end_date < today and (best is None or c.end_date >= best.end_date):
            best = c
    if best is not None:
        return best
    for c in live:
        if best is None or c.start_date < best.start_date:
            best = c
    return best


# Three running (the middle one is not the latest), three past, two upcoming: the draws of
# the derandomized profile may miss them.
@example([_campaign(0, 0, 9), _campaign(1, 2, 9), _campaign(2, 1, 9)], _day(3))
@example([_campaign(0, 0, 1), _campaign(1, 0, 4), _campaign(2, 0, 2)], _day(8))
@example([_campaign(0, 9, 1), _campaign(1, 5, 1), _campaign(2, 7, 1)], _day(1))
@example([_campaign(0, 4, 1)], _day(1))
@example([_campaign(0, 0, 9, "archived")], _day(3))
@given(campaign_lists(), st.integers(0, 20).map(_day))
def test_the_default_campaign_is_the_running_one_else_the_last_ended_else_the_next(
    campaigns, today
):
    assert active_campaign(campaigns, today) is _oracle(campaigns, today)


def test_a_campaign_contains_its_first_and_its_last_day():
    campaign = _campaign(0, 1, 2)  # 2025-01-02 .. 2025-01-04
    days = [DAY0 + dt.timedelta(days=n) for n in range(5)]
    assert [campaign.contains(d) for d in days] == [False, True, True, True, False]


def test_a_deadline_closes_at_the_end_of_its_local_day():
    zone = ZoneInfo("Asia/Ho_Chi_Minh")
    closes = deadline_closes_at(dt.date(2025, 8, 20), zone)
    assert closes == dt.datetime(2025, 8, 21, tzinfo=zone)
    assert closes.astimezone(dt.UTC) == dt.datetime(2025, 8, 20, 17, 0, tzinfo=dt.UTC)


def test_targets_and_weights_are_given_over_the_defaults():
    campaign = Campaign(
        campaign_id="c",
        name="C",
        start_date=DAY0,
        end_date=DAY0,
        targets={"online_rate": 0.8, "creativity": 3},
        weights={"signing_rate": 2.0, "creativity": 0.5},
    )
    assert campaign.rate_targets() == {
        "online_rate": 0.8,
        "signing_rate": 1.0,
        "e_issuance_rate": 1.0,
        "kpi_coverage": 1.0,
    }
    assert campaign.count_targets() == {"creativity": 3}
    assert campaign.criterion_targets()["creativity"] == 3
    assert campaign.score_weights()["signing_rate"] == 2.0
    assert campaign.score_weights()["online_rate"] == 1.0
    # A weight above 0, even below 1, turns the opt-in criterion on.
    assert Campaign(
        campaign_id="c", name="C", start_date=DAY0, end_date=DAY0, weights={"creativity": 0.5}
    ).enabled_criteria() == ("creativity",)
    plain = _campaign(0, 0, 0)
    assert plain.count_targets() == {"creativity": 1}
    assert plain.enabled_criteria() == ()
    assert plain.initiative_max_points() == 100  # 30 + 30 + 40, the provincial scale


def test_a_dossier_is_required_per_award_kind():
    dossier = DossierRequirements(collective=["to_trinh"], individual=["bien_ban", "other"])
    assert dossier.of("collective") == ["to_trinh"]
    assert dossier.of("individual") == ["bien_ban", "other"]
    assert dossier.of("collective") is not dossier.collective  # a copy: callers may change it


def test_the_schema_names_the_province_time_zone_as_the_only_one():
    schema = Campaign.model_json_schema()
    assert schema["properties"]["timezone"]["enum"] == [get_settings().timezone]

"""The award road's pure rules without a stack: the public posting's window in working days
and what the public sees of a nominee (domain/posting.py), the council meeting's record
and its frozen tally (domain/meetings.py), and the results reports' states and deadlines
(domain/results_reports.py). The working days are checked against a recomputation that
lists the calendar's working days instead of walking to the last one."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain import meetings, posting
from chalicelib.domain import results_reports as reports
from chalicelib.domain.campaigns import Campaign
from chalicelib.domain.council_vote import AwardsRule

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
AT = dt.datetime(2025, 9, 1, 3, 0, tzinfo=dt.UTC)
DAYS = st.dates(min_value=dt.date(2025, 1, 1), max_value=dt.date(2025, 3, 31))


# --- the public posting's window ---------------------------------------------------------


def _working_days(start: dt.date, count: int, holidays: set[dt.date]) -> list[dt.date]:
    """The calendar's working days from `start` on, enough of them (independent of posting)."""
    span = [start + dt.timedelta(days=i) for i in range(7 * count + 7 * len(holidays) + 14)]
    return [d for d in span if d.isoweekday() <= 5 and d not in holidays]


@given(DAYS, st.integers(1, 12), st.sets(DAYS, max_size=8))
def test_the_posting_lasts_its_working_days_skipping_weekends_and_holidays(
    opens_on, working_days, holidays
):
    expected = _working_days(opens_on, working_days, holidays)[working_days - 1]
    assert posting.last_working_day(opens_on, working_days, holidays) == expected
    # Holidays as any iterable, even one read once.
    assert posting.last_working_day(opens_on, working_days, iter(sorted(holidays))) == expected
    window = posting.window(opens_on, working_days, list(holidays), ZONE)
    assert window.opens_on == opens_on
    assert window.last_day == expected
    assert window.opens_at == dt.datetime(opens_on.year, opens_on.month, opens_on.day, tzinfo=ZONE)
    after = expected + dt.timedelta(days=1)
    assert window.closes_at == dt.datetime(after.year, after.month, after.day, tzinfo=ZONE)


@given(DAYS, st.integers(1, 12), st.sets(DAYS, max_size=8), DAYS)
def test_the_working_days_left_count_from_today_to_the_last_day(
    opens_on, working_days, holidays, today
):
    window = posting.window(opens_on, working_days, holidays, ZONE)
    listed = _working_days(opens_on, working_days, holidays)[:working_days]
    expected = sum(1 for d in listed if d >= today)
    assert window.working_days_left(today, iter(sorted(holidays))) == expected


def test_a_posting_lasts_at_least_one_working_day():
    for days in (0, -1):
        with pytest.raises(ValueError, match=r"^a posting lasts at least one working day$"):
            posting.last_working_day(dt.date(2025, 9, 1), days, [])
    # A Friday holiday, then the weekend: one working day from Friday is the Monday.
    friday = dt.date(2025, 9, 5)
    assert posting.last_working_day(friday, 1, [friday]) == dt.date(2025, 9, 8)
    assert posting.is_working_day(friday, [])
    assert not posting.is_working_day(friday, [friday])
    assert not posting.is_working_day(dt.date(2025, 9, 6), [])  # Saturday
    assert not posting.is_working_day(dt.date(2025, 9, 7), [])  # Sunday


def test_a_window_is_scheduled_then_open_then_closed_on_its_instants():
    window = posting.window(dt.date(2025, 9, 1), 1, [], ZONE)
    tick = dt.timedelta(microseconds=1)
    assert window.opens_at == dt.datetime(2025, 8, 31, 17, 0, tzinfo=dt.UTC)
    assert window.state(window.opens_at - tick) == "scheduled"
    assert window.state(window.opens_at) == "open"
    assert window.state(window.closes_at - tick) == "open"
    assert window.state(window.closes_at) == "closed"
    # Before it opens, every working day is left; the day it closes on, none.
    assert window.working_days_left(dt.date(2025, 8, 1), []) == 1
    assert window.working_days_left(dt.date(2025, 9, 2), []) == 0


def _posting(window: posting.Window) -> posting.Posting:
    return posting.Posting(
        campaign_id="c-2025",
        opens_on=window.opens_on,
        working_days=1,
        opens_at=window.opens_at,
        closes_at=window.closes_at,
        last_day=window.last_day,
        shortlist=[{"nomination_id": "n1"}, {"nomination_id": "n2", "name": "B"}],
        opened_by={"sub": "admin"},
        opened_at=AT,
    )


def test_a_posting_is_open_from_its_first_instant_to_before_its_closing():
    stored = _posting(posting.window(dt.date(2025, 9, 1), 1, [], ZONE))
    tick = dt.timedelta(microseconds=1)
    assert stored.state(stored.opens_at - tick) == "scheduled"
    assert stored.state(stored.opens_at) == "open"
    assert stored.state(stored.closes_at - tick) == "open"
    assert stored.state(stored.closes_at) == "closed"
    assert stored.nominee("n2") == {"nomination_id": "n2", "name": "B"}
    assert stored.nominee("n3") is None


def test_the_public_sees_the_score_rank_and_rates_of_a_nominees_evidence_only():
    unit = {
        "score": 87.5,
        "unit_id": "u1",
        "officials": ["private"],
        "metrics": {"online_rate": 0.9, "signing_rate": 0.8, "documents": 1200},
        "rank": {"rank": 2, "of": 14, "compliant": True},
        "as_of": "2025-08-31",
    }
    assert posting.public_evidence(unit) == {
        "score": 87.5,
        "online_rate": 0.9,
        "signing_rate": 0.8,
        "rank": 2,
        "of": 14,
        "compliant": True,
        "as_of": "2025-08-31",
    }
    # An official's rates at the top; a compliance of its own wins over the rank's.
    official = {
        "on_time_rate": 0.95,
        "latest_evaluation_score": 90,
        "compliant": False,
        "metrics": "not a mapping",
        "rank": {"rank": 1, "of": 3, "compliant": True},
    }
    assert posting.public_evidence(official) == {
        "on_time_rate": 0.95,
        "latest_evaluation_score": 90,
        "compliant": False,
        "rank": 1,
        "of": 3,
        "as_of": None,
    }
    # A rank that is not a mapping says nothing; no evidence at all, nothing but the blanks.
    blank = {"rank": None, "of": None, "as_of": None}
    assert posting.public_evidence({"rank": 3}) == blank
    assert posting.public_evidence(None) == blank
    assert posting.public_evidence({}) == blank
    assert posting.public_evidence({"rank": {"of": 4}}) == {"rank": None, "of": 4, "as_of": None}


# --- the council meeting's record and its tally -------------------------------------------

MEMBERS = (
    {"sub": "c1", "full_name": "Chủ tịch", "position": "P1", "council_role": "chair"},
    {"sub": "c2", "full_name": "Thư ký", "position": "P2", "council_role": "secretary"},
    {"sub": "c3", "full_name": "Ủy viên", "council_role": "member"},
    {"sub": "c4", "full_name": "Thư ký 2", "position": "P4", "council_role": "secretary"},
    {"sub": "c5"},
)
SHORTLIST = (
    {"nomination_id": "n1", "kind": "collective", "name": "A", "kpi_rank": 1, "score": 90},
    {"nomination_id": "n2", "kind": "collective", "name": "B", "kpi_rank": 2},
    {
        "nomination_id": "n3",
        "kind": "individual",
        "name": "C",
        "position": "CV",
        "unit_name": "A",
        "extra": "not in the tally",
    },
    {"nomination_id": "n4", "kind": "individual", "name": "D"},
    {"nomination_id": "n5", "kind": "collective", "name": "E"},
)


def _count(nid: str, kind: str, agree: int, passed: bool) -> dict[str, Any]:
    return {
        "nomination_id": nid,
        "kind": kind,
        "agree": agree,
        "disagree": 4 - agree,
        "denominator": 5,
        "share": agree / 5,
        "passed": passed,
    }


def _meeting(**changes: Any) -> meetings.Meeting:
    base = meetings.Meeting(
        meeting_id="m1",
        campaign_id="c-2025",
        status=meetings.DECIDED,
        round=3,
        revision=7,
        created_at=AT,
        created_by="c2",
        members=MEMBERS,
        rule={"share": 0.7, "written_votes_count": False},
        shortlist=SHORTLIST,
        present=("c1", "c2", "c3"),
        written_votes={"c4": {"choices": {}}},
        rounds=(
            {
                "number": 1,
                "nominees": ["n1", "n2", "n3", "n4"],
                "ballots": 3,
                "written_votes": 1,
                "counts": [
                    _count("n1", "collective", 4, True),
                    _count("n2", "collective", 4, True),
                    _count("n3", "individual", 1, False),
                    _count("n4", "individual", 4, True),
                ],
                "seats": {},
            },
            _runoff(2, {"n1": 1, "n2": "1"}),  # an agree count stored as text reads as a number
            _runoff(3, {"n1": 3, "n2": 0}),
        ),
        outcome={
            "approved": {"collective": ["n1"], "individual": ["n4"]},
            "rejected": {"n2": "outside_quota", "n3": "below_threshold"},
            "runoffs": [],
        },
        opened_at=AT,
    )
    return meetings.Meeting(**{**base.__dict__, **changes})


def _runoff(number: int, agree: dict[str, Any]) -> dict[str, Any]:
    seats = {"collective": 1}
    return {"number": number, "nominees": ["n1", "n2"], "ballots": 3, "runoff_agree": agree, "seats": seats}  # fmt: skip


def _round_row(number: int, nominees: list[str]) -> dict[str, Any]:
    """A round as the tally shows it (a runoff has no written votes: None)."""
    seats = {"collective": 1}
    return {"number": number, "nominees": nominees, "ballots": 3, "written_votes": None, "seats": seats}  # fmt: skip


def _member_row(
    name: str, position: str, role: str, *, present: bool = False, written: bool = False
) -> dict[str, Any]:
    return {
        "full_name": name,
        "position": position,
        "council_role": role,
        "present": present,
        "written_vote": written,
        "written_vote_counted": False,
    }


def _tally(meeting: meetings.Meeting) -> dict[str, Any]:
    return meetings.build_tally(
        meeting,
        campaign_name="Ngày không giấy",
        province_name="Khánh Hòa",
        quotas={"collective": 1, "individual": 2},
        quorum_required=4,
        decided_at=AT + dt.timedelta(hours=2),
        local_date=dt.date(2025, 9, 1),
    )


def _nominee(n: dict[str, Any], **figures: Any) -> dict[str, Any]:
    shown = {k: n.get(k) for k in ("nomination_id", "kind", "name", "position", "unit_name")}
    blank = {"agree": 0, "disagree": 0, "denominator": 0, "share": None, "passed": False}
    return {
        **shown,
        "kpi_rank": n.get("kpi_rank"),
        "score": n.get("score"),
        **blank,
        "runoff_agree": [],
        "order": None,
        **figures,
    }


def test_the_tally_holds_every_figure_of_the_meeting_and_no_ones_vote():
    meeting = _meeting()
    tally = _tally(meeting)
    n1, n2, n3, n4, n5 = SHORTLIST
    assert tally["nominees"] == [
        _nominee(n1, **_figures(4, True), runoff_agree=[1, 3], result="approved", order=1),
        _nominee(n2, **_figures(4, True), runoff_agree=[1, 0], result="outside_quota"),
        _nominee(n3, **_figures(1, False), result="below_threshold"),
        _nominee(n4, **_figures(4, True), result="approved", order=1),
        # On the shortlist but in no round and no list: outside the quota.
        _nominee(n5, result="outside_quota"),
    ]
    assert tally["members"] == [
        _member_row("Chủ tịch", "P1", "chair", present=True),
        _member_row("Thư ký", "P2", "secretary", present=True),
        _member_row("Ủy viên", "", "member", present=True),
        # The rule does not count written votes: the vote was given, not counted.
        _member_row("Thư ký 2", "P4", "secretary", written=True),
        _member_row("", "", "member"),
    ]
    rest = {k: v for k, v in tally.items() if k not in ("nominees", "members")}
    assert rest == {
        "meeting_id": "m1",
        "campaign_id": "c-2025",
        "campaign_name": "Ngày không giấy",
        "province_name": "Khánh Hòa",
        "rule": {"share": 0.7, "written_votes_count": False},
        "quotas": {"collective": 1, "individual": 2},
        "members_total": 5,
        "present_total": 3,
        "quorum_required": 4,
        "rounds": [
            {**_round_row(1, ["n1", "n2", "n3", "n4"]), "written_votes": 1, "seats": {}},
            _round_row(2, ["n1", "n2"]),
            _round_row(3, ["n1", "n2"]),
        ],
        "approved": {"collective": ["n1"], "individual": ["n4"]},
        "opened_at": "2025-09-01T03:00:00+00:00",
        "decided_at": "2025-09-01T05:00:00+00:00",
        "local_date": "2025-09-01",
    }
    # No member's choice, nor the record of who cast a ballot, reaches the tally.
    assert "choices" not in repr(tally)
    assert "c4" not in repr(tally)


def _figures(agree: int, passed: bool) -> dict[str, Any]:
    return {
        "agree": agree,
        "disagree": 4 - agree,
        "denominator": 5,
        "share": agree / 5,
        "passed": passed,
    }


def test_a_counted_written_vote_and_the_order_of_several_approved():
    meeting = _meeting(
        rule={"share": 0.7},  # written votes count by default
        rounds=(),
        outcome={"approved": {"collective": ["n2", "n1"], "individual": []}, "rejected": {}},
        opened_at=None,
        present=None,
    )
    tally = _tally(meeting)
    assert [(n["nomination_id"], n["result"], n["order"]) for n in tally["nominees"]] == [
        ("n1", "approved", 2),
        ("n2", "approved", 1),
        ("n3", "outside_quota", None),
        ("n4", "outside_quota", None),
        ("n5", "outside_quota", None),
    ]
    assert [m["written_vote_counted"] for m in tally["members"]] == [
        False, False, False, True, False,
    ]  # fmt: skip
    assert [m["present"] for m in tally["members"]] == [False] * 5
    assert (tally["present_total"], tally["rounds"], tally["opened_at"]) == (0, [], None)
    # A meeting not decided yet has no outcome: every nominee outside, nobody approved.
    undecided = _tally(_meeting(outcome=None, rounds=()))
    assert undecided["approved"] == {}
    assert {n["result"] for n in undecided["nominees"]} == {"outside_quota"}


def test_a_meetings_members_secretaries_and_absentees():
    meeting = _meeting()
    assert meeting.member("c3") == MEMBERS[2]
    assert meeting.member("zz") is None
    assert meeting.nominee("n4") == SHORTLIST[3]
    assert meeting.nominee("zz") is None
    assert meeting.secretaries == {"c2", "c4"}
    assert meetings.absent(meeting) == ["c4", "c5"]
    assert meetings.absent(_meeting(present=None)) == ["c1", "c2", "c3", "c4", "c5"]
    changed = meeting.changed(status=meetings.VOTING, round=4)
    assert (changed.revision, changed.status, changed.round) == (8, meetings.VOTING, 4)
    assert changed.meeting_id == "m1" and meeting.revision == 7
    assert meetings.rule_of(meeting) == AwardsRule(share=0.7, written_votes_count=False)


# --- results reports: states and deadlines -----------------------------------------------


def test_a_results_report_goes_from_draft_to_submitted_and_back_when_returned():
    assert reports.next_status("draft", "edit") == "draft"
    assert reports.next_status("draft", "add_file") == "draft"
    assert reports.next_status("draft", "submit") == "submitted"
    assert reports.next_status("submitted", "submit") is None
    assert reports.next_status("submitted", "edit") is None
    assert reports.next_status("submitted", "return") == "draft"
    assert reports.next_status("draft", "return") is None
    assert reports.allowed_from("return") == ["submitted"]
    assert reports.allowed_from("edit") == ["draft"]
    for action, (starts, target) in reports.TRANSITIONS.items():
        for status in reports.STATUSES:
            assert reports.next_status(status, action) == (target if status in starts else None)


def test_each_reporting_level_has_its_campaigns_deadline():
    campaign = Campaign(
        campaign_id="c-2025",
        name="C",
        start_date=dt.date(2025, 1, 1),
        end_date=dt.date(2025, 12, 31),
        unit_report_deadline=dt.date(2025, 11, 15),
        department_report_deadline=dt.date(2025, 11, 30),
    )
    assert reports.deadline_for(campaign, "division") == dt.date(2025, 11, 15)
    assert reports.deadline_for(campaign, "department") == dt.date(2025, 11, 30)
    assert reports.deadline_for(campaign, "commune") == dt.date(2025, 11, 30)
    assert reports.deadline_for(campaign, "province") is None  # the province does not report
    unset = campaign.model_copy(update={"unit_report_deadline": None})
    assert reports.deadline_for(unset, "division") is None
    assert reports.REPORTING_LEVELS == ("division", "department", "commune")
    assert [reports.reports_to_province(x) for x in ("division", "department", "commune")] == [
        False, True, True,
    ]  # fmt: skip
    assert not reports.reports_to_province("province")
    assert reports.is_province("province")
    assert not reports.is_province("department")
    assert reports.blank_sections() == {
        "done": "", "initiatives": "", "difficulties": "", "proposals": "",
    }  # fmt: skip
    assert reports.days_left(None, dt.date(2025, 1, 1)) is None

"""Rules of chalicelib/domain that had no unit test of their own (they were tested only
through the API), each against an independent recomputation where it counts. Fast and
deterministic: `make mutation` runs them for every mutant of these modules."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain import holds, quotas
from chalicelib.domain import interconnection_check as ic

# --- quotas: the sliding window ---------------------------------------------------------

instants = st.integers(0, 2_000).map(lambda ms: ms / 10)  # 0.0 .. 200.0 s, tenths


def _in_window(times: list[float], now: float, window: float) -> int:
    return sum(1 for t in times if t > now - window)


@given(
    times=st.lists(instants, max_size=8),
    now=instants,
    limit=st.integers(1, 5),
    window=st.integers(1, 60),
)
def test_a_quota_admits_exactly_below_its_limit_and_says_when_to_retry(times, now, limit, window):
    decision = quotas.admit(times, now, limit, window)
    recent = sorted(t for t in times if t > now - window)
    if len(recent) < limit:
        assert decision == quotas.Decision(True, (*recent, now), 0)
        return
    assert not decision.admitted
    assert decision.times == tuple(recent)
    # The oracle: the least whole number of seconds after which one more fits.
    wait = next(w for w in range(1, 1_000) if _in_window(recent, now + w, window) < limit)
    assert decision.retry_after == wait


def test_a_quota_on_its_edges():
    """Cases the derandomized property test does not draw (mutants admit 4, 42, 43)."""
    # An admission exactly one window ago has left it: (now - window, now].
    assert quotas.admit([0.0], 30.0, 1, 30).admitted
    # Float rounding puts the ceiling above the least wait: 0.2 + 2 - 1.2 is
    # 1.0000000000000002, yet one second is enough...
    assert quotas.admit([0.2], 1.2, 1, 2).retry_after == 1
    # ...and 4.4 + 1 - 2.4 is 3.0000000000000004, where at 3 s the admission sits exactly
    # on the window's open end.
    assert quotas.admit([4.4], 2.4, 1, 1).retry_after == 3


def test_a_quota_of_zero_admits_nothing():
    assert quotas.admit([], 10.0, 0, 30) == quotas.Decision(False, (), 30)
    refused = quotas.admit([5.0], 10.0, 0, 30)
    assert (refused.admitted, refused.times, refused.retry_after) == (False, (5.0,), 25)


def test_admissions_from_a_clock_ahead_count_in_the_window():
    decision = quotas.admit([12.0, 11.0], 10.0, 2, 30)
    assert decision == quotas.Decision(False, (11.0, 12.0), 31)


# --- holds: who may not be awarded, on which day -----------------------------------------

DAYS = st.integers(0, 20).map(lambda n: dt.date(2025, 9, 1) + dt.timedelta(days=n))


@st.composite
def holds_drawn(draw: st.DrawFn) -> holds.Hold:
    starts = draw(DAYS)
    ends = draw(st.none() | DAYS)
    lifted = draw(st.booleans())
    return holds.Hold(
        hold_id=draw(st.sampled_from(["h1", "h2", "h3"])),
        subject_kind=draw(st.sampled_from(["unit", "official"])),
        subject_id=draw(st.sampled_from(["u1", "u2", "cb-1", "cb-2"])),
        subject_name="X",
        kind=draw(st.sampled_from(holds.HOLD_KINDS)),
        reason="r",
        starts_on=starts,
        ends_on=ends,
        created_by={},
        created_at=AT,
        lifted_at=AT if lifted else None,
    )


AT = dt.datetime(2025, 9, 1, tzinfo=dt.UTC)


@given(
    st.lists(holds_drawn(), max_size=5),
    DAYS,
    st.sampled_from(["collective", "individual"]),
    st.sampled_from(["u1", "u2"]),
    st.none() | st.sampled_from(["cb-1", "cb-2"]),
)
def test_a_hold_bars_its_subject_from_its_first_day_to_its_last(
    drawn, day, kind, unit_id, official_id
):
    expected = []
    for h in drawn:
        in_force = h.lifted_at is None and (
            h.starts_on <= day and (h.ends_on is None or day <= h.ends_on)
        )
        subject = (h.subject_kind, h.subject_id) == (
            ("official", official_id) if kind == "individual" else ("unit", unit_id)
        )
        if in_force and subject:
            expected.append(h)
    assert holds.active_holds(drawn, day, kind, unit_id, official_id) == expected


def test_a_hold_on_its_boundaries():
    hold = holds.Hold(
        "h", "unit", "u1", "U", "audit", "r", dt.date(2025, 9, 2), dt.date(2025, 9, 4), {}, AT
    )
    assert [hold.active_on(dt.date(2025, 9, d)) for d in (1, 2, 3, 4, 5)] == [
        False, True, True, True, False,
    ]  # fmt: skip
    assert hold.applies_to("collective", "u1", None)
    assert not hold.applies_to("individual", "u1", "u1")  # a unit's hold: its collective only
    official = holds.Hold(
        "h", "official", "cb-1", "A", "discipline", "r", dt.date(2025, 9, 2), None, {}, AT
    )
    assert official.applies_to("individual", "u9", "cb-1")
    assert not official.applies_to("collective", "cb-1", "cb-1")
    assert official.active_on(dt.date(2099, 1, 1))


# --- the interconnection cross-check (push against hub) ----------------------------------

PAIR_UNITS = ["a", "b", "c"]


@st.composite
def exchange_states(draw: st.DrawFn) -> dict:
    units = {}
    for unit in draw(st.sets(st.sampled_from(PAIR_UNITS), max_size=3)):
        facts = {}
        for direction in ("sent", "received"):
            entries = draw(
                st.dictionaries(
                    st.sampled_from(PAIR_UNITS),
                    st.tuples(st.integers(0, 30), st.just("x"), st.booleans()).map(list),
                    max_size=2,
                )
            )
            if entries or draw(st.booleans()):
                facts[direction] = entries
        units[unit] = facts
    return {"units": units} if units or draw(st.booleans()) else {}


@given(
    st.lists(st.tuples(st.sampled_from([ic.PUSH, ic.HUB]), exchange_states()), max_size=6),
    st.integers(0, 30),
    st.integers(0, 30),
)
def test_the_cross_check_counts_each_documents_exchanges_once_per_side(docs, start, end):
    reported: dict[tuple[str, str], int] = {}
    seen: dict[tuple[str, str], int] = {}
    for side, state in docs:
        pairs = set()
        for unit, facts in state.get("units", {}).items():
            for other, (at, _, electronic) in facts.get("sent", {}).items():
                if electronic and start <= at < end:
                    pairs.add((unit, other))
            for other, (at, _, electronic) in facts.get("received", {}).items():
                if electronic and start <= at < end:
                    pairs.add((other, unit))
        for pair in pairs:
            target = reported if side == ic.PUSH else seen
            target[pair] = target.get(pair, 0) + 1
    rows = ic.cross_check(docs, start, end)
    assert [(r["from_unit_id"], r["to_unit_id"]) for r in rows] == sorted({*reported, *seen})
    for r in rows:
        pair = (r["from_unit_id"], r["to_unit_id"])
        mine, hubs = reported.get(pair, 0), seen.get(pair, 0)
        assert (r["reported"], r["seen_on_hub"]) == (mine, hubs)
        assert r["reported_not_seen"] == max(0, mine - hubs)
        assert r["seen_not_reported"] == max(0, hubs - mine)


# --- councils: who sits on them ----------------------------------------------------------


def _member(sub: str, role: str = "member", official_id: str | None = None):
    from chalicelib.domain.councils import CouncilMember

    return CouncilMember(sub=sub, full_name=sub.upper(), council_role=role, official_id=official_id)


def test_a_council_is_one_chair_at_most_and_each_person_once():
    import pytest

    from chalicelib.domain import councils

    ok = [_member("a", "chair", "cb-1"), _member("b", official_id="cb-2"), _member("c")]
    assert councils.validate_members(ok) == ok
    for members, message in (
        ([], "a council needs at least one member"),
        (
            [_member(f"m{i}") for i in range(councils.MAX_MEMBERS + 1)],
            "a council has at most 60 members",
        ),
        ([_member("a"), _member("a")], "each member's sub appears once"),
        (
            [_member("a", official_id="cb-1"), _member("b", official_id="cb-1")],
            "each official sits on the council once",
        ),
        ([_member("a", "chair"), _member("b", "chair")], "a council has at most one chair"),
    ):
        # The whole message: it is what the admin reads in the 400.
        with pytest.raises(ValueError, match=f"^{message}$"):
            councils.validate_members(members)
    assert councils.validate_members([_member(f"m{i}") for i in range(councils.MAX_MEMBERS)])
    # Members without an official are not duplicates of each other.
    assert len(councils.validate_members([_member("a"), _member("b")])) == 2


def test_a_councils_rule_is_its_kinds():
    import pytest

    from chalicelib.domain import councils
    from chalicelib.domain.council_vote import AwardsRule

    initiatives = councils.rule_for("initiatives", {})
    assert initiatives == councils.InitiativesRule(
        share=2 / 3, denominator="members", pass_score=50
    )
    assert councils.rule_for("awards", {"share": 0.8}) == AwardsRule(share=0.8)
    with pytest.raises(ValueError):
        councils.rule_for("initiatives", {"quorum": 0.5})
    council = councils.Council(
        campaign_id="c-2025",
        kind="awards",
        members=[_member("a", "chair"), _member("b")],
        rule={"share": 0.9},
        updated_at=AT,
        updated_by="admin",
    )
    assert council.typed_rule() == AwardsRule(share=0.9)
    assert council.member("b") == _member("b")
    assert council.member("z") is None


# --- records with a rule: a secret's life, a job run as the API shows it ---------------


def test_a_secret_works_until_the_instant_it_expires():
    from chalicelib.domain.sources import SourceSecret

    expires = AT + dt.timedelta(hours=24)
    secret = SourceSecret(b"x", AT, expires)
    assert secret.active(expires - dt.timedelta(microseconds=1))
    assert not secret.active(expires)
    assert SourceSecret(b"x", AT, None).active(dt.datetime(2999, 1, 1, tzinfo=dt.UTC))


def test_a_job_run_shows_every_field():
    from chalicelib.domain.job_runs import FINISHED, JobRun

    run = JobRun("r1", "aggregate", "failed", AT, "admin", AT, AT, {"events": 1}, "boom")
    assert run.out() == {
        "job": "aggregate",
        "run_id": "r1",
        "state": "failed",
        "requested_at": AT,
        "requested_by": "admin",
        "started_at": AT,
        "finished_at": AT,
        "result": {"events": 1},
        "error": "boom",
    }
    assert {"succeeded", "failed"} == FINISHED

"""The awards council's count, quota and runoff against an independent recomputation.

The reference below counts with plain loops and decimals and decides each nominee's fate
by counting how many passed nominees are strictly ahead of it and how many are ahead or
level with it, never by sorting and cutting: an approved nominee has at most `quota`
nominees ahead or level (itself included); an outside one has `quota` or more strictly
ahead; every other passed nominee straddles the boundary and must go to a runoff.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chalicelib.domain import council_vote as cv

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _reference_passed(agree: int, denominator: int, share: float) -> bool:
    return denominator > 0 and Decimal(agree) >= Decimal(repr(share)) * Decimal(denominator)


def _reference_key(agree: int, rank: int | None) -> tuple[int, float]:
    return (-agree, float("inf") if rank is None else rank)


@st.composite
def meetings(draw: Any) -> dict[str, Any]:
    members = draw(st.integers(1, 15))
    subs = [f"m{i}" for i in range(members)]
    present = draw(st.sets(st.sampled_from(subs)))
    absent = [s for s in subs if s not in present]
    writers = draw(st.sets(st.sampled_from(absent))) if absent else set()
    n = draw(st.integers(0, 8))
    nominees = [
        cv.Nominee(
            nomination_id=f"n{i}",
            kind=draw(st.sampled_from(("collective", "individual"))),
            name=f"N{i}",
            # few distinct ranks: equal ranks (and ties) must be common
            kpi_rank=draw(st.one_of(st.none(), st.integers(1, 3))),
        )
        for i in range(n)
    ]
    ids = [x.nomination_id for x in nominees]
    choice = st.sampled_from(cv.CHOICES)
    # A member present may not cast a ballot: "present" and "votes_cast" must differ.
    voters = draw(st.sets(st.sampled_from(sorted(present)))) if present else set()
    ballots = [{i: draw(choice) for i in ids} for _ in voters]
    written = [{i: draw(choice) for i in ids} for _ in writers]
    rule = cv.AwardsRule(
        share=draw(st.sampled_from((0.5, 2 / 3, 0.7, 0.8, 0.9, 1.0, 0.01))),
        denominator=draw(st.sampled_from(cv.DENOMINATORS)),
        quorum=draw(st.sampled_from((0.5, 2 / 3, 1.0))),
        written_votes_count=draw(st.booleans()),
    )
    quotas = {
        "collective": draw(st.integers(0, 4)),
        "individual": draw(st.integers(0, 4)),
    }
    return {
        "members": members,
        "present": len(present),
        "nominees": nominees,
        "ballots": ballots,
        "written": written,
        "rule": rule,
        "quotas": quotas,
    }


def _reference_counts(m: dict[str, Any]) -> dict[str, tuple[int, int, int, bool]]:
    rule = m["rule"]
    votes = list(m["ballots"])
    written = m["written"] if rule.written_votes_count else []
    votes += written
    denominator = {
        "members": m["members"],
        "present": m["present"] + len(written),
        "votes_cast": len(votes),
    }[rule.denominator]
    out = {}
    for nominee in m["nominees"]:
        agree = disagree = 0
        for vote in votes:
            if vote[nominee.nomination_id] == "agree":
                agree += 1
            else:
                disagree += 1
        out[nominee.nomination_id] = (
            agree,
            disagree,
            denominator,
            _reference_passed(agree, denominator, rule.share),
        )
    return out


def _reference_fates(
    m: dict[str, Any], counts: dict[str, tuple[int, int, int, bool]]
) -> dict[str, str]:
    """nomination id -> approved | runoff | below_threshold | outside_quota."""
    fates = {}
    rank = {x.nomination_id: x.kpi_rank for x in m["nominees"]}
    kind = {x.nomination_id: x.kind for x in m["nominees"]}
    for nid, (agree, _d, _den, passed) in counts.items():
        if not passed:
            fates[nid] = "below_threshold"
            continue
        mine = _reference_key(agree, rank[nid])
        rivals = [
            _reference_key(counts[o][0], rank[o])
            for o in counts
            if counts[o][3] and kind[o] == kind[nid]
        ]
        ahead = sum(1 for r in rivals if r < mine)
        ahead_or_level = sum(1 for r in rivals if r <= mine)  # itself included
        quota = m["quotas"][kind[nid]]
        if ahead_or_level <= quota:
            fates[nid] = "approved"
        elif ahead >= quota:
            fates[nid] = "outside_quota"
        else:
            fates[nid] = "runoff"
    return fates


@SETTINGS
@given(meetings())
def test_count_and_quota_match_the_reference(m: dict[str, Any]) -> None:
    counts = cv.count_round(
        m["nominees"],
        m["ballots"],
        m["written"],
        members=m["members"],
        present=m["present"],
        rule=m["rule"],
    )
    expected = _reference_counts(m)
    assert {
        c.nomination_id: (c.agree, c.disagree, c.denominator, c.passed) for c in counts
    } == expected

    outcome = cv.apply_quota(m["nominees"], counts, m["quotas"])
    fates = _reference_fates(m, expected)
    in_runoff = {n for r in outcome.runoffs for n in r.nominees}
    approved = {n for ids in outcome.approved.values() for n in ids}
    for nid, fate in fates.items():
        if fate == "approved":
            assert nid in approved, nid
        elif fate == "runoff":
            assert nid in in_runoff, nid  # a tie at the boundary: never a silent pick
        else:
            assert outcome.rejected.get(nid) == fate, nid
    # every nominee has exactly one fate
    assert len(approved) + len(in_runoff) + len(outcome.rejected) == len(m["nominees"])
    for kind, quota in m["quotas"].items():
        seats = sum(r.seats for r in outcome.runoffs if r.kind == kind)
        assert len(outcome.approved[kind]) + seats <= quota
        for runoff in outcome.runoffs:
            if runoff.kind == kind:
                # more tied nominees than seats, and at least one seat
                assert 0 < runoff.seats < len(runoff.nominees)


@SETTINGS
@given(meetings(), st.data())
def test_runoffs_fill_the_quota_and_end_when_the_tie_breaks(
    m: dict[str, Any], data: st.DataObject
) -> None:
    counts = cv.count_round(
        m["nominees"],
        m["ballots"],
        m["written"],
        members=m["members"],
        present=m["present"],
        rule=m["rule"],
    )
    outcome = cv.apply_quota(m["nominees"], counts, m["quotas"])
    passed = {c.nomination_id for c in counts if c.passed}
    kind_of = {x.nomination_id: x.kind for x in m["nominees"]}
    for _ in range(5):
        if outcome.final:
            break
        tied = [n for r in outcome.runoffs for n in r.nominees]
        seats = {r.kind: r.seats for r in outcome.runoffs}
        ballots = []
        for _voter in range(data.draw(st.integers(1, 7))):
            ballot = {}
            for r in outcome.runoffs:
                chosen = data.draw(
                    st.lists(st.sampled_from(r.nominees), max_size=r.seats, unique=True)
                )
                ballot.update({n: "agree" if n in chosen else "disagree" for n in r.nominees})
            assert cv.check_ballot(ballot, tied, seats, kind_of) is None
            ballots.append(ballot)
        before = outcome
        outcome, agree = cv.apply_runoff(outcome, m["nominees"], ballots)
        assert set(agree) == set(tied)
        # a runoff never grows: whoever is tied again was tied before
        again = {n for r in outcome.runoffs for n in r.nominees}
        assert again <= set(tied)
        assert sum(len(v) for v in outcome.approved.values()) >= sum(
            len(v) for v in before.approved.values()
        )
    if outcome.final:
        for kind, quota in m["quotas"].items():
            of_kind = [n for n in passed if kind_of[n] == kind]
            # the quota is filled as far as the nominees who passed allow, never beyond
            assert len(outcome.approved[kind]) == min(quota, len(of_kind))
            assert set(outcome.approved[kind]) <= passed


def test_of_all_members_is_the_default_and_counts_absent_members_against() -> None:
    rule = cv.AwardsRule()
    assert rule.denominator == "members" and rule.share == 0.7 and rule.secret
    nominee = cv.Nominee("a", "individual", "A", 1)
    # 10 members, 7 present, all agree: 7/10 meets 70 % of all members
    (count,) = cv.count_round([nominee], [{"a": "agree"}] * 7, [], members=10, present=7, rule=rule)
    assert count.passed and count.denominator == 10
    # 6 agree of 6 ballots is 100 % of the votes cast but 60 % of the members
    (count,) = cv.count_round([nominee], [{"a": "agree"}] * 6, [], members=10, present=7, rule=rule)
    assert not count.passed
    votes_cast = rule.model_copy(update={"denominator": "votes_cast"})
    (count,) = cv.count_round(
        [nominee], [{"a": "agree"}] * 6, [], members=10, present=7, rule=votes_cast
    )
    assert count.passed


@pytest.mark.parametrize(
    ("members", "required"), [(3, 2), (7, 5), (10, 7), (15, 10), (20, 14), (1, 1)]
)
def test_quorum_of_two_thirds(members: int, required: int) -> None:
    rule = cv.AwardsRule()
    assert cv.quorum_required(members, rule) == required
    assert cv.quorum_met(members, required, rule)
    assert not cv.quorum_met(members, required - 1, rule)


def test_a_tie_at_the_boundary_asks_for_a_runoff_naming_the_tied() -> None:
    nominees = [cv.Nominee(n, "collective", n, None) for n in ("a", "b", "c")]
    ballots = [{"a": "agree", "b": "agree", "c": "agree"}] * 3
    counts = cv.count_round(nominees, ballots, [], members=3, present=3, rule=cv.AwardsRule())
    outcome = cv.apply_quota(nominees, counts, {"collective": 2, "individual": 0})
    assert outcome.runoffs == (cv.Runoff("collective", ("a", "b", "c"), 2),)
    assert cv.check_ballot(
        {"a": "agree", "b": "agree", "c": "agree"},
        ["a", "b", "c"],
        {"collective": 2},
        {"a": "collective", "b": "collective", "c": "collective"},
    )
    outcome, agree = cv.apply_runoff(
        outcome, nominees, [{"a": "agree", "b": "disagree", "c": "agree"}] * 2
    )
    assert outcome.final and outcome.approved["collective"] == ("a", "c")
    assert outcome.rejected == {"b": cv.OUTSIDE_QUOTA} and agree == {"a": 2, "b": 0, "c": 2}


def test_the_tally_hash_is_canonical() -> None:
    assert cv.tally_sha256({"b": 1, "a": "ồ"}) == cv.tally_sha256({"a": "ồ", "b": 1})
    assert cv.tally_sha256({"a": 1}) != cv.tally_sha256({"a": 2})
    # Exactly the published form: sorted keys, no spaces, UTF-8 (not \u escapes), so anyone
    # can recompute the hash of a frozen tally from its JSON.
    import hashlib

    canonical = '{"a":"ồ","b":[1,{"c":null}]}'.encode()
    assert (
        cv.tally_sha256({"b": [1, {"c": None}], "a": "ồ"}) == hashlib.sha256(canonical).hexdigest()
    )


@SETTINGS
@given(meetings())
def test_the_approved_are_in_the_councils_order_and_shares_are_exact(m: dict[str, Any]) -> None:
    """`approved` is an ordered list (the decision lists it so): more agree votes first,
    then the better KPI rank (no rank last), then the name; each share is agree over the
    rule's denominator."""
    counts = cv.count_round(
        m["nominees"],
        m["ballots"],
        m["written"],
        members=m["members"],
        present=m["present"],
        rule=m["rule"],
    )
    for c in counts:
        assert c.share == (c.agree / c.denominator if c.denominator else None)
        assert c.kind == next(x.kind for x in m["nominees"] if x.nomination_id == c.nomination_id)
    by_id = {x.nomination_id: x for x in m["nominees"]}
    agree = {c.nomination_id: c.agree for c in counts}
    outcome = cv.apply_quota(m["nominees"], counts, m["quotas"])
    assert set(outcome.approved) == set(cv.KINDS)
    for ids in outcome.approved.values():
        keys = [(-agree[n], _reference_key(0, by_id[n].kpi_rank)[1], by_id[n].name, n) for n in ids]
        assert keys == sorted(keys)


def test_a_runoff_appends_its_winners_after_the_first_rounds() -> None:
    nominees = [
        cv.Nominee("first", "individual", "Z", 1),
        cv.Nominee("b", "individual", "B", None),
        cv.Nominee("a", "individual", "A", None),
        cv.Nominee("c", "individual", "C", None),
    ]
    ballots = [{"first": "agree", "a": "agree", "b": "agree", "c": "agree"}] * 3
    counts = cv.count_round(nominees, ballots, [], members=3, present=3, rule=cv.AwardsRule())
    outcome = cv.apply_quota(nominees, counts, {"individual": 3})
    assert outcome.approved["individual"] == ("first",)
    assert outcome.runoffs == (cv.Runoff("individual", ("a", "b", "c"), 2),)
    # In the runoff b and c both get 2 agree votes; a gets 1: b and c take the two seats,
    # by name when their count and rank are level.
    runoff_ballots = [
        {"a": "agree", "b": "agree", "c": "disagree"},
        {"a": "disagree", "b": "agree", "c": "agree"},
        {"a": "disagree", "b": "disagree", "c": "agree"},
    ]
    after, agree = cv.apply_runoff(outcome, nominees, runoff_ballots)
    assert agree == {"a": 1, "b": 2, "c": 2}
    assert after.approved["individual"] == ("first", "b", "c")
    assert after.rejected == {"a": cv.OUTSIDE_QUOTA} and after.final
    # A tie again at the boundary: another runoff for the seat left, naming the tied only.
    level = [{"a": "agree", "b": "agree", "c": "disagree"}] * 2
    again, _ = cv.apply_runoff(
        cv.Outcome({"individual": ("first",)}, {}, (cv.Runoff("individual", ("a", "b", "c"), 1),)),
        nominees,
        level,
    )
    assert again.runoffs == (cv.Runoff("individual", ("a", "b"), 1),)
    assert again.rejected == {"c": cv.OUTSIDE_QUOTA}
    assert again.approved["individual"] == ("first",)


def test_a_ballot_is_refused_naming_what_is_wrong() -> None:
    nominees = ["a", "b"]
    assert cv.check_ballot({"a": "agree", "b": "disagree"}, nominees) is None
    assert cv.check_ballot({"a": "agree"}, nominees) == "no choice for b"
    assert cv.check_ballot({"a": "agree", "b": "agree", "x": "agree", "w": "agree"}, nominees) == (
        "not on this ballot: w, x"
    )
    assert cv.check_ballot({"b": "agree", "x": "agree"}, nominees) == (
        "no choice for a; not on this ballot: x"
    )
    assert cv.check_ballot({"a": "yes", "b": "maybe"}, nominees) == (
        "each choice must be agree or disagree (a, b)"
    )
    kinds = {"a": "collective", "b": "individual"}
    seats = {"collective": 1, "individual": 0}
    assert cv.check_ballot({"a": "agree", "b": "disagree"}, nominees, seats, kinds) is None
    assert cv.check_ballot({"a": "agree", "b": "agree"}, nominees, seats, kinds) == (
        "a runoff ballot agrees with at most 0 individual nominee(s)"
    )
    assert (
        cv.check_ballot(
            {"a": "agree", "b": "agree"}, nominees, {"collective": 1, "individual": 1}, kinds
        )
        is None
    )
    # Without the kinds (the first round) the seats are not a limit.
    assert cv.check_ballot({"a": "agree", "b": "agree"}, nominees, seats, None) is None


def test_a_council_of_nobody_never_meets_its_quorum() -> None:
    rule = cv.AwardsRule(quorum=1.0)
    assert cv.quorum_required(0, rule) == 0
    assert not cv.quorum_met(0, 0, rule)
    assert cv.quorum_required(3, rule) == 3 and cv.quorum_met(3, 3, rule)
    assert cv.exact(0.7) == cv.Fraction(7, 10)


def test_the_stored_outcome_and_rounds_read_back_the_same() -> None:
    outcome = cv.Outcome(
        {"collective": ("b", "a"), "individual": ()},
        {"z": cv.OUTSIDE_QUOTA, "y": cv.BELOW_THRESHOLD},
        (cv.Runoff("individual", ("c", "d"), 1),),
    )
    stored = cv.outcome_dict(outcome)
    assert stored == {
        "approved": {"collective": ["b", "a"], "individual": []},
        "rejected": {"y": cv.BELOW_THRESHOLD, "z": cv.OUTSIDE_QUOTA},
        "runoffs": [{"kind": "individual", "nominees": ["c", "d"], "seats": 1}],
    }
    assert list(stored["rejected"]) == ["y", "z"]
    assert cv.outcome_of(stored) == outcome
    assert cv.outcome_of({**stored, "runoffs": [{**stored["runoffs"][0], "seats": "1"}]}) == outcome
    count = cv.NomineeCount("a", "collective", 7, 3, 10, 0.7, True)
    record = cv.RoundRecord(1, ("a",), 9, 1, (count,), {}, {"collective": 1})
    as_dict = cv.round_dict(record)
    assert as_dict["counts"][0] == {
        "nomination_id": "a",
        "kind": "collective",
        "agree": 7,
        "disagree": 3,
        "denominator": 10,
        "share": 0.7,
        "passed": True,
    }
    assert cv.count_of({**as_dict["counts"][0], "extra": "ignored"}) == count
    assert (as_dict["number"], as_dict["ballots"], as_dict["written_votes"]) == (1, 9, 1)


def test_a_runoff_orders_a_level_count_by_kpi_rank_and_counts_the_seats_left() -> None:
    """Mutants apply_runoff 20 (the runoff ignored the KPI rank) and 53 (the seats of a
    second runoff added the seats just filled instead of taking them away)."""
    nominees = [
        cv.Nominee("a", "collective", "A", None),
        cv.Nominee("b", "collective", "B", 3),
        cv.Nominee("c", "collective", "C", 1),
        cv.Nominee("d", "collective", "D", None),
    ]
    tied = cv.Outcome({"collective": ()}, {}, (cv.Runoff("collective", ("b", "c"), 1),))
    level = [{"b": "agree", "c": "agree"}] * 2
    after, _ = cv.apply_runoff(tied, nominees, level)
    assert after.approved["collective"] == ("c",)  # rank 1 before rank 3
    assert after.rejected == {"b": cv.OUTSIDE_QUOTA}
    # Two seats among four: a leads, b and d are level for the one seat left.
    four = cv.Outcome({"collective": ()}, {}, (cv.Runoff("collective", ("a", "b", "c", "d"), 2),))
    ballots = [
        {"a": "agree", "b": "agree", "c": "disagree", "d": "disagree"},
        {"a": "agree", "b": "disagree", "c": "disagree", "d": "agree"},
    ]
    nominees[1] = cv.Nominee("b", "collective", "B", None)
    after, agree = cv.apply_runoff(four, nominees, ballots)
    assert agree == {"a": 2, "b": 1, "c": 0, "d": 1}
    assert after.approved["collective"] == ("a",)
    assert after.runoffs == (cv.Runoff("collective", ("b", "d"), 1),)
    assert after.rejected == {"c": cv.OUTSIDE_QUOTA}
    # An outcome read back without the kind's list (none approved yet) still takes them.
    bare = cv.Outcome({}, {}, (cv.Runoff("collective", ("b", "c"), 1),))
    assert cv.apply_runoff(bare, nominees, level)[0].approved == {"collective": ("c",)}
    assert cv.check_ballot({}, ["a", "b"]) == "no choice for a, b"


def test_a_kind_without_a_quota_gets_no_seat() -> None:
    """Mutant apply_quota 32 (a missing quota read as 1)."""
    nominees = [cv.Nominee("a", "individual", "A", 1), cv.Nominee("b", "collective", "B", 1)]
    counts = cv.count_round(
        nominees, [{"a": "agree", "b": "agree"}] * 3, [], members=3, present=3, rule=cv.AwardsRule()
    )
    outcome = cv.apply_quota(nominees, counts, {"collective": 1})
    assert outcome.approved == {"collective": ("b",), "individual": ()}
    assert outcome.rejected == {"a": cv.OUTSIDE_QUOTA} and outcome.final

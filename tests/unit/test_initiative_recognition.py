"""The recognition rule of initiatives (domain.initiatives.assess) against an independent
recomputation, for any members, scores, shares, pass scores and denominators."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.domain import initiatives as rules

CRITERIA = st.lists(
    st.tuples(st.sampled_from(["a", "b", "c", "d", "e"]), st.integers(1, 60)),
    min_size=1,
    max_size=4,
    unique_by=lambda c: c[0],
)


@st.composite
def cases(draw):
    criteria = draw(CRITERIA)
    members = draw(st.integers(0, 25))
    scored = draw(st.integers(0, members))
    scores = [{k: draw(st.integers(0, m)) for k, m in criteria} for _ in range(scored)]
    share = draw(
        st.one_of(
            st.sampled_from([2 / 3, 0.5, 0.7, 0.75, 0.8, 0.9, 1.0, 1 / 3]),
            st.floats(min_value=0.01, max_value=1.0),
        )
    )
    pass_score = draw(st.one_of(st.sampled_from([0, 50, 60, 100, 66.5]), st.floats(0, 100)))
    denominator = draw(st.sampled_from(["members", "scored"]))
    return criteria, members, scores, share, pass_score, denominator


def reference(criteria, members, scores, share, pass_score, denominator) -> tuple[int, int, bool]:
    """In favour, base, recognised: by Decimal fractions of the rule's decimal text, and
    a percentage per member compared without any rounding."""
    maximum = sum(m for _, m in criteria)
    pass_exact = Fraction(Decimal(repr(float(pass_score))))
    share_exact = Fraction(Decimal(repr(float(share))))
    in_favour = 0
    for s in scores:
        percent = Fraction(sum(s.values()) * 100, maximum)
        if percent >= pass_exact:
            in_favour += 1
    base = members if denominator == "members" else len(scores)
    recognised = base > 0 and Fraction(in_favour, base) >= share_exact
    return in_favour, base, recognised


@settings(max_examples=600, deadline=None)
@given(cases())
def test_assess_matches_the_reference(case):
    criteria, members, scores, share, pass_score, denominator = case
    got = rules.assess(
        scores,
        members=members,
        criteria=criteria,
        share=share,
        denominator=denominator,
        pass_score=pass_score,
    )
    in_favour, base, recognised = reference(*case)
    assert got.in_favour == in_favour
    assert got.denominator == base
    assert got.recognised is recognised
    assert got.scores == len(scores)
    # `required` is the fewest in favour that meet the share.
    if base > 0:
        share_exact = Fraction(Decimal(repr(float(share))))
        assert Fraction(got.required, base) >= share_exact
        assert got.required == 0 or Fraction(got.required - 1, base) < share_exact


def test_two_of_three_members_meet_two_thirds():
    criteria = [("novelty", 30), ("applicability", 30), ("effectiveness", 40)]
    yes = {"novelty": 20, "applicability": 20, "effectiveness": 10}  # 50: at the pass score
    no = {"novelty": 20, "applicability": 20, "effectiveness": 9}
    common = {"criteria": criteria, "share": 2 / 3, "pass_score": 50}
    assert rules.assess([yes, yes, no], members=3, denominator="members", **common).recognised
    assert not rules.assess([yes, no, no], members=3, denominator="members", **common).recognised
    # Of all members: two in favour of five members is not 2/3, though it is of those who scored.
    assert not rules.assess([yes, yes], members=5, denominator="members", **common).recognised
    assert rules.assess([yes, yes], members=5, denominator="scored", **common).recognised
    assert not rules.assess([], members=0, denominator="scored", **common).recognised


def test_recusal():
    authors = [rules.Author("Lê Minh Châu", "u-div", "cb-003"), rules.Author("Sở", "u-dept")]
    assert rules.recusal("cb-003", "u-div", authors) == "author"
    assert rules.recusal("cb-002", "u-dept", authors) == "author_unit"
    assert rules.recusal("cb-009", "u-div", authors) == "author_unit"
    assert rules.recusal("cb-004", "u-commune", authors) is None
    assert rules.recusal(None, None, authors) is None


def test_creativity_figures_count_from_submission():
    figures = rules.creativity_figures(
        [("u1", "draft"), ("u1", "submitted"), ("u1", "recognised"), ("u2", "not_recognised")]
    )
    assert figures == {
        "u1": {"initiatives_submitted": 2, "initiatives_recognised": 1},
        "u2": {"initiatives_submitted": 1, "initiatives_recognised": 0},
    }
    # Two recognised in one unit count two (mutant creativity_figures 23 set it to 1).
    assert rules.creativity_figures([("u1", "recognised")] * 2 + [("u1", "submitted")]) == {
        "u1": {"initiatives_submitted": 3, "initiatives_recognised": 2}
    }


def test_posting_window_skips_weekends_and_holidays():
    import datetime as dt
    from zoneinfo import ZoneInfo

    from chalicelib.domain import posting

    holidays = [dt.date(2025, 9, 1), dt.date(2025, 9, 2)]
    assert posting.last_working_day(dt.date(2025, 8, 29), 5, holidays) == dt.date(2025, 9, 8)
    # Opening on a Saturday starts counting on the Monday.
    assert posting.last_working_day(dt.date(2025, 8, 30), 1, []) == dt.date(2025, 9, 1)
    w = posting.window(dt.date(2025, 8, 29), 5, holidays, ZoneInfo("Asia/Ho_Chi_Minh"))
    assert w.closes_at == dt.datetime(2025, 9, 8, 17, 0, tzinfo=dt.UTC)
    assert w.state(w.closes_at) == "closed"
    assert w.state(w.closes_at - dt.timedelta(microseconds=1)) == "open"
    assert w.working_days_left(dt.date(2025, 9, 1), holidays) == 4
    assert w.working_days_left(dt.date(2025, 9, 9), holidays) == 0


@settings(max_examples=300, deadline=None)
@given(cases())
def test_the_averages_are_the_scores_mean_to_two_decimals(case):
    """Per criterion, the mean of the members' points; the total, the mean of the members'
    totals out of 100; each within half a hundredth of the exact value (0 when no score)."""
    criteria, members, scores, share, pass_score, denominator = case
    got = rules.assess(
        scores,
        members=members,
        criteria=criteria,
        share=share,
        denominator=denominator,
        pass_score=pass_score,
    )
    assert list(got.average) == [k for k, _ in criteria]
    maximum = sum(m for _, m in criteria)
    for key, _ in criteria:
        exact = Fraction(sum(s[key] for s in scores), len(scores)) if scores else Fraction(0)
        assert abs(Fraction(got.average[key]) - exact) <= Fraction(1, 200) + Fraction(1, 10**9)
        assert round(got.average[key], 2) == got.average[key]  # two decimals, not three
    exact_total = (
        Fraction(sum(sum(s.values()) for s in scores) * 100, len(scores) * maximum)
        if scores
        else Fraction(0)
    )
    assert abs(Fraction(got.average_total) - exact_total) <= Fraction(1, 200) + Fraction(1, 10**9)
    assert round(got.average_total, 2) == got.average_total
    assert got.members == members
    assert got.outcome == ("recognised" if got.recognised else "not_recognised")
    assert got.as_dict() == {
        "scores": len(scores),
        "members": members,
        "in_favour": got.in_favour,
        "denominator": got.denominator,
        "required": got.required,
        "average": got.average,
        "average_total": got.average_total,
        "outcome": got.outcome,
    }


def test_a_member_cannot_score_nothing_into_a_pass():
    assert not rules.reaches_pass({}, 0, 0)
    assert rules.reaches_pass({"a": 0}, 10, 0)
    assert rules.reaches_pass({"a": "5"}, 10, 50)  # stored points may come back as text
    assert not rules.reaches_pass({"a": 4}, 10, 50)


def test_the_states_of_an_initiative():
    assert rules.next_status("draft", "submit") == "submitted"
    assert rules.next_status("submitted", "submit") is None
    assert rules.next_status("submitted", "return") == "draft"
    assert rules.next_status("submitted", "recognise") == "recognised"
    assert rules.next_status("recognised", "not_recognise") is None
    assert rules.allowed_from("edit") == ["draft"]
    assert rules.allowed_from("score") == ["submitted"]
    for action, (starts, target) in rules.TRANSITIONS.items():
        for status in rules.STATUSES:
            assert rules.next_status(status, action) == (target if status in starts else None)


def test_points_fit_the_criteria_or_say_why_not():
    criteria = [("novelty", 30), ("effect", 70)]
    assert rules.points_problem({"novelty": 0, "effect": 70}, criteria) is None
    assert rules.points_problem({"novelty": 30, "effect": 0}, criteria) is None
    assert rules.points_problem({"novelty": 1}, criteria) == (
        "give points for exactly these criteria: novelty, effect"
    )
    assert rules.points_problem({"novelty": 1, "effect": 2, "x": 0}, criteria) is not None
    assert rules.points_problem({"novelty": 31, "effect": 0}, criteria) == (
        "novelty takes 0 to 30 points, not 31"
    )
    assert rules.points_problem({"novelty": 0, "effect": -1}, criteria) == (
        "effect takes 0 to 70 points, not -1"
    )


def test_records_name_their_authors_and_totals():
    import datetime as dt

    at = dt.datetime(2025, 9, 1, tzinfo=dt.UTC)
    item = rules.Initiative(
        "i1", "c1", "k", "u1", "T", "D", "B", dt.date(2025, 1, 1),
        [{"name": "Châu", "unit_id": "u1", "official_id": "cb-1"}, {"unit_id": "u2"}],
        "draft", {}, at, at,
    )  # fmt: skip
    assert item.author_records() == [
        rules.Author("Châu", "u1", "cb-1"),
        rules.Author("", "u2", None),
    ]
    score = rules.InitiativeScore("i1", "m1", {"a": 3, "b": "4"}, "", at)  # type: ignore[dict-item]
    assert score.total == 7


def test_a_score_given_before_a_criterion_was_added_counts_it_as_zero():
    """Mutants assess 41, 43, 44 (a missing criterion read as None, a KeyError, or 1)."""
    got = rules.assess(
        [{"a": 10}, {"a": 20, "b": 5}],
        members=2,
        criteria=[("a", 30), ("b", 10)],
        share=0.5,
        denominator="members",
        pass_score=50,
    )
    assert got.average == {"a": 15.0, "b": 2.5}
    assert (got.in_favour, got.recognised) == (1, True)
    assert rules.assess(
        [{"a": 1}, {"a": 2}, {"a": 2}], members=3, criteria=[("a", 3)], share=1,
        denominator="members", pass_score=0,
    ).average == {"a": 1.67}  # fmt: skip

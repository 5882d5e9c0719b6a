"""Pure rules of notifications and results reports: reminder days, signed unsubscribe
tokens (round trip, tampering), the tracking states and days left."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain import notifications as rules
from chalicelib.domain import results_reports as reports

SECRET = b"k" * 32
emails = st.from_regex(r"[a-z0-9._-]{1,20}@[a-z0-9-]{1,20}\.vn", fullmatch=True)
kinds = st.sampled_from(rules.KINDS)


@given(emails, kinds)
def test_a_token_names_its_address_and_kind(email, kind):
    token = rules.sign_unsubscribe(SECRET, email, kind)
    assert rules.verify_unsubscribe(SECRET, token) == (email, kind)
    assert rules.verify_unsubscribe(b"another key", token) is None


@given(emails, kinds, st.integers(min_value=0), st.characters(min_codepoint=33, max_codepoint=126))
def test_any_change_to_a_token_is_refused(email, kind, position, char):
    token = rules.sign_unsubscribe(SECRET, email, kind)
    i = position % len(token)
    changed = token[:i] + char + token[i + 1 :]
    if changed != token:
        assert rules.verify_unsubscribe(SECRET, changed) in (None, (email, kind))
        # Only a change base64 decoding ignores (a padding-equivalent last char) may keep it.
        if rules.verify_unsubscribe(SECRET, changed) is not None:
            assert i == len(token) - 1 or token[i] == "."


@given(st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2030, 1, 1)), st.integers(-30, 30))
def test_reminders_fall_on_7_2_and_0_days_before(deadline, offset):
    today = deadline - dt.timedelta(days=offset)
    due = rules.reminder_due(deadline, today)
    assert due == (offset if offset in (7, 2, 0) else None)
    assert reports.days_left(deadline, today) == offset


def test_tracking_states():
    assert reports.tracking_state(None, False) == "missing"
    assert reports.tracking_state("draft", False) == "draft"
    assert reports.tracking_state("submitted", False) == "submitted"
    assert reports.tracking_state("submitted", True) == "late"


def test_late_is_after_the_local_end_of_the_deadline_day():
    zone = dt.timezone(dt.timedelta(hours=7))
    deadline = dt.date(2025, 8, 18)
    assert not reports.is_late(dt.datetime(2025, 8, 18, 16, 59, 59, tzinfo=dt.UTC), deadline, zone)
    assert reports.is_late(dt.datetime(2025, 8, 18, 17, 0, tzinfo=dt.UTC), deadline, zone)
    assert not reports.is_late(dt.datetime(2030, 1, 1, tzinfo=dt.UTC), None, zone)


def test_forbidden_words_match_whole_words():
    assert rules.forbidden_words_in("Văn bản Mật số 12") == ["mật"]
    assert rules.forbidden_words_in("minh bạch, công khai") == []
    assert rules.forbidden_words_in("Ông Lê Minh Châu", ["Lê Minh Châu"]) == ["Lê Minh Châu"]


T0 = dt.datetime(2025, 8, 11, 1, 0, tzinfo=dt.UTC)


def _record(status: str, owner: str = "run-1", attempts: int = 1) -> rules.SentRecord:
    return rules.SentRecord(
        key="k",
        kind=rules.KIND_DIGEST,
        unit_id=None,
        recipient="a@b.vn",
        subject="s",
        status=status,
        created_at=T0,
        owner=owner,
        claimed_at=T0,
        attempts=attempts,
    )


@given(
    st.sampled_from([rules.CLAIMED, rules.FAILED, *sorted(rules.FINAL)]),
    st.sampled_from(["run-1", "run-2"]),
    st.integers(0, 40),
    st.integers(1, 4),
)
def test_who_takes_an_unconfirmed_claim_over(status, owner, minutes, attempts):
    """The claim/send/confirm rule against its statement: confirmed or refused keys and
    spent attempts are done; a send SES refused is retried; a claim is taken over by its
    own run's retry after a minute, by any run after the lease, else left in flight."""
    now = T0 + dt.timedelta(minutes=minutes)
    got = rules.takeover(_record(status, "run-1", attempts), owner, now)
    if status in rules.FINAL or attempts >= rules.MAX_ATTEMPTS:
        assert got == "done"
    elif status == rules.FAILED or minutes >= 16 or (owner == "run-1" and minutes >= 1):
        assert got == "retry"
    else:
        assert got == "in_flight"

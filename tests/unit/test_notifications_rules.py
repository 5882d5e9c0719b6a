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

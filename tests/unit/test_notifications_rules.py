"""Pure rules of notifications and results reports: reminder days, signed unsubscribe
tokens (round trip, tampering), the tracking states and days left."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import re

from hypothesis import example, given
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
        # Even a change base64 decoding ignores (another last character of the body or of
        # the signature with the same significant bits): only the issued spelling verifies.
        assert rules.verify_unsubscribe(SECRET, changed) is None


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


# --- what one message is: its week, its key, the key's digest ------------------------------


def test_a_digest_is_keyed_by_the_iso_week_of_its_local_date():
    assert rules.week_key(dt.date(2025, 8, 11)) == "2025-W33"
    assert rules.week_key(dt.date(2025, 1, 6)) == "2025-W02"  # the week number in two digits
    # ISO years: the last days of December may be week 1 of the next year, and the first
    # days of January week 52 or 53 of the one before.
    assert rules.week_key(dt.date(2024, 12, 30)) == "2025-W01"
    assert rules.week_key(dt.date(2021, 1, 3)) == "2020-W53"


def test_a_message_key_joins_its_parts_and_its_digest_is_bounded():
    key = rules.message_key(rules.KIND_REMINDER, "kh-2025", "u1", "2025-08-18", "a@b.vn")
    assert key == "reminder#kh-2025#u1#2025-08-18#a@b.vn"
    digest = rules.digest_of_key(key)
    assert digest == hashlib.sha256(key.encode()).hexdigest()[:32]
    assert len(rules.digest_of_key("x" * 5000)) == 32
    assert rules.digest_of_key("Hà Nội") == hashlib.sha256("Hà Nội".encode()).hexdigest()[:32]


def test_an_address_refuses_a_kind_it_unsubscribed_from_or_everything_once_suppressed():
    free = rules.MailPreference("a@b.vn")
    assert [free.refuses(k) for k in rules.KINDS] == [None] * 4
    unsubscribed = rules.MailPreference("a@b.vn", frozenset({rules.KIND_DIGEST}))
    assert unsubscribed.refuses(rules.KIND_DIGEST) == "unsubscribed"
    assert unsubscribed.refuses(rules.KIND_STATUS) is None
    suppressed = rules.MailPreference("a@b.vn", frozenset({rules.KIND_DIGEST}), suppressed=True)
    assert [suppressed.refuses(k) for k in rules.KINDS] == ["suppressed"] * 4


# --- the ledger key on SES message tags --------------------------------------------------


def _tags_of(key: str) -> dict[str, list[str]]:
    """What SES's event hands back: `mail.tags`, each tag's values as a list."""
    return {t["Name"]: [t["Value"]] for t in rules.key_tags(key)}


@given(st.text(min_size=1, max_size=900))
@example("digest#u-1#W")  # its base64url ends in "X"
@example("d")  # base64url with two padding characters dropped
@example("di")  # one dropped
@example("x" * 192)  # 256 characters: one tag exactly
@example("x" * 193)  # two tags
@example("x" * 768)  # 1024 characters: four tags exactly, the most a key may use
@example("x" * 769)  # too long to carry
def test_a_ledger_key_rides_on_ses_tags_and_comes_back(key):
    encoded = base64.urlsafe_b64encode(key.encode("utf-8")).decode("ascii").rstrip("=")
    chunks = [encoded[i : i + 256] for i in range(0, len(encoded), 256)]
    tags = rules.key_tags(key)
    if len(chunks) > 4:
        assert tags == []
        return
    assert tags == [{"Name": f"ledger{n}", "Value": chunk} for n, chunk in enumerate(chunks)]
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{1,256}", t["Value"]) for t in tags)
    assert rules.key_of_tags(_tags_of(key)) == key


def test_an_ses_event_without_a_ledger_key_names_none():
    key = "x" * 400  # two tags
    tags = _tags_of(key)
    assert rules.key_of_tags({**tags, "ledger0": [*tags["ledger0"], "extra"]}) == key
    assert rules.key_of_tags({}) is None
    assert rules.key_of_tags({"ledger0": []}) is None
    assert rules.key_of_tags({"ledger0": [""]}) is None
    assert rules.key_of_tags({"ledger1": tags["ledger1"]}) is None  # the chunks start at 0
    # The chunks stop at the first missing one.
    only_first = {"ledger0": tags["ledger0"], "ledger2": tags["ledger1"]}
    assert rules.key_of_tags(only_first) == rules.key_of_tags({"ledger0": tags["ledger0"]})
    assert rules.key_of_tags({"ledger0": ["a2V5."]}) is None  # not base64url
    assert rules.key_of_tags({"ledger0": ["a2V5"]}) == "key"
    assert rules.key_of_tags({"ledger0": ["_w"]}) is None  # not UTF-8
    assert rules.key_of_tags({"ledger0": ["A"]}) is None  # not base64 at all


# --- unsubscribe tokens: exactly what the service issued ---------------------------------


def test_a_token_is_pinned_to_its_format_so_links_already_sent_keep_working():
    token = rules.sign_unsubscribe(SECRET, "A@B.vn", rules.KIND_DIGEST)
    assert token == "MXxkaWdlc3R8YUBiLnZu.OpSKULCc-Ewhfp9LsY7FqQ"
    assert "=" not in token
    assert rules.verify_unsubscribe(SECRET, token) == ("a@b.vn", rules.KIND_DIGEST)


def test_a_token_names_an_address_that_holds_the_separator():
    token = rules.sign_unsubscribe(SECRET, "a|b@c.vn", rules.KIND_ALERT)
    assert rules.verify_unsubscribe(SECRET, token) == ("a|b@c.vn", rules.KIND_ALERT)


def _signed(payload: bytes) -> str:
    mac = hmac.new(SECRET, payload, hashlib.sha256).digest()[:16]
    return f"{rules._b64(payload)}.{rules._b64(mac)}"


def test_a_signed_token_that_is_not_a_version_1_kind_and_address_is_refused():
    assert rules.verify_unsubscribe(SECRET, _signed(b"1|digest|a@b.vn")) == ("a@b.vn", "digest")
    for payload in (
        b"2|digest|a@b.vn",  # another version
        b"1|weekly|a@b.vn",  # not a kind
        b"1|digest|not an address",
        b"1|digest",  # a part missing
        b"1|digest|\xff@b.vn",  # not UTF-8
    ):
        assert rules.verify_unsubscribe(SECRET, _signed(payload)) is None, payload


def test_a_token_with_anything_added_or_respelled_is_refused():
    token = rules.sign_unsubscribe(SECRET, "a@b.vn", rules.KIND_DIGEST)
    body, mac = token.split(".")
    for changed in (
        "",
        ".",
        f"{token}.",  # two dots
        f"{body}.{mac}.{mac}",
        f"!{token}",  # a character the decoder would skip
        f"{body[:5]} {body[5:]}.{mac}",
        f"{body}=.{mac}",  # padding
        f"{body}.{mac}==",
        f"{body}A.{mac}",  # one character more: not base64
        f"{body}.{mac[:-1]}R",  # "Q" and "R" differ only in the bits the decoder drops
    ):
        assert rules.verify_unsubscribe(SECRET, changed) is None, changed


def test_a_token_longer_than_600_characters_is_refused_even_if_signed():
    # 9 bytes of "1|digest|" and an address of 424 bytes: a payload of 433 bytes is 578
    # characters of base64url, and the token 578 + 1 + 22 = 601.
    # An address of at most 64 + 1 + 190 characters, many bytes each.
    email = "𠀀" * 64 + "@" + "đ" * 82 + ".vn"
    assert len(email.encode()) == 424
    token = rules.sign_unsubscribe(SECRET, email, rules.KIND_DIGEST)
    assert len(token) == 601
    assert rules.verify_unsubscribe(SECRET, token) is None
    one_less = "𠀀" * 64 + "@" + "đ" * 81 + "x.vn"
    shorter = rules.sign_unsubscribe(SECRET, one_less, rules.KIND_DIGEST)
    assert len(shorter) == 599  # 600 cannot be reached: base64url is never 1 more than 4n
    assert rules.verify_unsubscribe(SECRET, shorter) == (one_less, rules.KIND_DIGEST)


# --- the claim's age, on its edges -------------------------------------------------------


def test_a_claim_ages_from_its_latest_claim_and_spent_attempts_are_done():
    later = T0 + dt.timedelta(minutes=30)
    retaken = rules.SentRecord("k", "digest", None, "a@b.vn", "s", rules.CLAIMED, T0,
                               owner="run-1", claimed_at=later, attempts=1)  # fmt: skip
    # Claimed again 30 minutes after the record was created: the lease counts from then.
    assert rules.takeover(retaken, "run-2", later + dt.timedelta(minutes=15)) == "in_flight"
    assert rules.takeover(retaken, "run-2", later + rules.CLAIM_LEASE) == "retry"
    unclaimed = rules.SentRecord("k", "digest", None, "a@b.vn", "s", rules.CLAIMED, T0)
    assert rules.takeover(unclaimed, "run-2", T0 + rules.CLAIM_LEASE) == "retry"
    assert rules.takeover(_record(rules.CLAIMED, "run-1", 1), "run-1", T0 + rules.RETRY_DELAY) == (
        "retry"
    )
    assert rules.takeover(_record(rules.CLAIMED, "run-1", 1), "run-2", T0 + rules.RETRY_DELAY) == (
        "in_flight"
    )
    assert rules.takeover(_record(rules.FAILED, "run-1", 2), "run-2", T0) == "retry"
    assert rules.takeover(_record(rules.FAILED, "run-1", 3), "run-2", T0) == "done"


def test_an_empty_extra_term_finds_nothing():
    assert rules.forbidden_words_in("Báo cáo tuần", ["", "  "]) == []
    assert rules.forbidden_words_in("BÁO CÁO TỐI MẬT", ["Báo"]) == ["mật", "tối mật", "Báo"]

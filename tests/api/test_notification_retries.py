"""The notifications ledger's claim, send, confirm under failures (domain/notifications.py):
a run that fails at any step is completed by a retry or a later run, and nothing SES
accepted and anyone confirmed (the run or SES's Send event) is sent again.

Failures are injected at the storage seam (chalicelib.storage.outages): SES refusing a
send, the ledger refusing the write after a send, or both (the run dies holding a claim).
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import re
from collections import Counter
from typing import Any

from chalicelib import clock
from chalicelib.domain import notifications as rules
from chalicelib.storage import mail as mail_store
from chalicelib.storage import outages
from tests.api import test_notifications as base
from tests.api.test_notifications import AUG_11, captured, run_job, ses_sent
from tests.conftest import invoke_function

mailroom = base.mailroom  # the same fixture: a registry, a campaign and contacts


# The messages due on 11/8: two reminders, five digests, one alert (tests/api/test_notifications.py).
DUE = 8
# Lambda retries a failed asynchronous invocation a minute later at the earliest.
RETRIED = AUG_11 + rules.RETRY_DELAY


def scheduled(api: Any, event_id: str) -> dict[str, Any]:
    """The scheduled `notifications` function, as EventBridge invokes it (Lambda's retry of
    an invocation delivers the same event, with the same id)."""
    event = {
        "version": "0",
        "id": event_id,
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": "123456789012",
        "time": "2025-08-11T01:00:00Z",
        "region": "ap-southeast-1",
        "resources": ["arn:aws:events:ap-southeast-1:123456789012:rule/notifications"],
        "detail": {},
    }
    # With the deployed function's time (chalice.test gives every function 3 s, so a
    # scheduled run's budget would be the 1 s floor, shorter than a cold collect under load).
    return dict(invoke_function(api, "notifications", event, timeout_seconds=140))


def sent_per_recipient() -> Counter[str]:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    sent = ses_backends[DEFAULT_ACCOUNT_ID]["ap-southeast-1"].sent_messages
    # moto adds the To header's addresses to the destinations given
    return Counter(d for m in sent for d in set(m.destinations))


def unconfirmed() -> list[rules.SentRecord]:
    return [r for r in mail_store.all_records() if r.status != rules.SENT]


def test_a_send_ses_refused_is_sent_by_the_next_run(mailroom):
    outages.inject("SendRawEmail", code="Throttling", times=1)
    with clock.frozen(AUG_11):
        first = run_job(mailroom)
        assert first["counts"]["reminder_failed"] == 1
        assert [r.status for r in unconfirmed()] == [rules.FAILED]
        second = run_job(mailroom)
        third = run_job(mailroom)
    assert second["counts"] == {"already_sent": DUE - 1, "resumed": 1, "reminder": 1}
    assert third["counts"] == {"already_sent": DUE}
    assert ses_sent() == DUE == len(captured(mailroom))
    assert unconfirmed() == []


def test_a_run_that_dies_holding_a_claim_is_completed_by_its_retry(mailroom):
    # SES refuses the first send and the ledger then refuses to record it: the run fails
    # with the message claimed and not sent.
    outages.inject("SendRawEmail", code="Throttling", times=1)
    outages.inject("UpdateItem", table="mail_ledger", code="Throttling", times=1)
    with clock.frozen(AUG_11):
        assert "error" in scheduled_or_error(mailroom, "evt-1")
        [held] = unconfirmed()
        assert held.status == rules.CLAIMED and held.attempts == 1
        # Another run meanwhile leaves the claim alone (its holder may still be sending)
        # and sends the rest.
        other = run_job(mailroom)
        assert other["counts"]["in_flight"] == 1
        assert ses_sent() == DUE - 1
    # Lambda's retry of the failed invocation (the same event, a minute later) completes it.
    with clock.frozen(RETRIED):
        retry = scheduled(mailroom, "evt-1")
    assert retry["counts"] == {"already_sent": DUE - 1, "resumed": 1, "reminder": 1}
    assert ses_sent() == DUE
    assert max(sent_per_recipient().values()) == 2  # the division's two mails, no more
    assert unconfirmed() == []


def test_a_claim_outlives_its_run_only_for_the_lease(mailroom):
    outages.inject("SendRawEmail", code="Throttling", times=1)
    outages.inject("UpdateItem", table="mail_ledger", code="Throttling", times=1)
    with clock.frozen(AUG_11):
        scheduled_or_error(mailroom, "evt-1")
    with clock.frozen(AUG_11 + rules.CLAIM_LEASE - dt.timedelta(seconds=1)):
        assert run_job(mailroom)["counts"]["in_flight"] == 1
    with clock.frozen(AUG_11 + rules.CLAIM_LEASE):
        later = run_job(mailroom)
    assert later["counts"] == {"already_sent": DUE - 1, "resumed": 1, "reminder": 1}
    assert ses_sent() == DUE and unconfirmed() == []


def _send_event(record: rules.SentRecord) -> dict[str, Any]:
    """SES's Send event for a message, as the configuration set publishes it to SNS."""
    tags = {t["Name"]: [t["Value"]] for t in rules.key_tags(record.key)}
    note = {
        "eventType": "Send",
        "mail": {"messageId": "ses-accepted-1", "tags": {"ses:configuration-set": ["x"], **tags}},
        "send": {},
    }
    return {"Records": [{"EventSource": "aws:sns", "Sns": {"Message": json.dumps(note)}}]}


def test_a_send_confirmed_by_ses_is_not_sent_again_by_the_retry(mailroom):
    # SES accepts the first message; the ledger refuses to record it: the run fails.
    outages.inject("UpdateItem", table="mail_ledger", code="Throttling", times=1)
    with clock.frozen(AUG_11):
        scheduled_or_error(mailroom, "evt-1")
        assert ses_sent() == 1
        [held] = unconfirmed()
        assert held.status == rules.CLAIMED
        # SES's Send event names the message (its key rides on the SES tags).
        fed = mailroom.client.lambda_.invoke("ses_feedback", _send_event(held)).payload
        assert fed == {"suppressed": 0, "confirmed": 1}
    with clock.frozen(RETRIED):
        retry = scheduled(mailroom, "evt-1")
    assert retry["counts"] == {"already_sent": 1, "alert": 1, "digest": 5, "reminder": 1}
    assert ses_sent() == DUE  # nothing twice
    assert mail_store.get(held.key).provider_id == "ses-accepted-1"  # type: ignore[union-attr]
    # A late Send event for a message already confirmed changes nothing.
    again = mailroom.client.lambda_.invoke("ses_feedback", _send_event(held)).payload
    assert again["confirmed"] == 0


def test_the_window_a_lost_send_event_leaves_is_one_duplicate(mailroom):
    """The documented window: SES accepted, the run died before confirming, and no Send
    event confirmed it before the retry: that one message goes twice, nothing else."""
    outages.inject("UpdateItem", table="mail_ledger", code="Throttling", times=1)
    with clock.frozen(AUG_11):
        scheduled_or_error(mailroom, "evt-1")
    with clock.frozen(RETRIED):
        retry = scheduled(mailroom, "evt-1")
    assert retry["counts"]["resumed"] == 1
    assert ses_sent() == DUE + 1
    assert sorted(sent_per_recipient().values(), reverse=True)[0] == 3  # digest + reminder x2


def test_a_duplicate_delivery_of_the_event_leaves_a_fresh_claim_alone(mailroom):
    """Lambda may deliver one event twice, the copies side by side: a copy that finds the
    other's claim seconds old (the other may be inside its SES call) does not send it."""
    outages.inject("SendRawEmail", code="Throttling", times=1)
    outages.inject("UpdateItem", table="mail_ledger", code="Throttling", times=1)
    with clock.frozen(AUG_11):
        scheduled_or_error(mailroom, "evt-1")  # stands for the copy still sending
    with clock.frozen(RETRIED - dt.timedelta(seconds=1)):
        copy = scheduled(mailroom, "evt-1")
    assert copy["counts"]["in_flight"] == 1 and "resumed" not in copy["counts"]
    assert ses_sent() == DUE - 1


def test_message_keys_ride_on_ses_tags_within_their_bounds():
    key = rules.message_key("reminder", "kh-2025", "results_report", "000.01.31.H34", "d7")
    tags = rules.key_tags(key + "#" + "a" * 200 + "@snv.khanhhoa.gov.vn")
    assert len(tags) > 1  # longer than one tag's value
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{1,256}", t["Value"]) for t in tags)
    assert rules.key_of_tags({t["Name"]: [t["Value"]] for t in tags}) == (
        key + "#" + "a" * 200 + "@snv.khanhhoa.gov.vn"
    )
    assert rules.key_tags("x" * 2000) == []  # too long to carry: the lease alone applies
    assert rules.key_of_tags({"ledger0": ["!!"]}) is None


def scheduled_or_error(api: Any, event_id: str) -> dict[str, Any]:
    """The scheduled function when it fails: its error, as Lambda would see it."""
    try:
        return scheduled(api, event_id)
    except Exception as exc:  # the failed invocation, which Lambda would retry
        return {"error": f"{type(exc).__name__}: {exc}"}


def test_sending_keeps_to_the_ses_rate(mailroom, setting, monkeypatch):
    """At most MAIL_SEND_RATE sends a second (else SES's MaxSendRate), on a fake timeline:
    the pacer sleeps, the clock advances by what it slept."""
    from chalicelib.services.notifications import deliver

    now = [1000.0]
    sent_at: list[float] = []
    real_send = mail_store.send_raw

    def sleep(seconds: float) -> None:
        now[0] += seconds

    def send(*args: Any, **kwargs: Any) -> str:
        sent_at.append(now[0])
        now[0] += 0.01  # SES answers quickly
        return real_send(*args, **kwargs)

    monkeypatch.setattr(clock, "monotonic", lambda: now[0])
    monkeypatch.setattr(deliver.time, "sleep", sleep)
    monkeypatch.setattr(mail_store, "send_raw", send)
    setting("MAIL_SEND_RATE", "4")
    with clock.frozen(AUG_11):
        run_job(mailroom)
    assert len(sent_at) == DUE
    gaps = [b - a for a, b in itertools.pairwise(sent_at)]
    assert min(gaps) >= 0.25 - 1e-9, gaps
    # Unset, the rate is the account's: SES's MaxSendRate.
    setting("MAIL_SEND_RATE", "0")
    from chalicelib.storage.aws import client

    assert deliver.send_rate() == float(client("ses").get_send_quota()["MaxSendRate"])

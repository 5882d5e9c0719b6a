"""Sending: one message per key (the ledger's conditional claim), the recipient's
preferences first, SES's rate respected, one-click unsubscribe headers; and the
`notifications` job (jobs/catalog.py) that sends whatever is due.

Each message goes through claim, send, confirm (domain/notifications.py says when a claim
that was never confirmed is taken over, and the one window in which a message can go
twice): a rerun sends nothing already confirmed, and a retry completes what a failed run
left unconfirmed."""

from __future__ import annotations

import time
import uuid
from collections import Counter
from email.message import EmailMessage
from email.utils import formataddr, make_msgid, parseaddr
from typing import Any

from chalicelib import clock
from chalicelib.domain import notifications as rules
from chalicelib.domain.notifications import Message, SentRecord
from chalicelib.observability import invocation_id, logger, metrics
from chalicelib.services.notifications import collect
from chalicelib.settings import get_settings
from chalicelib.storage import contacts as contact_store
from chalicelib.storage import mail as mail_store

JOB = "notifications"


def unsubscribe_url(email: str, kind: str) -> str:
    settings = get_settings()
    token = rules.sign_unsubscribe(mail_store.link_secret(), email, kind)
    return f"{settings.public_api_url}/public/unsubscribe?token={token}"


def expand(due: collect.Due) -> list[Message]:
    """One message per recipient of a due item."""
    console = get_settings().console_url + due.console_path
    out = []
    for email in due.recipients:
        subject, text, html = due.render(unsubscribe_url(email, due.kind), console)
        out.append(
            Message(
                key=rules.message_key(due.key, email),
                kind=due.kind,
                unit_id=due.unit_id,
                recipient=email,
                subject=subject,
                text=text,
                html=html,
                campaign_id=due.campaign_id,
            )
        )
    return out


def mime(message: Message) -> bytes:
    settings = get_settings()
    mail = EmailMessage()
    _, sender = parseaddr(settings.mail_from)
    mail["From"] = settings.mail_from
    mail["To"] = formataddr(("", message.recipient))
    mail["Subject"] = message.subject
    mail["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    # RFC 8058 one-click unsubscribe: mail clients POST to the link.
    mail["List-Unsubscribe"] = f"<{unsubscribe_url(message.recipient, message.kind)}>"
    mail["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    mail["X-Khong-Giay-Kind"] = message.kind
    mail["X-Khong-Giay-Key"] = rules.digest_of_key(message.key)
    mail.set_content(message.text, charset="utf-8")
    mail.add_alternative(message.html, subtype="html", charset="utf-8")
    return mail.as_bytes()


class Pacer:
    """At most `rate` sends per second (SES's MaxSendRate unless MAIL_SEND_RATE is set)."""

    def __init__(self, rate: float) -> None:
        self.interval = 1.0 / rate if rate > 0 else 0.0
        self.next_at = 0.0

    def wait(self) -> None:
        now = clock.monotonic()
        if now < self.next_at:
            time.sleep(self.next_at - now)
        self.next_at = max(now, self.next_at) + self.interval


def send_rate() -> float:
    configured = get_settings().mail_send_rate
    return configured if configured > 0 else mail_store.send_quota_rate()


def deliver(messages: list[Message], deadline: float, owner: str | None = None) -> dict[str, Any]:
    """Send each message not confirmed before; what happened to each, counted by kind.
    `owner` names this run in its claims (a retry of the same invocation keeps it)."""
    settings = get_settings()
    owner = owner or invocation_id() or uuid.uuid4().hex
    capture = bool(settings.mail_capture_dir)
    preferences = contact_store.preferences_of(m.recipient for m in messages)
    pacer: Pacer | None = None
    counts: Counter[str] = Counter()
    done = True
    for message in messages:
        if clock.monotonic() > deadline:
            done = False
            break
        preference = preferences.get(message.recipient.lower())
        refused = preference.refuses(message.kind) if preference else None
        now = clock.now()
        record = SentRecord(
            key=message.key,
            kind=message.kind,
            unit_id=message.unit_id,
            recipient=message.recipient,
            subject=message.subject,
            status=refused or rules.CLAIMED,
            created_at=now,
            owner=owner,
            claimed_at=now,
            attempts=0 if refused else 1,
            text=message.text if capture and not refused else None,
            html=message.html if capture and not refused else None,
        )
        if not mail_store.claim(record):
            outcome = _take_over(message.key, owner, refused)
            if outcome != "retry":
                counts["already_sent" if outcome == "done" else "in_flight"] += 1
                continue
            counts["resumed"] += 1
        if refused:
            counts[f"{message.kind}_{refused}"] += 1
            continue
        raw = mime(message)
        if pacer is None:
            pacer = Pacer(send_rate())
        pacer.wait()
        try:
            provider_id = mail_store.send_raw(
                settings.mail_from, message.recipient, raw, rules.key_tags(message.key)
            )
        except Exception:
            logger.exception("sending a notification failed", extra={"kind": message.kind})
            mail_store.settle(message.key, rules.FAILED)
            counts[f"{message.kind}_failed"] += 1
            continue
        mail_store.settle(message.key, rules.SENT, provider_id)
        mail_store.capture(message.key, raw)
        counts[message.kind] += 1
    return {"done": done, "counts": dict(sorted(counts.items()))}


def _take_over(key: str, owner: str, refused: str | None) -> str:
    """A key some run claimed before: "done", "in_flight", or "retry" once this run holds
    the claim (or, for a recipient who has since refused the kind, has closed it)."""
    seen = mail_store.get(key)
    if seen is None:  # written and gone: nothing in this design deletes, so treat as done
        return "done"
    outcome = rules.takeover(seen, owner, clock.now())
    if outcome != "retry":
        return outcome
    if not mail_store.take_over(seen, owner, clock.now(), refused or rules.CLAIMED):
        return "in_flight"
    return "retry"


def run_notifications(deadline: float) -> dict[str, Any]:
    """The `notifications` job: build what is due today and send what was not sent."""
    messages = [m for due in collect.everything_due() for m in expand(due)]
    result = deliver(messages, deadline)
    sent = sum(v for k, v in result["counts"].items() if k in rules.KINDS)
    metrics.add_metric(name="NotificationsSent", unit="Count", value=sent)
    logger.info("notifications run", extra=result)
    return {"due": len(messages), **result}

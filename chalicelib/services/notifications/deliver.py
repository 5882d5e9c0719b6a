"""Sending: one message per key (the ledger's conditional claim), the recipient's
preferences first, SES's rate respected, one-click unsubscribe headers; and the
`notifications` job (jobs/catalog.py) that sends whatever is due.

A message is claimed before it is sent, so a rerun or a retry after a crash never sends
it twice (at most once: a crash between the claim and SES's answer loses that one
message, which the ledger shows as `claimed`)."""

from __future__ import annotations

import time
from collections import Counter
from email.message import EmailMessage
from email.utils import formataddr, make_msgid, parseaddr
from typing import Any

from chalicelib import clock
from chalicelib.domain import notifications as rules
from chalicelib.domain.notifications import Message, SentRecord
from chalicelib.observability import logger, metrics
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


def deliver(messages: list[Message], deadline: float) -> dict[str, Any]:
    """Send each message not sent before; what happened to each, counted by kind."""
    settings = get_settings()
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
        record = SentRecord(
            key=message.key,
            kind=message.kind,
            unit_id=message.unit_id,
            recipient=message.recipient,
            subject=message.subject,
            status=refused or "claimed",
            created_at=clock.now(),
            text=message.text if capture and not refused else None,
            html=message.html if capture and not refused else None,
        )
        if not mail_store.claim(record):
            counts["already_sent"] += 1
            continue
        if refused:
            counts[f"{message.kind}_{refused}"] += 1
            continue
        raw = mime(message)
        if pacer is None:
            pacer = Pacer(send_rate())
        pacer.wait()
        try:
            provider_id = mail_store.send_raw(settings.mail_from, message.recipient, raw)
        except Exception:
            logger.exception("sending a notification failed", extra={"kind": message.kind})
            mail_store.settle(message.key, "failed")
            counts[f"{message.kind}_failed"] += 1
            continue
        mail_store.settle(message.key, "sent", provider_id)
        mail_store.capture(message.key, raw)
        counts[message.kind] += 1
    return {"done": done, "counts": dict(sorted(counts.items()))}


def run_notifications(deadline: float) -> dict[str, Any]:
    """The `notifications` job: build what is due today and send what was not sent."""
    messages = [m for due in collect.everything_due() for m in expand(due)]
    result = deliver(messages, deadline)
    sent = sum(v for k, v in result["counts"].items() if k in rules.KINDS)
    metrics.add_metric(name="NotificationsSent", unit="Count", value=sent)
    logger.info("notifications run", extra=result)
    return {"due": len(messages), **result}

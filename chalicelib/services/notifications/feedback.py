"""What recipients and SES tell us back: one-click unsubscribes (signed links, per kind),
SES bounce and complaint notifications (through SNS), which suppress the address, and
SES's Send events, which confirm a message in the ledger (its key rides on the message's
SES tags), whatever the run that sent it managed to write down."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs

from chalicelib import clock
from chalicelib.domain import notifications as rules
from chalicelib.domain.errors import InvalidInput
from chalicelib.observability import logger
from chalicelib.storage import contacts as contact_store
from chalicelib.storage import mail as mail_store

MAX_FORM_BYTES = 2048


def _checked(token: str) -> tuple[str, str]:
    found = rules.verify_unsubscribe(mail_store.link_secret(), token)
    if found is None:
        raise InvalidInput("This unsubscribe link is not valid (it was changed or cut short)")
    return found


def describe(token: str) -> dict[str, str]:
    """What a link would unsubscribe from (the page a person sees before confirming)."""
    email, kind = _checked(token)
    return {"email": _masked(email), "kind": kind, "kind_label": rules.KIND_LABELS[kind][0]}


def unsubscribe(token: str, form: bytes = b"") -> dict[str, str]:
    """One-click (RFC 8058): the mail client POSTs List-Unsubscribe=One-Click; a person's
    browser posts the confirmation form. Idempotent."""
    if len(form) > MAX_FORM_BYTES:
        raise InvalidInput("The form is too large")
    fields = parse_qs(form.decode("utf-8", "replace")) if form else {}
    values = fields.get("List-Unsubscribe", [])
    if values and values != ["One-Click"]:
        raise InvalidInput("List-Unsubscribe must be One-Click")
    email, kind = _checked(token)
    contact_store.add_unsubscribed(email, kind, clock.now())
    return {"email": _masked(email), "kind": kind, "kind_label": rules.KIND_LABELS[kind][0]}


def _masked(email: str) -> str:
    """Enough of the address for its owner to recognise it, not for a stranger to read it."""
    local, _, domain = email.partition("@")
    return f"{local[:2]}***@{domain}"


def ses_feedback(event: dict[str, Any]) -> dict[str, int]:
    """SNS records of SES notifications: a permanent bounce or a complaint suppresses each
    address it names; a Send event confirms its ledger key; transient bounces and
    deliveries change nothing."""
    suppressed = confirmed = 0
    for record in event.get("Records") or []:
        raw = (record.get("Sns") or {}).get("Message") or "{}"
        try:
            note = json.loads(raw)
        except ValueError:
            logger.warning("ignoring an SNS message that is not JSON")
            continue
        kind = note.get("notificationType") or note.get("eventType")
        if kind == "Send":
            mail = note.get("mail") or {}
            key = rules.key_of_tags(mail.get("tags") or {})
            if key and mail_store.confirm_sent(key, str(mail.get("messageId") or "")):
                confirmed += 1
            continue
        addresses: list[str] = []
        reason = ""
        if kind == "Bounce":
            bounce = note.get("bounce") or {}
            if bounce.get("bounceType") != "Permanent":
                continue
            addresses = [r.get("emailAddress", "") for r in bounce.get("bouncedRecipients") or []]
            reason = f"bounce:{bounce.get('bounceSubType', '')}"
        elif kind == "Complaint":
            complaint = note.get("complaint") or {}
            addresses = [
                r.get("emailAddress", "") for r in complaint.get("complainedRecipients") or []
            ]
            reason = "complaint"
        for address in addresses:
            if "@" in address:
                contact_store.suppress(address.strip(), reason, clock.now())
                suppressed += 1
    return {"suppressed": suppressed, "confirmed": confirmed}


def set_preferences(email: str, unsubscribed: list[str]) -> None:
    contact_store.set_unsubscribed(email, unsubscribed, clock.now())

"""Notifications by e-mail: pure rules (kinds, when a reminder is due, message keys,
signed unsubscribe tokens, what a body may contain). No AWS, no clock: instants and
dates come in as arguments.

Every message has a key that names what it is about (the kind, the campaign, the unit,
the deadline or the week, the recipient). The ledger holds one item per key and a message
goes through claim, send, confirm:

- a run claims the key (a conditional write: one run wins), sends, then confirms (`sent`);
- SES's own "Send" event (the configuration set's event destination, through the feedback
  topic) also confirms the key, which rides on the message as SES message tags: a message
  SES accepted is confirmed even when the run died before writing it down;
- a key claimed but not confirmed is taken over and sent again only by a retry of the run
  that claimed it (Lambda's retry of the same invocation keeps its event and request id,
  and starts at least RETRY_DELAY after that invocation failed; a duplicate delivery of
  the event, which may run beside it, finds its claims seconds old and leaves them) or,
  by any run, once the claim is older than CLAIM_LEASE (longer than any run can live);
  a send SES refused (`failed`) is retried by the next run, up to MAX_ATTEMPTS.

SES has no idempotency key (it overrides a Message-ID header), so one window remains: SES
accepted the message, the run died before confirming it, and SES's Send event had not
confirmed it either when the takeover came (it arrives within seconds; a retry comes a
minute or more later, a lease-expired takeover after CLAIM_LEASE). Only then is a message
sent twice; a message is never lost while its key is still due.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

KIND_DIGEST = "digest"
KIND_REMINDER = "reminder"
KIND_STATUS = "status"
KIND_ALERT = "alert"
KINDS = (KIND_DIGEST, KIND_REMINDER, KIND_STATUS, KIND_ALERT)
KIND_LABELS = {
    KIND_DIGEST: ("Bản tin tuần", "Weekly digest"),
    KIND_REMINDER: ("Nhắc hạn", "Deadline reminders"),
    KIND_STATUS: ("Thay đổi trạng thái hồ sơ", "Status changes"),
    KIND_ALERT: ("Cảnh báo vận hành", "Operational alerts"),
}
# Local days before a deadline on which a reminder goes out (on the day: 0).
REMINDER_DAYS = (7, 2, 0)
# What a reminder is about, and its words.
DEADLINE_SUBJECTS = {
    "results_report": ("báo cáo kết quả thực hiện phong trào", "results report"),
    "nomination": ("hồ sơ đề nghị khen thưởng", "award nominations"),
    "initiative": ("đăng ký sáng kiến", "initiatives"),
}
# Status changes announced: the audit trail's actions on nominations (returned, appraised,
# decided by the province's review or by the awards council's vote) and initiatives
# (returned, recognised or not), and results reports' returns (their histories).
STATUS_ACTIONS = {
    "returned": ("đã bị trả lại để bổ sung", "was returned for completion"),
    "appraised": ("đã được thẩm định", "was appraised"),
    "approved": ("đã được duyệt", "was approved"),
    "rejected": ("không được duyệt", "was not approved"),
    "council_approved": (
        "đã được Hội đồng Thi đua - Khen thưởng thông qua",
        "was approved by the council",
    ),
    "council_rejected": (
        "không được Hội đồng Thi đua - Khen thưởng thông qua",
        "was not approved by the council",
    ),
    "recognised": ("đã được công nhận là sáng kiến", "was recognised"),
    "not_recognised": ("chưa được công nhận là sáng kiến", "was not recognised"),
}
# Changes older than this are history, not news (a first run never mails the past).
STATUS_LOOKBACK_DAYS = 7
# Ledger states: `claimed` (a run is sending it), then `sent`, or `failed` (SES refused;
# retried), or `unsubscribed` / `suppressed` (never sent: the recipient's preference).
CLAIMED = "claimed"
SENT = "sent"
FAILED = "failed"
FINAL = frozenset({SENT, "unsubscribed", "suppressed"})
# A claim older than this belongs to a run that has ended: Lambda stops any invocation at
# 15 minutes.
CLAIM_LEASE = dt.timedelta(minutes=16)
# Lambda retries a failed asynchronous invocation after one minute at the earliest; a live
# run holds a claim unconfirmed only for its one SES call.
RETRY_DELAY = dt.timedelta(minutes=1)
MAX_ATTEMPTS = 3
# SES message tags carry the ledger key (base64url, in chunks: a tag value is at most 256
# characters of [A-Za-z0-9_-]), so SES's Send event names the message it accepted.
LEDGER_TAG = "ledger"
_TAG_CHUNK = 256
_TAG_CHUNKS = 4
_TAG_VALUE = re.compile(r"[A-Za-z0-9_-]+")
# Words that must never reach a mail body: secret documents (domain: security levels and
# exempt documents) are counted by the service, never described to anyone.
FORBIDDEN_WORDS = ("mật", "tối mật", "tuyệt mật", "secret", "exempt", "miễn trừ")
_TOKEN_VERSION = "1"  # noqa: S105 - a format version, not a secret


def reminder_due(deadline: dt.date, today: dt.date) -> int | None:
    """The reminder offset due today for `deadline` (7, 2 or 0), or None."""
    days = (deadline - today).days
    return days if days in REMINDER_DAYS else None


def week_key(day: dt.date) -> str:
    """ISO week of a local date, "2025-W33": one digest per unit per week."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def message_key(*parts: str) -> str:
    """The ledger key of one message: readable parts joined by '#'."""
    return "#".join(parts)


def digest_of_key(key: str) -> str:
    """A bounded, opaque form of a long key (used as a header value)."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


# --- unsubscribe tokens (one click, per kind) ----------------------------------------------

_EMAIL_RE = re.compile(r"^[^\s@]{1,64}@[^\s@]{1,190}$")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign_unsubscribe(secret: bytes, email: str, kind: str) -> str:
    """A token that names (email, kind) and proves the service issued it."""
    payload = f"{_TOKEN_VERSION}|{kind}|{email.lower()}".encode()
    mac = hmac.new(secret, payload, hashlib.sha256).digest()[:16]
    return f"{_b64(payload)}.{_b64(mac)}"


def verify_unsubscribe(secret: bytes, token: str) -> tuple[str, str] | None:
    """(email, kind) of a valid token; None for anything else."""
    if not token or len(token) > 600 or token.count(".") != 1:
        return None
    body, mac = token.split(".")
    try:
        payload, given = _unb64(body), _unb64(mac)
    except (ValueError, TypeError):
        return None
    # Only the one spelling sign_unsubscribe writes: the decoder skips characters outside its
    # alphabet, takes extra padding and ignores a last character's unused bits, so without
    # this a token with characters added or changed would still verify.
    if _b64(payload) != body or _b64(given) != mac:
        return None
    expected = hmac.new(secret, payload, hashlib.sha256).digest()[:16]
    if not hmac.compare_digest(expected, given):
        return None
    try:
        version, kind, email = payload.decode("utf-8").split("|", 2)
    except (UnicodeDecodeError, ValueError):
        return None
    if version != _TOKEN_VERSION or kind not in KINDS or not _EMAIL_RE.match(email):
        return None
    return email, kind


# --- the ledger's claim, send, confirm -----------------------------------------------------


def takeover(record: SentRecord, owner: str, now: dt.datetime) -> str:
    """What a run that finds `record` under a message's key does: "done" (confirmed or
    refused for good: nothing to send), "retry" (take the claim over and send) or
    "in_flight" (another run holds the claim and may still be sending)."""
    if record.status in FINAL or record.attempts >= MAX_ATTEMPTS:
        return "done"
    if record.status == FAILED:
        return "retry"
    age = now - (record.claimed_at or record.created_at)
    if age >= CLAIM_LEASE or (record.owner == owner and age >= RETRY_DELAY):
        return "retry"
    return "in_flight"


def key_tags(key: str) -> list[dict[str, str]]:
    """SES message tags that carry `key` (none when it is too long to carry)."""
    encoded = _b64(key.encode("utf-8"))
    chunks = [encoded[i : i + _TAG_CHUNK] for i in range(0, len(encoded), _TAG_CHUNK)]
    if len(chunks) > _TAG_CHUNKS:
        return []
    return [{"Name": f"{LEDGER_TAG}{n}", "Value": chunk} for n, chunk in enumerate(chunks)]


def key_of_tags(tags: dict[str, list[str]]) -> str | None:
    """The ledger key an SES event's `mail.tags` carry, or None."""
    chunks = []
    for n in range(_TAG_CHUNKS):
        values = tags.get(f"{LEDGER_TAG}{n}") or []
        if not values:
            break
        chunks.append(str(values[0]))
    joined = "".join(chunks)
    if not joined or not _TAG_VALUE.fullmatch(joined):
        return None
    try:
        return _unb64(joined).decode("utf-8") or None
    except (ValueError, UnicodeDecodeError):
        return None


# --- records -------------------------------------------------------------------------------


@dataclass(frozen=True)
class MailPreference:
    """What an address accepts: the kinds it unsubscribed from, and whether SES reported it
    (a hard bounce or a complaint suppresses every kind)."""

    email: str
    unsubscribed: frozenset[str] = frozenset()
    suppressed: bool = False
    suppressed_reason: str | None = None

    def refuses(self, kind: str) -> str | None:
        """Why a message of `kind` must not go to this address, or None."""
        if self.suppressed:
            return "suppressed"
        if kind in self.unsubscribed:
            return "unsubscribed"
        return None


@dataclass(frozen=True)
class Message:
    """One e-mail to one recipient, before it is sent."""

    key: str
    kind: str
    unit_id: str | None
    recipient: str
    subject: str
    text: str
    html: str
    campaign_id: str | None = None
    about: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class SentRecord:
    """The ledger's entry of a message: claimed once, then its outcome."""

    key: str
    kind: str
    unit_id: str | None
    recipient: str
    subject: str
    status: str  # claimed | sent | unsubscribed | suppressed | failed
    created_at: dt.datetime
    provider_id: str | None = None
    owner: str | None = None  # the run holding the claim
    claimed_at: dt.datetime | None = None
    attempts: int = 0  # sends tried
    text: str | None = None  # kept when mail is captured (local), never in AWS
    html: str | None = None


def forbidden_words_in(text: str, extra: Iterable[str] = ()) -> list[str]:
    """The forbidden words (and `extra` terms, e.g. officials' names) found in `text`,
    matched as whole words, case-insensitively."""
    lowered = text.lower()
    found = []
    for word in (*FORBIDDEN_WORDS, *extra):
        term = word.lower().strip()
        if term and re.search(rf"(?<!\w){re.escape(term)}(?!\w)", lowered):
            found.append(word)
    return found

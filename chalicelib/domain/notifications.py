"""Notifications by e-mail: pure rules (kinds, when a reminder is due, message keys,
signed unsubscribe tokens, what a body may contain). No AWS, no clock: instants and
dates come in as arguments.

Every message has a key that names what it is about (the kind, the campaign, the unit,
the deadline or the week, the recipient): the ledger claims each key once, so a rerun or
a retry of the job never sends a message twice.
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
# Status changes announced, from the audit trail (nominations, initiatives) and results
# reports' histories.
STATUS_ACTIONS = {
    "returned": ("đã bị trả lại để bổ sung", "was returned for completion"),
    "approved": ("đã được duyệt", "was approved"),
    "rejected": ("không được duyệt", "was not approved"),
    "appraised": ("đã được thẩm định", "was appraised"),
    "decided": ("đã có quyết định", "was decided"),
    "recognised": ("đã được công nhận là sáng kiến", "was recognised"),
    "not_recognised": ("chưa được công nhận là sáng kiến", "was not recognised"),
}
# Changes older than this are history, not news (a first run never mails the past).
STATUS_LOOKBACK_DAYS = 7
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
    status: str  # sent | unsubscribed | suppressed | failed
    created_at: dt.datetime
    provider_id: str | None = None
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

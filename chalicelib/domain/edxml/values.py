"""Value rules of edXML fields: times, DocumentId, organ ids, security, derived ids."""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import unicodedata
from datetime import date, datetime, timedelta, timezone

from ..vocabulary import IDENTIFIER_RE, SECURITY_NORMAL
from .model import DIALECT_GODOC, EdxmlError

# Vietnam has kept UTC+7 since 1975; a fixed offset needs no tzdata in the Lambda image.
LOCAL_TZ = timezone(timedelta(hours=7))

_OPAQUE_DOCUMENT_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
_YEAR_FIRST = re.compile(r"^(\d{4})[/-](\d{1,2})[/-](\d{1,2})(.*)$", re.DOTALL | re.ASCII)
_DAY_FIRST = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})(.*)$", re.DOTALL | re.ASCII)

SECURITY_LEVELS: dict[str, str] = {
    "0": "thuong", "thuong": "thuong", "thường": "thuong",
    "1": "mat", "mat": "mat", "mật": "mat",
    "2": "toi_mat", "toi_mat": "toi_mat", "tối mật": "toi_mat",
    "3": "tuyet_mat", "tuyet_mat": "tuyet_mat", "tuyệt mật": "tuyet_mat",
}  # fmt: skip


def fold(text: str) -> str:
    """Comparison form of free text: NFC, case-folded, single spaces."""
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def parse_time(text: str, path: str) -> datetime:
    """A date or time as hubs write it; naive values are local (Asia/Ho_Chi_Minh).

    A date without a time is local midnight, so it keeps its local date (the one KPIs use).
    """
    value = text.strip()
    if m := _YEAR_FIRST.match(value):
        year, month, day, rest = m.groups()
        value = f"{year}-{int(month):02d}-{int(day):02d}{rest}"
    elif m := _DAY_FIRST.match(value):
        day, month, year, rest = m.groups()
        value = f"{year}-{int(month):02d}-{int(day):02d}{rest}"
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise EdxmlError(
            path,
            f"{text.strip()[:40]!r} is not a date or time "
            "(expected e.g. 2025/07/15, 2025/07/15 08:30:00 or 2025-07-15T08:30:00+07:00)",
        ) from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=LOCAL_TZ)


def rfc3339(moment: datetime) -> str:
    return moment.isoformat()


def unit_id(text: str, path: str) -> str:
    value = text.strip()
    if not IDENTIFIER_RE.match(value):
        raise EdxmlError(
            path, f"{value[:80]!r} is not an organ id (letters, digits, '.', '_', '-')"
        )
    return value


def document_key(text: str, path: str, dialect: str) -> str:
    """The canonical DocumentId: '<organ id>,<YYYY/MM/DD>,<number/notation>'.

    QCVN 102 composes the id from the issuing organ, the promulgation date and the
    number, so two organs' "123/UBND" of different days never collide. The go.vn hub
    may also use an opaque id (a UUID) without commas.
    """
    value = text.strip()
    parts = [p.strip() for p in value.split(",", 2)]
    if len(parts) == 3:
        organ, day, rest = parts
        if not IDENTIFIER_RE.match(organ):
            raise EdxmlError(
                path, f"DocumentId must start with the issuing organ id, not {organ!r}"
            )
        m = _YEAR_FIRST.match(day)
        issued = _date_or_none(*m.groups()[:3]) if m and not m.group(4) else None
        if issued is None:
            raise EdxmlError(path, f"DocumentId has {day!r} where the date YYYY/MM/DD belongs")
        if not rest:
            raise EdxmlError(path, "DocumentId has no number/notation after the date")
        return f"{organ},{issued:%Y/%m/%d},{rest}"
    if dialect == DIALECT_GODOC and _OPAQUE_DOCUMENT_ID.match(value):
        return value
    raise EdxmlError(
        path,
        "DocumentId must be '<organ id>,<YYYY/MM/DD>,<number/notation>', "
        f"e.g. '000.00.31.H34,2025/07/15,123/SNV-VP'; {value[:80]!r} has no date",
    )


def _date_or_none(year: str, month: str, day: str) -> date | None:
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        return None


def security_level(text: str, path: str) -> str:
    level = SECURITY_LEVELS.get(fold(text)) if text.strip() else SECURITY_NORMAL
    if level is None:
        raise EdxmlError(
            path,
            f"unknown security marking {text.strip()[:40]!r}: expected 0-3, Mật, Tối mật "
            "or Tuyệt mật",
        )
    return level


def _digest(*parts: str) -> str:
    # The unit separator cannot occur in XML text, so ("a", "bc") and ("ab", "c") differ.
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def document_id(key: str) -> str:
    """Event `document.id` for a DocumentId: a pseudonym, because the DocumentId embeds the
    number, which secret documents must not keep, and status messages (which carry no
    security marking) must reach the same document as the package."""
    return "edxml-doc-" + _digest(key)[:32]


def event_id(dialect: str, key: str, *, unit: str, counterpart: str, what: str, at: str) -> str:
    """Deterministic, so a hub re-sending a package or status yields duplicates."""
    return "edxml-" + _digest(dialect, key, unit, counterpart, what, at)[:32]


def signer_id(subject: str | None, certificate: str, path: str) -> str:
    """A stable signer id: the certificate subject (it survives renewals), else the
    SHA-256 fingerprint of the certificate."""
    if subject and subject.strip():
        return "edxml-signer-" + _digest("subject", _normal_dn(subject))[:16]
    try:
        der = base64.b64decode("".join(certificate.split()), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise EdxmlError(path, "X509Certificate is not valid base64") from exc
    return "edxml-signer-" + _digest("certificate", hashlib.sha256(der).hexdigest())[:16]


def _normal_dn(subject: str) -> str:
    # Tools print RDNs in either order and with varying spaces: compare a sorted, folded form.
    rdns = re.split(r"(?<!\\),", subject)
    pairs = []
    for rdn in rdns:
        key, _, value = rdn.partition("=")
        pairs.append(f"{key.strip().upper()}={fold(value)}")
    return ",".join(sorted(pairs))


def staff_id(organ: str, email: str, name: str, department: str) -> str:
    """`actor_official_id` for a status: the reporting staff member if named, else the organ."""
    if email.strip():
        return "edxml-staff-" + _digest("email", organ, fold(email))[:16]
    if name.strip():
        return "edxml-staff-" + _digest("name", organ, fold(department), fold(name))[:16]
    placeholder = "edxml-organ-" + organ
    # Official ids are at most 64 characters, like unit ids.
    return placeholder if len(placeholder) <= 64 else "edxml-organ-" + _digest(organ)[:16]

"""Standard Webhooks signature verification with the configured clock tolerance.

The signed content is ``{webhook-id}.{webhook-timestamp}.{raw body}``, HMAC-SHA256 with the
base64 secret after ``whsec_``; ``webhook-signature`` lists ``v1,<base64>`` entries separated
by spaces. The standardwebhooks package fixes its tolerance at 5 minutes, and
WEBHOOK_TOLERANCE_SECONDS must mean what it says, so the check is done here. Pure: no AWS.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import hmac
import re
from collections.abc import Iterable, Mapping

_TIMESTAMP = re.compile(r"^[0-9]{1,12}$")  # integer seconds since the epoch
SECRET_PREFIX = "whsec_"  # noqa: S105 - the format marker, not a secret


class SignatureRefused(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def secret_bytes(secret: str) -> bytes:
    raw = secret[len(SECRET_PREFIX) :] if secret.startswith(SECRET_PREFIX) else secret
    return base64.b64decode(raw + "==")  # unpadded secrets are accepted, as by the package


def signature(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """The ``v1,<base64>`` signature of a delivery (what a sender puts in the header)."""
    mac = hmac.new(secret_bytes(secret), f"{msg_id}.{timestamp}.".encode() + body, hashlib.sha256)
    return "v1," + base64.b64encode(mac.digest()).decode()


def verify(
    secrets: Iterable[str],
    headers: Mapping[str, str],
    body: bytes,
    *,
    now: dt.datetime,
    tolerance_seconds: int,
) -> str:
    """The webhook-id of a delivery signed with one of the secrets within the tolerance.

    `headers` are lower-cased. Raises SignatureRefused with the reason otherwise."""
    msg_id = headers["webhook-id"]
    raw_timestamp = headers["webhook-timestamp"].strip()
    if not _TIMESTAMP.match(raw_timestamp):
        raise SignatureRefused("Malformed webhook-timestamp: expected integer seconds")
    timestamp = int(raw_timestamp)
    if abs(now.timestamp() - timestamp) > tolerance_seconds:
        raise SignatureRefused(f"Timestamp outside the {tolerance_seconds} s tolerance")
    offered: list[bytes] = []
    for entry in headers["webhook-signature"].split(" "):
        version, _, value = entry.partition(",")
        if version != "v1" or not value:
            continue
        try:
            offered.append(base64.b64decode(value, validate=True))
        except (binascii.Error, ValueError):
            continue
    for secret in secrets:
        expected = base64.b64decode(signature(secret, msg_id, timestamp, body)[3:])
        if any(hmac.compare_digest(expected, candidate) for candidate in offered):
            return msg_id
    raise SignatureRefused("No matching signature")

"""The webhook signature check (domain/signatures.py) without a stack: the Standard Webhooks
vector, the tolerance on its edges both ways, the header's entries and the secrets."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac

import pytest

from chalicelib.domain.signatures import SignatureRefused, secret_bytes, signature, verify

# The Standard Webhooks specification's published test vector.
SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
MSG_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
TIMESTAMP = 1614265330
PAYLOAD = b'{"test": 2432232314}'
VECTOR = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
MOMENT = dt.datetime.fromtimestamp(TIMESTAMP, tz=dt.UTC)
OTHER_SECRET = "whsec_" + base64.b64encode(b"x" * 32).decode()


def headers(sig: str = VECTOR, timestamp: str = str(TIMESTAMP)) -> dict[str, str]:
    return {"webhook-id": MSG_ID, "webhook-timestamp": timestamp, "webhook-signature": sig}


def check(sig: str = VECTOR, *, secrets=(SECRET,), seconds: float = 0, tolerance: int = 300):
    now = MOMENT + dt.timedelta(seconds=seconds)
    return verify(list(secrets), headers(sig), PAYLOAD, now=now, tolerance_seconds=tolerance)


def test_a_signature_is_the_specifications_hmac_of_id_timestamp_and_body():
    key = base64.b64decode(SECRET.removeprefix("whsec_"))
    mac = hmac.new(key, f"{MSG_ID}.{TIMESTAMP}.".encode() + PAYLOAD, hashlib.sha256).digest()
    assert signature(SECRET, MSG_ID, TIMESTAMP, PAYLOAD) == VECTOR
    assert "v1," + base64.b64encode(mac).decode() == VECTOR


def test_a_secret_is_read_with_or_without_its_prefix_and_padding():
    key = base64.b64decode("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
    assert secret_bytes(SECRET) == key
    assert secret_bytes("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw") == key
    # 31 and 32 bytes end in "==" and "=": the secret may come without its padding
    for size in (31, 32):
        padded = base64.b64encode(b"k" * size).decode()
        assert padded.endswith("=" * (3 - size % 3))
        assert secret_bytes("whsec_" + padded.rstrip("=")) == b"k" * size
        assert secret_bytes(padded) == b"k" * size
    # a prefix only counts at the start
    assert secret_bytes("Ywhsec_") != secret_bytes("whsec_")


def test_a_delivery_signed_with_the_secret_returns_its_id():
    assert check() == MSG_ID


@pytest.mark.parametrize("tolerance", [1, 300])
def test_the_tolerance_is_inclusive_both_ways(tolerance):
    assert check(seconds=tolerance, tolerance=tolerance) == MSG_ID
    assert check(seconds=-tolerance, tolerance=tolerance) == MSG_ID
    for seconds in (tolerance + 0.001, -tolerance - 0.001, tolerance + 1, -tolerance - 1):
        with pytest.raises(SignatureRefused) as refused:
            check(seconds=seconds, tolerance=tolerance)
        assert refused.value.reason == f"Timestamp outside the {tolerance} s tolerance"
        assert str(refused.value) == refused.value.reason


@pytest.mark.parametrize("raw", ["", "abc", "1614265330.5", "-1614265330", "1" * 13, "0x10"])
def test_a_timestamp_that_is_not_integer_seconds_is_refused(raw):
    with pytest.raises(SignatureRefused) as refused:
        verify([SECRET], headers(timestamp=raw), PAYLOAD, now=MOMENT, tolerance_seconds=300)
    assert refused.value.reason == "Malformed webhook-timestamp: expected integer seconds"


def test_a_timestamp_with_surrounding_spaces_is_read():
    spaced = headers(timestamp=f" {TIMESTAMP} ")
    assert verify([SECRET], spaced, PAYLOAD, now=MOMENT, tolerance_seconds=1) == MSG_ID
    twelve = headers(timestamp="9" * 12)
    with pytest.raises(SignatureRefused, match=r"^Timestamp outside"):
        verify([SECRET], twelve, PAYLOAD, now=MOMENT, tolerance_seconds=1)


@pytest.mark.parametrize(
    "sig",
    [
        f"v2,xxx {VECTOR}",
        f"{VECTOR} v2,xxx",
        f"v1 v1, v1,@@@@ {VECTOR}",
        f"v1,{'A' * 44} {VECTOR}",
        f"garbage {VECTOR}",
    ],
)
def test_the_matching_entry_is_found_among_others(sig):
    assert check(sig) == MSG_ID


@pytest.mark.parametrize(
    "sig",
    [
        "v2," + VECTOR[3:],  # another version's entry
        "V1," + VECTOR[3:],
        VECTOR[3:],  # no version
        VECTOR.replace("+", "*"),  # not base64: never read leniently
        VECTOR[:10] + "\n" + VECTOR[10:],
        f"v2,xxx\t{VECTOR}",  # entries are separated by spaces, nothing else
        f"v2,xxx\n{VECTOR}",
        VECTOR + "," + VECTOR[3:],
        VECTOR + "AAAA",
        VECTOR[:-4],
        f"{VECTOR[:20]} {VECTOR[20:]}",
        "v1,",
        "",
    ],
)
def test_no_matching_signature_is_refused(sig):
    with pytest.raises(SignatureRefused) as refused:
        check(sig)
    assert refused.value.reason == "No matching signature"


def test_a_body_changed_after_signing_is_refused():
    with pytest.raises(SignatureRefused, match=r"^No matching signature$"):
        verify([SECRET], headers(), PAYLOAD + b" ", now=MOMENT, tolerance_seconds=300)


def test_any_of_the_source_secrets_verifies_during_a_rotation():
    assert check(secrets=(OTHER_SECRET, SECRET)) == MSG_ID
    assert check(secrets=(SECRET, OTHER_SECRET)) == MSG_ID
    for secrets in ((OTHER_SECRET,), ()):
        with pytest.raises(SignatureRefused, match=r"^No matching signature$"):
            check(secrets=secrets)

"""edXML value rules: times and their offsets, DocumentId, derived ids."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain.edxml import EdxmlError, values

PLUS_7 = timezone(timedelta(hours=7))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025/07/15", "2025-07-15T00:00:00+07:00"),
        ("2025-07-15", "2025-07-15T00:00:00+07:00"),
        ("2025/7/5", "2025-07-05T00:00:00+07:00"),
        ("2025/07/15 09:12:30", "2025-07-15T09:12:30+07:00"),
        ("15/07/2025 10:20:00", "2025-07-15T10:20:00+07:00"),
        ("15/07/2025", "2025-07-15T00:00:00+07:00"),
        ("2025-07-15T09:12:30", "2025-07-15T09:12:30+07:00"),
        ("2025-07-15 09:12", "2025-07-15T09:12:00+07:00"),
        ("2025-07-15T09:12:30.250", "2025-07-15T09:12:30.250000+07:00"),
        ("2025-07-15T02:12:30Z", "2025-07-15T02:12:30+00:00"),
        ("2025-07-15T09:12:30+07:00", "2025-07-15T09:12:30+07:00"),
        ("2025/07/15 09:12:30+0700", "2025-07-15T09:12:30+07:00"),
        ("  2025/07/15 09:12:30 \n", "2025-07-15T09:12:30+07:00"),
    ],
)
def test_times_without_offset_are_local_and_always_leave_with_one(text: str, expected: str) -> None:
    assert values.rfc3339(values.parse_time(text, "/x")) == expected


@pytest.mark.parametrize("text", ["", "hôm qua", "2025/13/01", "32/07/2025", "2025/07/15 25:00"])
def test_bad_times_name_the_element(text: str) -> None:
    with pytest.raises(EdxmlError) as err:
        values.parse_time(text, "/edXML/x/Timestamp")
    assert err.value.path == "/edXML/x/Timestamp"


@given(st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31)))
def test_naive_times_in_every_supported_style_are_the_same_instant_at_plus_7(
    moment: datetime,
) -> None:
    moment = moment.replace(microsecond=0)
    local = moment.replace(tzinfo=PLUS_7)
    for text in (
        moment.strftime("%Y/%m/%d %H:%M:%S"),
        moment.strftime("%d/%m/%Y %H:%M:%S"),
        moment.isoformat(),
        local.astimezone(UTC).isoformat().replace("+00:00", "Z"),
    ):
        parsed = values.parse_time(text, "/x")
        assert parsed == local
        assert parsed.utcoffset() is not None


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("000.00.31.H34,2025/07/15,215/KH-SNV", "000.00.31.H34,2025/07/15,215/KH-SNV"),
        (" 000.00.31.H34 , 2025-7-15 , 215/KH-SNV ", "000.00.31.H34,2025/07/15,215/KH-SNV"),
        ("000.00.31.H34,2025/07/15,215/KH-SNV,bản 2", "000.00.31.H34,2025/07/15,215/KH-SNV,bản 2"),
    ],
)
def test_document_id_canonical_form(text: str, key: str) -> None:
    assert values.document_key(text, "/d", "qcvn102") == key


@pytest.mark.parametrize(
    "text",
    [
        "000.00.31.H34,215/KH-SNV",
        "000.00.31.H34,,215/KH-SNV",
        "000.00.31.H34,15/07/2025,215/KH-SNV",
        "000.00.31.H34,2025/07/15,",
        "Sở Nội vụ,2025/07/15,215/KH-SNV",
        "3f6c1f0e-5b7d-4e8a-9c1d-2b7a9e0f4c11",
    ],
)
def test_qcvn_document_id_needs_organ_date_and_number(text: str) -> None:
    with pytest.raises(EdxmlError) as err:
        values.document_key(text, "/edXML/DocumentId", "qcvn102")
    assert err.value.path == "/edXML/DocumentId"


def test_ids_fit_the_json_webhook_limits() -> None:
    event_id = values.event_id(
        "qcvn102", "k" * 300, unit="u" * 64, counterpart="c" * 64, what="document.sent", at="t"
    )
    assert re.fullmatch(r"[A-Za-z0-9._:-]{1,128}", event_id)
    assert re.fullmatch(r"[A-Za-z0-9._:-]{1,128}", values.document_id("x" * 500))
    assert values.staff_id("000.01.31.H34", "", "", "") == "edxml-organ-000.01.31.H34"
    long_organ = values.staff_id("0" * 64, "", "", "")
    assert re.fullmatch(r"edxml-organ-[0-9a-f]{16}", long_organ)  # official ids: <= 64 chars


def test_id_parts_cannot_run_into_each_other() -> None:
    one = values.event_id("qcvn102", "ab", unit="c", counterpart="", what="t", at="x")
    two = values.event_id("qcvn102", "a", unit="bc", counterpart="", what="t", at="x")
    assert one != two


# --- refusals: the exact reason, and a hostile value echoed only in part ----------------

TIME_HINT = "(expected e.g. 2025/07/15, 2025/07/15 08:30:00 or 2025-07-15T08:30:00+07:00)"


@pytest.mark.parametrize(
    ("refuse", "message"),
    [
        (
            lambda: values.parse_time("  " + "y" * 50 + " ", "/at"),
            f"'{'y' * 40}' is not a date or time {TIME_HINT}",
        ),
        (
            lambda: values.unit_id(" " + "ư" * 90, "/at"),
            f"'{'ư' * 80}' is not an organ id (letters, digits, '.', '_', '-')",
        ),
        (
            lambda: values.document_key("Sở Nội vụ,2025/07/15,1", "/at", "qcvn102"),
            "DocumentId must start with the issuing organ id, not 'Sở Nội vụ'",
        ),
        (
            lambda: values.document_key("A,2025/02/30,1", "/at", "qcvn102"),
            "DocumentId has '2025/02/30' where the date YYYY/MM/DD belongs",
        ),
        (
            lambda: values.document_key("A,2025/02/03, ", "/at", "qcvn102"),
            "DocumentId has no number/notation after the date",
        ),
        (
            lambda: values.document_key("z" * 129, "/at", "godoc"),
            "DocumentId must be '<organ id>,<YYYY/MM/DD>,<number/notation>', e.g. "
            f"'000.00.31.H34,2025/07/15,123/SNV-VP'; '{'z' * 80}' has no date",
        ),
        (
            lambda: values.security_level("  Confidential " + "c" * 50, "/at"),
            f"unknown security marking 'Confidential {'c' * 27}': expected 0-3, Mật, Tối mật "
            "or Tuyệt mật",
        ),
        (
            lambda: values.signer_id(None, "MIIF*", "/at"),  # a stray character, not "MIIF"
            "X509Certificate is not valid base64",
        ),
        (
            lambda: values.signer_id("  ", "MII@", "/at"),
            "X509Certificate is not valid base64",
        ),
    ],
)
def test_a_refused_value_names_itself_at_most_a_bounded_prefix(refuse: Any, message: str) -> None:
    with pytest.raises(EdxmlError) as err:
        refuse()
    assert (err.value.path, err.value.message) == ("/at", message)


@pytest.mark.parametrize("text", ["٢٠٢٥/٠٧/١٥", "١٥/٠٧/٢٠٢٥"])
def test_dates_are_written_in_ascii_digits_only(text: str) -> None:
    # int() reads Arabic-Indic digits; a hub's date never has them, so they are refused.
    with pytest.raises(EdxmlError):
        values.parse_time(text, "/x")
    with pytest.raises(EdxmlError):
        values.document_key(f"A,{text},1", "/x", "qcvn102")


def test_an_organ_placeholder_is_kept_up_to_64_characters() -> None:
    # "edxml-organ-" is 12 characters: an organ id of 52 fits an official id, 53 does not.
    assert values.staff_id("o" * 52, "", "", "") == "edxml-organ-" + "o" * 52
    hashed = values.staff_id("o" * 53, "", "", "")
    digest = hashlib.sha256(("o" * 53).encode()).hexdigest()[:16]
    assert hashed == f"edxml-organ-{digest}"


def test_a_signer_subject_is_compared_in_its_sorted_folded_form() -> None:
    # An RDN's value may itself hold "=": the key is what precedes the first one.
    subject = "ou = Phòng  A=B, CN=Nguyễn Văn An"
    normal = "CN=nguyễn văn an,OU=phòng a=b"
    digest = hashlib.sha256(f"subject\x1f{normal}".encode()).hexdigest()[:16]
    assert values.signer_id(subject, "", "/c") == f"edxml-signer-{digest}"

"""The shared request rules (domain.fields, vocabulary's dates, the file name pattern) say
in the OpenAPI document exactly what the service enforces."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain.nominations import (
    FILENAME_CONTROL_CLASS,
    FILENAME_PATTERN,
    FILENAME_SPACE_CLASS,
    filename_problem,
)
from chalicelib.domain.vocabulary import DATE_MAX, DATE_MIN, DATE_PATTERN, parse_date


def _class_of(categories: tuple[str, ...]) -> str:
    ranges: list[tuple[int, int]] = []
    for code in range(0x10000):
        if 0xD800 <= code <= 0xDFFF or unicodedata.category(chr(code)) not in categories:
            continue
        if ranges and ranges[-1][1] == code - 1:
            ranges[-1] = (ranges[-1][0], code)
        else:
            ranges.append((code, code))
    return "".join(f"\\u{a:04x}" if a == b else f"\\u{a:04x}-\\u{b:04x}" for a, b in ranges)


def test_the_file_name_classes_are_the_unicode_categories():
    assert _class_of(("Cc", "Cf")) == FILENAME_CONTROL_CLASS
    assert _class_of(("Zs", "Zl", "Zp")) == FILENAME_SPACE_CLASS


@given(st.text(st.characters(max_codepoint=0xFFFF, exclude_categories=("Cs",)), max_size=12))
def test_the_file_name_pattern_is_filename_problem(name):
    # fullmatch: the document's pattern is read as JSON Schema (ECMA-262) reads it, where `$`
    # is the end of the text; Python's re.search would let `$` match before a final newline.
    assert (re.fullmatch(FILENAME_PATTERN, name) is not None) == (
        filename_problem(name) is None or len(name) > 255
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-07-15", dt.date(2025, 7, 15)),
        (DATE_MIN.isoformat(), DATE_MIN),
        (DATE_MAX.isoformat(), DATE_MAX),
        ("1999-12-31", None),
        ("2100-01-01", None),
        ("0642-11-10", None),
        ("2025-02-30", None),
        ("20250715", None),
        ("2025-W01-1", None),
        ("2025-07-15T00:00:00", None),
        ("", None),
    ],
)
def test_accepted_dates(text, expected):
    assert parse_date(text) == expected


def test_iso_date_fields_are_strings_in_the_range():
    from pydantic import BaseModel, ValidationError

    from chalicelib.domain.fields import IsoDate

    class Body(BaseModel):
        day: IsoDate

    assert Body.model_validate({"day": "2025-07-15"}, strict=True).day == dt.date(2025, 7, 15)
    for wrong in ("1900-01-01", 20250715, "2025-07-15T00:00:00Z", True):
        with pytest.raises(ValidationError):
            Body.model_validate({"day": wrong}, strict=True)
    schema = Body.model_json_schema()["properties"]["day"]
    assert schema == {"type": "string", "format": "date", "pattern": DATE_PATTERN, "title": "Day"}


def test_an_iso_date_field_takes_a_date_and_refuses_naming_the_rule():
    from pydantic import BaseModel, ValidationError

    from chalicelib.domain.fields import IsoDate

    class Body(BaseModel):
        day: IsoDate

    # a date built in code or read back from storage passes as it is
    assert Body.model_validate({"day": dt.date(1999, 1, 1)}, strict=True).day == dt.date(1999, 1, 1)
    assert Body.model_validate({"day": "2099-12-31"}, strict=True).day == DATE_MAX
    rule = f"a date YYYY-MM-DD from {DATE_MIN} to {DATE_MAX}"
    for wrong, message in (
        ("1999-12-31", f"Value error, must be {rule}"),
        ("2025-02-30", f"Value error, must be {rule}"),
        (20250715, f"Value error, must be {rule} (a string)"),
        (dt.datetime(2025, 7, 15, tzinfo=dt.UTC), f"Value error, must be {rule} (a string)"),
    ):
        with pytest.raises(ValidationError) as refused:
            Body.model_validate({"day": wrong}, strict=True)
        assert [e["msg"] for e in refused.value.errors()] == [message]

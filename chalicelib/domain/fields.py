"""Field types that request models share, so each rule is written once and the OpenAPI
document states it exactly: an identifier is the vocabulary's one pattern, a date is an
ISO string in the accepted range (vocabulary.DATE_RULE).

Request bodies are validated strictly (chalicelib.errors.parse_model, strict): a boolean
is not an integer, a number is not a string. A date is the one exception JSON forces:
it travels as a string, so IsoDate reads the string itself and hands pydantic a date.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, WithJsonSchema

from chalicelib.domain.vocabulary import (
    DATE_PATTERN,
    DATE_RULE,
    IDENTIFIER_PATTERN,
    NOT_BLANK_PATTERN,
    parse_date,
)


def _iso_date(value: Any) -> Any:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value  # built in code, or read back from storage as a date
    if not isinstance(value, str):
        raise ValueError(f"must be {DATE_RULE} (a string)")
    parsed = parse_date(value)
    if parsed is None:
        raise ValueError(f"must be {DATE_RULE}")
    return parsed


IsoDate = Annotated[
    dt.date,
    BeforeValidator(_iso_date),
    WithJsonSchema({"type": "string", "format": "date", "pattern": DATE_PATTERN}),
]
"""A date a client sends: "YYYY-MM-DD" from vocabulary.DATE_MIN to DATE_MAX."""

Identifier = Annotated[str, Field(pattern=IDENTIFIER_PATTERN)]
"""A unit, official, source, campaign or other id: the vocabulary's identifier pattern."""


def patch_field() -> Any:
    """A field of a PATCH body: omitted means unchanged (None, never validated), and null
    is refused as any value outside the field's type, so the document says exactly the
    type and the service takes exactly it. Declare it `name: T = patch_field()` and read
    it as `T | None` (the document omits the default null: api.openapi)."""
    return Field(default=None)


# The document's words for rules a validator enforces with a message of its own.
NOT_BLANK: dict[str, Any] = {"minLength": 1, "pattern": NOT_BLANK_PATTERN}
"""A text that must not be blank (json_schema_extra; the model's validator refuses it)."""

# Text without control characters but line breaks and tabs (Unicode Cc but \t \n \r).
PLAIN_TEXT_PATTERN = "^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f]*$"
PLAIN_TEXT: dict[str, Any] = {"pattern": PLAIN_TEXT_PATTERN}
PLAIN_NOT_BLANK: dict[str, Any] = {
    "minLength": 1,
    "allOf": [{"pattern": NOT_BLANK_PATTERN}, {"pattern": PLAIN_TEXT_PATTERN}],
}

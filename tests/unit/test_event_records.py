"""Document events without a stack (domain/events.py): what the webhook's validation answers
for each kind of mistake, and the stored form of an event (the record, its redaction, the
archive body and the payload hash the ledger compares)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

import pytest

from chalicelib.domain.events import (
    Document,
    InvalidEvents,
    archive_body,
    document_ids,
    is_exempt,
    payload_hash,
    redact_record,
    to_record,
    validate_events,
)
from chalicelib.domain.vocabulary import EVENT_TYPES
from tests.webhooks import event

OFFSET_MESSAGE = "Value error, must carry a UTC offset (e.g. +07:00 or Z)"


class _NoOffset(dt.tzinfo):
    def utcoffset(self, _: dt.datetime | None) -> None:
        return None


def refusal(raw: Any, **kw: Any) -> tuple[str, list[dict[str, Any]]]:
    with pytest.raises(InvalidEvents) as refused:
        validate_events(raw, **kw)
    return str(refused.value), refused.value.details


def test_a_body_that_is_not_an_object_is_refused_as_such():
    assert refusal([event("a")]) == (
        "1 invalid field(s)",
        [{"index": None, "field": "(body)", "message": "must be a JSON object"}],
    )


def test_unknown_fields_and_events_that_are_not_a_list_are_refused_together():
    assert refusal({"events": "e", "b": 1, "a": 2}) == (
        "3 invalid field(s)",
        [
            {"index": None, "field": "a", "message": "unknown field"},
            {"index": None, "field": "b", "message": "unknown field"},
            {"index": None, "field": "events", "message": "must be a list of events"},
        ],
    )
    assert refusal({})[1] == [
        {"index": None, "field": "events", "message": "must be a list of events"}
    ]


def test_a_delivery_holds_one_to_max_events():
    assert refusal({"events": []})[1] == [
        {"index": None, "field": "events", "message": "must hold 1 to 500 events, not 0"}
    ]
    assert refusal({"events": [event("a")] * 3}, max_events=2)[1] == [
        {"index": None, "field": "events", "message": "must hold 1 to 2 events, not 3"}
    ]
    assert refusal({"events": [event("a")] * 501})[1][0]["message"].endswith("not 501")
    assert len(validate_events({"events": [event("a")] * 2}, max_events=2)) == 2
    assert len(validate_events({"events": [event("a")]}, max_events=1)) == 1
    # an unknown field is reported even beside a bad count
    assert [d["field"] for d in refusal({"events": [], "x": 1})[1]] == ["x", "events"]


def test_an_event_type_missing_or_unknown_is_refused_naming_the_types():
    faxed = dict(event("a"), type="document.faxed")
    untyped = {k: v for k, v in event("b").items() if k != "type"}
    message, details = refusal({"events": [event("ok"), faxed, untyped]})
    assert message == "2 invalid field(s)"
    assert details == [
        {
            "index": 1,
            "field": "type",
            "message": f"unknown event type; expected one of: {', '.join(EVENT_TYPES)}",
        },
        {"index": 2, "field": "type", "message": "is required"},
    ]
    assert "document.registered, document.processed" in details[0]["message"]


def test_a_field_is_named_by_its_path_without_the_type_tag():
    bad = dict(event("a"), document={"id": "d", "pages": -1}, unit_id="bad unit")
    details = refusal({"events": [event("ok"), bad]})[1]
    assert details == [
        {
            "index": 1,
            "field": "unit_id",
            "message": "String should match pattern '^[A-Za-z0-9._-]{1,64}$'",
        },
        {
            "index": 1,
            "field": "document.pages",
            "message": "Input should be greater than or equal to 0",
        },
    ]
    assert refusal({"events": ["x"]})[1] == [
        {
            "index": 0,
            "field": "(event)",
            "message": "Input should be a valid dictionary or object to extract fields from",
        }
    ]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2025-07-15T08:30:00", OFFSET_MESSAGE),
        ("2025-07-15 08:30", OFFSET_MESSAGE),
        (dt.datetime(2025, 7, 15, 8, 30), OFFSET_MESSAGE),
        # a time zone that knows no offset (tzinfo set, utcoffset None) is no offset either
        (dt.datetime(2025, 7, 15, 8, 30, tzinfo=_NoOffset()), OFFSET_MESSAGE),
        (
            "2025-02-30T08:30:00Z",
            "Value error, is not a valid date-time ('2025-02-30T08:30:00Z'): "
            "2025-07-15T08:30:00+07:00",
        ),
        (
            20250715,
            "Value error, must be an RFC 3339 date-time string such as 2025-07-15T08:30:00+07:00",
        ),
        (
            "2025-07-15T08:30+07:00",
            "Value error, must be an RFC 3339 date-time with an offset such as "
            "2025-07-15T08:30:00+07:00",
        ),
    ],
)
def test_a_time_is_refused_saying_what_it_must_be(value, message):
    assert refusal({"events": [dict(event("a"), occurred_at=value)]})[1] == [
        {"index": 0, "field": "occurred_at", "message": message}
    ]


def test_a_time_keeps_the_senders_offset_and_at_most_microseconds():
    (parsed,) = validate_events(
        {"events": [dict(event("a"), occurred_at="2025-07-15t08:30:00.9999999z")]}
    )
    assert parsed.occurred_at == dt.datetime(2025, 7, 15, 8, 30, 0, 999999, tzinfo=dt.UTC)
    aware = dt.datetime(2025, 7, 15, 8, 30, tzinfo=dt.timezone(dt.timedelta(hours=7)))
    (parsed,) = validate_events({"events": [dict(event("a"), occurred_at=aware)]})
    assert parsed.occurred_at is aware
    record = to_record(parsed, "s1", redact=False)
    assert record["occurred_at"] == "2025-07-15T08:30:00+07:00"


def test_exempt_is_a_secret_level_or_a_state_commendation():
    def parsed(**document: Any) -> Any:
        return validate_events({"events": [event("a", document=document)]})[0]

    assert not is_exempt(parsed())
    assert not is_exempt(parsed(security="thuong", state_commendation=False))
    assert is_exempt(parsed(security="mat"))
    assert is_exempt(parsed(state_commendation=True))
    assert Document(id="d", security="tuyet_mat").exempt
    (evaluation,) = validate_events({"events": [event("e", "official.evaluated")]})
    assert not is_exempt(evaluation)
    assert not is_exempt(object())


def test_the_record_of_an_event_is_its_json_without_nones_plus_the_source():
    raw = event("a", "document.printed", document={"pages": 4, "number": "12/UBND"})
    (parsed,) = validate_events({"events": [raw]})
    assert to_record(parsed, "s1", redact=False) == {
        "event_id": "a",
        "type": "document.printed",
        "occurred_at": "2025-07-16T09:00:00+07:00",
        "unit_id": "000.00.31.H34",
        "document": {
            "id": "d-1",
            "number": "12/UBND",
            "security": "thuong",
            "state_commendation": False,
            "pages": 4,
        },
        "pages": 3,
        "source_id": "s1",
    }
    assert to_record(parsed, "s1", redact=True) == {
        "event_id": "a",
        "type": "document.printed",
        "occurred_at": "2025-07-16T09:00:00+07:00",
        "unit_id": "000.00.31.H34",
        "document": {"id": "d-1", "security": "thuong", "state_commendation": False},
        "source_id": "s1",
    }


def test_a_redacted_record_keeps_the_document_id_and_its_markings_only():
    record = {
        "event_id": "a",
        "pages": 3,
        "document": {"id": "d", "number": "1", "doc_type": "Tờ trình", "pages": 9},
    }
    assert redact_record(record) == {
        "event_id": "a",
        "document": {"id": "d", "security": "thuong", "state_commendation": False},
    }
    marked = {"document": {"id": "d", "security": "mat", "state_commendation": True}}
    assert redact_record(marked) == marked
    assert record["pages"] == 3 and record["document"]["number"] == "1"  # input untouched
    evaluation = {"event_id": "e", "pages": 1, "score": 90}
    copy = redact_record(evaluation)
    assert copy == evaluation and copy is not evaluation


def test_the_archive_body_is_the_webhook_json_of_the_records_in_utf8():
    records = [
        {"event_id": "a", "source_id": "s1", "_sha": "x", "document": {"id": "Tờ-1"}},
        {"event_id": "b", "source_id": "s1"},
    ]
    body = archive_body(records)
    assert json.loads(body) == {
        "events": [{"event_id": "a", "document": {"id": "Tờ-1"}}, {"event_id": "b"}]
    }
    assert "Tờ-1".encode() in body
    assert body == json.dumps(json.loads(body), ensure_ascii=False).encode()
    assert records[0]["_sha"] == "x"  # input untouched


def test_document_ids_are_those_of_the_document_events():
    events = validate_events(
        {
            "events": [
                event("a", doc="d-1"),
                event("b", "document.issued", doc="d-2"),
                event("c", doc="d-1"),
                event("e", "official.evaluated"),
            ]
        }
    )
    assert document_ids(events) == {"d-1", "d-2"}
    assert document_ids([]) == set()


def test_the_payload_hash_is_the_sha256_of_the_canonical_json():
    record = {"b": [1, {"z": "Tờ", "a": None}], "a": 1}
    canonical = '{"a":1,"b":[1,{"a":null,"z":"Tờ"}]}'
    assert payload_hash(record) == hashlib.sha256(canonical.encode()).hexdigest()
    assert payload_hash(dict(reversed(list(record.items())))) == payload_hash(record)

"""The state one event makes (domain/document_state.py), field by field, and the fold's own
rules: a stored state's version, events of another document, the input left untouched.

The KPI tests (test_kpi.py, test_kpi_properties.py) read states through their counters; a
field those counters never reach differently (a deadline, the completion time, the channel
of a pair) is pinned here, on the state itself."""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

import pytest

from chalicelib.domain import document_state
from chalicelib.domain.instants import parse_instant_us as us
from tests.unit.conftest import (
    ev,
    issued,
    printed,
    processed,
    received,
    registered,
    sent,
    signed,
)

AT = "2025-07-15T09:00:00+07:00"
DUE = "2025-07-20T17:00:00+07:00"
DONE = "2025-07-16T10:30:00+07:00"


def state_of(event: dict[str, Any]) -> dict[str, Any]:
    return document_state.fold_events(None, [event])


def expected(unit: dict[str, Any], unit_id: str = "C1", **top: Any) -> dict[str, Any]:
    return {
        "v": 1,
        "source_id": "s1",
        "document_id": "D-1",
        "units": {unit_id: {"first": [us(AT), unit.pop("_id", "e")], **unit}},
        **top,
    }


def test_a_registration_only_dates_its_unit():
    assert state_of(registered("e", AT)) == expected({})
    assert state_of(registered("e", AT, unit="D2", doc_pages=0)) == expected(
        {}, unit_id="D2", pages=0
    )


def test_a_processing_keeps_its_deadline_completion_actor_and_channel():
    event = processed("e", AT, actor="O7", due_at=DUE, completed_at=DONE)
    entry = [us(AT), "e", us(DUE), us(DONE)]
    assert state_of(event) == expected({"processed": entry, "actors": {"O7": entry}})
    # without a completion time, the processing itself completes it; without a deadline, none
    entry = [us(AT), "e", None, us(AT)]
    assert state_of(processed("e", AT)) == expected({"processed": entry, "actors": {"O1": entry}})
    paper = state_of(processed("e", AT, channel="paper", doc_pages=3))
    assert paper == expected(
        {
            "processed": entry,
            "actors": {"O1": entry},
            "processed_paper": True,
            "paper_first": [us(AT), "e"],
        },
        pages=3,
    )


def test_an_issue_keeps_its_channel():
    assert state_of(issued("e", AT)) == expected({"issued": [us(AT), "e"]})
    assert state_of(issued("e", AT, channel="paper")) == expected(
        {"issued": [us(AT), "e"], "issued_paper": True, "paper_first": [us(AT), "e"]}
    )


def test_a_digital_signature_names_its_signer_and_a_handwritten_one_only_dates():
    assert state_of(signed("e", AT, signer="O9")) == expected(
        {"signed_digital": True}, signers={"O9": [us(AT), "e"]}
    )
    assert state_of(signed("e", AT, method="handwritten")) == expected({})


def test_a_sending_and_a_reception_keep_the_counterpart_and_whether_it_was_electronic():
    assert state_of(sent("e", AT, "D1")) == expected({"sent": {"D1": [us(AT), "e", True]}})
    assert state_of(sent("e", AT, "D1", channel="paper")) == expected(
        {"sent": {"D1": [us(AT), "e", False]}}
    )
    assert state_of(received("e", AT, "P")) == expected({"received": {"P": [us(AT), "e", True]}})
    assert state_of(received("e", AT, "P", channel="paper")) == expected(
        {"received": {"P": [us(AT), "e", False]}}
    )


def test_a_printing_keeps_its_pages_by_event():
    assert state_of(printed("e", AT, pages=0)) == expected({"printed": {"e": [us(AT), 0]}})
    assert state_of(printed("e", AT)) == expected({"printed": {"e": [us(AT), None]}})


@pytest.mark.parametrize(
    "markings", [{"security": "mat"}, {"security": "toi_mat"}, {"commendation": True}]
)
def test_an_exempt_event_keeps_only_its_units_first_event(markings):
    for event in (
        processed("e", AT, doc_pages=5, **markings),
        signed("e", AT, **markings),
        sent("e", AT, "D1", **markings),
    ):
        assert state_of(event) == expected({}, exempt=True)


@pytest.mark.parametrize(
    ("document", "exempt"),
    [
        ({}, False),
        ({"security": None, "state_commendation": None}, False),
        ({"security": "thuong", "state_commendation": False}, False),
        ({"security": "mat"}, True),
        ({"security": "tuyet_mat", "state_commendation": False}, True),
        ({"state_commendation": True}, True),
        ({"security": "thuong", "state_commendation": True}, True),
    ],
)
def test_an_event_is_exempt_by_its_security_level_or_a_state_commendation(document, exempt):
    event = {"type": "document.processed", "document": {"id": "D-1", **document}}
    assert document_state.is_exempt_event(event) is exempt
    assert document_state.is_exempt_event({"type": "document.processed"}) is False
    assert document_state.is_exempt_event({"document": None}) is False


def test_the_key_of_a_document_is_its_source_and_id():
    event = processed("e", AT, doc="D-9", source="s2")
    assert document_state.document_key(event) == ("s2", "D-9")
    with pytest.raises(ValueError, match=r"^event: missing 'source_id'$"):
        document_state.document_key({**event, "source_id": None})
    with pytest.raises(ValueError, match=r"^document: missing 'id'$"):
        document_state.document_key({**event, "document": {"id": None}})


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"type": None}, "event: missing 'type'"),
        ({"type": "official.evaluated"}, "not a document event type: 'official.evaluated'"),
        ({"type": "document.faxed"}, "not a document event type: 'document.faxed'"),
        ({"event_id": None}, "event: missing 'event_id'"),
        ({"unit_id": None}, "event 'e': missing 'unit_id'"),
        ({"occurred_at": None}, "event 'e': missing 'occurred_at'"),
        ({"occurred_at": "2025-07-15T09:00:00"}, "instant without offset: '2025-07-15T09:00:00'"),
        ({"actor_official_id": None}, "event 'e': missing 'actor_official_id'"),
        ({"due_at": "2025-07-20"}, "instant without offset: '2025-07-20'"),
        ({"completed_at": "2025-07-16"}, "instant without offset: '2025-07-16'"),
        ({"channel": "Paper"}, "event 'e': unknown channel 'Paper'"),
    ],
)
def test_a_processing_event_is_refused_naming_what_is_wrong(change, message):
    with pytest.raises(ValueError) as refused:
        state_of({**processed("e", AT), **change})
    assert str(refused.value) == message


@pytest.mark.parametrize(
    ("event", "message"),
    [
        (signed("e", AT, method="stamp"), "event 'e': unknown signature method 'stamp'"),
        (signed("e", AT, method=None), "event 'e': missing 'method'"),
        (signed("e", AT, signer=None), "event 'e': missing 'signer_official_id'"),
        (sent("e", AT, None), "event 'e': missing 'to_unit_id'"),
        (received("e", AT, None), "event 'e': missing 'from_unit_id'"),
        (sent("e", AT, "D1", channel=None), "event 'e': missing 'channel'"),
        (issued("e", AT, channel="fax"), "event 'e': unknown channel 'fax'"),
        (printed("e", AT, pages=-2), "event 'e': pages must be a non-negative integer, got -2"),
        (
            registered("e", AT, doc_pages=-2),
            "event 'e': pages must be a non-negative integer, got -2",
        ),
        (ev("document.registered", "e", AT, doc=None), "event 'e': not a document event"),
    ],
)
def test_an_event_is_refused_naming_its_field(event, message):
    with pytest.raises(ValueError) as refused:
        state_of(event)
    assert str(refused.value) == message


def test_the_fold_reads_a_stored_state_of_its_version_only():
    state = state_of(processed("p", AT))
    stored = copy.deepcopy(state)
    stored["units"]["C1"]["first"][0] = Decimal(us(AT))  # as DynamoDB hands it back
    later = processed("q", "2025-07-16T09:00:00+07:00")
    assert document_state.fold_events(stored, [later]) == document_state.fold_events(
        None, [processed("p", AT), later]
    )
    # nothing to fold: the stored state, in plain types
    assert document_state.fold_events(stored, []) == state
    for version in (2, None):
        with pytest.raises(ValueError) as refused:
            document_state.fold_events({**state, "v": version}, [later])
        assert str(refused.value) == f"unsupported document state version: {version!r}"
    without = {k: v for k, v in state.items() if k != "v"}
    with pytest.raises(ValueError, match=r"^unsupported document state version: None$"):
        document_state.fold_events(without, [later])


def test_the_fold_leaves_its_input_untouched():
    state = state_of(sent("p", AT, "D1"))
    before = copy.deepcopy(state)
    events = [sent("q", "2025-07-14T09:00:00+07:00", "D1", channel="paper")]
    events_before = copy.deepcopy(events)
    folded = document_state.fold_events(state, events)
    assert state == before and events == events_before
    # the earlier sending dates the pair; one sending on paper makes the pair not electronic
    earlier = [us("2025-07-14T09:00:00+07:00"), "q"]
    assert folded == {
        "v": 1,
        "source_id": "s1",
        "document_id": "D-1",
        "units": {"C1": {"first": earlier, "sent": {"D1": [*earlier, False]}}},
    }


def test_a_batch_folds_into_one_state_whatever_its_order():
    events = [
        processed("p", AT, channel="paper", doc_pages=2),
        signed("s", "2025-07-14T09:00:00+07:00", unit="D1", doc_pages=5),
        printed("x", "2025-07-16T09:00:00+07:00", pages=1),
    ]
    entry = [us(AT), "p", None, us(AT)]
    state = {
        "v": 1,
        "source_id": "s1",
        "document_id": "D-1",
        "pages": 5,
        "units": {
            "C1": {
                "first": [us(AT), "p"],
                "processed": entry,
                "paper_first": [us(AT), "p"],
                "processed_paper": True,
                "printed": {"x": [us("2025-07-16T09:00:00+07:00"), 1]},
                "actors": {"O1": entry},
            },
            "D1": {"first": [us("2025-07-14T09:00:00+07:00"), "s"], "signed_digital": True},
        },
        "signers": {"O1": [us("2025-07-14T09:00:00+07:00"), "s"]},
    }
    assert document_state.fold_events(None, events) == state
    assert document_state.fold_events(None, events[::-1]) == state


def test_events_of_another_document_are_refused_by_name():
    state = state_of(processed("p", AT))
    for other in (processed("q", AT, doc="D-2"), processed("q", AT, source="s2")):
        with pytest.raises(ValueError) as refused:
            document_state.fold_events(state, [other])
        key = (other["source_id"], other["document"]["id"])
        assert str(refused.value) == f"event 'q' belongs to another document: {key!r}"
        with pytest.raises(ValueError, match=r"^event 'q' belongs to another document"):
            document_state.fold_events(None, [processed("p", AT), other])


def test_no_events_make_no_state():
    with pytest.raises(ValueError, match=r"^cannot build a document state from no events$"):
        document_state.fold_events(None, [])
    with pytest.raises(ValueError, match=r"^cannot build a document state from no events$"):
        document_state.fold_events(None, iter(()))

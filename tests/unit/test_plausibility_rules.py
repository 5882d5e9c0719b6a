"""Events that cannot be true (chalicelib/domain/plausibility.py), without a stack: each
problem names its event's index, its field and, in words a sender can act on, what is
wrong; the time window and the evaluation's month are inclusive where they say so."""

from __future__ import annotations

import datetime as dt

from chalicelib.domain import plausibility
from chalicelib.domain.events import validate_events
from tests.access_fakes import BOUNDS, NOW, OFFICIALS, UNITS
from tests.webhooks import event


def _at(moment: dt.datetime) -> str:
    return moment.isoformat()


def _events(*raws: dict) -> list:
    return validate_events({"events": list(raws)})


def test_each_problem_names_its_event_its_field_and_what_is_wrong():
    ok = _at(NOW)
    events = _events(
        event("e0", unit="d", actor_official_id="o-d", at=_at(NOW + dt.timedelta(seconds=301))),
        event("e1", unit="d", actor_official_id="ghost", at=ok),
        event("e2", "document.signed", unit="d", signer_official_id="o-v", at=ok),
        event("e3", "official.evaluated", unit="d", official_id="o-p", period="2025-07", at=ok),
        event("e4", "official.evaluated", unit="d", official_id="o-d", period="2025-09", at=ok),
        event("e5", unit="d", actor_official_id="o-d", at=_at(NOW - dt.timedelta(days=400, seconds=1))),
        event("e6", unit="v", actor_official_id="o-p", at=ok),  # a unit above acts for v
        event("e7", "document.received", unit="d", at=ok),  # names no official
    )  # fmt: skip
    assert plausibility.implausible(events, units=UNITS, officials=OFFICIALS, bounds=BOUNDS) == [
        {
            "index": 0,
            "field": "occurred_at",
            "message": "is in the future: later than now plus the tolerance of 300 s",
        },
        {
            "index": 1,
            "field": "actor_official_id",
            "message": "official 'ghost' is not in the registry",
        },
        {
            "index": 2,
            "field": "signer_official_id",
            "message": "official 'o-v' is of unit 'v', neither the event's unit 'd' nor a unit "
            "above it",
        },
        {
            "index": 3,
            "field": "official_id",
            "message": "official 'o-p' is of unit 'p', not of the event's unit 'd'",
        },
        {
            "index": 4,
            "field": "period",
            "message": "2025-09 is later than the month of occurred_at (2025-08)",
        },
        {
            "index": 5,
            "field": "occurred_at",
            "message": "is older than the 400 days events may be (EVENT_MAX_AGE_DAYS)",
        },
    ]


def test_the_window_and_the_month_are_inclusive_and_the_month_is_local():
    events = _events(
        event("a", unit="d", actor_official_id="o-d", at=_at(NOW + dt.timedelta(seconds=300))),
        event("b", unit="d", actor_official_id="o-d", at=_at(NOW - dt.timedelta(days=400))),
        event("c", unit="d", actor_official_id="o-d", at=_at(NOW)),
        # 00:30 on 1 August in Vietnam is still 31 July in UTC: the month is the local one.
        event(
            "d",
            "official.evaluated",
            unit="d",
            official_id="o-d",
            period="2025-08",
            at="2025-07-31T17:30:00Z",
        ),
    )
    assert plausibility.implausible(events, units=UNITS, officials=OFFICIALS, bounds=BOUNDS) == []


def test_officials_are_checked_unless_asked_not_to():
    events = _events(event("a", unit="d", actor_official_id="edxml-1", at=_at(NOW)))
    assert [d["field"] for d in plausibility.implausible(
        events, units=UNITS, officials=OFFICIALS, bounds=BOUNDS
    )] == ["actor_official_id"]  # fmt: skip
    assert (
        plausibility.implausible(
            events, units=UNITS, officials=OFFICIALS, bounds=BOUNDS, check_officials=False
        )
        == []
    )


def test_the_officials_a_delivery_names_are_loaded_at_once():
    events = _events(
        event("a", actor_official_id="cb-a"),
        event("b", "document.signed", signer_official_id="cb-b"),
        event("c", "official.evaluated", official_id="cb-c"),
        event("d", "document.received"),
        event("e", "document.printed"),
    )
    assert plausibility.named_officials(events) == {"cb-a", "cb-b", "cb-c"}
    assert plausibility.named_officials([]) == set()

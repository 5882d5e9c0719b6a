"""Pure rules of what a delivery may claim: RFC 3339 times, source scopes, plausibility."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain import plausibility
from chalicelib.domain.events import InvalidEvents, validate_events
from chalicelib.domain.registry import UnitRecord, descendants, outside_scope
from tests.access_fakes import BOUNDS, NOW, OFFICIALS, UNITS
from tests.webhooks import event


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-07-15T08:30:00+07:00", "2025-07-15T01:30:00+00:00"),
        ("2025-07-15t08:30:00z", "2025-07-15T08:30:00+00:00"),
        ("2025-07-15T08:30:00.5Z", "2025-07-15T08:30:00.500000+00:00"),
        ("2025-07-15T08:30:00.123456789-05:00", "2025-07-15T13:30:00.123456+00:00"),
        ("2025-07-15T08:30:00-00:00", "2025-07-15T08:30:00+00:00"),
    ],
)
def test_rfc3339_with_an_offset_is_accepted(text, expected):
    (parsed,) = validate_events({"events": [dict(event("a"), occurred_at=text)]})
    assert parsed.occurred_at.astimezone(dt.UTC).isoformat() == expected


@pytest.mark.parametrize(
    "text",
    [
        "2025-W29-2T08:30+07:00",
        "20250715T083000+0700",
        "2025-196T08:30:00+07:00",
        "2025-07-15T08:30+07:00",
        "2025-07-15T08:30:00+0700",
        "2025-07-15 08:30:00+07:00",
        "2025-07-15T08:30:00",
        "2025-07-15",
        "2025-07-15T25:30:00Z",
        "2025-07-15T08:30:00+24:00",
        " 2025-07-15T08:30:00Z",
        "2025-07-15T08:30:00.Z",
    ],
)
@pytest.mark.parametrize("field", ["occurred_at", "due_at", "completed_at"])
def test_anything_else_is_refused_naming_the_field(text, field):
    with pytest.raises(InvalidEvents) as refused:
        validate_events({"events": [dict(event("a"), **{field: text})]})
    assert [d["field"] for d in refused.value.details] == [field]


# --- scopes ----------------------------------------------------------------------------------


@st.composite
def trees(draw: st.DrawFn) -> dict[str, UnitRecord]:
    """A random forest of up to 25 units (parents drawn among the earlier ones)."""
    size = draw(st.integers(1, 25))
    units: dict[str, UnitRecord] = {}
    for i in range(size):
        parent = draw(st.none() | st.sampled_from(sorted(units))) if units else None
        units[f"u{i}"] = UnitRecord(f"u{i}", f"Unit {i}", "province", parent)
    return units


@given(data=st.data(), units=trees())
def test_outside_scope_is_what_no_scope_unit_reaches(data, units):
    ids = sorted(units)
    scope = data.draw(st.lists(st.sampled_from(ids), max_size=4))
    acting = data.draw(st.lists(st.sampled_from([*ids, "ghost"]), max_size=10))
    covered = set().union(*(descendants(root, units.values()) for root in scope))
    assert outside_scope(acting, scope, units) == sorted(
        {u for u in acting if u in units and u not in covered}
    )


# --- plausibility ------------------------------------------------------------------------------


def _problems(raw: dict, *, check_officials: bool = True) -> list[tuple[str, str]]:
    events = validate_events({"events": [raw]})
    details = plausibility.implausible(
        events, units=UNITS, officials=OFFICIALS, bounds=BOUNDS, check_officials=check_officials
    )
    return [(d["field"], d["message"]) for d in details]


@pytest.mark.parametrize(
    ("unit", "actor", "ok"),
    [("v", "o-v", True), ("v", "o-d", True), ("v", "o-p", True), ("d", "o-v", False)],
)
def test_an_actor_acts_for_their_unit_or_one_below(unit, actor, ok):
    at = "2025-08-01T10:00:00+07:00"
    raw = event("a", unit=unit, actor_official_id=actor, at=at)
    assert (_problems(raw) == []) is ok
    signed = event("b", "document.signed", unit=unit, signer_official_id=actor, at=at)
    assert (_problems(signed) == []) is ok


@given(seconds=st.integers(-400 * 86400 - 3600, 3600))
def test_the_time_window_is_now_minus_max_age_to_now_plus_tolerance(seconds):
    moment = NOW + dt.timedelta(seconds=seconds)
    raw = event("a", unit="d", actor_official_id="o-d", at=moment.isoformat())
    inside = -400 * 86400 <= seconds <= 300
    assert (_problems(raw) == []) is inside


def test_edxml_officials_are_not_looked_up_but_times_still_are():
    raw = event("a", unit="d", actor_official_id="edxml-staff-0123", at="2025-08-01T10:00:00Z")
    assert _problems(raw, check_officials=False) == []
    assert [f for f, _ in _problems(raw)] == ["actor_official_id"]
    future = event("b", unit="d", actor_official_id="edxml-x", at="2099-01-01T00:00:00Z")
    assert [f for f, _ in _problems(future, check_officials=False)] == ["occurred_at"]

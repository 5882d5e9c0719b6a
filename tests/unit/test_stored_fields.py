"""How the fold reads a stored event's fields (domain/records.py) and its instants
(domain/instants.py): exact epoch microseconds, the local date the KPIs count by, and a
missing field refused by name."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain.instants import local_date, parse_instant_us
from chalicelib.domain.records import required

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)

offsets = st.integers(-14 * 60, 14 * 60).map(lambda m: dt.timezone(dt.timedelta(minutes=m)))
moments = st.datetimes(
    min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(2200, 1, 1), timezones=offsets
)


@given(moments)
def test_an_instant_is_its_exact_count_of_microseconds_since_the_epoch(moment):
    expected = (moment - EPOCH) // dt.timedelta(microseconds=1)
    assert parse_instant_us(moment.isoformat()) == expected
    assert type(parse_instant_us(moment.isoformat())) is int
    # and back: the local date of that instant in the province
    assert local_date(expected, TZ) == moment.astimezone(TZ).date()


def test_instants_on_their_edges():
    assert parse_instant_us("1970-01-01T00:00:00Z") == 0
    assert parse_instant_us("1970-01-01T07:00:00.000001+07:00") == 1
    assert parse_instant_us("1969-12-31T23:59:59.999999+00:00") == -1
    assert parse_instant_us("1970-01-02T00:00:01.5+00:00") == 86_401_500_000
    assert parse_instant_us("2025-07-15T08:30:00.25+07:00") == 1_752_543_000_250_000


def test_the_local_date_is_the_provinces_not_utcs():
    # 2025-07-15 18:30 UTC is already the 16th in Viet Nam (UTC+7), still the 15th in UTC
    us = parse_instant_us("2025-07-15T18:30:00Z")
    assert local_date(us, TZ) == dt.date(2025, 7, 16)
    assert local_date(us, dt.UTC) == dt.date(2025, 7, 15)
    assert local_date(-1, dt.UTC) == dt.date(1969, 12, 31)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (1752543000, "instant must be a string: 1752543000"),
        (None, "instant must be a string: None"),
        ("2025-07-15T08:30:00", "instant without offset: '2025-07-15T08:30:00'"),
        ("2025-07-15", "instant without offset: '2025-07-15'"),
    ],
)
def test_an_instant_that_is_not_a_time_with_an_offset_is_refused_by_its_value(value, message):
    with pytest.raises(ValueError) as refused:
        parse_instant_us(value)
    assert str(refused.value) == message


def test_a_required_field_is_read_or_refused_naming_it_and_where():
    record = {"unit_id": "C1", "pages": 0, "flag": False, "empty": ""}
    assert required(record, "unit_id", "event 'e'") == "C1"
    # falsy values are values: only a missing field or a null is missing
    assert required(record, "pages", "event 'e'") == 0
    assert required(record, "flag", "event 'e'") is False
    assert required(record, "empty", "event 'e'") == ""
    for bad in ({}, {"unit_id": None}):
        with pytest.raises(ValueError) as refused:
            required(bad, "unit_id", "event 'e-1'")
        assert str(refused.value) == "event 'e-1': missing 'unit_id'"

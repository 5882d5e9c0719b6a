"""The pure part of pulling from a hub (chalicelib/domain/hubs.py), without a hub: the
LGSP requests made and answers read (every field name from LGSP_FIELDS, docs/hubs.md),
the refusals naming what is wrong, and the cursor's rules (listing window, once each in
listing order, never backwards) against an independent recomputation. The connector and
the fake hub over HTTP are tested in tests/api/test_hub_pull*.py; these run in
milliseconds for `make mutation`."""

from __future__ import annotations

import base64
import datetime as dt
import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain import hubs
from chalicelib.domain.hubs import HubAnswerError, HubRequest, Listing, Position

LOCAL = dt.timezone(dt.timedelta(hours=7))


# --- requests -------------------------------------------------------------------------------


def test_the_lgsp_requests_are_its_paths_parameters_and_headers():
    assert hubs.lgsp_headers("khong-giay", "s3cret") == {
        "X-SystemId": "khong-giay",
        "X-SecretKey": "s3cret",
    }
    assert hubs.lgsp_list("status", dt.date(2025, 7, 5), dt.date(2025, 12, 31)) == HubRequest(
        "GET",
        "/v1/syncReceivedEdocList",
        {"messageType": "status", "fromDate": "2025/07/05", "toDate": "2025/12/31"},
    )
    assert hubs.lgsp_fetch("pkg-1") == HubRequest("GET", "/v1/getEdoc", {"docId": "pkg-1"})
    assert hubs.lgsp_acknowledge("pkg-1") == HubRequest(
        "POST", "/v1/updateStatus", {}, {"docId": "pkg-1", "status": "done"}
    )
    # What a request carries when nothing else is said: no body.
    assert hubs.lgsp_fetch("pkg-1").json_body is None


# --- answers --------------------------------------------------------------------------------


def _listing_answer(*items: object, status: object = "OK") -> dict:
    return {"status": status, "ErrorDesc": "", "data": list(items)}


def test_a_list_answer_gives_each_package_its_time_and_type():
    answer = _listing_answer(
        {"docId": "pkg-1", "messagetype": "edoc", "created_time": "2025/07/15 08:30:00"},
        {"docId": 42, "created_time": "2025-07-15T09:00:00+00:00"},
        {"docId": "a.b_c:d/e,f@g+h=i-j", "messagetype": "", "created_time": "2025/07/16"},
    )
    assert hubs.lgsp_parse_list(answer, "status") == [
        Listing(dt.datetime(2025, 7, 15, 8, 30, tzinfo=LOCAL), "pkg-1", "edoc"),
        # A numeric id is read as text; a missing or empty type is the type listed.
        Listing(dt.datetime(2025, 7, 15, 9, 0, tzinfo=dt.UTC), "42", "status"),
        Listing(dt.datetime(2025, 7, 16, tzinfo=LOCAL), "a.b_c:d/e,f@g+h=i-j", "status"),
    ]
    # A status in any case is OK, and an answer without a status is read by its data.
    assert hubs.lgsp_parse_list(_listing_answer(status="ok"), "edoc") == []
    assert hubs.lgsp_parse_list({"data": []}, "edoc") == []


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        ([], "the answer is not a JSON object"),
        (
            {"status": "FAIL", "ErrorDesc": "Sai mã hệ thống", "data": []},
            "the hub refused: Sai mã hệ thống",
        ),
        ({"status": "FAIL", "data": []}, "the hub refused: FAIL"),
        ({"status": "OK"}, "the answer has no 'data'"),
        ({"status": "OK", "data": {"docId": "x"}}, "'data' is not a list"),
        (_listing_answer("pkg-1"), "item 0 is not an object"),
        (_listing_answer({"created_time": "2025/07/15"}), "item 0: 'docId' missing or unusable"),
        (
            _listing_answer({"docId": "", "created_time": "2025/07/15"}),
            "item 0: 'docId' missing or unusable",
        ),
        (
            _listing_answer(
                {"docId": "ok", "created_time": "2025/07/15"},
                {"docId": "a b", "created_time": "2025/07/15"},
            ),
            "item 1: 'docId' missing or unusable",
        ),
        (
            _listing_answer({"docId": "x" * 201, "created_time": "2025/07/15"}),
            "item 0: 'docId' missing or unusable",
        ),
        (_listing_answer({"docId": "pkg"}), "item 0: 'created_time' missing"),
        (
            _listing_answer({"docId": "p", "created_time": 20250715}),
            "item 0: 'created_time' missing",
        ),
        (_listing_answer({"docId": "p", "created_time": "hôm qua"}), "unreadable time 'hôm qua'"),
    ],
)
def test_a_list_answer_out_of_shape_is_refused_saying_what_is_wrong(answer, message):
    with pytest.raises(HubAnswerError) as refused:
        hubs.lgsp_parse_list(answer, "edoc")
    assert str(refused.value) == message


def test_a_refusal_quotes_at_most_300_characters_of_the_hubs_reason():
    with pytest.raises(HubAnswerError) as refused:
        hubs.lgsp_parse_list({"status": "FAIL", "ErrorDesc": "x" * 400, "data": []}, "edoc")
    assert str(refused.value) == "the hub refused: " + "x" * 300


def test_a_package_id_of_200_characters_is_usable():
    answer = _listing_answer({"docId": "x" * 200, "created_time": "2025/07/15"})
    assert [x.package_id for x in hubs.lgsp_parse_list(answer, "edoc")] == ["x" * 200]


def test_a_fetched_package_is_its_base64_content():
    edxml = "<edXML>Văn bản</edXML>".encode()
    answer = {"status": "OK", "data": {"docId": "p", "content": base64.b64encode(edxml).decode()}}
    assert hubs.lgsp_parse_fetch(answer) == edxml
    # Base64 broken into lines (a MIME encoder's 76 columns) is still the package.
    wrapped = base64.encodebytes(edxml * 4).decode()
    assert "\n" in wrapped
    assert hubs.lgsp_parse_fetch({"data": {"content": wrapped}}) == edxml * 4


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("PGVkWE1MLz4=", "the package has no 'content'"),
        ({"docId": "p"}, "the package has no 'content'"),
        ({"content": ""}, "the package has no 'content'"),
        ({"content": 12}, "the package has no 'content'"),
        ({"content": "PGVkWE1MLz4"}, "the package's content is not base64"),
    ],
)
def test_a_fetched_package_out_of_shape_is_refused_saying_what_is_wrong(data, message):
    with pytest.raises(HubAnswerError) as refused:
        hubs.lgsp_parse_fetch({"status": "OK", "data": data})
    assert str(refused.value) == message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025/07/15 08:30:05", dt.datetime(2025, 7, 15, 8, 30, 5, tzinfo=LOCAL)),
        ("2025/07/15", dt.datetime(2025, 7, 15, tzinfo=LOCAL)),
        ("2025-07-15T08:30:05", dt.datetime(2025, 7, 15, 8, 30, 5, tzinfo=LOCAL)),
        ("2025-07-15 08:30:05", dt.datetime(2025, 7, 15, 8, 30, 5, tzinfo=LOCAL)),
        (" 2025/07/15 08:30:05\n", dt.datetime(2025, 7, 15, 8, 30, 5, tzinfo=LOCAL)),
        ("2025-07-15T08:30:05+00:00", dt.datetime(2025, 7, 15, 8, 30, 5, tzinfo=dt.UTC)),
        ("2025-07-15T08:30:05Z", dt.datetime(2025, 7, 15, 8, 30, 5, tzinfo=dt.UTC)),
    ],
)
def test_a_hub_time_without_an_offset_is_local(text, expected):
    moment = hubs.parse_hub_time(text)
    assert moment == expected
    assert moment.utcoffset() == expected.utcoffset()


def test_an_unreadable_hub_time_is_quoted_in_its_first_40_characters():
    with pytest.raises(HubAnswerError) as refused:
        hubs.parse_hub_time("y" * 50)
    assert str(refused.value) == f"unreadable time {'y' * 40!r}"


# --- the cursor -----------------------------------------------------------------------------


@pytest.fixture
def process_zone_not_utc(monkeypatch: pytest.MonkeyPatch):
    """The process's own zone set to New York for one test (a cursor written on one
    machine is read on another), then back."""
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_a_position_is_written_in_utc_and_read_back(process_zone_not_utc):
    position = Position(dt.datetime(2025, 7, 15, 8, 30, tzinfo=LOCAL), "pkg-1")
    assert position.encode() == "2025-07-15T01:30:00+00:00|pkg-1"
    assert Position.decode("2025-07-15T01:30:00+00:00|pkg-1") == position
    assert Listing(position.at, "pkg-1", "status").position == position


instants = st.integers(0, 10 * 86400).map(
    lambda s: dt.datetime(2025, 7, 1, tzinfo=dt.UTC) + dt.timedelta(seconds=s)
)
package_ids = st.sampled_from(["a", "b", "c", "d", "pkg-1", "pkg-10"])
listings = st.builds(Listing, instants, package_ids, st.sampled_from(["edoc", "status"]))
positions = st.none() | st.builds(Position, instants, package_ids)


@given(positions)
def test_a_position_survives_its_encoding(position):
    if position is not None:
        assert Position.decode(position.encode()) == position


@given(
    cursor=positions,
    today=st.integers(0, 12).map(lambda n: dt.date(2025, 7, 1) + dt.timedelta(days=n)),
    overlap_hours=st.integers(0, 72),
    first_day=st.integers(-5, 12).map(lambda n: dt.date(2025, 7, 1) + dt.timedelta(days=n)),
)
def test_the_window_starts_at_the_cursors_local_day_less_the_overlap(
    cursor, today, overlap_hours, first_day
):
    overlap = dt.timedelta(hours=overlap_hours)
    if cursor is None:
        start = first_day
    else:
        local = cursor.at.astimezone(LOCAL) - overlap
        start = dt.date(local.year, local.month, local.day)
    assert hubs.listing_window(cursor, today, overlap, first_day) == (min(start, today), today)


def test_the_window_on_its_edges():
    day = dt.date(2025, 7, 15)
    # 16:59:59 UTC is 23:59:59 local: that local day, not the next.
    late = Position(dt.datetime(2025, 7, 15, 16, 59, 59, tzinfo=dt.UTC), "p")
    assert hubs.listing_window(late, dt.date(2025, 7, 20), dt.timedelta(0), day) == (
        day,
        dt.date(2025, 7, 20),
    )
    # 17:00 UTC is the next local day; 48 h of overlap take it back two days.
    next_day = Position(dt.datetime(2025, 7, 15, 17, 0, tzinfo=dt.UTC), "p")
    assert hubs.listing_window(next_day, dt.date(2025, 7, 20), dt.timedelta(hours=48), day) == (
        dt.date(2025, 7, 14),
        dt.date(2025, 7, 20),
    )
    # A first day (or a cursor) after today lists today only.
    assert hubs.listing_window(None, day, dt.timedelta(0), dt.date(2025, 8, 1)) == (day, day)
    assert hubs.listing_window(None, day, dt.timedelta(0), dt.date(2025, 7, 1)) == (
        dt.date(2025, 7, 1),
        day,
    )


@given(st.lists(listings, max_size=8), st.sets(package_ids, max_size=3), positions)
def test_each_package_not_handled_yet_is_handled_once_in_listing_order(drawn, handled, cursor):
    expected: list[Listing] = []
    for listing in sorted(drawn, key=lambda x: (x.listed_at, x.package_id, x.message_type)):
        if listing.package_id not in handled and all(
            x.package_id != listing.package_id for x in expected
        ):
            expected.append(listing)
    assert hubs.to_handle(drawn, handled, cursor) == expected


def test_a_package_listed_twice_is_handled_at_its_first_listing():
    early = Listing(dt.datetime(2025, 7, 15, tzinfo=dt.UTC), "b")
    late = Listing(dt.datetime(2025, 7, 16, tzinfo=dt.UTC), "b")
    other = Listing(dt.datetime(2025, 7, 15, 12, tzinfo=dt.UTC), "a")
    assert hubs.to_handle([late, other, early], set(), None) == [early, other]
    assert hubs.to_handle([late, other, early], {"a"}, early.position) == [early]


@given(positions, listings)
def test_the_cursor_only_moves_forward(cursor, handled):
    moved = hubs.advance(cursor, handled)
    candidates = [handled.position] + ([cursor] if cursor is not None else [])
    assert moved == max(candidates, key=lambda p: (p.at, p.package_id))


def test_the_cursor_stays_on_a_package_handled_again():
    position = Position(dt.datetime(2025, 7, 15, tzinfo=dt.UTC), "p")
    assert hubs.advance(position, Listing(position.at, "p")) is position

"""Pulling from a document-exchange hub, the pure part: the LGSP REST dialect (requests to
make, answers to read: every JSON field name in `LGSP_FIELDS`) and the cursor rules of the
connector (services/hub_pull.py). No network, no clock, no AWS.

The LGSP shape is what public descriptions of one provincial platform show; the field
names of its answers are assumed and documented in docs/hubs.md. A second dialect is a
second `Dialect` beside `LGSP`.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

# Vietnam's offset since 1975: a hub's times without an offset are local.
HUB_ZONE = dt.timezone(dt.timedelta(hours=7))


class HubAnswerError(ValueError):
    """The hub answered, but not in the shape its dialect promises."""


@dataclass(frozen=True, order=True)
class Listing:
    """One package (or status message) a hub lists, ordered by when it was listed."""

    listed_at: dt.datetime
    package_id: str
    message_type: str = "edoc"

    @property
    def position(self) -> Position:
        return Position(self.listed_at, self.package_id)


@dataclass(frozen=True, order=True)
class Position:
    """A point in a hub's listing order: (listed_at, package_id). The cursor is one."""

    at: dt.datetime
    package_id: str

    def encode(self) -> str:
        return f"{self.at.astimezone(dt.UTC).isoformat()}|{self.package_id}"

    @classmethod
    def decode(cls, text: str) -> Position:
        at, _, package_id = text.partition("|")
        return cls(dt.datetime.fromisoformat(at), package_id)


@dataclass(frozen=True)
class HubRequest:
    method: str  # GET | POST
    path: str  # below the hub's base URL
    params: Mapping[str, str]
    json_body: Mapping[str, Any] | None = None


# --- The LGSP REST dialect -------------------------------------------------------------

# Every name this module reads or writes in the LGSP's JSON, in one place (docs/hubs.md).
LGSP_FIELDS = {
    "system_header": "X-SystemId",
    "secret_header": "X-SecretKey",
    "list_path": "/v1/syncReceivedEdocList",
    "fetch_path": "/v1/getEdoc",
    "ack_path": "/v1/updateStatus",
    "message_type_param": "messageType",
    "from_param": "fromDate",
    "to_param": "toDate",
    "doc_param": "docId",
    # answers: {"status": "OK" | "FAIL", "ErrorDesc": "...", "data": ...}
    "answer_status": "status",
    "answer_ok": "OK",
    "answer_error": "ErrorDesc",
    "answer_data": "data",
    # a list item: {"docId", "messagetype", "created_time": "YYYY/MM/DD HH:MM:SS"}
    "item_id": "docId",
    "item_type": "messagetype",
    "item_time": "created_time",
    # a fetched package: {"docId", "content": "<base64 of the edXML bytes>"}
    "content": "content",
    # the acknowledgement: {"docId", "status": "done"}
    "ack_status": "status",
    "ack_done": "done",
}
LGSP_DATE_FORMAT = "%Y/%m/%d"
_PACKAGE_ID = re.compile(r"^[A-Za-z0-9._:/,@+=-]{1,200}$")
_TIME_FORMATS = ("%Y/%m/%d %H:%M:%S", "%Y/%m/%d", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S")


def lgsp_headers(system_id: str, secret: str) -> dict[str, str]:
    return {LGSP_FIELDS["system_header"]: system_id, LGSP_FIELDS["secret_header"]: secret}


def lgsp_list(message_type: str, from_date: dt.date, to_date: dt.date) -> HubRequest:
    """What is new of one message type between two local dates (inclusive: the LGSP
    lists by date, so a window always covers whole days)."""
    f = LGSP_FIELDS
    return HubRequest(
        "GET",
        f["list_path"],
        {
            f["message_type_param"]: message_type,
            f["from_param"]: from_date.strftime(LGSP_DATE_FORMAT),
            f["to_param"]: to_date.strftime(LGSP_DATE_FORMAT),
        },
    )


def lgsp_fetch(package_id: str) -> HubRequest:
    return HubRequest("GET", LGSP_FIELDS["fetch_path"], {LGSP_FIELDS["doc_param"]: package_id})


def lgsp_acknowledge(package_id: str) -> HubRequest:
    f = LGSP_FIELDS
    return HubRequest(
        "POST", f["ack_path"], {}, {f["doc_param"]: package_id, f["ack_status"]: f["ack_done"]}
    )


def _data(answer: Any) -> Any:
    f = LGSP_FIELDS
    if not isinstance(answer, dict):
        raise HubAnswerError("the answer is not a JSON object")
    status = answer.get(f["answer_status"])
    if status is not None and str(status).upper() != f["answer_ok"]:
        raise HubAnswerError(
            f"the hub refused: {str(answer.get(f['answer_error']) or status)[:300]}"
        )
    if f["answer_data"] not in answer:
        raise HubAnswerError(f"the answer has no {f['answer_data']!r}")
    return answer[f["answer_data"]]


def parse_hub_time(text: str) -> dt.datetime:
    """A hub time; without an offset it is local (Asia/Ho_Chi_Minh, +07:00)."""
    text = text.strip()
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        for form in _TIME_FORMATS:
            try:
                moment = dt.datetime.strptime(text, form)
                break
            except ValueError:
                continue
        else:
            raise HubAnswerError(f"unreadable time {text[:40]!r}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=HUB_ZONE)


def lgsp_parse_list(answer: Any, message_type: str) -> list[Listing]:
    f = LGSP_FIELDS
    items = _data(answer)
    if not isinstance(items, list):
        raise HubAnswerError(f"{f['answer_data']!r} is not a list")
    listings = []
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise HubAnswerError(f"item {index} is not an object")
        package_id = str(item.get(f["item_id"]) or "")
        if not _PACKAGE_ID.fullmatch(package_id):
            raise HubAnswerError(f"item {index}: {f['item_id']!r} missing or unusable")
        when = item.get(f["item_time"])
        if not isinstance(when, str):
            raise HubAnswerError(f"item {index}: {f['item_time']!r} missing")
        listings.append(
            Listing(parse_hub_time(when), package_id, str(item.get(f["item_type"]) or message_type))
        )
    return listings


def lgsp_parse_fetch(answer: Any) -> bytes:
    """The package's edXML bytes (base64 in the answer)."""
    data = _data(answer)
    content = data.get(LGSP_FIELDS["content"]) if isinstance(data, dict) else None
    if not isinstance(content, str) or not content:
        raise HubAnswerError(f"the package has no {LGSP_FIELDS['content']!r}")
    try:
        return base64.b64decode(content, validate=False)
    except (binascii.Error, ValueError):
        raise HubAnswerError("the package's content is not base64") from None


# --- The cursor ------------------------------------------------------------------------


def listing_window(
    cursor: Position | None, today: dt.date, overlap: dt.timedelta, first_day: dt.date
) -> tuple[dt.date, dt.date]:
    """The local dates to list: from the cursor's time less the overlap (a package the hub
    lists late, with an older time, is still seen), or from `first_day`, to today."""
    if cursor is None:
        return min(first_day, today), today
    start = (cursor.at - overlap).astimezone(HUB_ZONE).date()
    return min(start, today), today


def to_handle(
    listings: Iterable[Listing], handled: set[str], cursor: Position | None
) -> list[Listing]:
    """The listed packages still to handle, once each, in listing order: those not handled
    yet (a package listed twice, or again inside the overlap, is fetched once)."""
    del cursor  # late packages behind the cursor are handled too; the cursor only orders
    seen: set[str] = set()
    out = []
    for listing in sorted(listings):
        if listing.package_id in handled or listing.package_id in seen:
            continue
        seen.add(listing.package_id)
        out.append(listing)
    return out


def advance(cursor: Position | None, handled: Listing) -> Position | None:
    """The cursor after a package was handled: never backwards (a late package behind it
    leaves it where it is)."""
    if cursor is None or handled.position > cursor:
        return handled.position
    return cursor

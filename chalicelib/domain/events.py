"""Document events as document systems send them (DOMAIN.md "Document events").

Validation is strict: unknown types and fields are refused, times must carry an
offset, and every invalid event is reported by index and field. Pure: no AWS.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    TypeAdapter,
    ValidationError,
)

from chalicelib.domain.vocabulary import (
    EVENT_TYPES,
    IDENTIFIER_PATTERN,
    SECURITY_NORMAL,
    Channel,
    EvaluatedType,
    IssuedType,
    PrintedType,
    ProcessedType,
    ReceivedType,
    RegisteredType,
    Security,
    SentType,
    SignedType,
    SigningMethod,
)

EVENT_ID_PATTERN = r"^[\x21-\x7e]{1,128}$"  # printable ASCII, no spaces


# RFC 3339 section 5.6 date-time with a mandatory offset: no week or ordinal dates, no
# basic (separator-free) form, no missing seconds; "t" and "z" may be lower case.
_RFC3339 = re.compile(
    r"^(\d{4}-\d{2}-\d{2})[Tt](\d{2}:\d{2}:\d{2})(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$"
)
_RFC3339_EXAMPLE = "2025-07-15T08:30:00+07:00"


def _rfc3339_with_offset(value: Any) -> dt.datetime:
    if isinstance(value, dt.datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("must carry a UTC offset (e.g. +07:00 or Z)")
        return value
    if not isinstance(value, str):
        raise ValueError(f"must be an RFC 3339 date-time string such as {_RFC3339_EXAMPLE}")
    match = _RFC3339.match(value)
    if match is None:
        if _RFC3339_NO_OFFSET.match(value):
            raise ValueError("must carry a UTC offset (e.g. +07:00 or Z)")
        raise ValueError(f"must be an RFC 3339 date-time with an offset such as {_RFC3339_EXAMPLE}")
    day, clock, fraction, offset = match.groups()
    # Python keeps microseconds: a longer fraction is cut, never rounded up into the next second.
    fraction = (fraction or "")[:7]
    offset = "+00:00" if offset in ("Z", "z") else offset
    try:
        return dt.datetime.fromisoformat(f"{day}T{clock}{fraction}{offset}")
    except ValueError:
        raise ValueError(f"is not a valid date-time ({value!r}): {_RFC3339_EXAMPLE}") from None


_RFC3339_NO_OFFSET = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$")


def _iso(value: dt.datetime) -> str:
    return value.isoformat()


# Serialised back exactly as an RFC 3339 string with the sender's own offset.
Timestamp = Annotated[
    dt.datetime, BeforeValidator(_rfc3339_with_offset), PlainSerializer(_iso, return_type=str)
]
UnitId = Annotated[str, Field(pattern=IDENTIFIER_PATTERN)]
OfficialId = Annotated[str, Field(pattern=IDENTIFIER_PATTERN)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=False, str_strip_whitespace=False)


class Document(_Strict):
    id: str = Field(min_length=1, max_length=256)
    number: str | None = Field(default=None, max_length=100)
    doc_type: str | None = Field(default=None, max_length=100)
    security: Security = SECURITY_NORMAL
    state_commendation: bool = False
    pages: int | None = Field(default=None, ge=0, le=100_000)

    @property
    def exempt(self) -> bool:
        return self.security != SECURITY_NORMAL or self.state_commendation


class _Event(_Strict):
    event_id: str = Field(pattern=EVENT_ID_PATTERN)
    occurred_at: Timestamp
    unit_id: UnitId


class _DocumentEvent(_Event):
    document: Document


class Registered(_DocumentEvent):
    type: RegisteredType
    direction: Literal["incoming", "outgoing"]


class Processed(_DocumentEvent):
    type: ProcessedType
    channel: Channel
    actor_official_id: OfficialId
    due_at: Timestamp | None = None
    completed_at: Timestamp | None = None


class Signed(_DocumentEvent):
    type: SignedType
    method: SigningMethod
    signer_official_id: OfficialId


class Issued(_DocumentEvent):
    type: IssuedType
    channel: Channel


class Sent(_DocumentEvent):
    type: SentType
    to_unit_id: UnitId
    channel: Channel


class Received(_DocumentEvent):
    type: ReceivedType
    from_unit_id: UnitId
    channel: Channel


class Printed(_DocumentEvent):
    type: PrintedType
    pages: int | None = Field(default=None, ge=0, le=100_000)


class Evaluated(_Event):
    type: EvaluatedType
    official_id: OfficialId
    period: str = Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")
    score: float = Field(ge=0, le=100)


Event = Annotated[
    Registered | Processed | Signed | Issued | Sent | Received | Printed | Evaluated,
    Field(discriminator="type"),
]
_event_adapter: TypeAdapter[Any] = TypeAdapter(Event)


class WebhookBody(BaseModel):
    """The JSON webhook body (documented shape; events are validated one by one)."""

    model_config = ConfigDict(extra="forbid")
    events: list[dict[str, Any]] = Field(min_length=1, max_length=500)


class InvalidEvents(Exception):
    def __init__(self, details: list[dict[str, Any]]) -> None:
        super().__init__(f"{len(details)} invalid field(s)")
        self.details = details


def validate_events(raw: Any, *, max_events: int = 500) -> list[Any]:
    """All-or-nothing validation of a webhook body; InvalidEvents lists every problem."""
    if not isinstance(raw, dict):
        raise InvalidEvents(
            [{"index": None, "field": "(body)", "message": "must be a JSON object"}]
        )
    extra = sorted(set(raw) - {"events"})
    details: list[dict[str, Any]] = [
        {"index": None, "field": k, "message": "unknown field"} for k in extra
    ]
    events = raw.get("events")
    if not isinstance(events, list):
        details.append({"index": None, "field": "events", "message": "must be a list of events"})
        raise InvalidEvents(details)
    if not 1 <= len(events) <= max_events:
        details.append(
            {
                "index": None,
                "field": "events",
                "message": f"must hold 1 to {max_events} events, not {len(events)}",
            }
        )
        raise InvalidEvents(details)
    parsed: list[Any] = []
    for index, item in enumerate(events):
        try:
            parsed.append(_event_adapter.validate_python(item))
        except ValidationError as exc:
            for err in exc.errors(include_url=False, include_context=False, include_input=False):
                loc = [str(p) for p in err.get("loc", ())]
                if loc and loc[0] in EVENT_TYPES:
                    loc = loc[1:]  # drop the discriminator tag pydantic puts first
                message = err.get("msg", "invalid")
                if err.get("type") == "union_tag_invalid":
                    message = f"unknown event type; expected one of: {', '.join(EVENT_TYPES)}"
                    loc = ["type"]
                elif err.get("type") == "union_tag_not_found":
                    loc = ["type"]
                    message = "is required"
                details.append(
                    {"index": index, "field": ".".join(loc) or "(event)", "message": message}
                )
    if details:
        raise InvalidEvents(details)
    return parsed


def is_exempt(event: Any) -> bool:
    document = getattr(event, "document", None)
    return bool(document is not None and document.exempt)


def to_record(event: Any, source_id: str, *, redact: bool) -> dict[str, Any]:
    """The stored form of an event. Exempt documents keep only what KPIs need:
    ids, type, times, unit, channel/method and the exemption markers."""
    record: dict[str, Any] = event.model_dump(mode="json", exclude_none=True)
    if redact:
        record = redact_record(record)
    record["source_id"] = source_id
    return record


def redact_record(record: dict[str, Any]) -> dict[str, Any]:
    """An event (as stored or as sent) without what an exempt document may not keep:
    the document keeps its id and its own markings, the event loses its page count.
    Depends on the event alone, so the redacted form (and its hash) of a redelivered
    event is the same whatever else shares its request."""
    if "document" not in record:
        return dict(record)
    out = {k: v for k, v in record.items() if k != "pages"}
    doc = record["document"]
    out["document"] = {
        "id": doc["id"],
        "security": doc.get("security", SECURITY_NORMAL),
        "state_commendation": doc.get("state_commendation", False),
    }
    return out


def archive_body(records: list[dict[str, Any]]) -> bytes:
    """The JSON webhook body of stored records (what the archive keeps instead of a body
    that holds text of an exempt document; source_id is implied by the archive key)."""
    events = [{k: v for k, v in r.items() if k not in ("_sha", "source_id")} for r in records]
    return json.dumps({"events": events}, ensure_ascii=False).encode()


def document_ids(events: list[Any]) -> set[str]:
    return {e.document.id for e in events if getattr(e, "document", None) is not None}


def payload_hash(record: dict[str, Any]) -> str:
    canonical = json.dumps(record, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()

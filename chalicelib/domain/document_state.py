"""Document state: everything the KPIs need to know about one document, as a lattice.

Events of one document (identified by ``(source_id, document.id)``) are folded into a
*document state* with :func:`fold_events`. The aggregation job applies events in batches, in
any order and possibly more than once (redelivery, crash recovery), so the state is a
join-semilattice: it is a deterministic function of the *set* of events folded (identity
``(source_id, event_id)``). Every field is combined only with min (by ``(instant,
event_id)``), max, OR, AND or a union of maps keyed by event_id / unit / official; there are
no counters in the state. ``domain.daily_counters`` turns a state into daily counters.

State shape (JSON / DynamoDB friendly: dict, list, str, int, bool, None; instants are int
epoch microseconds UTC; absent key = "nothing seen yet", i.e. the lattice bottom)::

    {
      "v": 1,
      "source_id": str, "document_id": str,
      "exempt": true,                      # OR; key present only when true
      "pages": int,                        # max of document.pages seen
      "units": {unit_id: {
          "first": [us, event_id],          # min over all of the unit's events (exempt dating)
          "processed": [us, event_id, due_us|None, completed_us],   # first processed (min)
          "processed_paper": true,          # OR: some processed event on paper
          "printed": {event_id: [us, pages|None]},                   # union by event_id
          "paper_first": [us, event_id],    # min over paper processed-or-issued events
          "issued": [us, event_id],         # first issued (min)
          "issued_paper": true,             # OR: some issued event on paper
          "signed_digital": true,           # OR: the unit applied a digital signature
          "sent": {to_unit_id: [us, event_id, all_electronic]},      # min + AND
          "received": {from_unit_id: [us, event_id, all_electronic]},
          "actors": {official_id: [us, event_id, due_us|None, completed_us]},  # min
      }},
      "signers": {official_id: [us, event_id]},  # first digital signature per signer (min)
    }

Once a document is exempt (absorbing), everything but ``exempt`` and each unit's ``first``
is dropped: that is all an exempt document ever contributes, and DOMAIN.md asks to keep no
more than needed to count them. The projection commutes with the join, so it stays a lattice.

Stored states carry ``STATE_VERSION``: changing the shape means a new version.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from chalicelib.domain.instants import parse_instant_us

STATE_VERSION = 1

# --- the document events a state folds (DOMAIN.md "Document events") -----------------------

EV_REGISTERED = "document.registered"
EV_PROCESSED = "document.processed"
EV_SIGNED = "document.signed"
EV_ISSUED = "document.issued"
EV_SENT = "document.sent"
EV_RECEIVED = "document.received"
EV_PRINTED = "document.printed"
DOCUMENT_EVENT_TYPES = frozenset(
    {EV_REGISTERED, EV_PROCESSED, EV_SIGNED, EV_ISSUED, EV_SENT, EV_RECEIVED, EV_PRINTED}
)
CHANNEL_ELECTRONIC = "electronic"
CHANNEL_PAPER = "paper"
METHOD_DIGITAL = "digital"
METHOD_HANDWRITTEN = "handwritten"
SECURITY_NORMAL = "thuong"


# --- lattice helpers ----------------------------------------------------------------------


def _sortable(entry: Sequence[Any]) -> tuple[tuple[int, Any], ...]:
    # Total order on entries whose optional fields may be None: (instant, event_id) decide;
    # later fields only break ties between conflicting payloads of one event_id, so the
    # choice never depends on arrival order.
    return tuple((0, 0) if v is None else (1, v) for v in entry)


def min_entry(a: list[Any] | None, b: list[Any] | None) -> list[Any] | None:
    """The earlier of two ``[us, event_id, ...]`` entries (the lattice's min); None is bottom."""
    if a is None:
        return b
    if b is None:
        return a
    return a if _sortable(a) <= _sortable(b) else b


def _join_pair_entry(a: list[Any], b: list[Any]) -> list[Any]:
    # [us, event_id, all_electronic]: first event by min, channel flag by AND.
    first = a if _sortable(a[:2]) <= _sortable(b[:2]) else b
    return [first[0], first[1], bool(a[2]) and bool(b[2])]


def _join_maps(
    a: Mapping[str, list[Any]] | None,
    b: Mapping[str, list[Any]] | None,
    join: Callable[[list[Any], list[Any]], list[Any]],
) -> dict[str, list[Any]] | None:
    if not a and not b:
        return None
    out: dict[str, list[Any]] = {k: list(v) for k, v in (a or {}).items()}
    for k, v in (b or {}).items():
        out[k] = join(out[k], list(v)) if k in out else list(v)
    return out


def _min_join(a: list[Any], b: list[Any]) -> list[Any]:
    result = min_entry(a, b)
    assert result is not None
    return list(result)


_UNIT_MIN_FIELDS = ("first", "processed", "paper_first", "issued")
_UNIT_OR_FIELDS = ("processed_paper", "issued_paper", "signed_digital")
_UNIT_MAP_FIELDS: tuple[tuple[str, Callable[[list[Any], list[Any]], list[Any]]], ...] = (
    ("printed", _min_join),
    ("sent", _join_pair_entry),
    ("received", _join_pair_entry),
    ("actors", _min_join),
)


def _join_unit(a: Mapping[str, Any], b: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in _UNIT_MIN_FIELDS:
        value = min_entry(a.get(key), b.get(key))
        if value is not None:
            out[key] = list(value)
    for key in _UNIT_OR_FIELDS:
        if a.get(key) or b.get(key):
            out[key] = True
    for key, join in _UNIT_MAP_FIELDS:
        merged = _join_maps(a.get(key), b.get(key), join)
        if merged:
            out[key] = merged
    return out


def _project(state: dict[str, Any]) -> dict[str, Any]:
    """Canonical form: an exempt document keeps only what exempt_total needs."""
    if state.get("exempt"):
        state.pop("pages", None)
        state.pop("signers", None)
        state["units"] = {u: {"first": s["first"]} for u, s in state["units"].items()}
    return state


def merge_states(a: Mapping[str, Any], b: Mapping[str, Any]) -> dict[str, Any]:
    """Lattice join of two states of the same document (commutative, associative, idempotent).

    Useful to the storage layer too: two concurrent writers can merge instead of retrying.
    """
    if (a["source_id"], a["document_id"]) != (b["source_id"], b["document_id"]):
        raise ValueError("cannot merge states of different documents")
    return _merge(normalized(a), normalized(b))


def _merge(a: Mapping[str, Any], b: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "v": STATE_VERSION,
        "source_id": a["source_id"],
        "document_id": a["document_id"],
    }
    if a.get("exempt") or b.get("exempt"):
        out["exempt"] = True
    pages = [p for p in (a.get("pages"), b.get("pages")) if p is not None]
    if pages:
        out["pages"] = max(pages)
    units: dict[str, Any] = {}
    for unit_id in sorted(set(a["units"]) | set(b["units"])):
        units[unit_id] = _join_unit(a["units"].get(unit_id, {}), b["units"].get(unit_id, {}))
    out["units"] = units
    signers = _join_maps(a.get("signers"), b.get("signers"), _min_join)
    if signers:
        out["signers"] = signers
    return _project(out)


def exempt_state(source_id: str, document_id: str) -> dict[str, Any]:
    """The lattice element "this document is exempt" with no event: joined into a state
    when the service learns of a marking (a marker) without folding the marking event."""
    return {
        "v": STATE_VERSION,
        "source_id": source_id,
        "document_id": document_id,
        "exempt": True,
        "units": {},
    }


# --- events -> singleton states -----------------------------------------------------------


def _required(mapping: Mapping[str, Any], key: str, what: str) -> Any:
    value = mapping.get(key)
    if value is None:
        raise ValueError(f"{what}: missing {key!r}")
    return value


def _opt_int(value: Any, what: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{what}: pages must be a non-negative integer, got {value!r}")
    return value


def _channel(event: Mapping[str, Any], what: str) -> str:
    # Strict: an unknown channel must not silently count as electronic (or as paper).
    channel = _required(event, "channel", what)
    if channel not in (CHANNEL_ELECTRONIC, CHANNEL_PAPER):
        raise ValueError(f"{what}: unknown channel {channel!r}")
    return str(channel)


def document_key(event: Mapping[str, Any]) -> tuple[str, str]:
    """(source_id, document.id) of a document event."""
    document = event.get("document")
    if not isinstance(document, Mapping):
        raise ValueError(f"event {event.get('event_id')!r}: not a document event")
    return (
        str(_required(event, "source_id", "event")),
        str(_required(document, "id", "document")),
    )


def is_exempt_event(event: Mapping[str, Any]) -> bool:
    """Whether this event marks its document secret or a state commendation dossier."""
    document = event.get("document") or {}
    security = document.get("security") or SECURITY_NORMAL
    return security != SECURITY_NORMAL or bool(document.get("state_commendation", False))


def _event_state(event: Mapping[str, Any]) -> dict[str, Any]:
    """The state of a document that has seen only this event."""
    etype = _required(event, "type", "event")
    if etype not in DOCUMENT_EVENT_TYPES:
        raise ValueError(f"not a document event type: {etype!r}")
    source_id, document_id = document_key(event)
    event_id = str(_required(event, "event_id", "event"))
    what = f"event {event_id!r}"
    unit_id = str(_required(event, "unit_id", what))
    us = parse_instant_us(_required(event, "occurred_at", what))
    document = event["document"]

    unit: dict[str, Any] = {"first": [us, event_id]}
    state: dict[str, Any] = {
        "v": STATE_VERSION,
        "source_id": source_id,
        "document_id": document_id,
        "units": {unit_id: unit},
    }
    if is_exempt_event(event):
        state["exempt"] = True
    doc_pages = _opt_int(document.get("pages"), what)
    if doc_pages is not None:
        state["pages"] = doc_pages

    if etype == EV_PROCESSED:
        channel = _channel(event, what)
        actor = str(_required(event, "actor_official_id", what))
        due = event.get("due_at")
        due_us = parse_instant_us(due) if due is not None else None
        completed = event.get("completed_at")
        completed_us = parse_instant_us(completed) if completed is not None else us
        unit["processed"] = [us, event_id, due_us, completed_us]
        unit["actors"] = {actor: [us, event_id, due_us, completed_us]}
        if channel == CHANNEL_PAPER:
            unit["processed_paper"] = True
            unit["paper_first"] = [us, event_id]
    elif etype == EV_ISSUED:
        unit["issued"] = [us, event_id]
        if _channel(event, what) == CHANNEL_PAPER:
            unit["issued_paper"] = True
            unit["paper_first"] = [us, event_id]
    elif etype == EV_SIGNED:
        method = _required(event, "method", what)
        if method not in (METHOD_DIGITAL, METHOD_HANDWRITTEN):
            raise ValueError(f"{what}: unknown signature method {method!r}")
        if method == METHOD_DIGITAL:
            unit["signed_digital"] = True
            signer = str(_required(event, "signer_official_id", what))
            state["signers"] = {signer: [us, event_id]}
    elif etype in (EV_SENT, EV_RECEIVED):
        field, key = ("to_unit_id", "sent") if etype == EV_SENT else ("from_unit_id", "received")
        counterpart = str(_required(event, field, what))
        electronic = _channel(event, what) == CHANNEL_ELECTRONIC
        unit[key] = {counterpart: [us, event_id, electronic]}
    elif etype == EV_PRINTED:
        unit["printed"] = {event_id: [us, _opt_int(event.get("pages"), what)]}
    # document.registered: only its "first" matters (exempt dating).
    return _project(state)


def normalized(value: Any) -> Any:
    """Deep copy of a state with plain JSON types: DynamoDB hands integers back as Decimal."""
    if isinstance(value, Mapping):
        return {str(k): normalized(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [normalized(v) for v in value]
    if isinstance(value, Decimal):
        if value != value.to_integral_value():
            raise ValueError(f"non-integral number in document state: {value}")
        return int(value)
    return value


def fold_events(state: Mapping[str, Any] | None, events: Iterable[Mapping[str, Any]]) -> dict:
    """Fold document events into a document state; returns a new state (input untouched).

    All events must belong to the state's document. The result depends only on the set of
    events ever folded, whatever the batching, order or repetition.
    """
    result: dict[str, Any] | None = None
    if state is not None:
        if state.get("v") != STATE_VERSION:
            raise ValueError(f"unsupported document state version: {state.get('v')!r}")
        result = normalized(state)
    for event in events:
        single = _event_state(event)
        if result is not None and (result["source_id"], result["document_id"]) != (
            single["source_id"],
            single["document_id"],
        ):
            raise ValueError(
                f"event {event.get('event_id')!r} belongs to another document: "
                f"{(single['source_id'], single['document_id'])!r}"
            )
        result = single if result is None else _merge(result, single)
    if result is None:
        raise ValueError("cannot build a document state from no events")
    return result

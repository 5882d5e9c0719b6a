"""The vendor sandbox: a source in mode `test` is verified, validated and answered exactly
like a live one, but what it sends is stored apart (storage/sandbox.py) and never counted;
every delivery is listed with its answer and, per event, stored, duplicate or refused with
the reason. And a dry run (`POST /webhooks/{source_id}?dry_run=true`) of any source: the
per-event answer without storing anything."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from chalicelib import clock
from chalicelib.domain import events as domain
from chalicelib.domain.sources import MODE_TEST
from chalicelib.storage import events as event_store
from chalicelib.storage import sandbox as sandbox_store
from chalicelib.storage import sources as source_store

STORED, DUPLICATE, REFUSED = "stored", "duplicate", "refused"


def is_test_source(source_id: str) -> bool:
    source = source_store.get_source(source_id)
    return source is not None and source.mode == MODE_TEST


def _digests(event: Any, source_id: str) -> tuple[str, str]:
    """The event's payload hash in both its forms (clear and redacted), as the live
    ledger compares them (services/ingestion.store_events)."""
    return (
        domain.payload_hash(domain.to_record(event, source_id, redact=False)),
        domain.payload_hash(domain.to_record(event, source_id, redact=True)),
    )


def _outcomes(
    source_id: str, events: list[Any], stored: Mapping[str, str]
) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """Per event: stored (new), duplicate, or refused (its id already used with another
    payload); and the hashes of the new ones."""
    out: list[dict[str, Any]] = []
    new: dict[str, str] = {}
    for event in events:
        clear, redacted = _digests(event, source_id)
        previous = new.get(event.event_id) or stored.get(event.event_id)
        if previous is None:
            new[event.event_id] = clear
            out.append({"event_id": event.event_id, "outcome": STORED})
        elif previous in (clear, redacted):
            out.append({"event_id": event.event_id, "outcome": DUPLICATE})
        else:
            out.append(
                {
                    "event_id": event.event_id,
                    "outcome": REFUSED,
                    "reason": "event id already used with a different payload",
                }
            )
    return out, new


def _answer(outcomes: list[dict[str, Any]]) -> dict[str, int]:
    return {
        "accepted": sum(1 for o in outcomes if o["outcome"] == STORED),
        "duplicates": sum(1 for o in outcomes if o["outcome"] == DUPLICATE),
    }


def store_test_events(source_id: str, delivery_id: str, events: list[Any]) -> dict[str, int]:
    """Admitted events of a test source: de-duplicated against the sandbox's own ledger,
    recorded with the delivery; the live tables are never written."""
    from chalicelib.domain.errors import Conflict

    stored = sandbox_store.ledger_lookup(source_id, [e.event_id for e in events])
    outcomes, new = _outcomes(source_id, events, stored)
    now = clock.now()
    refused = [o for o in outcomes if o["outcome"] == REFUSED]
    if refused:
        # As live: an event id reused with another payload refuses the whole delivery.
        _record_refusal(
            source_id,
            delivery_id,
            409,
            "Event id(s) already used with a different payload",
            events,
            [{"index": i, "message": o["reason"]} for i, o in enumerate(outcomes) if o in refused],
        )
        error = Conflict(
            "Event id(s) already used with a different payload; nothing was stored",
            details=[{"event_id": o["event_id"]} for o in refused],
        )
        error._sandbox_recorded = True  # type: ignore[attr-defined]
        raise error
    sandbox_store.ledger_write(source_id, new, now)
    answer = _answer(outcomes)
    sandbox_store.record_delivery(
        source_id,
        delivery_id,
        now,
        {
            "delivery_id": delivery_id,
            "received_at": now.isoformat(),
            "status": 202,
            "answer": answer,
            "events": outcomes,
        },
    )
    return answer


# The HTTP status each refusal is answered with (api/errors.py maps domain errors the same).
_STATUS = {
    "InvalidInput": 400,
    "Unauthenticated": 401,
    "Forbidden": 403,
    "NotFound": 404,
    "Conflict": 409,
    "TooLarge": 413,
    "UnsupportedMedia": 415,
    "Unprocessable": 422,
    "RateLimited": 429,
    "Unavailable": 503,
}


def record_refusal(
    source_id: str, delivery_id: str, exc: Exception, events: list[Any] | None
) -> None:
    """A refused delivery of a test source: its answer and each event's reason (the
    refusal's details name events by index)."""
    kind = next((k.__name__ for k in type(exc).__mro__ if k.__name__ in _STATUS), "")
    status = getattr(exc, "status", None) or _STATUS.get(kind, 400)
    if status >= 500:
        return  # not an answer about the delivery: the sender retries
    _record_refusal(
        source_id,
        delivery_id,
        int(status),
        str(getattr(exc, "message", exc)),
        events,
        list(getattr(exc, "details", None) or []),
    )


def _record_refusal(
    source_id: str,
    delivery_id: str,
    status: int,
    message: str,
    events: list[Any] | None,
    details: list[Any],
) -> None:
    now = clock.now()
    reasons: dict[int, str] = {}
    for detail in details:
        if not isinstance(detail, dict):
            continue
        index = _index_of(detail)
        if index is not None:
            reasons[index] = str(detail.get("message") or detail.get("reason") or message)
    per_event = [
        {
            "event_id": getattr(e, "event_id", None),
            "outcome": REFUSED,
            # a refusal refuses every event: those it names with their own reason
            "reason": reasons.get(i, f"not stored: {message}"),
        }
        for i, e in enumerate(events or [])
    ] or [
        {"event_id": None, "outcome": REFUSED, "reason": reasons[i], "index": i}
        for i in sorted(reasons)
    ]
    sandbox_store.record_delivery(
        source_id,
        delivery_id,
        now,
        {
            "delivery_id": delivery_id,
            "received_at": now.isoformat(),
            "status": status,
            "answer": {"message": message, "details": details[:100]},
            "events": per_event,
        },
    )


def _index_of(detail: Mapping[str, Any]) -> int | None:
    for key in ("index", "event_index"):
        if isinstance(detail.get(key), int):
            return int(detail[key])
    field = str(detail.get("field") or detail.get("loc") or "")
    parts = field.replace("[", ".").replace("]", "").split(".")
    if len(parts) >= 2 and parts[0] == "events" and parts[1].isdigit():
        return int(parts[1])
    return None


def deliveries(source_id: str, limit: int) -> list[dict[str, Any]]:
    from chalicelib.domain.errors import NotFound

    if source_store.get_source(source_id) is None:
        raise NotFound(f"Source {source_id!r} does not exist")
    return sandbox_store.deliveries(source_id, limit)


def dry_run_outcomes(
    source_id: str,
    events: list[Any],
    admit: Callable[[list[Any]], None],
) -> dict[str, Any]:
    """What a delivery of `events` would do, per event, storing nothing: refused (with the
    reason admission gives), duplicate, or stored. `admit` is the live admission."""
    refused: dict[int, str] = {}
    admissible = []
    for index, event in enumerate(events):
        try:
            admit([event])
        except Exception as exc:
            if getattr(exc, "code", None) in ("unavailable", None):
                raise
            details = getattr(exc, "details", None) or []
            first = details[0] if details and isinstance(details[0], dict) else {}
            refused[index] = str(first.get("message") or getattr(exc, "message", exc))
        else:
            admissible.append(event)
    ids = [e.event_id for e in admissible]
    stored = (
        sandbox_store.ledger_lookup(source_id, ids)
        if is_test_source(source_id)
        else event_store.ledger_lookup(source_id, ids)
    )
    outcomes_ok, _ = _outcomes(source_id, admissible, stored)
    by_id = iter(outcomes_ok)
    outcomes = [
        {"event_id": e.event_id, "outcome": REFUSED, "reason": refused[i]}
        if i in refused
        else next(by_id)
        for i, e in enumerate(events)
    ]
    return {
        "dry_run": True,
        **_answer(outcomes),
        "refused": sum(1 for o in outcomes if o["outcome"] == REFUSED),
        "events": outcomes,
    }

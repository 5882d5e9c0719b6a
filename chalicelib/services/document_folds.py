"""One step of the aggregation: a document's new state committed with the daily deltas it
causes. The stream consumer and the sweep (`services.aggregation`) take it for events, the
redaction pass (`services.exemption`) for exempt markers; both import it from here, so
the two services import each other in one direction only.

Document state is a lattice (`domain.document_state`), so each step is safe to repeat and
to race with another: storage commits it under version conditions and retries conflicts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any
from zoneinfo import ZoneInfo

from chalicelib.domain import daily_counters, document_state
from chalicelib.settings import get_settings
from chalicelib.storage import aggregates as aggregate_store


def _change(
    old_state: dict[str, Any] | None, new_state: dict[str, Any], zone: ZoneInfo
) -> tuple[dict[str, Any], aggregate_store.Delta] | None:
    """The new state and the daily deltas it causes; None if nothing changed (already
    applied: a redelivery, another consumer, a repeated redaction)."""
    if new_state == old_state:
        return None
    old_contrib = daily_counters.contributions(old_state, zone) if old_state else {}
    return new_state, daily_counters.diff_contributions(
        old_contrib, daily_counters.contributions(new_state, zone)
    )


def fold_documents(
    by_document: Mapping[str, list[dict[str, Any]]], zone: ZoneInfo
) -> tuple[int, int]:
    """Fold each document's events into its state: (documents changed, daily items
    written). A document whose events change more daily items than one transaction holds
    is folded in halves, one after the other: each step is an ordinary fold (the lattice),
    so the result is the same."""

    def step(
        key: str, old_state: dict[str, Any] | None
    ) -> tuple[dict[str, Any], aggregate_store.Delta] | None:
        return _change(old_state, document_state.fold_events(old_state, by_document[key]), zone)

    # Each record's inbox item (set by the fold): the document's references for redaction.
    refs = {
        key: {r["_inbox"] for r in records if r.get("_inbox")}
        for key, records in by_document.items()
    }
    result = aggregate_store.fold_documents(by_document, step, refs)
    changed, written = result.changed, result.written
    for key in result.oversized:
        records = sorted(by_document[key], key=lambda r: (r["occurred_at"], r["event_id"]))
        if len(records) == 1:
            raise RuntimeError(
                f"{key}: one event changes more daily items than a transaction holds"
            )
        half = len(records) // 2
        for part in (records[:half], records[half:]):
            c, w = fold_documents({key: part}, zone)
            changed += c
            written += w
    return changed, written


def join_exempt(doc_keys: Iterable[str]) -> int:
    """Make documents exempt in their state and in the daily figures (a marker says so,
    whether or not its marking event is folded yet): a lattice join, safe to repeat and
    to race with a fold. Returns how many states changed."""
    zone = get_settings().zone

    def step(
        key: str, old_state: dict[str, Any] | None
    ) -> tuple[dict[str, Any], aggregate_store.Delta] | None:
        source_id, _, document_id = key.partition("#")
        marker = document_state.exempt_state(source_id, document_id)
        return _change(old_state, document_state.merge_states(old_state or marker, marker), zone)

    result = aggregate_store.fold_documents(list(doc_keys), step)
    if result.oversized:
        raise RuntimeError(f"{result.oversized}: the change exceeds one transaction")
    return result.changed

"""The cross-check of interconnection figures: per pair of units, the electronic exchanges
reported by push sources (the units' own systems) against those seen on the hub (hub
sources, which pull from the provincial hub). Pure: document states in, rows out.

An exchange is a (document, sender, recipient) whose first electronic send, or first
electronic receipt, falls in the range. Documents are not matched one to one across the
two sides (their ids differ: a hub names a document by its edXML DocumentId, a unit's
system by its own id), so the check compares counts per pair, and each difference says
how many exchanges one side has that the other does not show.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

PUSH, HUB = "push", "hub"


def exchange_pairs(state: Mapping[str, Any], start_us: int, end_us: int) -> set[tuple[str, str]]:
    """(sender, recipient) of each electronic exchange of one document state in
    [start_us, end_us): sends by the sender, receipts by the recipient."""
    pairs: set[tuple[str, str]] = set()
    for unit, facts in (state.get("units") or {}).items():
        for to_unit, entry in (facts.get("sent") or {}).items():
            if entry[2] and start_us <= int(entry[0]) < end_us:
                pairs.add((unit, to_unit))
        for from_unit, entry in (facts.get("received") or {}).items():
            if entry[2] and start_us <= int(entry[0]) < end_us:
                pairs.add((from_unit, unit))
    return pairs


def cross_check(
    documents: Iterable[tuple[str, Mapping[str, Any]]], start_us: int, end_us: int
) -> list[dict[str, Any]]:
    """Rows per pair (sorted): `reported` (push), `seen_on_hub`, and the two differences:
    `reported_not_seen` (reported but never seen on the hub), `seen_not_reported`.
    `documents` are (side, state), side PUSH or HUB."""
    counts: dict[tuple[str, str], list[int]] = {}
    for side, state in documents:
        for pair in exchange_pairs(state, start_us, end_us):
            counts.setdefault(pair, [0, 0])[0 if side == PUSH else 1] += 1
    return [
        {
            "from_unit_id": sender,
            "to_unit_id": recipient,
            "reported": reported,
            "seen_on_hub": seen,
            "reported_not_seen": max(0, reported - seen),
            "seen_not_reported": max(0, seen - reported),
        }
        for (sender, recipient), (reported, seen) in sorted(counts.items())
    ]

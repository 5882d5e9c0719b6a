"""Document states as the interconnection cross-check reads them: every state, once.

A full scan of the `documents` table: the cross-check is an occasional question from the
province's staff, not a page every unit loads (a province's month is tens of thousands of
states; the route is for province roles only)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from chalicelib.storage.models import DocumentStateModel


def document_states() -> Iterator[tuple[str, dict[str, Any]]]:
    """(source id, state) of every document."""
    for item in DocumentStateModel.scan():
        state = item.state or {}
        source_id = state.get("source_id") or item.doc_key.partition("#")[0]
        yield str(source_id), state

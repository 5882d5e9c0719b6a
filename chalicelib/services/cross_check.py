"""`GET /campaigns/{id}/interconnection/cross-check`: what units' own systems reported
against what the provincial hub saw, per pair of units (domain/interconnection_check.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from chalicelib.domain.interconnection_check import HUB, PUSH, cross_check
from chalicelib.domain.sources import KIND_HUB, MODE_LIVE
from chalicelib.services import kpi
from chalicelib.services import registry as registry_service
from chalicelib.settings import get_settings
from chalicelib.storage import interconnection as interconnection_store
from chalicelib.storage import registry as registry_store
from chalicelib.storage import sources as source_store


def _us(day: dt.date) -> int:
    midnight = dt.datetime.combine(day, dt.time(), tzinfo=get_settings().zone)
    return int(midnight.timestamp() * 1_000_000)


def interconnection_cross_check(
    campaign_id: str, start: dt.date | None, end: dt.date | None
) -> dict[str, Any]:
    campaign = registry_service.get_campaign(campaign_id)
    period = kpi.resolve_range(start, end, campaign)
    sides = {
        s.source_id: (HUB if s.kind == KIND_HUB else PUSH)
        for s in source_store.list_sources()
        if s.mode == MODE_LIVE
    }
    documents = (
        (sides[source_id], state)
        for source_id, state in interconnection_store.document_states()
        if source_id in sides
    )
    rows = cross_check(documents, _us(period.start), _us(period.end + dt.timedelta(days=1)))
    names = {u.unit_id: u.name for u in registry_store.registry_snapshot().units.values()}
    for row in rows:
        row["from_name"] = names.get(row["from_unit_id"])
        row["to_name"] = names.get(row["to_unit_id"])
    return {
        "campaign_id": campaign_id,
        "from": period.start,
        "to": period.end,
        "push_sources": sorted(s for s, side in sides.items() if side == PUSH),
        "hub_sources": sorted(s for s, side in sides.items() if side == HUB),
        "pairs": rows,
        "differences": [r for r in rows if r["reported"] != r["seen_on_hub"]],
    }

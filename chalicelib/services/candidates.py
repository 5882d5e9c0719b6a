"""Candidates for the campaign's awards, nominee ranks and KPI evidence snapshots.

Reads the KPI service only (sums of daily aggregates); the ranking of a whole
kind is computed once per container and reused while the aggregates (as_of) and
the campaign are unchanged, for at most REGISTRY_CACHE_SECONDS.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from typing import Any

from chalicelib import clock
from chalicelib.auth import Principal
from chalicelib.domain import kpi
from chalicelib.domain.campaigns import Campaign
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.nominations import NOMINABLE_LEVELS, compliant_first, rank_officials
from chalicelib.json_output import dumps
from chalicelib.services import kpi as kpi_service
from chalicelib.services import registry as registry_service
from chalicelib.settings import get_settings
from chalicelib.storage import registry as registry_store


@dataclass(frozen=True)
class RankedTable:
    kind: str
    period: kpi_service.Range
    as_of: Any
    rows: list[dict[str, Any]]  # ranked, best first
    by_id: dict[str, dict[str, Any]]


_cache: dict[tuple[str, str], tuple[tuple[Any, ...], float, RankedTable]] = {}
_cache_lock = threading.Lock()


def invalidate() -> None:
    with _cache_lock:
        _cache.clear()


def campaign_period(campaign: Campaign) -> kpi_service.Range:
    return kpi_service.resolve_range(campaign.start_date, campaign.end_date, campaign)


def _collective_rows(campaign: Campaign, period: kpi_service.Range) -> list[dict[str, Any]]:
    units = [
        u for u in registry_store.registry_snapshot().units.values() if u.level in NOMINABLE_LEVELS
    ]
    rows = [kpi_service.scoreboard_row(r) for r in kpi_service.unit_table(units, period, campaign)]
    level_rank: dict[str, int] = {}
    for level in NOMINABLE_LEVELS:
        for ranked in kpi.rank([r for r in rows if r["level"] == level]):
            level_rank[ranked["unit_id"]] = ranked["rank"]
    return [{**r, "level_rank": level_rank[r["unit_id"]]} for r in compliant_first(rows, kpi.rank)]


def _individual_rows(period: kpi_service.Range) -> list[dict[str, Any]]:
    officials = sorted(
        (o for o in registry_store.officials_snapshot() if o.active), key=lambda o: o.official_id
    )
    return rank_officials(kpi_service.officials_table(officials, period))


def ranked(campaign: Campaign, kind: str) -> RankedTable:
    as_of = kpi_service.as_of()
    # Where creativity weighs in the score, a recognition moves it as much as an event does.
    recognised = kpi_service.recognised_by_unit(campaign)
    creativity = tuple(sorted(recognised.items())) if recognised is not None else None
    fingerprint = (as_of, campaign.model_dump_json(), creativity)
    key = (campaign.campaign_id, kind)
    max_age = get_settings().registry_cache_seconds
    with _cache_lock:
        hit = _cache.get(key)
        if hit and hit[0] == fingerprint and clock.monotonic() - hit[1] <= max_age:
            return hit[2]
    period = campaign_period(campaign)
    if kind == "collective":
        rows = _collective_rows(campaign, period)
        id_field = "unit_id"
    else:
        rows = _individual_rows(period)
        id_field = "official_id"
    table = RankedTable(kind, period, as_of, rows, {r[id_field]: r for r in rows})
    with _cache_lock:
        _cache[key] = (fingerprint, clock.monotonic(), table)
    return table


def candidates(principal: Principal, campaign_id: str, kind: str, limit: int) -> dict[str, Any]:
    """The best-ranked nominees of a kind; a unit officer sees those of their unit
    and its sub-units, with their province-wide ranks."""
    if kind not in ("collective", "individual"):
        raise InvalidInput("Query parameter 'kind' must be collective or individual")
    campaign = registry_service.get_campaign(campaign_id)
    table = ranked(campaign, kind)
    visible = registry_service.visible_unit_ids(principal)
    items = [r for r in table.rows if visible is None or r["unit_id"] in visible][:limit]
    items = _with_creativity(campaign_id, kind, items)
    return {
        "campaign_id": campaign_id,
        "kind": kind,
        "from": table.period.start,
        "to": table.period.end,
        "as_of": table.as_of,
        "items": items,
    }


def _with_creativity(
    campaign_id: str, kind: str, items: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The fifth criterion beside the measured ones: each candidate's initiatives."""
    from chalicelib.services.initiatives import assessment

    figures = (
        assessment.creativity_by_unit(campaign_id)
        if kind == "collective"
        else assessment.creativity_by_official(campaign_id)
    )
    key = "unit_id" if kind == "collective" else "official_id"
    out = []
    for row in items:
        figure = figures.get(row[key]) or {}
        out.append(
            {
                **row,
                "initiatives_submitted": int(figure.get("initiatives_submitted", 0)),
                "initiatives_recognised": int(figure.get("initiatives_recognised", 0)),
            }
        )
    return out


def nominee_rank(campaign: Campaign, kind: str, nominee_id: str) -> dict[str, Any]:
    table = ranked(campaign, kind)
    row = table.by_id.get(nominee_id)
    return {
        "rank": row["rank"] if row else None,
        "of": len(table.rows),
        "level_rank": row.get("level_rank") if row else None,
        "score": row.get("score") if row else None,
        "compliant": row.get("compliant") if row else None,
        "as_of": table.as_of,
    }


def _creativity(campaign_id: str, kind: str, nominee_id: str) -> dict[str, Any]:
    from chalicelib.services.initiatives import assessment

    return assessment.creativity_of(campaign_id, kind, nominee_id)


def _jsonable(value: Any) -> Any:
    return json.loads(dumps(value))


def evidence(
    campaign: Campaign, kind: str, nominee_unit_id: str, nominee_official_id: str | None
) -> dict[str, Any]:
    """The nominee's KPIs for the campaign period, as they stand now (as_of)."""
    period = campaign_period(campaign)
    as_of = kpi_service.as_of()
    if kind == "collective":
        unit = registry_store.registry_snapshot(max_age_seconds=0).units[nominee_unit_id]
        row = kpi_service.unit_table([unit], period, campaign)[0]
        snapshot: dict[str, Any] = {
            "kind": kind,
            "unit_id": unit.unit_id,
            "name": unit.name,
            "level": unit.level,
            "metrics": row["metrics"],
            "compliance": row["compliance"],
            "score": row["score"],
        }
        nominee_id = nominee_unit_id
    else:
        official = registry_store.get_official(str(nominee_official_id))
        if official is None:
            raise InvalidInput(f"Official {nominee_official_id!r} is no longer in the registry")
        snapshot = {"kind": kind, **kpi_service.officials_table([official], period)[0]}
        nominee_id = official.official_id
    snapshot.update(
        {
            "from": period.start,
            "to": period.end,
            "as_of": as_of,
            "rank": nominee_rank(campaign, kind, nominee_id),
            "creativity": _creativity(campaign.campaign_id, kind, nominee_id),
        }
    )
    return dict(_jsonable(snapshot))

"""KPI read side: figures for any date range are sums of daily aggregates, so a
query costs one read per day and scope, never one per document."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from chalicelib import clock
from chalicelib.auth import Principal
from chalicelib.domain import daily_counters, evaluations, kpi
from chalicelib.domain.campaigns import Campaign
from chalicelib.domain.errors import InvalidInput, NoCampaign
from chalicelib.domain.registry import OfficialRecord, UnitRecord
from chalicelib.domain.vocabulary import (
    CREATIVITY,
    CRITERIA,
    LEVEL_COMMUNE,
    PROVINCE_LEVELS,
    RANKED_LEVELS,
    alternatives,
)
from chalicelib.services import registry as registry_service
from chalicelib.storage import aggregates as aggregate_store
from chalicelib.storage import jobs as job_store
from chalicelib.storage import registry as registry_store
from chalicelib.storage import sources as source_store

MAX_RANGE_DAYS = 400
READ_THREADS = 8


@dataclass(frozen=True)
class Range:
    start: dt.date
    end: dt.date

    def days(self) -> list[dt.date]:
        return [self.start + dt.timedelta(days=i) for i in range((self.end - self.start).days + 1)]


def resolve_range(start: dt.date | None, end: dt.date | None, campaign: Campaign | None) -> Range:
    if start is None or end is None:
        if campaign is None:
            campaign = registry_service.current_campaign()
        start = start or campaign.start_date
        end = end or campaign.end_date
    if end < start:
        raise InvalidInput("'to' is before 'from'")
    if (end - start).days + 1 > MAX_RANGE_DAYS:
        raise InvalidInput(f"A range may span at most {MAX_RANGE_DAYS} days")
    return Range(start, end)


def as_of() -> dt.datetime | None:
    return job_store.as_of("aggregate_kpi")


def _campaign_or_current(campaign_id: str | None) -> Campaign | None:
    if campaign_id:
        return registry_service.get_campaign(campaign_id)
    try:
        return registry_service.current_campaign()
    except NoCampaign:
        return None  # KPIs still work without a campaign (default targets)
    # Anything else (a storage outage is Unavailable) is the caller's 503, never a
    # silently wrong figure from the default targets.


def _evaluated(officials: Iterable[OfficialRecord], months: list[str]) -> set[str]:
    keys = [(o.official_id, m) for o in officials if o.active for m in months]
    return {official_id for (official_id, _period) in aggregate_store.evaluated_among(keys)}


def _unit_figures(
    unit: UnitRecord,
    totals: dict[str, int],
    officials: list[OfficialRecord],
    evaluated: set[str],
    levels: dict[str, str],
    campaign: Campaign | None,
    recognised: dict[str, int] | None = None,
) -> dict[str, Any]:
    """A unit's metrics, compliance and score; `recognised` (``recognised_by_unit``) is
    given when the campaign assesses creativity."""
    active = [o for o in officials if o.active]
    metrics = kpi.unit_metrics(
        totals,
        level=unit.level,
        unit_levels=levels,
        officials_active=len(active),
        officials_evaluated=sum(1 for o in active if o.official_id in evaluated),
        initiatives_recognised=None if recognised is None else recognised.get(unit.unit_id, 0),
    )
    targets = campaign.criterion_targets() if campaign else None
    weights = campaign.score_weights() if campaign else None
    enabled = campaign.enabled_criteria() if campaign else ()
    return {
        "metrics": metrics,
        "compliance": kpi.compliance(metrics, level=unit.level, targets=targets, enabled=enabled),
        "score": kpi.score(
            metrics, level=unit.level, weights=weights, targets=targets, enabled=enabled
        ),
    }


def recognised_by_unit(campaign: Campaign | None) -> dict[str, int] | None:
    """When the campaign assesses creativity (an opt-in criterion it turned on): each unit's
    initiatives recognised in the campaign, read once for every unit; else None (nothing
    read, no figure moves)."""
    if campaign is None or CREATIVITY not in campaign.enabled_criteria():
        return None
    from chalicelib.services.initiatives import assessment

    return {
        unit_id: int(figure["initiatives_recognised"])
        for unit_id, figure in assessment.creativity_by_unit(campaign.campaign_id).items()
    }


def _campaign_key(campaign: Campaign | None) -> str | None:
    """Which campaign an answer used (None: none exists, the vocabulary's defaults)."""
    return campaign.campaign_id if campaign else None


def unit_kpi(
    principal: Principal,
    unit_id: str,
    start: dt.date | None,
    end: dt.date | None,
    campaign_id: str | None = None,
) -> dict[str, Any]:
    unit = registry_service.check_unit_access(principal, unit_id)
    campaign = _campaign_or_current(campaign_id)
    period = resolve_range(start, end, campaign)
    rows = aggregate_store.daily_rows(daily_counters.unit_scope(unit_id), period.start, period.end)
    officials = registry_store.officials_of_unit(unit_id)
    evaluated = _evaluated(officials, evaluations.months_overlapping(period.start, period.end))
    creativity = _creativity(campaign, unit_id)
    enabled = campaign is not None and CREATIVITY in campaign.enabled_criteria()
    figures = _unit_figures(
        unit,
        daily_counters.sum_daily(c for _, c in rows),
        officials,
        evaluated,
        registry_store.registry_snapshot().levels(),
        campaign,
        {unit_id: creativity["initiatives_recognised"]} if creativity and enabled else None,
    )
    return {
        "unit_id": unit_id,
        "name": unit.name,
        "level": unit.level,
        "campaign_id": _campaign_key(campaign),
        "from": period.start,
        "to": period.end,
        "as_of": as_of(),
        **figures,
        # What the unit still misses, so no client recomputes the rule.
        "shortfalls": kpi.shortfalls(
            figures["metrics"],
            level=unit.level,
            targets=campaign.rate_targets() if campaign else None,
        ),
        "interconnection_tier": kpi.exchange_tier(unit.level),
        "creativity": creativity,
    }


def _creativity(campaign: Campaign | None, unit_id: str) -> dict[str, Any] | None:
    """The fifth criterion as a figure: the unit's initiatives in the campaign."""
    from chalicelib.services.initiatives import assessment

    return assessment.unit_creativity(campaign.campaign_id, unit_id) if campaign else None


def unit_daily(
    principal: Principal,
    unit_id: str,
    start: dt.date | None,
    end: dt.date | None,
    campaign_id: str | None = None,
) -> dict[str, Any]:
    unit = registry_service.check_unit_access(principal, unit_id)
    campaign = _campaign_or_current(campaign_id)
    period = resolve_range(start, end, campaign)
    by_day = dict(
        aggregate_store.daily_rows(daily_counters.unit_scope(unit_id), period.start, period.end)
    )
    officials = registry_store.officials_of_unit(unit_id)
    levels = registry_store.registry_snapshot().levels()
    # Creativity (when assessed) is the campaign's: the same count on every day.
    recognised = recognised_by_unit(campaign)
    evaluated_by_month: dict[str, set[str]] = {}
    series = []
    for day in period.days():
        month = day.strftime("%Y-%m")
        if month not in evaluated_by_month:
            evaluated_by_month[month] = _evaluated(officials, [month])
        figures = _unit_figures(
            unit,
            by_day.get(day.isoformat(), {}),
            officials,
            evaluated_by_month[month],
            levels,
            campaign,
            recognised,
        )
        series.append({"date": day, **figures})
    return {
        "unit_id": unit_id,
        "campaign_id": _campaign_key(campaign),
        "from": period.start,
        "to": period.end,
        "as_of": as_of(),
        "days": series,
    }


def _totals_for(scopes: list[str], period: Range) -> dict[str, dict[str, int]]:
    def read(scope: str) -> tuple[str, dict[str, int]]:
        rows = aggregate_store.daily_rows(scope, period.start, period.end)
        return scope, daily_counters.sum_daily(c for _, c in rows)

    with ThreadPoolExecutor(max_workers=READ_THREADS) as pool:
        return dict(pool.map(read, scopes))


def unit_table(
    units: list[UnitRecord], period: Range, campaign: Campaign | None
) -> list[dict[str, Any]]:
    """Figures of many units for one range (rankings, reports)."""
    snapshot = registry_store.registry_snapshot()
    levels = snapshot.levels()
    officials_by_unit: dict[str, list[OfficialRecord]] = defaultdict(list)
    wanted = {u.unit_id for u in units}
    for official in registry_store.officials_snapshot():
        if official.unit_id in wanted:
            officials_by_unit[official.unit_id].append(official)
    evaluated = _evaluated(
        (o for group in officials_by_unit.values() for o in group),
        evaluations.months_overlapping(period.start, period.end),
    )
    totals = _totals_for([daily_counters.unit_scope(u.unit_id) for u in units], period)
    recognised = recognised_by_unit(campaign)
    rows = []
    for unit in units:
        figures = _unit_figures(
            unit,
            totals[daily_counters.unit_scope(unit.unit_id)],
            officials_by_unit.get(unit.unit_id, []),
            evaluated,
            levels,
            campaign,
            recognised,
        )
        rows.append(
            {"unit": unit, "totals": totals[daily_counters.unit_scope(unit.unit_id)], **figures}
        )
    return rows


def scoreboard_row(r: dict[str, Any]) -> dict[str, Any]:
    """One ``unit_table`` row as a ranking item (before its rank is set)."""
    return {
        "unit_id": r["unit"].unit_id,
        "name": r["unit"].name,
        "level": r["unit"].level,
        "score": r["score"],
        **{key: r["metrics"][key] for key in CRITERIA},
        "processed_total": r["metrics"]["processed_total"],
        "compliant": r["compliance"]["compliant"],
    }


def ranking_items(table: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The ranked scoreboard of ``unit_table`` rows (one level)."""
    return kpi.rank([scoreboard_row(r) for r in table])


def ranking(
    campaign_id: str, level: str, start: dt.date | None, end: dt.date | None
) -> dict[str, Any]:
    if level not in RANKED_LEVELS:
        raise InvalidInput(f"Query parameter 'level' must be {alternatives(RANKED_LEVELS)}")
    campaign = registry_service.get_campaign(campaign_id)
    period = resolve_range(start, end, campaign)
    units = [u for u in registry_store.registry_snapshot().units.values() if u.level == level]
    table = unit_table(units, period, campaign)
    met = {
        r["unit"].unit_id: {k: v for k, v in r["compliance"].items() if k != "compliant"}
        for r in table
    }
    return {
        "campaign_id": campaign_id,
        "level": level,
        "from": period.start,
        "to": period.end,
        "as_of": as_of(),
        "items": [{**item, "met": met[item["unit_id"]]} for item in ranking_items(table)],
    }


def official_row(
    official: OfficialRecord, totals: dict[str, int], latest_evaluation: dict[str, Any] | None
) -> dict[str, Any]:
    """One official's individual KPIs from their counters summed over a range."""
    return {
        "official_id": official.official_id,
        "unit_id": official.unit_id,
        "full_name": official.full_name,
        "position": official.position,
        "active": official.active,
        **kpi.official_metrics(totals, latest_evaluation),
    }


def _official_figures(
    official: OfficialRecord, period: Range, totals: dict[str, int]
) -> dict[str, Any]:
    return official_row(official, totals, aggregate_store.latest_evaluation(official.official_id))


def official_kpi(
    principal: Principal,
    official_id: str,
    start: dt.date | None,
    end: dt.date | None,
    campaign_id: str | None = None,
) -> dict[str, Any]:
    official = registry_service.check_official_access(principal, official_id)
    campaign = _campaign_or_current(campaign_id)
    period = resolve_range(start, end, campaign)
    rows = aggregate_store.daily_rows(
        daily_counters.official_scope(official_id), period.start, period.end
    )
    return {
        "campaign_id": _campaign_key(campaign),
        "from": period.start,
        "to": period.end,
        "as_of": as_of(),
        **_official_figures(official, period, daily_counters.sum_daily(c for _, c in rows)),
    }


def official_totals(officials: list[OfficialRecord], period: Range) -> dict[str, dict[str, int]]:
    """official_id -> counters summed over the range (one query per official)."""
    totals = _totals_for([daily_counters.official_scope(o.official_id) for o in officials], period)
    return {o.official_id: totals[daily_counters.official_scope(o.official_id)] for o in officials}


def officials_table(officials: list[OfficialRecord], period: Range) -> list[dict[str, Any]]:
    totals = official_totals(officials, period)
    return [_official_figures(o, period, totals[o.official_id]) for o in officials]


def unit_officials_kpi(
    principal: Principal,
    unit_id: str,
    start: dt.date | None,
    end: dt.date | None,
    campaign_id: str | None = None,
) -> dict[str, Any]:
    registry_service.check_unit_access(principal, unit_id)
    campaign = _campaign_or_current(campaign_id)
    period = resolve_range(start, end, campaign)
    officials = sorted(registry_store.officials_of_unit(unit_id), key=lambda o: o.official_id)
    return {
        "unit_id": unit_id,
        "campaign_id": _campaign_key(campaign),
        "from": period.start,
        "to": period.end,
        "as_of": as_of(),
        "items": officials_table(officials, period),
    }


def exchanges(
    table: list[dict[str, Any]], units: dict[str, UnitRecord]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(province-level ↔ commune pairs, units without two-way exchange) of ``unit_table`` rows
    of province-level units and communes; both sorted by unit ids."""
    pairs = []
    for row in table:
        unit: UnitRecord = row["unit"]
        if unit.level not in PROVINCE_LEVELS:
            continue  # each province-level ↔ commune pair is listed once, from the province side
        for counterpart, counts in sorted(
            daily_counters.interconnection_pairs(row["totals"]).items()
        ):
            other = units.get(counterpart)
            if other is None or other.level != LEVEL_COMMUNE:
                continue
            pairs.append(
                {"province_unit_id": unit.unit_id, "commune_unit_id": counterpart, **counts}
            )
    without = [
        {"unit_id": r["unit"].unit_id, "name": r["unit"].name, "level": r["unit"].level}
        for r in table
        if r["metrics"]["two_way_interconnection"] is not True
    ]
    pairs.sort(key=lambda p: (p["province_unit_id"], p["commune_unit_id"]))
    return pairs, sorted(without, key=lambda u: u["unit_id"])


def interconnection(campaign_id: str, start: dt.date | None, end: dt.date | None) -> dict[str, Any]:
    campaign = registry_service.get_campaign(campaign_id)
    period = resolve_range(start, end, campaign)
    units = registry_store.registry_snapshot().units
    exchanging = [
        u for u in units.values() if u.level in PROVINCE_LEVELS or u.level == LEVEL_COMMUNE
    ]
    pairs, without = exchanges(unit_table(exchanging, period, campaign), units)
    return {
        "campaign_id": campaign_id,
        "from": period.start,
        "to": period.end,
        "as_of": as_of(),
        "pairs": pairs,
        "units_without_two_way": without,
    }


def _silent_units(latest: dict[str, dt.datetime], cutoff: dt.datetime) -> list[dict[str, Any]]:
    units = sorted(registry_store.registry_snapshot().units.values(), key=lambda u: u.unit_id)
    return [
        {
            "unit_id": u.unit_id,
            "name": u.name,
            "level": u.level,
            "last_event_at": latest.get(f"unit#{u.unit_id}"),
        }
        for u in units
        if (latest.get(f"unit#{u.unit_id}") or dt.datetime.min.replace(tzinfo=dt.UTC)) < cutoff
    ]


def silent_units(hours: int) -> dict[str, Any]:
    """The units part of ``freshness`` (reads no source, so report jobs need no access to
    the sources table and its secrets)."""
    now = clock.now()
    return {
        "silent_after_hours": hours,
        "checked_at": now,
        "silent_units": _silent_units(
            aggregate_store.all_freshness(), now - dt.timedelta(hours=hours)
        ),
    }


def freshness(campaign_id: str, hours: int) -> dict[str, Any]:
    registry_service.get_campaign(campaign_id)
    now = clock.now()
    cutoff = now - dt.timedelta(hours=hours)
    latest = aggregate_store.all_freshness()
    silent_sources = [
        {
            "source_id": s.source_id,
            "name": s.name,
            "last_event_at": latest.get(f"source#{s.source_id}"),
        }
        for s in source_store.list_sources()
        if s.enabled
        and (latest.get(f"source#{s.source_id}") or dt.datetime.min.replace(tzinfo=dt.UTC)) < cutoff
    ]
    return {
        "campaign_id": campaign_id,
        "silent_after_hours": hours,
        "checked_at": now,
        "as_of": as_of(),
        "silent_units": _silent_units(latest, cutoff),
        "silent_sources": silent_sources,
    }

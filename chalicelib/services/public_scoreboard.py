"""The public scoreboard of a campaign that opted in (`public: true`): the units' ranking
and open data, without a token. Units only: names, levels, scores, the criteria's rates
and compliance; never an official, never a document, never a count of secret documents.
Computed at most once a minute per container (the edge caches it a minute too)."""

from __future__ import annotations

import csv
import io
import threading
from typing import Any

from chalicelib import clock
from chalicelib.domain.campaigns import Campaign
from chalicelib.domain.errors import InvalidInput, NotFound
from chalicelib.domain.vocabulary import CRITERIA, RANKED_LEVELS, alternatives
from chalicelib.json_output import dumps
from chalicelib.services import kpi as kpi_service
from chalicelib.services import registry as registry_service
from chalicelib.storage import registry as registry_store

CACHE_SECONDS = 60
LICENCE = (
    "Giấy phép: CC BY 4.0 (Creative Commons Ghi công 4.0 Quốc tế), "
    "https://creativecommons.org/licenses/by/4.0/deed.vi"
)
PUBLIC_FIELDS = ("rank", "unit_id", "name", "level", "score", *CRITERIA, "compliant")
_cache: dict[tuple[str, str], tuple[float, dict[str, Any]]] = {}
_lock = threading.Lock()


def public_campaign(campaign_id: str) -> Campaign:
    """The campaign when it is public; 404 alike for unknown and not public (the public
    learns nothing about campaigns that did not opt in)."""
    try:
        campaign: Campaign | None = registry_service.get_campaign(campaign_id)
    except NotFound:
        campaign = None  # a storage fault is not "not public": it answers 503 (Unavailable)
    if campaign is None or not campaign.public:
        raise NotFound(f"No public scoreboard for campaign {campaign_id!r}")
    return campaign


def _ranking(campaign: Campaign, level: str) -> dict[str, Any]:
    key = (campaign.campaign_id, level)
    with _lock:
        hit = _cache.get(key)
        if hit and clock.monotonic() - hit[0] < CACHE_SECONDS:
            return hit[1]
    period = kpi_service.resolve_range(campaign.start_date, campaign.end_date, campaign)
    units = [u for u in registry_store.registry_snapshot().units.values() if u.level == level]
    items = kpi_service.ranking_items(kpi_service.unit_table(units, period, campaign))
    out = {
        "campaign_id": campaign.campaign_id,
        "campaign_name": campaign.name,
        "level": level,
        "from": period.start,
        "to": period.end,
        "as_of": kpi_service.as_of(),
        "licence": LICENCE,
        "items": [{k: item.get(k) for k in PUBLIC_FIELDS} for item in items],
    }
    with _lock:
        _cache[key] = (clock.monotonic(), out)
    return out


def ranking(campaign_id: str, level: str | None) -> dict[str, Any]:
    if level not in RANKED_LEVELS:
        raise InvalidInput(f"Query parameter 'level' must be {alternatives(RANKED_LEVELS)}")
    return _ranking(public_campaign(campaign_id), level)


def open_data(campaign_id: str) -> dict[str, Any]:
    campaign = public_campaign(campaign_id)
    parts = [_ranking(campaign, level) for level in RANKED_LEVELS]
    first = parts[0]
    return {
        "campaign_id": campaign.campaign_id,
        "campaign_name": campaign.name,
        "from": first["from"],
        "to": first["to"],
        "as_of": first["as_of"],
        "licence": LICENCE,
        "fields": list(PUBLIC_FIELDS),
        "items": [item for part in parts for item in part["items"]],
    }


def open_data_csv(campaign_id: str) -> str:
    """The same rows as CSV: two comment lines (as-of time, licence), then a header."""
    data = open_data(campaign_id)
    out = io.StringIO()
    as_of = data["as_of"].isoformat() if data["as_of"] else "chưa có dữ liệu"
    out.write(f"# {data['campaign_name']} ({data['from']} - {data['to']}); số liệu đến {as_of}\n")
    out.write(f"# {LICENCE}\n")
    writer = csv.DictWriter(out, fieldnames=list(PUBLIC_FIELDS), lineterminator="\n")
    writer.writeheader()
    for item in data["items"]:
        writer.writerow({k: "" if item[k] is None else item[k] for k in PUBLIC_FIELDS})
    return out.getvalue()


def json_text(value: Any) -> str:
    return dumps(value)


def invalidate() -> None:
    with _lock:
        _cache.clear()

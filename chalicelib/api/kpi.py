"""KPI, ranking, interconnection and freshness routes."""

from __future__ import annotations

import datetime as dt

from chalice import Blueprint, Response

from chalicelib.api.http import json_response, principal_of, query_date, query_int, query_params
from chalicelib.api.routing import (
    ORGANISATION_ROLES,
    OWN_SUBTREE,
    PROVINCE_ROLES,
    QueryParam,
    date_param,
    route,
)
from chalicelib.domain.vocabulary import RANKED_LEVELS

bp = Blueprint(__name__)
TAG = "KPI"
MAX_SILENCE_HOURS = 24 * 365
RANGE = (
    date_param("from", "First local date (default: the active campaign's start)"),
    date_param("to", "Last local date (default: the active campaign's end)"),
)
# The rule across `from` and `to` (and the campaign's dates they default to).
RANGE_RULE = (
    "The range: `from` not after `to`, at most 400 days; a missing end is the campaign's "
    "(the active campaign's for a unit's or official's KPIs). A range that breaks this "
    "is a 400."
)


CAMPAIGN = QueryParam(
    "campaign_id",
    "The campaign whose dates, targets and weights to use (default: the campaign active on "
    "the province's local date); the answer's campaign_id says which was used",
)


def _range() -> tuple[dt.date | None, dt.date | None]:
    request = bp.current_request
    return query_date(request, "from"), query_date(request, "to")


def _campaign() -> str | None:
    return query_params(bp.current_request).get("campaign_id") or None


@route(
    bp,
    "/units/{unit_id}/kpi",
    "GET",
    summary="A unit's KPIs, compliance and score for a range",
    tag=TAG,
    response="chalicelib.schemas.kpi:UnitKpi",
    query=(CAMPAIGN, *RANGE),
    scope=OWN_SUBTREE,
    errors=(400, 403, 404),
    description=RANGE_RULE,
    roles=ORGANISATION_ROLES,
)
def unit_kpi(unit_id: str) -> Response:
    from chalicelib.services import kpi

    return json_response(
        kpi.unit_kpi(principal_of(bp.current_request), unit_id, *_range(), _campaign())
    )


@route(
    bp,
    "/units/{unit_id}/kpi/daily",
    "GET",
    summary="A unit's daily KPI series (charts)",
    tag=TAG,
    response="chalicelib.schemas.kpi:UnitDaily",
    query=(CAMPAIGN, *RANGE),
    scope=OWN_SUBTREE,
    errors=(400, 403, 404),
    description=RANGE_RULE,
    roles=ORGANISATION_ROLES,
)
def unit_kpi_daily(unit_id: str) -> Response:
    from chalicelib.services import kpi

    return json_response(
        kpi.unit_daily(principal_of(bp.current_request), unit_id, *_range(), _campaign())
    )


@route(
    bp,
    "/units/{unit_id}/officials/kpi",
    "GET",
    summary="Individual KPIs of a unit's officials",
    tag=TAG,
    response="chalicelib.schemas.kpi:OfficialKpiList",
    query=(CAMPAIGN, *RANGE),
    scope=OWN_SUBTREE,
    errors=(400, 403, 404),
    description=RANGE_RULE,
    roles=ORGANISATION_ROLES,
)
def unit_officials_kpi(unit_id: str) -> Response:
    from chalicelib.services import kpi

    return json_response(
        kpi.unit_officials_kpi(principal_of(bp.current_request), unit_id, *_range(), _campaign())
    )


@route(
    bp,
    "/officials/{official_id}/kpi",
    "GET",
    summary="One official's individual KPIs",
    tag=TAG,
    response="chalicelib.schemas.kpi:OfficialKpiInRange",
    query=(CAMPAIGN, *RANGE),
    scope=OWN_SUBTREE,
    errors=(400, 403, 404),
    description=RANGE_RULE,
    roles=ORGANISATION_ROLES,
)
def official_kpi(official_id: str) -> Response:
    from chalicelib.services import kpi

    return json_response(
        kpi.official_kpi(principal_of(bp.current_request), official_id, *_range(), _campaign())
    )


@route(
    bp,
    "/campaigns/{campaign_id}/ranking",
    "GET",
    summary="The campaign scoreboard for one level",
    tag=TAG,
    response="chalicelib.schemas.kpi:Ranking",
    query=(
        QueryParam(
            "level",
            "Which units to rank",
            required=True,
            enum=RANKED_LEVELS,
        ),
        *RANGE,
    ),
    errors=(400, 404),
    description=f"{RANGE_RULE} An unknown campaign is a 404.",
)
def campaign_ranking(campaign_id: str) -> Response:
    from chalicelib.services import kpi

    level = query_params(bp.current_request)["level"]  # required: checked by routing
    return json_response(kpi.ranking(campaign_id, level, *_range()))


@route(
    bp,
    "/campaigns/{campaign_id}/interconnection",
    "GET",
    summary="Province-level ↔ commune exchange matrix and units without two-way exchange",
    tag=TAG,
    response="chalicelib.schemas.kpi:Interconnection",
    query=RANGE,
    roles=PROVINCE_ROLES,
    errors=(400, 403, 404),
    description=f"{RANGE_RULE} An unknown campaign is a 404.",
)
def campaign_interconnection(campaign_id: str) -> Response:
    from chalicelib.services import kpi

    return json_response(kpi.interconnection(campaign_id, *_range()))


@route(
    bp,
    "/campaigns/{campaign_id}/interconnection/cross-check",
    "GET",
    summary="Per pair of units: exchanges reported by push sources against those seen on the "
    "hub, and the differences",
    tag=TAG,
    response="chalicelib.schemas.interconnection:CrossCheck",
    query=RANGE,
    roles=PROVINCE_ROLES,
    errors=(400, 403, 404),
    description=f"{RANGE_RULE} An unknown campaign is a 404. Documents are compared by count "
    "per pair (their ids differ between a unit's system and the hub); docs/hubs.md.",
)
def campaign_interconnection_cross_check(campaign_id: str) -> Response:
    from chalicelib.services import cross_check

    return json_response(cross_check.interconnection_cross_check(campaign_id, *_range()))


@route(
    bp,
    "/campaigns/{campaign_id}/freshness",
    "GET",
    summary="Units and sources silent for more than N hours",
    tag=TAG,
    response="chalicelib.schemas.kpi:Freshness",
    query=(
        QueryParam(
            "hours",
            "Silence threshold in hours (default SILENT_AFTER_HOURS)",
            "integer",
            minimum=1,
            maximum=MAX_SILENCE_HOURS,
        ),
    ),
    roles=PROVINCE_ROLES,
    errors=(400, 403, 404),
)
def campaign_freshness(campaign_id: str) -> Response:
    from chalicelib.services import kpi
    from chalicelib.settings import get_settings

    request = bp.current_request
    hours = query_int(request, "hours", get_settings().silent_after_hours, 1, MAX_SILENCE_HOURS)
    return json_response(kpi.freshness(campaign_id, hours))

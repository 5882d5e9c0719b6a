"""Routes of campaigns."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.api.http import body_as, json_response
from chalicelib.api.routing import ADMIN_ONLY, route

bp = Blueprint(__name__)
TAG = "Campaigns"


@route(
    bp,
    "/admin/campaigns",
    "POST",
    summary="Create or replace a campaign",
    tag=TAG,
    request="chalicelib.domain.campaigns:Campaign",
    response="chalicelib.domain.campaigns:Campaign",
    status=201,
    roles=ADMIN_ONLY,
    errors=(400, 403),
)
def put_campaign() -> Response:
    from chalicelib.domain.campaigns import Campaign
    from chalicelib.services import registry

    request = bp.current_request
    campaign = registry.save_campaign(body_as(request, Campaign))
    return json_response(campaign.model_dump(mode="json"), status=201)


@route(
    bp,
    "/campaigns",
    "GET",
    summary="List campaigns, and the one shown by default (the console takes it from here)",
    tag=TAG,
    response="chalicelib.schemas.common:CampaignList",
)
def list_campaigns() -> Response:
    from chalicelib.services import registry

    campaigns = registry.list_campaigns()
    default = registry.default_campaign(campaigns)
    return json_response(
        {
            "items": [c.model_dump(mode="json") for c in campaigns],
            "default_campaign_id": default.campaign_id if default else None,
        }
    )


@route(
    bp,
    "/campaigns/{campaign_id}",
    "GET",
    summary="One campaign",
    tag=TAG,
    response="chalicelib.domain.campaigns:Campaign",
    errors=(404,),
)
def get_campaign(campaign_id: str) -> Response:
    from chalicelib.services import registry

    return json_response(registry.get_campaign(campaign_id).model_dump(mode="json"))

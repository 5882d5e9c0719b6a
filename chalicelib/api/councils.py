"""Routes of a campaign's councils (initiatives, awards)."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.api.http import body_as, json_response, principal_of
from chalicelib.api.routing import ADMIN_ONLY, COUNCIL_READERS, route

bp = Blueprint(__name__)
TAG = "Councils"
KIND_DOC = "initiatives (scores initiatives) or awards (votes on the shortlist)"


@route(
    bp,
    "/campaigns/{campaign_id}/councils/{kind}",
    "PUT",
    summary="Set the campaign's council of a kind: its members (sub, name, position, "
    "council_role, official_id) and its rule; replaces the previous setting",
    tag=TAG,
    request="chalicelib.domain.councils:CouncilSetting",
    response="chalicelib.schemas.councils:CouncilOut",
    roles=ADMIN_ONLY,
    errors=(400, 403, 404),
)
def put_council(campaign_id: str, kind: str) -> Response:
    from chalicelib.domain.councils import CouncilSetting
    from chalicelib.services import councils

    request = bp.current_request
    setting = body_as(request, CouncilSetting)
    return json_response(councils.set_council(principal_of(request), campaign_id, kind, setting))


@route(
    bp,
    "/campaigns/{campaign_id}/councils/{kind}",
    "GET",
    summary="The campaign's council of a kind (" + KIND_DOC + ")",
    tag=TAG,
    response="chalicelib.schemas.councils:CouncilOut",
    roles=COUNCIL_READERS,
    scope="a council member: only a council whose member list names them",
    errors=(403, 404),
)
def get_council(campaign_id: str, kind: str) -> Response:
    from chalicelib.services import councils

    return json_response(councils.get_council(principal_of(bp.current_request), campaign_id, kind))

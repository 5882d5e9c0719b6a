"""Routes anyone may call without a token: the public scoreboard of a campaign that opted
in, its open data, and the one-click unsubscribe links of the notifications. Each is
bounded (services/public_limits.py: a rate per client address; no body but a tiny form;
responses that reveal units' figures only) and cacheable where it can be."""

from __future__ import annotations

from html import escape

from chalice import Blueprint, Response

from chalicelib.api.http import json_response, query_params, raw_body
from chalicelib.api.routing import QueryParam, route
from chalicelib.domain.vocabulary import RANKED_LEVELS

bp = Blueprint(__name__)
TAG = "Public"
CACHE = {"Cache-Control": "public, max-age=60, s-maxage=60"}
NO_STORE = {"Cache-Control": "no-store"}


def _client() -> str:
    context = bp.current_request.context or {}
    return str((context.get("identity") or {}).get("sourceIp") or "unknown")


def _limit(group: str) -> None:
    from chalicelib.services import public_limits

    public_limits.take(group, _client())


@route(
    bp,
    "/public/campaigns/{campaign_id}/ranking",
    "GET",
    summary="A public campaign's ranking of units of one level (names, scores, rates, "
    "compliance; never an official); cacheable 60 s; 404 when the campaign is not public",
    tag=TAG,
    response="chalicelib.schemas.notifications:PublicRanking",
    query=(QueryParam("level", "Unit level", required=True, enum=RANKED_LEVELS),),
    errors=(400, 404, 429),
    public=True,
)
def public_ranking(campaign_id: str) -> Response:
    from chalicelib.services import public_scoreboard

    _limit("scoreboard")
    level = query_params(bp.current_request).get("level")
    return json_response(public_scoreboard.ranking(campaign_id, level), headers=CACHE)


@route(
    bp,
    "/public/campaigns/{campaign_id}/open-data.json",
    "GET",
    summary="Open data of a public campaign: every ranked unit's figures, with the as-of "
    "time and the licence; cacheable 60 s; 404 when the campaign is not public",
    tag=TAG,
    response="chalicelib.schemas.notifications:OpenData",
    errors=(404, 429),
    public=True,
)
def open_data_json(campaign_id: str) -> Response:
    from chalicelib.services import public_scoreboard

    _limit("scoreboard")
    return json_response(public_scoreboard.open_data(campaign_id), headers=CACHE)


@route(
    bp,
    "/public/campaigns/{campaign_id}/open-data.csv",
    "GET",
    summary="The same open data as CSV (UTF-8): two '#' lines (as-of time, licence), then a "
    "header row; cacheable 60 s; 404 when the campaign is not public",
    tag=TAG,
    errors=(404, 429),
    public=True,
)
def open_data_csv(campaign_id: str) -> Response:
    from chalicelib.services import public_scoreboard

    _limit("scoreboard")
    text = public_scoreboard.open_data_csv(campaign_id)
    return Response(
        body=text,
        status_code=200,
        headers={
            "Content-Type": "text/csv; charset=utf-8",
            "Content-Disposition": f'attachment; filename="{campaign_id}-open-data.csv"',
            **CACHE,
        },
    )


def _page(title: str, body: str, status: int = 200) -> Response:
    html = (
        '<!doctype html><html lang="vi"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<title>{escape(title)}</title></head><body style="font-family:sans-serif;'
        f'max-width:36rem;margin:2rem auto;padding:0 1rem"><main><h1>{escape(title)}</h1>'
        f"{body}</main></body></html>"
    )
    return Response(
        body=html,
        status_code=status,
        headers={"Content-Type": "text/html; charset=utf-8", **NO_STORE},
    )


@route(
    bp,
    "/public/unsubscribe",
    "GET",
    summary="The page of an unsubscribe link: says which kind of mail it stops and asks to "
    "confirm (a GET never unsubscribes: link scanners follow links)",
    tag=TAG,
    query=(QueryParam("token", "The signed token of the link", required=True),),
    errors=(400, 429),
    public=True,
)
def unsubscribe_page() -> Response:
    from chalicelib.services.notifications import feedback

    _limit("unsubscribe")
    token = query_params(bp.current_request).get("token") or ""
    about = feedback.describe(token)
    form = (
        f"<p>Địa chỉ {escape(about['email'])} sẽ không nhận thư loại "
        f"“{escape(about['kind_label'])}” nữa.</p>"
        f'<form method="post" action="?token={escape(token)}">'
        '<input type="hidden" name="List-Unsubscribe" value="One-Click">'
        '<button type="submit">Xác nhận ngừng nhận</button></form>'
    )
    return _page("Ngừng nhận thư", form)


@route(
    bp,
    "/public/unsubscribe",
    "POST",
    summary="One-click unsubscribe (RFC 8058: List-Unsubscribe=One-Click) from one kind of "
    "mail; idempotent",
    tag=TAG,
    query=(QueryParam("token", "The signed token of the link", required=True),),
    request="chalicelib.schemas.notifications:OneClickForm",
    content_types=("application/x-www-form-urlencoded",),
    errors=(400, 429),
    public=True,
)
def unsubscribe() -> Response:
    from chalicelib.services.notifications import feedback

    _limit("unsubscribe")
    request = bp.current_request
    token = query_params(request).get("token") or ""
    done = feedback.unsubscribe(token, raw_body(request))
    return _page(
        "Đã ngừng nhận thư",
        f"<p>Địa chỉ {escape(done['email'])} sẽ không nhận thư loại "
        f"“{escape(done['kind_label'])}” nữa.</p>",
    )

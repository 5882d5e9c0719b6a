"""Notification routes: a unit's contacts and their preferences, the captured mail (local
stack), and the SES feedback function (bounces and complaints through SNS)."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint, Response

from chalicelib.api.http import (
    body_as,
    decode_token,
    json_response,
    page_limit,
    principal_of,
    query_date,
    query_params,
)
from chalicelib.api.routing import (
    ADMIN_ONLY,
    ORGANISATION_ROLES,
    OWN_SUBTREE,
    PAGINATION,
    WRITERS,
    QueryParam,
    route,
)

bp = Blueprint(__name__)
TAG = "Notifications"


@route(
    bp,
    "/units/{unit_id}/contacts",
    "GET",
    summary="A unit's e-mail contacts (registry data) and what each refuses",
    tag=TAG,
    response="chalicelib.schemas.registry:ContactList",
    roles=ORGANISATION_ROLES,
    scope=OWN_SUBTREE,
    errors=(403, 404),
)
def list_contacts(unit_id: str) -> Response:
    from chalicelib.services import registry

    return json_response(registry.list_contacts(principal_of(bp.current_request), unit_id))


@route(
    bp,
    "/units/{unit_id}/contact-preferences",
    "PUT",
    summary="Set the notification kinds one of the unit's contacts refuses",
    tag=TAG,
    request="chalicelib.schemas.notifications:PreferencesUpdate",
    response="chalicelib.schemas.registry:ContactList",
    roles=WRITERS,
    scope=OWN_SUBTREE,
    errors=(403, 404),
)
def set_preferences(unit_id: str) -> Response:
    from chalicelib.errors import not_found
    from chalicelib.schemas.notifications import PreferencesUpdate
    from chalicelib.services import registry
    from chalicelib.services.notifications import feedback

    request = bp.current_request
    principal = principal_of(request)
    payload = body_as(request, PreferencesUpdate)
    current = registry.list_contacts(principal, unit_id)
    if payload.email.lower() not in {c["email"] for c in current["items"]}:
        raise not_found(f"{payload.email!r} is not a contact of unit {unit_id!r}")
    feedback.set_preferences(payload.email, list(payload.unsubscribed))
    return json_response(registry.list_contacts(principal, unit_id))


@route(
    bp,
    "/admin/mail",
    "GET",
    summary="Messages the notifications job sent on a day (UTC), newest first; locally "
    "(MAIL_CAPTURE_DIR set) with their text and HTML, which were never sent anywhere",
    tag=TAG,
    response="chalicelib.schemas.notifications:MailPage",
    roles=ADMIN_ONLY,
    query=(
        QueryParam("day", "UTC date YYYY-MM-DD (default: today)", format="date"),
        *PAGINATION,
    ),
    errors=(400, 403),
)
def captured_mail() -> Response:
    from chalicelib import clock
    from chalicelib.api.http import encode_token
    from chalicelib.services.notifications import ledger

    request = bp.current_request
    day = query_date(request, "day") or clock.now().date()
    params = query_params(request)
    token = decode_token(params.get("next_token"), ("message_key", "created_key"), day.isoformat())
    page, last = ledger.day_page(day, page_limit(request), token)
    return json_response({**page, "next_token": encode_token(last, day.isoformat())})


# SES publishes bounce, complaint and send events to an SNS topic (infra) that invokes
# this function.
@bp.lambda_function(name="ses_feedback")
def ses_feedback(event: dict[str, Any], context: Any) -> dict[str, Any]:
    from chalicelib.observability import event_invocation
    from chalicelib.services.notifications import feedback

    with event_invocation(context, event):
        return feedback.ses_feedback(event)

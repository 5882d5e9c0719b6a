"""Report routes: generate on demand, list (role-scoped), one report, download links."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.api.http import (
    body_as,
    decode_token,
    json_response,
    page_limit,
    page_response,
    principal_of,
    query_params,
)
from chalicelib.api.routing import PAGINATION, WRITERS, QueryParam, route

bp = Blueprint(__name__)
TAG = "Reports"


@route(
    bp,
    "/admin/reports",
    "POST",
    summary="Generate a report now (201: a new version with PDF, XLSX, CSV and a manifest in "
    "S3; 200: the latest ready version, whose figures are the same). At most REPORTS_PER_HOUR "
    "generations per user, then 429 with Retry-After",
    tag=TAG,
    request="chalicelib.schemas.reports:ReportCreate",
    response="chalicelib.schemas.reports:ReportOut",
    status=201,
    also_ok=(200,),
    roles=WRITERS,
    scope="a province admin: any scope; a unit officer: a unit report of its own unit or a "
    "sub-unit",
    errors=(400, 403, 404, 429),
)
def create_report() -> Response:
    from chalicelib.schemas.reports import ReportCreate
    from chalicelib.services import reports

    request = bp.current_request
    principal = principal_of(request)
    payload = body_as(request, ReportCreate)
    out, generated = reports.create_report(
        principal,
        campaign_id=payload.campaign_id,
        start=payload.from_,
        end=payload.to,
        scope=payload.scope,
        lang=payload.lang,
    )
    return json_response(out, status=201 if generated else 200)


@route(
    bp,
    "/reports",
    "GET",
    summary="A campaign's reports, newest first",
    tag=TAG,
    response="chalicelib.schemas.reports:ReportList",
    query=(
        QueryParam("campaign_id", "Campaign (default: the current campaign)"),
        QueryParam("period", "YYYY-MM, campaign, results or YYYY-MM-DD_YYYY-MM-DD"),
        QueryParam("scope", "province or a unit_id"),
        *PAGINATION,
    ),
    scope="a unit officer: only the reports of its own unit and its sub-units",
    errors=(400, 403, 404),
)
def list_reports() -> Response:
    from chalicelib.services import reports

    request = bp.current_request
    params = query_params(request)
    listing = params.get("campaign_id") or ""
    token = decode_token(params.get("next_token"), ("report_id", "listing_key"), listing)
    items, last = reports.list_reports(
        principal_of(request),
        campaign_id=params.get("campaign_id") or None,
        period=params.get("period") or None,
        scope=params.get("scope") or None,
        limit=page_limit(request),
        after=token,
    )
    return page_response(items, last, listing)


@route(
    bp,
    "/reports/{report_id}",
    "GET",
    summary="One report version",
    tag=TAG,
    response="chalicelib.schemas.reports:ReportOut",
    scope="a unit officer: only the reports of its own unit and its sub-units",
    errors=(403, 404),
)
def get_report(report_id: str) -> Response:
    from chalicelib.services import reports

    return json_response(reports.get_report(principal_of(bp.current_request), report_id))


@route(
    bp,
    "/reports/{report_id}/download",
    "GET",
    summary="Presigned links (valid 15 minutes) to a report's files",
    tag=TAG,
    response="chalicelib.schemas.reports:ReportDownload",
    query=(
        QueryParam(
            "format",
            "pdf, xlsx, csv (one link per table) or manifest",
            required=True,
            enum=("pdf", "xlsx", "csv", "manifest"),
        ),
    ),
    scope="a unit officer: only the reports of its own unit and its sub-units",
    errors=(400, 403, 404, 409),
)
def download_report(report_id: str) -> Response:
    from chalicelib.errors import bad_request
    from chalicelib.services import reports

    request = bp.current_request
    principal = principal_of(request)
    fmt = query_params(request).get("format")
    if not fmt:
        raise bad_request("Query parameter 'format' is required: pdf, xlsx, csv or manifest")
    return json_response(reports.download(principal, report_id, fmt))

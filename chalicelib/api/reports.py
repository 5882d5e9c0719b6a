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
from chalicelib.api.routing import PAGINATION, WRITERS, QueryParam, identifier, route
from chalicelib.domain.reports import PERIOD_PATTERN, PROVINCE_SCOPE, REPORT_ID_PATTERN

bp = Blueprint(__name__)
TAG = "Reports"
REPORT_ID = {
    "report_id": QueryParam(
        "report_id",
        "<campaign_id>~<period>~<scope>~v<version>, as a listing or POST /admin/reports gives it",
        pattern=REPORT_ID_PATTERN,
    )
}


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
        identifier("campaign_id", "Campaign (default: the current campaign)"),
        QueryParam(
            "period",
            "YYYY-MM, campaign, results or YYYY-MM-DD_YYYY-MM-DD",
            pattern=PERIOD_PATTERN,
        ),
        identifier("scope", f"{PROVINCE_SCOPE} or a unit_id"),
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
        campaign_id=params.get("campaign_id"),
        period=params.get("period"),
        scope=params.get("scope"),
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
    path_params=REPORT_ID,
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
    path_params=REPORT_ID,
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
    from chalicelib.services import reports

    request = bp.current_request
    principal = principal_of(request)
    fmt = query_params(request)["format"]  # required: checked by routing
    return json_response(reports.download(principal, report_id, fmt))

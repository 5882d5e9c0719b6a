"""Results reports up the chain (báo cáo kết quả thực hiện phong trào): write, files,
submit, return, the parent's tracking view and the consolidated report."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.api.http import body_as, json_response, principal_of, query_params
from chalicelib.api.routing import ORGANISATION_ROLES, OWN_SUBTREE, WRITERS, QueryParam, route
from chalicelib.auth import PROVINCE_ADMIN, REVIEWER, UNIT_OFFICER

bp = Blueprint(__name__)
TAG = "Results reports"
OWN_UNIT = "a unit officer: only its own unit's report"
# Who returns a report, and who consolidates: province admins and reviewers, and the
# officers of the parent unit (the scoping, decided by the service).
PARENTS = (PROVINCE_ADMIN, REVIEWER, UNIT_OFFICER)
OF_THE_PARENT = "a unit officer: only of the report's parent unit"


@route(
    bp,
    "/campaigns/{campaign_id}/results-reports",
    "POST",
    summary="Start a unit's results report for the campaign (a draft; one per unit)",
    tag=TAG,
    request="chalicelib.schemas.results_reports:ResultsReportCreate",
    response="chalicelib.schemas.results_reports:ResultsReportOut",
    status=201,
    roles=WRITERS,
    scope=OWN_UNIT,
    errors=(400, 403, 404, 409),
)
def create_results_report(campaign_id: str) -> Response:
    from chalicelib.schemas.results_reports import ResultsReportCreate
    from chalicelib.services import results_reports

    request = bp.current_request
    payload = body_as(request, ResultsReportCreate)
    return json_response(
        results_reports.create(principal_of(request), campaign_id, payload), status=201
    )


@route(
    bp,
    "/campaigns/{campaign_id}/results-reports",
    "GET",
    summary="The parent's tracking view: each child unit submitted, late, draft or missing, "
    "with its deadline and the local days left; province roles may omit parent_id (every "
    "department and commune)",
    tag=TAG,
    response="chalicelib.schemas.results_reports:TrackingView",
    roles=ORGANISATION_ROLES,
    scope=OWN_SUBTREE,
    query=(QueryParam("parent_id", "The parent unit (required for a unit officer)"),),
    errors=(400, 403, 404),
)
def track_results_reports(campaign_id: str) -> Response:
    from chalicelib.services import results_reports

    request = bp.current_request
    parent_id = query_params(request).get("parent_id") or None
    return json_response(results_reports.tracking(principal_of(request), campaign_id, parent_id))


@route(
    bp,
    "/results-reports/{results_report_id}",
    "GET",
    summary="One results report, with its frozen figures once submitted",
    tag=TAG,
    response="chalicelib.schemas.results_reports:ResultsReportOut",
    roles=ORGANISATION_ROLES,
    scope=OWN_SUBTREE,
    errors=(403, 404),
)
def get_results_report(results_report_id: str) -> Response:
    from chalicelib.services import results_reports

    return json_response(results_reports.get(principal_of(bp.current_request), results_report_id))


@route(
    bp,
    "/units/{unit_id}/results-reports/{campaign_id}",
    "GET",
    summary="A unit's results report for a campaign (404 when it has not started one)",
    tag=TAG,
    response="chalicelib.schemas.results_reports:ResultsReportOut",
    roles=ORGANISATION_ROLES,
    scope=OWN_SUBTREE,
    errors=(403, 404),
)
def get_unit_results_report(unit_id: str, campaign_id: str) -> Response:
    from chalicelib.services import results_reports

    return json_response(
        results_reports.of_unit(principal_of(bp.current_request), unit_id, campaign_id)
    )


@route(
    bp,
    "/results-reports/{results_report_id}",
    "PATCH",
    summary="Edit the narrative of a draft",
    tag=TAG,
    request="chalicelib.schemas.results_reports:ResultsReportPatch",
    response="chalicelib.schemas.results_reports:ResultsReportOut",
    roles=WRITERS,
    scope=OWN_UNIT,
    errors=(400, 403, 404, 409),
)
def update_results_report(results_report_id: str) -> Response:
    from chalicelib.schemas.results_reports import ResultsReportPatch
    from chalicelib.services import results_reports

    request = bp.current_request
    payload = body_as(request, ResultsReportPatch)
    return json_response(results_reports.update(principal_of(request), results_report_id, payload))


@route(
    bp,
    "/results-reports/{results_report_id}/files",
    "POST",
    summary="Register a file of a draft and get a presigned S3 POST for its upload (the "
    "nominations' upload path: 5 minutes, generated key, size and Content-Type pinned, "
    "verified by content when it arrives)",
    tag=TAG,
    request="chalicelib.schemas.nominations:FileCreate",
    response="chalicelib.schemas.nominations:UploadTicket",
    status=201,
    roles=WRITERS,
    scope=OWN_UNIT,
    errors=(400, 403, 404, 409),
)
def add_results_file(results_report_id: str) -> Response:
    from chalicelib.schemas.nominations import FileCreate
    from chalicelib.services import results_reports

    request = bp.current_request
    payload = body_as(request, FileCreate)
    return json_response(
        results_reports.add_file(principal_of(request), results_report_id, payload), status=201
    )


@route(
    bp,
    "/results-reports/{results_report_id}/files",
    "GET",
    summary="A results report's files; verified files carry a short-lived download link",
    tag=TAG,
    response="chalicelib.schemas.results_reports:ResultsFileList",
    roles=ORGANISATION_ROLES,
    scope=OWN_SUBTREE,
    errors=(403, 404),
)
def list_results_files(results_report_id: str) -> Response:
    from chalicelib.services import results_reports

    return json_response(
        results_reports.list_files(principal_of(bp.current_request), results_report_id)
    )


@route(
    bp,
    "/results-reports/{results_report_id}/submit",
    "POST",
    summary="Submit a draft to the parent: freezes the unit's KPIs for the campaign period "
    "into the report and answers with them; after the level's deadline it is accepted and "
    "marked late",
    tag=TAG,
    response="chalicelib.schemas.results_reports:ResultsReportOut",
    roles=WRITERS,
    scope=OWN_UNIT,
    errors=(403, 404, 409),
)
def submit_results_report(results_report_id: str) -> Response:
    from chalicelib.services import results_reports

    return json_response(
        results_reports.submit(principal_of(bp.current_request), results_report_id)
    )


@route(
    bp,
    "/results-reports/{results_report_id}/return",
    "POST",
    summary="Return a submitted report to its unit (back to draft) with a reason",
    tag=TAG,
    request="chalicelib.schemas.results_reports:ReturnRequest",
    response="chalicelib.schemas.results_reports:ResultsReportOut",
    roles=PARENTS,
    scope=OF_THE_PARENT,
    errors=(400, 403, 404, 409),
)
def return_results_report(results_report_id: str) -> Response:
    from chalicelib.schemas.results_reports import ReturnRequest
    from chalicelib.services import results_reports

    request = bp.current_request
    payload = body_as(request, ReturnRequest)
    return json_response(
        results_reports.send_back(principal_of(request), results_report_id, payload.reason)
    )


@route(
    bp,
    "/campaigns/{campaign_id}/results-reports/consolidated",
    "POST",
    summary="Generate the parent's consolidated report (tổng hợp: its children's frozen "
    "figures and narratives) as PDF, XLSX and CSV, stored like the other reports (download "
    "with GET /reports/{report_id}/download); at most REPORTS_PER_HOUR per user",
    tag=TAG,
    request="chalicelib.schemas.results_reports:ConsolidatedCreate",
    response="chalicelib.schemas.reports:ReportOut",
    status=201,
    roles=PARENTS,
    scope=OF_THE_PARENT,
    errors=(400, 403, 404, 429),
)
def consolidate_results_reports(campaign_id: str) -> Response:
    from chalicelib.schemas.results_reports import ConsolidatedCreate
    from chalicelib.services import results_consolidated

    request = bp.current_request
    payload = body_as(request, ConsolidatedCreate)
    return json_response(
        results_consolidated.generate(
            principal_of(request), campaign_id, payload.parent_id, payload.lang
        ),
        status=201,
    )

"""Results reports up the chain: write, submit (figures frozen from the KPIs), return,
and the parent's tracking view (rules in domain/results_reports.py).

Who may do what:
- a unit officer writes, adds files to and submits its own unit's report; a province
  admin may do so for any unit (support);
- the parent returns a submitted report with a reason: an officer of the parent unit,
  or a province admin or reviewer;
- every role reads what it may see (a unit officer: its unit and sub-units' reports);
- the tracking view lists a parent's children (a unit officer: a parent in its subtree;
  province roles may omit the parent to see every department and commune).
"""

from __future__ import annotations

import uuid
from collections import Counter
from typing import Any

from chalicelib import clock
from chalicelib.auth import PROVINCE_ADMIN, REVIEWER, UNIT_OFFICER, Principal
from chalicelib.domain import results_reports as rules
from chalicelib.domain.campaigns import Campaign
from chalicelib.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from chalicelib.domain.registry import UnitRecord, is_within
from chalicelib.domain.results_reports import ResultsReport
from chalicelib.schemas.nominations import FileCreate
from chalicelib.schemas.results_reports import ResultsReportCreate, ResultsReportPatch
from chalicelib.services import registry as registry_service
from chalicelib.settings import get_settings
from chalicelib.storage import registry as registry_store
from chalicelib.storage import results_reports as results_store

# Fixed, so a unit's report id is the same wherever it is computed (one per campaign).
_ID_NAMESPACE = uuid.UUID("5b8e4f7c-24a1-4c3e-9d3b-6a1f0b2c7e24")
RETURNERS = (PROVINCE_ADMIN, REVIEWER)


def report_id_of(campaign_id: str, unit_id: str) -> str:
    return uuid.uuid5(_ID_NAMESPACE, f"{campaign_id}/{unit_id}").hex


def _units() -> dict[str, UnitRecord]:
    return dict(registry_store.registry_snapshot().units)


def _actor(principal: Principal) -> dict[str, Any]:
    return {"sub": principal.sub, "role": principal.role, "unit_id": principal.unit_id}


def _entry(
    principal: Principal | None, action: str, before: str | None, after: str, **details: Any
) -> dict[str, Any]:
    actor = _actor(principal) if principal else {"sub": "system", "role": "system"}
    return {
        "at": clock.now().isoformat(),
        "actor": actor,
        "action": action,
        "from_status": before,
        "to_status": after,
        **{k: v for k, v in details.items() if v is not None},
    }


def view(
    report: ResultsReport,
    campaign: Campaign | None = None,
    units: dict[str, UnitRecord] | None = None,
) -> dict[str, Any]:
    units = units if units is not None else _units()
    unit = units.get(report.unit_id)
    level = unit.level if unit else None
    deadline = report.deadline
    if deadline is None and campaign is not None and level is not None:
        deadline = rules.deadline_for(campaign, level)
    return {
        "results_report_id": report.results_report_id,
        "campaign_id": report.campaign_id,
        "unit_id": report.unit_id,
        "unit_name": unit.name if unit else "",
        "level": level,
        "parent_id": report.parent_id,
        "sections": {k: report.sections.get(k, "") for k in rules.SECTIONS},
        "status": report.status,
        "deadline": deadline,
        "days_left": rules.days_left(deadline, clock.local_today()),
        "late": report.late,
        "submitted_at": report.submitted_at,
        "figures": report.figures,
        "return_reason": report.return_reason,
        "returned_at": report.returned_at,
        "file_count": report.file_count,
        "created_by": report.created_by,
        "created_at": report.created_at,
        "updated_at": report.updated_at,
        "history": report.history,
    }


# --- access ------------------------------------------------------------------------------


def visible(principal: Principal, results_report_id: str) -> ResultsReport:
    """404 when unknown, 403 outside the caller's unit."""
    report = results_store.get(results_report_id)
    if report is None:
        raise NotFound(f"Results report {results_report_id!r} does not exist")
    if principal.province_wide:
        return report
    units = _units()
    if not (principal.unit_id and is_within(report.unit_id, principal.unit_id, units)):
        raise Forbidden(f"Results report {results_report_id!r} belongs to a unit outside yours")
    return report


def _require_writer(principal: Principal, unit_id: str) -> None:
    if principal.role == PROVINCE_ADMIN:
        return
    if principal.role == UNIT_OFFICER and principal.unit_id == unit_id:
        return
    raise Forbidden(
        f"Only an officer of unit {unit_id!r} (or a province admin) writes its results report"
    )


def _changeable(principal: Principal, results_report_id: str, action: str) -> ResultsReport:
    report = visible(principal, results_report_id)
    _require_writer(principal, report.unit_id)
    if rules.next_status(report.status, action) is None:
        raise _invalid(report, action)
    return report


def _invalid(report: ResultsReport, action: str) -> Conflict:
    allowed = rules.allowed_from(action)
    return Conflict(
        f"Cannot {action.replace('_', ' ')} results report {report.results_report_id!r}: "
        f"it is {report.status!r}; allowed only when {' or '.join(map(repr, allowed))}",
        code="invalid_state",
        details=[
            {
                "results_report_id": report.results_report_id,
                "status": report.status,
                "action": action,
                "allowed_from": allowed,
            }
        ],
    )


def _fresh_conflict(results_report_id: str, action: str) -> Conflict | NotFound:
    fresh = results_store.get(results_report_id)
    if fresh is None:
        return NotFound(f"Results report {results_report_id!r} does not exist")
    return _invalid(fresh, action)


# --- use cases ---------------------------------------------------------------------------


def create(principal: Principal, campaign_id: str, payload: ResultsReportCreate) -> dict[str, Any]:
    campaign = registry_service.get_campaign(campaign_id)
    unit = registry_service.check_unit_access(principal, payload.unit_id)
    _require_writer(principal, unit.unit_id)
    if unit.level not in rules.REPORTING_LEVELS:
        raise InvalidInput(
            f"A {unit.level} unit does not report up the chain; the units that report are "
            f"{', '.join(rules.REPORTING_LEVELS)}",
            details=[{"field": "unit_id", "message": f"unit {unit.unit_id!r} is {unit.level}"}],
        )
    at = clock.now()
    sections = {**rules.blank_sections(), **payload.sections.model_dump(exclude_none=True)}
    report = ResultsReport(
        results_report_id=report_id_of(campaign_id, unit.unit_id),
        campaign_id=campaign_id,
        unit_id=unit.unit_id,
        parent_id=unit.parent_id,
        sections=sections,
        status="draft",
        created_by=_actor(principal),
        created_at=at,
        updated_at=at,
        history=[_entry(principal, "created", None, "draft")],
    )
    try:
        results_store.create(report)
    except results_store.AlreadyExists:
        raise Conflict(
            f"Unit {unit.unit_id!r} already has a results report for {campaign_id!r}; "
            "edit that one",
            code="already_exists",
            details=[{"results_report_id": report.results_report_id}],
        ) from None
    return view(report, campaign)


def get(principal: Principal, results_report_id: str) -> dict[str, Any]:
    report = visible(principal, results_report_id)
    return view(report, registry_service.get_campaign(report.campaign_id))


def of_unit(principal: Principal, unit_id: str, campaign_id: str) -> dict[str, Any]:
    registry_service.check_unit_access(principal, unit_id)
    campaign = registry_service.get_campaign(campaign_id)
    report = results_store.get(report_id_of(campaign_id, unit_id))
    if report is None:
        raise NotFound(f"Unit {unit_id!r} has no results report for {campaign_id!r} yet")
    return view(report, campaign)


def update(
    principal: Principal, results_report_id: str, payload: ResultsReportPatch
) -> dict[str, Any]:
    report = _changeable(principal, results_report_id, "edit")
    changes = {
        k: v
        for k, v in payload.sections.model_dump(exclude_none=True).items()
        if v != report.sections.get(k, "")
    }
    if changes:
        entry = _entry(principal, "edited", "draft", "draft", sections=sorted(changes))
        try:
            report = results_store.edit(
                results_report_id, {**report.sections, **changes}, clock.now(), entry
            )
        except results_store.StateChanged:
            raise _fresh_conflict(results_report_id, "edit") from None
    return view(report, registry_service.get_campaign(report.campaign_id))


def add_file(principal: Principal, results_report_id: str, payload: FileCreate) -> dict[str, Any]:
    """The nominations' upload path: a presigned POST, verified when S3 reports it."""
    from chalicelib.services.nominations import files

    report = _changeable(principal, results_report_id, "add_file")
    dossier = files.Dossier(
        results_store.OWNER, report.results_report_id, report.campaign_id, report.unit_id, "draft"
    )
    return files.declare_file(principal, dossier, report.file_count, payload)


def list_files(principal: Principal, results_report_id: str) -> dict[str, Any]:
    from chalicelib.services.nominations import files

    visible(principal, results_report_id)
    return {"results_report_id": results_report_id, "items": files.file_views(results_report_id)}


def frozen_figures(campaign: Campaign, unit_id: str) -> dict[str, Any]:
    """The unit's KPIs for the campaign period as they stand now (with as_of and rank)."""
    from chalicelib.services import candidates

    return candidates.evidence(campaign, "collective", unit_id, None)


def submit(principal: Principal, results_report_id: str) -> dict[str, Any]:
    report = _changeable(principal, results_report_id, "submit")
    campaign = registry_service.get_campaign(report.campaign_id)
    unit = _units().get(report.unit_id)
    if unit is None:
        raise NotFound(f"Unit {report.unit_id!r} is no longer in the registry")
    if all(not report.sections.get(k, "").strip() for k in rules.SECTIONS):
        raise Conflict(
            "A results report needs its narrative before it is submitted: write at least "
            f"one of {', '.join(rules.SECTIONS)}",
            code="report_empty",
            details=[{"results_report_id": results_report_id, "status": report.status}],
        )
    deadline = rules.deadline_for(campaign, unit.level)
    at = clock.now()
    late = rules.is_late(at, deadline, get_settings().zone)
    figures = frozen_figures(campaign, report.unit_id)
    entry = _entry(principal, "submitted", "draft", "submitted", late=late)
    try:
        report = results_store.submit(
            results_report_id, figures=figures, at=at, deadline=deadline, late=late, entry=entry
        )
    except results_store.StateChanged:
        raise _fresh_conflict(results_report_id, "submit") from None
    return view(report, campaign)


def send_back(principal: Principal, results_report_id: str, reason: str) -> dict[str, Any]:
    """Return a submitted report to its unit's draft, with the reason."""
    report = visible(principal, results_report_id)
    if principal.role not in RETURNERS and not (
        principal.role == UNIT_OFFICER
        and report.parent_id is not None
        and principal.unit_id == report.parent_id
    ):
        raise Forbidden(
            "Only the parent unit's officers, a province admin or a reviewer return a "
            "results report"
        )
    if rules.next_status(report.status, "return") is None:
        raise _invalid(report, "return")
    entry = _entry(principal, "returned", "submitted", "draft", reason=reason)
    try:
        report = results_store.send_back(results_report_id, reason, clock.now(), entry)
    except results_store.StateChanged:
        raise _fresh_conflict(results_report_id, "return") from None
    return view(report, registry_service.get_campaign(report.campaign_id))


# --- tracking ------------------------------------------------------------------------------


def children_of(parent_id: str | None, units: dict[str, UnitRecord]) -> list[UnitRecord]:
    """The units that report to `parent_id`; None: every department and commune (the
    province's view)."""
    if parent_id is None:
        chosen = [u for u in units.values() if rules.reports_to_province(u.level)]
    else:
        chosen = [
            u
            for u in units.values()
            if u.parent_id == parent_id and u.level in rules.REPORTING_LEVELS
        ]
    return sorted(chosen, key=lambda u: u.unit_id)


def tracking(principal: Principal, campaign_id: str, parent_id: str | None) -> dict[str, Any]:
    campaign = registry_service.get_campaign(campaign_id)
    if parent_id is None:
        if not principal.province_wide:
            raise InvalidInput(
                "Query parameter 'parent_id' is required for a unit officer: your unit or "
                "one of its sub-units"
            )
    else:
        registry_service.check_unit_access(principal, parent_id)
    units = dict(registry_store.registry_snapshot(max_age_seconds=0).units)
    reports = {r.unit_id: r for r in results_store.of_campaign(campaign_id)}
    today = clock.local_today()
    items = [
        tracking_row(u, reports.get(u.unit_id), campaign, today)
        for u in children_of(parent_id, units)
    ]
    counts = Counter(i["state"] for i in items)
    return {
        "campaign_id": campaign_id,
        "parent_id": parent_id,
        "today": today,
        "counts": {state: counts.get(state, 0) for state in rules.TRACKING_STATES},
        "items": items,
    }


def tracking_row(
    unit: UnitRecord, report: ResultsReport | None, campaign: Campaign, today: Any
) -> dict[str, Any]:
    deadline = rules.deadline_for(campaign, unit.level)
    figures = (report.figures or {}) if report else {}
    return {
        "unit_id": unit.unit_id,
        "name": unit.name,
        "level": unit.level,
        "parent_id": unit.parent_id,
        "state": rules.tracking_state(
            report.status if report else None, bool(report and report.late)
        ),
        "deadline": deadline,
        "days_left": rules.days_left(deadline, today),
        "results_report_id": report.results_report_id if report else None,
        "submitted_at": report.submitted_at if report and report.status == "submitted" else None,
        "return_reason": report.return_reason if report and report.status == "draft" else None,
        "score": figures.get("score"),
        "compliant": (figures.get("compliance") or {}).get("compliant"),
    }

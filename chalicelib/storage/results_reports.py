"""Results reports (one per unit and campaign): the table, and each change as one
conditional write on the report's state, so two officers never both submit or a parent
never returns a report that changed meanwhile. The report's history (who did what, when,
from which state) is appended in the same write; the notifications job reads it.

A report's files are nomination-style files (storage/nominations/files.py) whose owner is
"results_report": the same table, upload path and verification.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pynamodb.attributes import (
    BooleanAttribute,
    JSONAttribute,
    ListAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.exceptions import PutError, UpdateError
from pynamodb.expressions.update import Action
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from chalicelib.domain.results_reports import ResultsReport
from chalicelib.storage.models import _meta, condition_failed, register_models
from chalicelib.storage.nominations.files import register_owner

OWNER = "results_report"


class ResultsReportsByCampaignIndex(GlobalSecondaryIndex["ResultsReportModel"]):
    """A campaign's reports by unit: the tracking view reads one campaign at a time."""

    class Meta:
        index_name = "by_campaign"
        projection = AllProjection()

    campaign_id = UnicodeAttribute(hash_key=True)
    unit_id = UnicodeAttribute(range_key=True)


class ResultsReportModel(Model):
    Meta = _meta("results_reports")
    results_report_id = UnicodeAttribute(hash_key=True)  # derived from (campaign, unit)
    campaign_id = UnicodeAttribute()
    unit_id = UnicodeAttribute()
    parent_id = UnicodeAttribute(null=True)
    sections = JSONAttribute()
    status = UnicodeAttribute()  # draft | submitted
    created_by = JSONAttribute()
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    deadline = UnicodeAttribute(null=True)  # ISO local date, as when submitted
    submitted_at = UTCDateTimeAttribute(null=True)
    late = BooleanAttribute(default=False)
    figures = JSONAttribute(null=True)
    return_reason = UnicodeAttribute(null=True)
    returned_at = UTCDateTimeAttribute(null=True)
    file_count = NumberAttribute(default=0)
    # Untyped list of maps, so a change appends its entry in the same conditional write.
    history: ListAttribute[Any] = ListAttribute(default=list)
    by_campaign = ResultsReportsByCampaignIndex()


register_models(ResultsReportModel)
register_owner(OWNER, ResultsReportModel)


class StateChanged(Exception):
    """The report was not in the state the change needs (or does not exist)."""


class AlreadyExists(Exception):
    """The unit already has a report for the campaign."""


def _record(item: ResultsReportModel) -> ResultsReport:
    return ResultsReport(
        results_report_id=item.results_report_id,
        campaign_id=item.campaign_id,
        unit_id=item.unit_id,
        parent_id=item.parent_id,
        sections=dict(item.sections or {}),
        status=item.status,
        created_by=dict(item.created_by or {}),
        created_at=item.created_at,
        updated_at=item.updated_at,
        deadline=dt.date.fromisoformat(item.deadline) if item.deadline else None,
        submitted_at=item.submitted_at,
        late=bool(item.late),
        figures=item.figures,
        return_reason=item.return_reason,
        returned_at=item.returned_at,
        file_count=int(item.file_count or 0),
        history=list(item.history or []),
    )


def create(report: ResultsReport) -> None:
    item = ResultsReportModel(
        report.results_report_id,
        campaign_id=report.campaign_id,
        unit_id=report.unit_id,
        parent_id=report.parent_id,
        sections=report.sections,
        status=report.status,
        created_by=report.created_by,
        created_at=report.created_at,
        updated_at=report.updated_at,
        file_count=0,
        history=report.history,
    )
    try:
        item.save(condition=ResultsReportModel.results_report_id.does_not_exist())
    except PutError as exc:
        if condition_failed(exc):
            raise AlreadyExists(report.results_report_id) from None
        raise


def get(results_report_id: str) -> ResultsReport | None:
    try:
        return _record(ResultsReportModel.get(results_report_id, consistent_read=True))
    except ResultsReportModel.DoesNotExist:
        return None


def of_campaign(campaign_id: str) -> list[ResultsReport]:
    return [_record(i) for i in ResultsReportModel.by_campaign.query(campaign_id)]


def all_reports() -> list[ResultsReport]:
    """Every report (the notifications job: a few hundred per campaign)."""
    return [_record(i) for i in ResultsReportModel.scan()]


def _update(
    results_report_id: str, actions: list[Action], from_status: str, entry: dict[str, Any]
) -> ResultsReport:
    item = ResultsReportModel(results_report_id)
    actions = [
        *actions,
        ResultsReportModel.history.set(ResultsReportModel.history.append([entry])),
    ]
    try:
        item.update(
            actions=actions,
            condition=ResultsReportModel.results_report_id.exists()
            & (ResultsReportModel.status == from_status),
        )
    except UpdateError as exc:
        if condition_failed(exc):
            raise StateChanged(results_report_id) from None
        raise
    return _record(item)


def edit(
    results_report_id: str, sections: dict[str, str], at: dt.datetime, entry: dict[str, Any]
) -> ResultsReport:
    return _update(
        results_report_id,
        [ResultsReportModel.sections.set(sections), ResultsReportModel.updated_at.set(at)],
        "draft",
        entry,
    )


def submit(
    results_report_id: str,
    *,
    figures: dict[str, Any],
    at: dt.datetime,
    deadline: dt.date | None,
    late: bool,
    entry: dict[str, Any],
) -> ResultsReport:
    return _update(
        results_report_id,
        [
            ResultsReportModel.status.set("submitted"),
            ResultsReportModel.figures.set(figures),
            ResultsReportModel.submitted_at.set(at),
            ResultsReportModel.updated_at.set(at),
            ResultsReportModel.late.set(late),
            ResultsReportModel.deadline.set(deadline.isoformat())
            if deadline
            else ResultsReportModel.deadline.remove(),
        ],
        "draft",
        entry,
    )


def send_back(
    results_report_id: str, reason: str, at: dt.datetime, entry: dict[str, Any]
) -> ResultsReport:
    return _update(
        results_report_id,
        [
            ResultsReportModel.status.set("draft"),
            ResultsReportModel.return_reason.set(reason),
            ResultsReportModel.returned_at.set(at),
            ResultsReportModel.updated_at.set(at),
        ],
        "submitted",
        entry,
    )

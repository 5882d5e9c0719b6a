"""Chalice scheduled functions: thin wrappers over the job catalog."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint, Cron, Rate

from chalicelib import clock
from chalicelib.jobs.catalog import job_specs

bp = Blueprint(__name__)
# Stop this long before the Lambda timeout so a run never half-applies a batch.
SAFETY_MARGIN_SECONDS = 20.0


def _deadline(event: Any) -> float:
    context = getattr(event, "context", None)
    remaining_ms = context.get_remaining_time_in_millis() if context is not None else 60_000
    return clock.monotonic() + max(1.0, remaining_ms / 1000 - SAFETY_MARGIN_SECONDS)


def _run(name: str, event: Any) -> dict[str, Any]:
    from chalicelib.observability import event_invocation, logger

    with event_invocation(getattr(event, "context", None), event.to_dict()):
        result = job_specs()[name].load()(deadline=_deadline(event))
        # Every scheduled run leaves one line, even a sweep that found nothing to do.
        logger.info("scheduled job ran", extra={"job": name})
        return result


def _expression(name: str) -> Rate | Cron:
    spec = job_specs()[name]
    if spec.every_minutes:
        return Rate(spec.every_minutes, unit=Rate.MINUTES)
    assert spec.cron_utc is not None
    minute, hour, day = spec.cron_utc
    return Cron(minute, hour, day, "*", "?", "*")


@bp.schedule(_expression("aggregate_kpi"), name="aggregate_kpi")
def aggregate_kpi(event: Any) -> dict[str, Any]:
    return _run("aggregate_kpi", event)


@bp.schedule(_expression("verify_uploads"), name="verify_uploads")
def verify_uploads(event: Any) -> dict[str, Any]:
    return _run("verify_uploads", event)


@bp.schedule(_expression("monthly_reports"), name="monthly_reports")
def monthly_reports(event: Any) -> dict[str, Any]:
    return _run("monthly_reports", event)


@bp.schedule(_expression("campaign_reports"), name="campaign_reports")
def campaign_reports(event: Any) -> dict[str, Any]:
    return _run("campaign_reports", event)


@bp.schedule(_expression("pull_hubs"), name="pull_hubs")
def pull_hubs(event: Any) -> dict[str, Any]:
    return _run("pull_hubs", event)


@bp.schedule(_expression("meeting_documents"), name="meeting_documents")
def meeting_documents(event: Any) -> dict[str, Any]:
    return _run("meeting_documents", event)


@bp.schedule(_expression("notifications"), name="notifications")
def notifications(event: Any) -> dict[str, Any]:
    return _run("notifications", event)

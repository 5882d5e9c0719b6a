"""Every scheduled job: its name, its schedule and the function that runs it.

Chalice schedules (jobs/schedules.py), the admin route POST /admin/jobs/{name}
and the local stack's scheduler all read this one table.
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from chalicelib.settings import get_settings


@dataclass(frozen=True)
class JobSpec:
    name: str
    target: str  # "module:function" taking (deadline: float monotonic seconds) -> dict
    # Either every N minutes, or a UTC cron of (minute, hour, day_of_month) where
    # day_of_month is an int, "*" or "L" (last day of the month).
    every_minutes: int | None = None
    cron_utc: tuple[int, int, int | str] | None = None
    description: str = ""

    def load(self) -> Callable[..., dict[str, Any]]:
        module, _, func = self.target.partition(":")
        return getattr(importlib.import_module(module), func)


def job_specs() -> dict[str, JobSpec]:
    settings = get_settings()
    specs = [
        JobSpec(
            "aggregate_kpi",
            "chalicelib.services.aggregation:run_aggregation",
            every_minutes=settings.aggregate_every_minutes,
            description="Fold newly ingested events into document state and daily KPI aggregates",
        ),
        JobSpec(
            "rebuild_events",
            "chalicelib.services.archive_rebuild:rebuild_from_archive",
            description="Re-ingest every archived webhook request (run by hand into empty tables)",
        ),
        JobSpec(
            "verify_uploads",
            "chalicelib.services.nominations.files:verify_pending_uploads",
            # A pending file is given up 5 min (the link) + 2 min (grace) after its POST:
            # within a quarter of an hour it stops counting toward the dossier's limit.
            every_minutes=15,
            description="Verify nomination files whose upload arrived (the local stack has no "
            "S3 triggers; in AWS a sweep for missed events) and expire abandoned ones",
        ),
        JobSpec(
            "monthly_reports",
            "chalicelib.services.reports:run_monthly_reports",
            # 18:00 UTC on the last day of a month = 01:00 on the 1st in Asia/Ho_Chi_Minh.
            cron_utc=(0, 18, "L"),
            description="Report the previous local month of every active campaign overlapping "
            "it (province and units) to S3; finishes an interrupted run when called again",
        ),
        JobSpec(
            "campaign_reports",
            "chalicelib.services.reports:run_campaign_reports",
            # Nightly, 01:30 local: the first night after a campaign's end, then corrections.
            cron_utc=(30, 18, "*"),
            description="End-of-campaign reports the first night after the end date, and a new "
            "version whenever late events changed the figures",
        ),
        JobSpec(
            "pull_hubs",
            "chalicelib.services.hub_pull:pull_hubs",
            # Every minute; each hub source is pulled on its own interval (default 5 min),
            # jittered, and later while it backs off.
            every_minutes=1,
            description="Pull new edXML packages and statuses from the hub sources that are "
            "due (read-only), store them like pushed ones; a bounded run, resumed next time",
        ),
        JobSpec(
            "meeting_documents",
            "chalicelib.services.council.documents:run_meeting_documents",
            every_minutes=1,
            description="The minutes, vote results, submission and draft decision (PDF and "
            "DOCX) of every decided council meeting still waiting for them",
        ),
        JobSpec(
            "notifications",
            "chalicelib.services.notifications.deliver:run_notifications",
            # 01:00 UTC = 08:00 in Asia/Ho_Chi_Minh: reminders on the right local day.
            cron_utc=(0, 1, "*"),
            description="E-mail what is due today (weekly digests, deadline reminders 7/2/0 "
            "days before, status changes, admins' alerts); each message once, whatever reruns",
        ),
    ]
    return {s.name: s for s in specs}


def next_run(spec: JobSpec, after: dt.datetime) -> dt.datetime | None:
    """The first scheduled instant strictly after `after` (UTC)."""
    after = after.astimezone(dt.UTC)
    if spec.every_minutes:
        step = dt.timedelta(minutes=spec.every_minutes)
        epoch = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
        periods = (after - epoch) // step + 1
        return epoch + periods * step
    if spec.cron_utc is None:
        return None
    minute, hour, dom = spec.cron_utc
    day = after.date()
    for _ in range(400):
        next_month = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        last_day = (next_month - dt.timedelta(days=1)).day
        matches = dom == "*" or (dom == "L" and day.day == last_day) or dom == day.day
        if matches:
            candidate = dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=dt.UTC)
            if candidate > after:
                return candidate
        day += dt.timedelta(days=1)
    return None

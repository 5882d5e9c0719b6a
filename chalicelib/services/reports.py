"""Reports: generate a version (render, store in S3, index), list, download; the jobs.

- ``monthly_reports`` (cron 18:00 UTC on the last day of a month = 01:00 on the 1st in
  Asia/Ho_Chi_Minh) reports the previous *local* month for every active campaign overlapping
  it: the province report and one report per unit. A run that reaches its deadline leaves the
  rest of its plan in the job state; the next run of either report job continues it.
- ``campaign_reports`` (nightly) writes the end-of-campaign reports the first night after a
  campaign's end date, then again whenever late events changed the figures: each night it
  rebuilds the content, hashes the figures (numbers and identifiers only) and writes a new
  version only when the digest differs from the last ready version's.
- ``POST /admin/reports`` generates one on demand.

Every generation claims the next free version with a conditional put of its index item, so a
re-run writes v{n+1} and never overwrites v{n}. Rendering libraries load on first render.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import uuid
from collections.abc import Iterator
from typing import Any

from chalicelib import clock
from chalicelib.auth import PROVINCE_ADMIN, Principal
from chalicelib.domain.campaigns import Campaign
from chalicelib.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from chalicelib.domain.reports import PERIOD_PATTERN, PROVINCE_SCOPE, ReportVersion
from chalicelib.observability import logger, metrics
from chalicelib.reports import MANIFEST_CONTENT_TYPE, build_manifest, render_all
from chalicelib.services import quotas
from chalicelib.services import registry as registry_service
from chalicelib.services.report_content import (
    ReportContent,
    ReportContext,
    build_province,
    build_unit,
)
from chalicelib.settings import get_settings
from chalicelib.storage import jobs as job_store
from chalicelib.storage import registry as registry_store
from chalicelib.storage import reports as report_store

JOB_MONTHLY = "monthly_reports"
JOB_CAMPAIGN = "campaign_reports"
ON_DEMAND = "on_demand"
DOWNLOAD_URL_SECONDS = 15 * 60
# Late corrections are looked for this long after a campaign's end.
CORRECTION_WINDOW_DAYS = 90
LEASE_SECONDS = 20 * 60
# Build attempts when an aggregation run moves as_of while a report's figures are read.
CONSISTENT_READ_ATTEMPTS = 3
FORMATS = ("pdf", "xlsx", "csv", "manifest")
PERIOD_RE = re.compile(PERIOD_PATTERN)


# --- periods ---------------------------------------------------------------------------------


def previous_local_month(now: dt.datetime) -> tuple[dt.date, dt.date, str]:
    """(first day, last day, "YYYY-MM") of the month before the local date of ``now``.

    At 18:00 UTC on 31 August it is 01:00 on 1 September in Asia/Ho_Chi_Minh: August.
    """
    last = now.astimezone(get_settings().zone).date().replace(day=1) - dt.timedelta(days=1)
    first = last.replace(day=1)
    return first, last, first.strftime("%Y-%m")


def _month_end(day: dt.date) -> dt.date:
    next_month = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return next_month - dt.timedelta(days=1)


def period_label(campaign: Campaign, start: dt.date, end: dt.date) -> str:
    """ "campaign" for the campaign's dates; "YYYY-MM" for a month (or the part of it inside
    the campaign); otherwise "YYYY-MM-DD_YYYY-MM-DD"."""
    if (start, end) == (campaign.start_date, campaign.end_date):
        return "campaign"
    if (start.year, start.month) == (end.year, end.month):
        starts = start in (start.replace(day=1), campaign.start_date)
        ends = end in (_month_end(end), campaign.end_date)
        if starts and ends:
            return start.strftime("%Y-%m")
    return f"{start.isoformat()}_{end.isoformat()}"


def campaign_month(campaign: Campaign, first: dt.date, last: dt.date) -> tuple[dt.date, dt.date]:
    """The part of the month [first, last] inside the campaign (they must overlap)."""
    return max(first, campaign.start_date), min(last, campaign.end_date)


# --- generation ------------------------------------------------------------------------------


def build(
    ctx: ReportContext, scope: str, label: str, lang: str = "vi"
) -> tuple[ReportContext, ReportContent]:
    """The report's content from one consistent set of reads: when an aggregation run moved
    ``as_of`` meanwhile, read again (the figures must all be of one ``as_of``)."""
    for _attempt in range(CONSISTENT_READ_ATTEMPTS):
        if scope == PROVINCE_SCOPE:
            content = build_province(ctx, label, lang)
        else:
            content = build_unit(ctx, scope, label, lang)
        if ctx.is_current():
            return ctx, content
        ctx = ctx.reload()
    logger.warning("report figures straddle an aggregation run", extra={"scope": scope})
    return ctx, content


def generate(
    ctx: ReportContext,
    scope: str,
    label: str,
    *,
    lang: str = "vi",
    trigger: str,
    requested_by: str | None = None,
    content: ReportContent | None = None,
) -> ReportVersion:
    """Write a new version: claim it, render every format, upload, mark it ready."""
    if content is None:
        ctx, content = build(ctx, scope, label, lang)
    started = clock.monotonic()
    item = report_store.claim_version(
        campaign_id=ctx.campaign.campaign_id,
        period=label,
        scope=scope,
        period_from=ctx.period.start,
        period_to=ctx.period.end,
        lang=lang,
        trigger=trigger,
        requested_by=requested_by,
        now=clock.now(),
    )
    try:
        generated_at = clock.now()
        doc = content.document(
            report_id=item.report_id,
            campaign=ctx.campaign,
            period=ctx.period,
            as_of=ctx.as_of or generated_at,
            generated_at=generated_at,
        )
        files = render_all(doc, lang, basename="report")
        digest = content.figures_sha256()
        manifest = build_manifest(doc, files)
        manifest["report"] = {
            "period": label,
            "version": item.version,
            "lang": lang,
            "trigger": trigger,
            "no_events": content.no_events,
            "figures_sha256": digest,
            "as_of_known": ctx.as_of is not None,
        }
        entries = []
        for name, (body, content_type) in sorted(files.items()):
            key = item.prefix + name
            report_store.put_file(key, body, content_type, item.report_id)
            entries.append(_entry(name, key, body, content_type))
        # The manifest goes last: its presence means every file is there.
        manifest_body = json.dumps(manifest, ensure_ascii=False, indent=2).encode("utf-8")
        manifest_key = item.prefix + "manifest.json"
        report_store.put_file(manifest_key, manifest_body, MANIFEST_CONTENT_TYPE, item.report_id)
        entries.append(_entry("manifest.json", manifest_key, manifest_body, MANIFEST_CONTENT_TYPE))
        report_store.mark_ready(
            item.report_id,
            files=entries,
            as_of=ctx.as_of,
            figures_sha256=digest,
            summary={
                "scope_name": content.scope_name,
                "no_events": content.no_events,
                **content.facts,
            },
            now=clock.now(),
        )
    except Exception as exc:
        report_store.mark_failed(item.report_id, f"{type(exc).__name__}: {exc}", clock.now())
        logger.exception("report generation failed", extra={"report_id": item.report_id})
        raise
    seconds = round(clock.monotonic() - started, 3)
    logger.info(
        "report generated",
        extra={"report_id": item.report_id, "trigger": trigger, "seconds": seconds},
    )
    metrics.add_metric(name="ReportsGenerated", unit="Count", value=1)
    return report_store.get(item.report_id) or item


def _entry(name: str, key: str, body: bytes, content_type: str) -> dict[str, Any]:
    return {
        "name": name,
        "key": key,
        "content_type": content_type,
        "size": len(body),
        "sha256": hashlib.sha256(body).hexdigest(),
    }


# --- API use cases ---------------------------------------------------------------------------


def report_out(item: ReportVersion) -> dict[str, Any]:
    summary = dict(item.summary or {})
    return {
        "report_id": item.report_id,
        "campaign_id": item.campaign_id,
        "period": item.period,
        "scope": item.scope,
        "scope_name": summary.get("scope_name"),
        "version": item.version,
        "from": item.period_from,
        "to": item.period_to,
        "lang": item.lang,
        "status": item.status,
        "trigger": item.trigger,
        "requested_by": item.requested_by,
        "created_at": item.created_at,
        "completed_at": item.completed_at,
        "as_of": item.as_of,
        "no_events": summary.get("no_events"),
        "figures_sha256": item.figures_sha256,
        "files": [
            {k: f[k] for k in ("name", "content_type", "size", "sha256")}
            for f in (item.files or [])
        ],
        "error": item.error,
    }


def _check_create(principal: Principal, scope: str) -> None:
    """Province admins: any scope. Unit officers: a unit report of their own unit or one of
    its sub-units (what they can already see through the KPI API). Which roles generate at
    all is the route's declaration (chalicelib/api/routing.py)."""
    if principal.role == PROVINCE_ADMIN:
        return
    if scope == PROVINCE_SCOPE:
        raise Forbidden("Only province admins generate the province report")
    registry_service.check_unit_access(principal, scope)


def create_report(
    principal: Principal,
    *,
    campaign_id: str,
    start: dt.date | None,
    end: dt.date | None,
    scope: str,
    lang: str,
) -> tuple[dict[str, Any], bool]:
    """The report of these figures and whether it was generated now (False: the latest ready
    version already has them). At most REPORTS_PER_HOUR generations per user (429)."""
    _check_create(principal, scope)
    campaign = registry_service.get_campaign(campaign_id)
    ctx = ReportContext.load(campaign, start or campaign.start_date, end or campaign.end_date)
    if scope != PROVINCE_SCOPE and scope not in ctx.units:
        raise NotFound(f"Unit {scope!r} is not in the registry")
    label = period_label(campaign, ctx.period.start, ctx.period.end)
    ctx, content = build(ctx, scope, label, lang)
    last = latest_ready(campaign.campaign_id, label, scope, lang)
    if last is not None and last.figures_sha256 == content.figures_sha256():
        return report_out(last), False  # the same figures: that version, not a new one
    quotas.take(
        "reports",
        principal.sub or "anonymous",
        limit=get_settings().reports_per_hour,
        window_seconds=3600,
        what="report generations",
    )
    item = generate(
        ctx,
        scope,
        label,
        lang=lang,
        trigger=ON_DEMAND,
        requested_by=principal.sub or None,
        content=content,
    )
    return report_out(item), True


def _check_read(principal: Principal, item: ReportVersion) -> None:
    """Province roles read every report; a unit officer reads the reports of its own unit
    and its sub-units, never the province report (403)."""
    if principal.province_wide:
        return
    if item.scope == PROVINCE_SCOPE:
        raise Forbidden("The province report is for province roles")
    registry_service.check_unit_access(principal, item.scope)


def _readable(principal: Principal, report_id: str) -> ReportVersion:
    item = report_store.get(report_id)
    if item is None:
        raise NotFound(f"Report {report_id!r} does not exist")
    _check_read(principal, item)
    return item


def get_report(principal: Principal, report_id: str) -> dict[str, Any]:
    return report_out(_readable(principal, report_id))


def list_reports(
    principal: Principal,
    *,
    campaign_id: str | None,
    period: str | None,
    scope: str | None,
    limit: int,
    after: dict[str, str] | None,
) -> tuple[list[dict[str, Any]], dict[str, str] | None]:
    if period and not PERIOD_RE.match(period):
        raise InvalidInput(
            "Query parameter 'period' must be YYYY-MM, campaign, results or YYYY-MM-DD_YYYY-MM-DD"
        )
    campaign = (
        registry_service.get_campaign(campaign_id)
        if campaign_id
        else registry_service.current_campaign()
    )
    visible: set[str] | None = None
    if not principal.province_wide:
        if scope == PROVINCE_SCOPE:
            raise Forbidden("The province report is for province roles")
        if scope:
            registry_service.check_unit_access(principal, scope)
        visible = registry_service.visible_unit_ids(principal) or set()
    items, last = report_store.page(
        campaign.campaign_id,
        period=period,
        scope=scope,
        limit=limit,
        after=after,
        visible_scopes=visible,
    )
    return [report_out(i) for i in items], last


def download(principal: Principal, report_id: str, fmt: str) -> dict[str, Any]:
    if fmt not in FORMATS:
        raise InvalidInput(f"Query parameter 'format' must be one of {', '.join(FORMATS)}")
    item = _readable(principal, report_id)
    if item.status != "ready":
        raise Conflict(f"Report {report_id!r} is {item.status}, not ready")
    files = [f for f in (item.files or []) if _format_of(f["name"]) == fmt]
    if not files:
        raise NotFound(f"Report {report_id!r} has no {fmt} file")
    stem = f"{item.campaign_id}_{item.period}_{item.scope}_v{item.version}"
    signed = [
        (
            f,
            report_store.presigned_get(
                f["key"],
                filename=_download_name(stem, f["name"]),
                content_type=f["content_type"],
                expires_seconds=DOWNLOAD_URL_SECONDS,
            ),
        )
        for f in files
    ]
    links = [
        {"name": f["name"], "url": url, "content_type": f["content_type"], "size": f["size"]}
        for f, (url, _) in signed
    ]
    return {
        "report_id": report_id,
        "format": fmt,
        "expires_in": DOWNLOAD_URL_SECONDS,
        # When S3 stops honouring the links (botocore signs them with the host's clock).
        "expires_at": min(expires for _, (_, expires) in signed),
        "url": links[0]["url"] if fmt != "csv" else None,
        "files": links,
    }


def _format_of(name: str) -> str:
    if name.startswith("csv/"):
        return "csv"
    if name == "manifest.json":
        return "manifest"
    return name.rsplit(".", 1)[-1]


def _download_name(stem: str, name: str) -> str:
    if name.startswith("csv/"):
        return f"{stem}_{name[4:]}"
    if name == "manifest.json":
        return f"{stem}_manifest.json"
    return f"{stem}.{name.rsplit('.', 1)[-1]}"


# --- jobs ------------------------------------------------------------------------------------


def _scopes(ctx: ReportContext) -> list[str]:
    """The province report first, then every unit's."""
    return [PROVINCE_SCOPE, *sorted(ctx.units)]


def _monthly_plan(now: dt.datetime) -> dict[str, Any]:
    first, last, label = previous_local_month(now)
    items: list[list[str]] = []
    units = None
    for campaign in registry_service.list_campaigns():
        if campaign.status != "active":
            continue
        if campaign.start_date > last or campaign.end_date < first:
            continue
        start, end = campaign_month(campaign, first, last)
        if units is None:
            units = sorted(registry_store.registry_snapshot(max_age_seconds=0).units)
        for scope in (PROVINCE_SCOPE, *units):
            items.append([campaign.campaign_id, start.isoformat(), end.isoformat(), scope])
    return {"month": label, "pending": items}


def _load_plan() -> dict[str, Any] | None:
    cursor = job_store.cursor(JOB_MONTHLY)
    if not cursor:
        return None
    try:
        plan = json.loads(cursor)
    except ValueError:
        return None
    return plan if isinstance(plan, dict) and plan.get("pending") else None


def _drain(plan: dict[str, Any], deadline: float) -> dict[str, Any]:
    """Generate the plan's pending reports in order until done or out of time."""
    generated: list[str] = []
    failed: list[str] = []
    contexts: dict[tuple[str, str, str], ReportContext] = {}
    campaigns: dict[str, Campaign] = {}
    pending: list[list[str]] = plan["pending"]
    while pending:
        if clock.monotonic() > deadline:
            break
        campaign_id, start, end, scope = pending[0]
        try:
            if campaign_id not in campaigns:
                campaigns[campaign_id] = registry_service.get_campaign(campaign_id)
            key = (campaign_id, start, end)
            if key not in contexts:
                contexts[key] = ReportContext.load(
                    campaigns[campaign_id], dt.date.fromisoformat(start), dt.date.fromisoformat(end)
                )
            ctx = contexts[key]
            if scope == PROVINCE_SCOPE or scope in ctx.units:
                ctx, content = build(ctx, scope, plan["month"])
                contexts[key] = ctx
                item = generate(ctx, scope, plan["month"], trigger=JOB_MONTHLY, content=content)
                generated.append(item.report_id)
        except Exception:
            # One report's failure (logged, its index item marked failed) must not stop the
            # others; it is not retried in this run.
            logger.exception("monthly report failed", extra={"item": pending[0]})
            failed.append("~".join(pending[0]))
        pending.pop(0)
        job_store.save_cursor(JOB_MONTHLY, json.dumps(plan) if pending else None)
    return {"generated": generated, "failed": failed, "remaining": len(pending)}


def run_monthly_reports(deadline: float) -> dict[str, Any]:
    """Report the previous local month (or finish an interrupted run for that month)."""
    owner = uuid.uuid4().hex
    if not job_store.acquire_lease(JOB_MONTHLY, owner, LEASE_SECONDS):
        return {"skipped": "another monthly_reports run holds the lease", "done": True}
    started = clock.monotonic()
    try:
        now = clock.now()
        plan = _load_plan()
        month = previous_local_month(now)[2]
        resumed = plan is not None and plan.get("month") == month
        if not resumed:
            plan = _monthly_plan(now)
        assert plan is not None
        job_store.save_cursor(JOB_MONTHLY, json.dumps(plan) if plan["pending"] else None)
        result = _drain(plan, deadline)
        summary = {
            "month": plan["month"],
            "resumed": resumed,
            **result,
            "done": result["remaining"] == 0,
            "seconds": round(clock.monotonic() - started, 3),
        }
        job_store.record_run(JOB_MONTHLY, summary)
        logger.info("monthly reports", extra=summary)
        return summary
    finally:
        job_store.release_lease(JOB_MONTHLY, owner)


def _continue_monthly(deadline: float) -> dict[str, Any] | None:
    """Finish an interrupted monthly run (the monthly schedule fires once a month)."""
    if _load_plan() is None:
        return None
    owner = uuid.uuid4().hex
    if not job_store.acquire_lease(JOB_MONTHLY, owner, LEASE_SECONDS):
        return None
    try:
        plan = _load_plan()
        if plan is None:
            return None
        return {"month": plan["month"], **_drain(plan, deadline)}
    finally:
        job_store.release_lease(JOB_MONTHLY, owner)


def latest_ready(
    campaign_id: str, period: str, scope: str, lang: str | None = None
) -> ReportVersion | None:
    """The newest ready version (of the language, when one is given)."""
    for item in report_store.versions(campaign_id, period, scope):
        if item.status == "ready" and lang in (None, item.lang):
            return item
    return None


def _ended_campaigns(today: dt.date) -> Iterator[Campaign]:
    for campaign in registry_service.list_campaigns():
        if campaign.status != "active" or campaign.end_date >= today:
            continue
        if (today - campaign.end_date).days > CORRECTION_WINDOW_DAYS:
            continue
        yield campaign


def run_campaign_reports(deadline: float) -> dict[str, Any]:
    """End-of-campaign reports: the first night after the end, then after each correction."""
    started = clock.monotonic()
    monthly = _continue_monthly(deadline)
    owner = uuid.uuid4().hex
    if not job_store.acquire_lease(JOB_CAMPAIGN, owner, LEASE_SECONDS):
        return {"skipped": "another campaign_reports run holds the lease", "done": True}
    try:
        today = clock.local_today()
        generated: list[dict[str, str]] = []
        failed: list[str] = []
        unchanged = 0
        done = monthly is None or monthly["remaining"] == 0
        for campaign in _ended_campaigns(today):
            ctx = ReportContext.load(campaign, campaign.start_date, campaign.end_date)
            for scope in _scopes(ctx):
                if clock.monotonic() > deadline:
                    done = False
                    break
                try:
                    ctx, content = build(ctx, scope, "campaign")
                    last = latest_ready(campaign.campaign_id, "campaign", scope)
                    if last is not None and last.figures_sha256 == content.figures_sha256():
                        unchanged += 1
                        continue
                    item = generate(ctx, scope, "campaign", trigger=JOB_CAMPAIGN, content=content)
                    generated.append(
                        {
                            "report_id": item.report_id,
                            "reason": "first" if last is None else "figures_changed",
                        }
                    )
                except Exception:
                    logger.exception(
                        "campaign report failed",
                        extra={"campaign_id": campaign.campaign_id, "scope": scope},
                    )
                    failed.append(f"{campaign.campaign_id}~{scope}")
            if not done:
                break
        summary: dict[str, Any] = {
            "generated": generated,
            "unchanged": unchanged,
            "failed": failed,
            "monthly": monthly,
            "done": done,
            "seconds": round(clock.monotonic() - started, 3),
        }
        job_store.record_run(JOB_CAMPAIGN, summary)
        logger.info("campaign reports", extra=summary)
        return summary
    finally:
        job_store.release_lease(JOB_CAMPAIGN, owner)

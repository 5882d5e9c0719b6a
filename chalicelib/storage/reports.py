"""The report index (DynamoDB) and the report files (S3).

Layout: ``reports/{campaign_id}/{period}/{scope}/v{n}/`` holds ``report.xlsx``, ``report.pdf``,
``csv/{table}.csv`` and ``manifest.json`` (written last). A version is claimed by a conditional
put of its index item before any file is written, so two generators never share a version and
no object is ever overwritten.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from pynamodb.exceptions import PutError, UpdateError

from chalicelib.domain.reports import ReportVersion
from chalicelib.settings import get_settings
from chalicelib.storage.aws import client, link_expires_at, presigned_get_url, sse_params
from chalicelib.storage.models import ReportModel, condition_failed, first_page, start_key

PREFIX = "reports/"
VERSION_DIGITS = 6
MAX_CLAIM_ATTEMPTS = 20


def report_id(campaign_id: str, period: str, scope: str, version: int) -> str:
    # "~" is in no campaign, period or unit id, so the id is unambiguous.
    return f"{campaign_id}~{period}~{scope}~v{version}"


def listing_key(period: str, scope: str, version: int) -> str:
    return f"{period}#{scope}#v{version:0{VERSION_DIGITS}d}"


def key_prefix(campaign_id: str, period: str, scope: str, version: int) -> str:
    return f"{PREFIX}{campaign_id}/{period}/{scope}/v{version}/"


def _version(item: ReportModel) -> ReportVersion:
    return ReportVersion(
        report_id=item.report_id,
        campaign_id=item.campaign_id,
        period=item.period,
        scope=item.scope,
        version=int(item.version),
        period_from=item.period_from,
        period_to=item.period_to,
        lang=item.lang,
        status=item.status,
        trigger=item.trigger,
        requested_by=item.requested_by,
        prefix=item.prefix,
        created_at=item.created_at,
        completed_at=item.completed_at,
        as_of=item.as_of,
        summary=dict(item.summary) if item.summary is not None else None,
        figures_sha256=item.figures_sha256,
        files=list(item.files) if item.files is not None else None,
        error=item.error,
        listing_key=item.listing_key,
    )


def get(report_id_: str) -> ReportVersion | None:
    try:
        return _version(ReportModel.get(report_id_, consistent_read=True))
    except ReportModel.DoesNotExist:
        return None


def versions(campaign_id: str, period: str, scope: str) -> Iterator[ReportVersion]:
    """Every version of (campaign, period, scope), newest first (the index is eventually
    consistent: callers that need certainty use the conditional claim)."""
    for item in ReportModel.by_campaign.query(
        campaign_id,
        range_key_condition=ReportModel.listing_key.startswith(f"{period}#{scope}#v"),
        scan_index_forward=False,
    ):
        yield _version(item)


def latest_version_number(campaign_id: str, period: str, scope: str) -> int:
    for item in versions(campaign_id, period, scope):
        return int(item.version)
    return 0


def claim_version(
    *,
    campaign_id: str,
    period: str,
    scope: str,
    period_from: dt.date,
    period_to: dt.date,
    lang: str,
    trigger: str,
    requested_by: str | None,
    now: dt.datetime,
) -> ReportVersion:
    """Create the index item of the next free version (status "generating").

    The key contains the version, so ``attribute_not_exists`` makes the put fail for a
    version someone else already holds; then the next number is tried.
    """
    version = latest_version_number(campaign_id, period, scope) + 1
    for _ in range(MAX_CLAIM_ATTEMPTS):
        item = ReportModel(
            report_id(campaign_id, period, scope, version),
            campaign_id=campaign_id,
            listing_key=listing_key(period, scope, version),
            period=period,
            scope=scope,
            version=version,
            period_from=period_from.isoformat(),
            period_to=period_to.isoformat(),
            lang=lang,
            status="generating",
            trigger=trigger,
            requested_by=requested_by,
            prefix=key_prefix(campaign_id, period, scope, version),
            created_at=now,
        )
        try:
            item.save(condition=ReportModel.report_id.does_not_exist())
        except PutError as exc:
            if not condition_failed(exc):
                raise
            version += 1
            continue
        return _version(item)
    raise RuntimeError(f"could not claim a report version for {campaign_id}/{period}/{scope}")


def mark_ready(
    report_id_: str,
    *,
    files: list[dict[str, Any]],
    as_of: dt.datetime | None,
    figures_sha256: str,
    summary: dict[str, Any],
    now: dt.datetime,
) -> None:
    actions: list[Any] = [
        ReportModel.status.set("ready"),
        ReportModel.files.set(files),
        ReportModel.figures_sha256.set(figures_sha256),
        ReportModel.summary.set(summary),
        ReportModel.completed_at.set(now),
    ]
    if as_of is not None:
        actions.append(ReportModel.as_of.set(as_of))
    ReportModel(report_id_).update(actions=actions, condition=ReportModel.status == "generating")


def mark_failed(report_id_: str, error: str, now: dt.datetime) -> None:
    try:
        ReportModel(report_id_).update(
            actions=[
                ReportModel.status.set("failed"),
                ReportModel.error.set(error[:1000]),
                ReportModel.completed_at.set(now),
            ],
            condition=ReportModel.status == "generating",
        )
    except UpdateError as exc:
        if not condition_failed(exc):
            raise


def page(
    campaign_id: str,
    *,
    period: str | None,
    scope: str | None,
    limit: int,
    after: dict[str, str] | None,
    visible_scopes: set[str] | None,
) -> tuple[list[ReportVersion], dict[str, str] | None]:
    """Newest first. ``visible_scopes`` (None = every scope) filters for a unit officer."""
    condition: Any = None
    if period and scope:
        condition = ReportModel.listing_key.startswith(f"{period}#{scope}#v")
    elif period:
        condition = ReportModel.listing_key.startswith(f"{period}#")
    filter_condition = ReportModel.scope == scope if scope and not period else None
    items = ReportModel.by_campaign.query(
        campaign_id,
        range_key_condition=condition,
        filter_condition=filter_condition,
        scan_index_forward=False,
        last_evaluated_key=start_key(after, campaign_id=campaign_id),
        page_size=max(limit + 1, 25),
    )
    return first_page(
        (
            _version(item)
            for item in items
            if visible_scopes is None or item.scope in visible_scopes
        ),
        limit,
        lambda last: {"report_id": last.report_id, "listing_key": last.listing_key},
    )


# --- S3 -------------------------------------------------------------------------------------


def put_file(key: str, body: bytes, content_type: str, report_id_: str) -> None:
    if not key.startswith(PREFIX):
        raise ValueError(f"report objects live under {PREFIX}: {key!r}")
    client("s3").put_object(
        Bucket=get_settings().reports_bucket,
        Key=key,
        Body=body,
        ContentType=content_type,
        Metadata={"report-id": report_id_},
        **sse_params(),
    )


def get_file(key: str) -> bytes:
    obj = client("s3").get_object(Bucket=get_settings().reports_bucket, Key=key)
    return bytes(obj["Body"].read())


def presigned_get(
    key: str, *, filename: str, content_type: str, expires_seconds: int
) -> tuple[str, dt.datetime]:
    """The link and when S3 stops honouring it."""
    url = presigned_get_url(
        get_settings().reports_bucket,
        key,
        content_type=content_type,
        disposition=f'attachment; filename="{filename}"',
        expires_seconds=expires_seconds,
    )
    return url, link_expires_at(url)

"""What is due today: each item names its message key, its kind, the unit it is about,
its recipients and how to word it for one recipient (the unsubscribe link is theirs).

Read from the KPI service, the results reports, the nominations' audit trail and the
freshness figures; `today` is the province's date (clock.local_today)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from chalicelib import clock
from chalicelib.domain import kpi
from chalicelib.domain import notifications as rules
from chalicelib.domain import results_reports as report_rules
from chalicelib.domain.campaigns import Campaign
from chalicelib.domain.nominations import NOMINABLE_LEVELS
from chalicelib.domain.registry import ContactRecord, UnitRecord
from chalicelib.domain.vocabulary import LEVEL_DIVISION, LEVEL_PROVINCE, RANKED_LEVELS
from chalicelib.services import kpi as kpi_service
from chalicelib.services import registry as registry_service
from chalicelib.services.notifications import compose
from chalicelib.settings import get_settings
from chalicelib.storage import aggregates as aggregate_store
from chalicelib.storage import contacts as contact_store
from chalicelib.storage import initiatives as initiative_store
from chalicelib.storage import monitoring
from chalicelib.storage import nominations as nomination_store
from chalicelib.storage import registry as registry_store
from chalicelib.storage import results_reports as results_store
from chalicelib.storage import sources as source_store

# (unsubscribe link, console link) -> subject, text, html
Render = Callable[[str, str], compose.Rendered]
# The roles of a unit's contacts that hear about the unit; admins hear the alerts.
UNIT_ROLES = ("head", "clerk")
ALERT_ROLES = ("admin",)
# The digest goes out during the campaign and until a week after its end or last deadline.
DIGEST_AFTER_END_DAYS = 7


@dataclass(frozen=True)
class Due:
    key: str  # the recipient is appended
    kind: str
    unit_id: str | None
    campaign_id: str | None
    recipients: tuple[str, ...]
    render: Render
    console_path: str = "/"


class Directory:
    """Units and their contacts, read once per run."""

    def __init__(self) -> None:
        self.units: dict[str, UnitRecord] = dict(
            registry_store.registry_snapshot(max_age_seconds=0).units
        )
        self.contacts: dict[str, list[ContactRecord]] = defaultdict(list)
        for contact in contact_store.all_contacts():
            self.contacts[contact.unit_id].append(contact)

    def of_unit(self, unit_id: str, roles: tuple[str, ...] = UNIT_ROLES) -> tuple[str, ...]:
        return tuple(sorted({c.email for c in self.contacts.get(unit_id, []) if c.role in roles}))

    def admins(self) -> tuple[str, ...]:
        province = [u.unit_id for u in self.units.values() if u.level == LEVEL_PROVINCE]
        return tuple(sorted({e for u in province for e in self.of_unit(u, ALERT_ROLES)}))


def live_campaigns() -> list[Campaign]:
    return [c for c in registry_service.list_campaigns() if c.status == "active"]


# --- reminders ----------------------------------------------------------------------------


def reminders(campaign: Campaign, today: dt.date, directory: Directory) -> Iterator[Due]:
    reports = {r.unit_id: r for r in results_store.of_campaign(campaign.campaign_id)}
    for unit in sorted(directory.units.values(), key=lambda u: u.unit_id):
        deadline = report_rules.deadline_for(campaign, unit.level)
        if deadline is None:
            continue
        days = rules.reminder_due(deadline, today)
        report = reports.get(unit.unit_id)
        if days is None or (report is not None and report.status == "submitted"):
            continue
        yield _reminder(campaign, unit, "results_report", deadline, days, directory)
    for subject_key, deadline, submitted_units in (
        (
            "nomination",
            campaign.nomination_deadline,
            lambda: {
                n.unit_id
                for n in nomination_store.campaign_nominations(campaign.campaign_id)
                if n.status != "draft"
            },
        ),
        (
            "initiative",
            campaign.initiative_deadline,
            lambda: {
                i.unit_id
                for i in initiative_store.campaign_initiatives(campaign.campaign_id)
                if i.status != "draft"
            },
        ),
    ):
        days = rules.reminder_due(deadline, today) if deadline else None
        if deadline is None or days is None:
            continue
        submitted = submitted_units()
        for unit in sorted(directory.units.values(), key=lambda u: u.unit_id):
            # Departments and communes nominate and register initiatives (a division's go
            # through its department).
            concerned = unit.level in NOMINABLE_LEVELS and unit.level != LEVEL_DIVISION
            if concerned and unit.unit_id not in submitted:
                yield _reminder(campaign, unit, subject_key, deadline, days, directory)


def _reminder(
    campaign: Campaign,
    unit: UnitRecord,
    subject_key: str,
    deadline: dt.date,
    days: int,
    directory: Directory,
) -> Due:
    def render(unsubscribe: str, console: str) -> compose.Rendered:
        return compose.reminder(
            unit_name=unit.name,
            campaign_name=campaign.name,
            subject_key=subject_key,
            deadline=deadline,
            days=days,
            unsubscribe=unsubscribe,
            console=console,
        )

    return Due(
        rules.message_key(
            rules.KIND_REMINDER,
            campaign.campaign_id,
            subject_key,
            unit.unit_id,
            deadline.isoformat(),
            f"d{days}",
        ),
        rules.KIND_REMINDER,
        unit.unit_id,
        campaign.campaign_id,
        directory.of_unit(unit.unit_id),
        render,
        {"results_report": "/#/results", "initiative": "/#/initiatives"}.get(
            subject_key, "/#/nominations"
        ),
    )


# --- weekly digest --------------------------------------------------------------------------


def _ranks(table: list[dict[str, Any]]) -> dict[str, tuple[int, int]]:
    """unit_id -> (rank within its level, units of the level)."""
    out: dict[str, tuple[int, int]] = {}
    for level in RANKED_LEVELS:
        rows = [kpi_service.scoreboard_row(r) for r in table if r["unit"].level == level]
        for ranked in kpi.rank(rows):
            out[ranked["unit_id"]] = (int(ranked["rank"]), len(rows))
    return out


def digest_window(campaign: Campaign) -> tuple[dt.date, dt.date]:
    """From the campaign's start until a week after its end or its last deadline (units
    still report and nominate after the end)."""
    deadlines = [
        d
        for d in (
            campaign.unit_report_deadline,
            campaign.department_report_deadline,
            campaign.nomination_deadline,
        )
        if d is not None
    ]
    last = max([campaign.end_date, *deadlines])
    return campaign.start_date, last + dt.timedelta(days=DIGEST_AFTER_END_DAYS)


def digests(campaign: Campaign, today: dt.date, directory: Directory) -> Iterator[Due]:
    first, last = digest_window(campaign)
    if not first <= today <= last:
        return
    units = [
        u
        for u in directory.units.values()
        if u.level in RANKED_LEVELS and directory.of_unit(u.unit_id)
    ]
    if not units:
        return
    end = min(today, campaign.end_date)
    period = kpi_service.Range(campaign.start_date, end)
    everyone = [u for u in directory.units.values() if u.level in RANKED_LEVELS]
    table = kpi_service.unit_table(everyone, period, campaign)
    ranks = _ranks(table)
    before = end - dt.timedelta(days=7)
    previous = (
        _ranks(
            kpi_service.unit_table(
                everyone, kpi_service.Range(campaign.start_date, before), campaign
            )
        )
        if before >= campaign.start_date
        else {}
    )
    rows = {r["unit"].unit_id: r for r in table}
    week = rules.week_key(today)
    targets = {**campaign.rate_targets(), "two_way_interconnection": True}
    for unit in sorted(units, key=lambda u: u.unit_id):
        row = rows[unit.unit_id]
        rank, of = ranks.get(unit.unit_id, (None, 0))
        previous_rank = previous.get(unit.unit_id, (None, 0))[0]

        def render(
            unsubscribe: str,
            console: str,
            unit: UnitRecord = unit,
            row: dict[str, Any] = row,
            rank: int | None = rank,
            of: int = of,
            previous_rank: int | None = previous_rank,
        ) -> compose.Rendered:
            return compose.digest(
                unit_name=unit.name,
                campaign_name=campaign.name,
                week=week,
                start=period.start,
                end=period.end,
                metrics=row["metrics"],
                targets=targets,
                compliance=row["compliance"],
                score=row["score"],
                rank=rank,
                of=of,
                previous_rank=previous_rank,
                unsubscribe=unsubscribe,
                console=console,
            )

        yield Due(
            rules.message_key(rules.KIND_DIGEST, campaign.campaign_id, unit.unit_id, week),
            rules.KIND_DIGEST,
            unit.unit_id,
            campaign.campaign_id,
            directory.of_unit(unit.unit_id),
            render,
            f"/#/units/{unit.unit_id}",
        )


# --- status changes ---------------------------------------------------------------------------


def status_changes(now: dt.datetime, directory: Directory) -> Iterator[Due]:
    since = now - dt.timedelta(days=rules.STATUS_LOOKBACK_DAYS)
    zone = get_settings().zone
    nominations: dict[str, tuple[str, str, str] | None] = {}
    actions = tuple(a for a in rules.STATUS_ACTIONS)
    # The audit trail is shared: a record's id is a nomination's or an initiative's.
    for record in nomination_store.audit_records_since(since, actions):
        dossier_id = record.nomination_id
        if dossier_id not in nominations:
            dossier = nomination_store.get_nomination(dossier_id)
            if dossier is not None:
                kind = "tập thể" if dossier.kind == "collective" else "cá nhân"
                nominations[dossier_id] = (
                    "nomination",
                    dossier.unit_id,
                    f"hồ sơ đề nghị khen thưởng {kind}",
                )
            else:
                initiative = initiative_store.get_initiative(dossier_id)
                nominations[dossier_id] = (
                    ("initiative", initiative.unit_id, "sáng kiến đăng ký")
                    if initiative is not None
                    else None
                )
        found = nominations[dossier_id]
        if found is None or found[1] not in directory.units:
            continue
        about, unit_id, what = found
        yield _status(
            directory.units[unit_id],
            about,
            dossier_id,
            record.action,
            record.at,
            what,
            zone,
            directory,
        )
    for report in results_store.all_reports():
        unit_record = directory.units.get(report.unit_id)
        if unit_record is None:
            continue
        for entry in report.history:
            if entry.get("action") != "returned":
                continue
            at = dt.datetime.fromisoformat(str(entry["at"]))
            if at < since:
                continue
            yield _status(
                unit_record,
                "results_report",
                report.results_report_id,
                "returned",
                at,
                "báo cáo kết quả thực hiện phong trào",
                zone,
                directory,
            )


def _status(
    unit: UnitRecord,
    about: str,
    reference: str,
    action: str,
    at: dt.datetime,
    what: str,
    zone: dt.tzinfo,
    directory: Directory,
) -> Due:
    def render(unsubscribe: str, console: str) -> compose.Rendered:
        return compose.status_change(
            unit_name=unit.name,
            what=what,
            reference=reference[:8],
            action=action,
            at=at,
            zone=zone,
            unsubscribe=unsubscribe,
            console=console,
        )

    stamp = at.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%S%f")
    return Due(
        rules.message_key(rules.KIND_STATUS, about, reference, action, stamp),
        rules.KIND_STATUS,
        unit.unit_id,
        None,
        directory.of_unit(unit.unit_id),
        render,
        {"results_report": "/#/results", "initiative": "/#/initiatives"}.get(
            about, f"/#/nominations/{reference}"
        ),
    )


# --- province admins' alerts ------------------------------------------------------------------


def alerts(now: dt.datetime, today: dt.date, directory: Directory) -> Iterator[Due]:
    settings = get_settings()
    hours = settings.silent_after_hours
    cutoff = now - dt.timedelta(hours=hours)
    latest = aggregate_store.all_freshness()
    silent_sources = [
        s.name
        for s in source_store.list_sources()
        if s.enabled
        and (latest.get(f"source#{s.source_id}") or dt.datetime.min.replace(tzinfo=dt.UTC)) < cutoff
    ]
    silent_units = sum(
        1
        for u in directory.units.values()
        if (latest.get(f"unit#{u.unit_id}") or dt.datetime.min.replace(tzinfo=dt.UTC)) < cutoff
    )
    alarms = monitoring.firing_alarms(settings.alarm_prefix)
    if not (silent_sources or silent_units or alarms):
        return

    def render(unsubscribe: str, console: str) -> compose.Rendered:
        return compose.alert(
            day=today,
            silent_sources=silent_sources,
            silent_units=silent_units,
            alarms=alarms,
            hours=hours,
            unsubscribe=unsubscribe,
            console=console,
        )

    yield Due(
        rules.message_key(rules.KIND_ALERT, today.isoformat()),
        rules.KIND_ALERT,
        None,
        None,
        directory.admins(),
        render,
        "/#/freshness",
    )


def everything_due(now: dt.datetime | None = None) -> list[Due]:
    now = now or clock.now()
    today = now.astimezone(get_settings().zone).date()
    directory = Directory()
    due: list[Due] = []
    for campaign in live_campaigns():
        due += reminders(campaign, today, directory)
        due += digests(campaign, today, directory)
    due += status_changes(now, directory)
    due += alerts(now, today, directory)
    return due

"""The aggregate_kpi job: fold newly ingested events into per-document state and
per-(scope, local day) aggregates, incrementally.

- Incremental: a run reads the inbox after its cursor, the documents those
  events touch and the daily items they change; never the history.
- Exactly once: document state is a lattice over the set of events (re-applying
  an event changes nothing), and each document's new state is committed in one
  transaction with the daily deltas it causes, under version conditions.
- One run at a time: a lease item; a second run returns at once. A crashed
  run's lease expires and the next run resumes from the last committed cursor.
- Bounded: the run stops before its deadline between inbox items.
"""

from __future__ import annotations

import datetime as dt
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from typing import Any
from zoneinfo import ZoneInfo

from chalicelib.domain import kpi
from chalicelib.observability import NAMESPACE, logger, metrics
from chalicelib.services.exemption import redact_pending
from chalicelib.settings import get_settings
from chalicelib.storage import aggregates as store
from chalicelib.storage import events as inbox
from chalicelib.storage import jobs
from chalicelib.storage.models import DailyAggregateModel, DocumentStateModel, EvaluationModel

JOB = "aggregate_kpi"
MAX_TRANSACTION_RETRIES = 4


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def run_aggregation(deadline: float) -> dict[str, Any]:
    settings = get_settings()
    owner = uuid.uuid4().hex
    lease = settings.aggregate_lease_seconds
    if not jobs.acquire_lease(JOB, owner, lease):
        return {"skipped": "another aggregation run holds the lease"}
    started = time.monotonic()
    summary: dict[str, Any] = {
        "inbox_items": 0,
        "events": 0,
        "documents_changed": 0,
        "daily_items_written": 0,
        "evaluations_changed": 0,
    }
    try:
        state = jobs.load(JOB)
        until = _now() - dt.timedelta(seconds=settings.aggregate_settle_seconds)
        zone = ZoneInfo(settings.timezone)
        done = True
        last_seq: str | None = None
        freshness: dict[str, dt.datetime] = {}
        for batch in inbox.inbox_read(state.cursor, until):
            if time.monotonic() > deadline:
                done = False
                break
            result = apply_records(batch.records, zone)
            _note_freshness(freshness, batch.records, batch.source_id, _seq_time(batch.seq))
            for key, value in result.items():
                summary[key] = summary.get(key, 0) + value
            summary["inbox_items"] += 1
            summary["events"] += len(batch.records)
            last_seq = batch.seq
            if not jobs.commit_progress(JOB, owner, batch.seq, _seq_time(batch.seq), lease):
                raise RuntimeError("lost the aggregation lease mid-run")
        if done:
            # Everything ingested up to `until` is folded in: the watermark moves.
            jobs.commit_progress(JOB, owner, last_seq or state.cursor, until, lease)
        for key, moment in freshness.items():
            store.touch_freshness(key, moment)
        as_of = until if done else (_seq_time(last_seq) if last_seq else None)
        summary["done"] = done
        summary["as_of"] = as_of.isoformat() if as_of else None
        summary["seconds"] = round(time.monotonic() - started, 3)
        summary["redaction"] = redact_pending(deadline)
        report_silence(settings.silent_after_hours)
        jobs.record_run(JOB, summary)
        metrics.add_metric(name="AggregatedEvents", unit="Count", value=summary["events"])
        logger.info("aggregation run", extra=summary)
        return summary
    finally:
        jobs.release_lease(JOB, owner)


def _seq_time(seq: str) -> dt.datetime:
    stamp = seq.split("#", 1)[0]
    try:
        return dt.datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=dt.UTC)
    except ValueError:
        return dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def apply_records(records: list[dict[str, Any]], zone: ZoneInfo) -> dict[str, int]:
    """Fold one inbox item's events; safe to call again with the same records."""
    by_document: dict[str, list[dict[str, Any]]] = defaultdict(list)
    evaluations: list[dict[str, Any]] = []
    for record in records:
        if record["type"] == "official.evaluated":
            evaluations.append(record)
        else:
            by_document[f"{record['source_id']}#{record['document']['id']}"].append(record)
    result = {"documents_changed": 0, "daily_items_written": 0, "evaluations_changed": 0}
    if by_document:
        changed, written = _apply_documents(by_document, zone)
        result["documents_changed"] += changed
        result["daily_items_written"] += written
    if evaluations:
        result["evaluations_changed"] += _apply_evaluations(evaluations)
    return result


Fold = Callable[[dict[str, Any] | None, list[dict[str, Any]]], dict[str, Any]]


def _apply_documents(
    by_document: Mapping[str, list[dict[str, Any]]], zone: ZoneInfo, fold: Fold = kpi.fold_events
) -> tuple[int, int]:
    pending_keys = list(by_document)
    changed = written = 0
    for attempt in range(MAX_TRANSACTION_RETRIES):
        try:
            c, w = _apply_documents_once({k: by_document[k] for k in pending_keys}, zone, fold)
            return changed + c, written + w
        except _Conflict as conflict:
            # Someone else wrote these items meanwhile: re-read and recompute them.
            changed += conflict.changed
            written += conflict.written
            pending_keys = conflict.remaining
            logger.warning("transaction conflict; retrying", extra={"attempt": attempt + 1})
    raise RuntimeError("could not commit document state after retries")


class _Conflict(Exception):
    def __init__(self, remaining: list[str], changed: int, written: int) -> None:
        super().__init__("transaction conflict")
        self.remaining = remaining
        self.changed = changed
        self.written = written


def _apply_documents_once(
    by_document: Mapping[str, list[dict[str, Any]]], zone: ZoneInfo, fold: Fold
) -> tuple[int, int]:
    from pynamodb.exceptions import TransactWriteError

    current = store.load_documents(by_document)
    updates: list[tuple[str, DocumentStateModel, dict[tuple[str, str], dict[str, int]]]] = []
    for key, records in by_document.items():
        existing = current.get(key)
        old_state = dict(existing.state) if existing is not None else None
        new_state = fold(old_state, records)
        if new_state == old_state:
            continue  # already applied (a redelivery or a resumed run)
        old_contrib = kpi.contributions(old_state, zone) if old_state else {}
        delta = kpi.diff_contributions(old_contrib, kpi.contributions(new_state, zone))
        item = existing if existing is not None else DocumentStateModel(key)
        item.state = new_state
        updates.append((key, item, delta))
    if not updates:
        return 0, 0

    daily = store.load_daily({scope_day for _, _, delta in updates for scope_day in delta})
    changed = written = 0
    done_keys: set[str] = set()
    for group in _transaction_groups(updates):
        pending = store.PendingWrite()
        for _key, item, delta in group:
            pending.documents.append(item)
            for scope_day, counters in delta.items():
                aggregate = pending.daily.get(scope_day) or daily.get(scope_day)
                if aggregate is None:
                    aggregate = DailyAggregateModel(scope_day[0], scope_day[1], counters={})
                    daily[scope_day] = aggregate
                totals = store.counters_of(aggregate)
                for name, value in counters.items():
                    totals[name] = totals.get(name, 0) + value
                store.set_counters(aggregate, totals)
                pending.daily[scope_day] = aggregate
        try:
            store.commit(pending)
        except TransactWriteError:
            remaining = [k for k, _, _ in updates if k not in done_keys]
            raise _Conflict(remaining, changed, written) from None
        done_keys.update(k for k, _, _ in group)
        changed += len(group)
        written += len(pending.daily)
    return changed, written


def join_exempt(doc_keys: Iterable[str]) -> int:
    """Make documents exempt in their state and in the daily figures (a marker says so,
    whether or not its marking event is folded yet); a lattice join, safe to repeat and to
    race with a fold. Returns how many states changed."""

    def join(old: dict[str, Any] | None, parts: list[dict[str, Any]]) -> dict[str, Any]:
        return kpi.merge_states(old if old is not None else parts[0], parts[0])

    parts = {}
    for key in doc_keys:
        source_id, _, document_id = key.partition("#")
        parts[key] = [kpi.exempt_state(source_id, document_id)]
    changed, _ = _apply_documents(parts, ZoneInfo(get_settings().timezone), join)
    return changed


def _transaction_groups(
    updates: list[tuple[str, DocumentStateModel, dict[tuple[str, str], dict[str, int]]]],
) -> list[list[tuple[str, DocumentStateModel, dict[tuple[str, str], dict[str, int]]]]]:
    """Pack documents into transactions of at most 100 distinct items."""
    groups: list[list[Any]] = []
    current: list[Any] = []
    items: set[Any] = set()
    for update in updates:
        needed = {("doc", update[0]), *(("day", k) for k in update[2])}
        if current and len(items | needed) > store.TRANSACTION_LIMIT:
            groups.append(current)
            current, items = [], set()
        current.append(update)
        items |= needed
    if current:
        groups.append(current)
    return groups


def _apply_evaluations(records: list[dict[str, Any]]) -> int:
    keys = {(r["official_id"], r["period"]) for r in records}
    existing = store.load_evaluations(keys)
    merged: dict[tuple[str, str], dict[str, Any]] = {k: dict(v.record) for k, v in existing.items()}
    for record in records:
        key = (record["official_id"], record["period"])
        merged[key] = kpi.merge_evaluation(merged.get(key), record)
    to_save = []
    for key, value in merged.items():
        item = existing.get(key)
        if item is not None and dict(item.record) == value:
            continue
        to_save.append(EvaluationModel(key[0], key[1], record=value))
    store.save_evaluations(to_save)
    return len(to_save)


def _note_freshness(
    latest: dict[str, dt.datetime],
    records: list[dict[str, Any]],
    source_id: str,
    received_at: dt.datetime,
) -> None:
    """A unit's last event is its latest occurred_at; a source's is its latest delivery."""

    def keep(key: str, moment: dt.datetime) -> None:
        if key not in latest or latest[key] < moment:
            latest[key] = moment

    keep(f"source#{source_id}", received_at)
    for record in records:
        keep(
            f"unit#{record['unit_id']}",
            dt.datetime.fromisoformat(record["occurred_at"]).astimezone(dt.UTC),
        )


def report_silence(hours: int) -> list[str]:
    """Emit one metric per source silent for more than `hours` (an alarm target)."""
    from aws_lambda_powertools.metrics import MetricUnit, single_metric

    from chalicelib.storage.sources import list_sources

    cutoff = _now() - dt.timedelta(hours=hours)
    fresh = store.all_freshness()
    silent = []
    for source in list_sources():
        if not source.enabled:
            continue
        last = fresh.get(f"source#{source.source_id}")
        if last is None or last < cutoff:
            silent.append(source.source_id)
            with single_metric(
                name="SourceSilent", unit=MetricUnit.Count, value=1, namespace=NAMESPACE
            ) as metric:
                metric.add_dimension(name="source_id", value=source.source_id)
    metrics.add_metric(name="SilentSources", unit="Count", value=len(silent))
    return silent

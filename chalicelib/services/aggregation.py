"""Aggregation: fold accepted events into per-document state and per-(scope, local day)
aggregates, driven by ingestion.

- Live: the inbox table's stream feeds `fold_stream_records` (the `fold_inbox` function)
  within seconds of each write; nothing waits for a time-based cursor.
- Nothing passed over: each inbox item has a pending marker, written before it and deleted
  only once its events are folded. The `aggregate_kpi` job is a sweep over the markers
  left (a batch that failed all its retries, a stream outage), whatever their timestamps,
  except those younger than SWEEP_MIN_AGE_SECONDS (5 minutes in the deployed stage): the
  stream folds those within seconds, and a sweep folding them at the same moment only
  races the consumers for the same documents. A later sweep takes any the stream missed,
  and `as_of` never passes a pending item, whatever its age.
- Exactly once in effect: document state is a lattice over the set of events (re-applying
  an event changes nothing), and each document's new state is committed in one
  transaction with the daily deltas it causes, under version conditions (storage retries
  on conflicts), so redelivered batches and concurrent consumers are harmless.
- `as_of`: every event ingested before it is folded in. After folding, it moves to the
  moment of the check, or to the oldest inbox item still pending if there is one.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any
from zoneinfo import ZoneInfo

from chalicelib import clock
from chalicelib.domain.evaluations import merge_evaluation
from chalicelib.domain.vocabulary import EV_EVALUATED
from chalicelib.observability import NAMESPACE, logger, metrics
from chalicelib.services import document_folds
from chalicelib.services.exemption import redact_pending
from chalicelib.settings import get_settings
from chalicelib.storage import aggregates as aggregate_store
from chalicelib.storage import events as event_store
from chalicelib.storage import jobs as job_store
from chalicelib.storage import sources as source_store

JOB = "aggregate_kpi"
SWEEP_CHUNK = 100  # inbox items folded together by the sweep
# A marker whose inbox item does not exist may belong to a write still in flight (the
# webhook writes the marker first); older than the webhook function's timeout, it is stale.
ORPHAN_MARKER_SECONDS = 120


# --- the stream consumer ------------------------------------------------------------------


def fold_stream_records(records: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """Fold the inbox items of a batch of DynamoDB stream records (Lambda's shape).

    Returns the partial-batch response: the sequence numbers of the records whose items
    could not be folded (Lambda retries from the first of them; the rest of the batch
    is folded already and refolding it changes nothing)."""
    items: list[tuple[str, event_store.InboxBatch]] = []
    for record in records:
        image = record.get("dynamodb", {}).get("NewImage")
        if record.get("eventName") not in ("INSERT", "MODIFY") or not image:
            continue  # a removal: nothing to fold
        items.append(
            (record["dynamodb"]["SequenceNumber"], event_store.inbox_from_stream_image(image))
        )
    failed: list[str] = []
    summary: dict[str, Any] = {"inbox_items": len(items), "events": 0}
    if items:
        try:
            _add(summary, fold([batch for _, batch in items]))
        except Exception:
            # Find the items at fault: fold one by one (what was committed stays folded).
            logger.exception("batch fold failed; folding item by item")
            for sequence_number, batch in items:
                try:
                    _add(summary, fold([batch]))
                except Exception:
                    logger.exception("inbox item fold failed", extra={"seq": batch.seq})
                    failed.append(sequence_number)
        advance_as_of()
    summary["failed"] = len(failed)
    metrics.add_metric(name="StreamFoldedEvents", unit="Count", value=summary["events"])
    if failed:
        metrics.add_metric(name="StreamFoldFailures", unit="Count", value=len(failed))
    logger.info("stream batch folded", extra=summary)
    return {"batchItemFailures": [{"itemIdentifier": s} for s in failed]}


def _add(summary: dict[str, Any], result: Mapping[str, int]) -> None:
    for key, value in result.items():
        summary[key] = summary.get(key, 0) + value


# --- folding ------------------------------------------------------------------------------


def fold(batches: list[event_store.InboxBatch]) -> dict[str, int]:
    """Fold inbox items and clear their pending markers; safe to repeat with the same
    items, and alongside other consumers folding overlapping ones."""
    # Each record carries its inbox item's key into the fold, which notes it in the
    # document's references (what a later secret marking redacts; issue 23).
    records = [{**r, "_inbox": batch.key} for batch in batches for r in batch.records]
    result = apply_records(records, get_settings().zone)
    freshness: dict[str, dt.datetime] = {}
    for batch in batches:
        _note_freshness(freshness, batch.records, batch.source_id, batch.ingested_at)
    for key, moment in freshness.items():
        aggregate_store.touch_freshness(key, moment)
    event_store.mark_folded([(b.bucket, b.seq) for b in batches])
    result["events"] = len(records)
    return result


def advance_as_of() -> dt.datetime:
    """Move as_of forward to what is known folded now: everything ingested before the
    oldest pending inbox item, or before this check when none is pending. Markers are
    written before their items, so an item ingested before the check is either pending
    or folded."""
    checked = clock.now()
    oldest = event_store.oldest_pending()
    moment = checked if oldest is None else min(checked, oldest)
    job_store.advance_as_of(JOB, moment)
    return moment


def apply_records(records: list[dict[str, Any]], zone: ZoneInfo) -> dict[str, int]:
    """Fold events into document state, daily aggregates and evaluations; safe to call
    again with the same records."""
    by_document: dict[str, list[dict[str, Any]]] = defaultdict(list)
    evaluations: list[dict[str, Any]] = []
    for record in records:
        if record["type"] == EV_EVALUATED:
            evaluations.append({k: v for k, v in record.items() if k != "_inbox"})
        else:
            by_document[f"{record['source_id']}#{record['document']['id']}"].append(record)
    result = {"documents_changed": 0, "daily_items_written": 0, "evaluations_changed": 0}
    if by_document:
        changed, written = document_folds.fold_documents(by_document, zone)
        result["documents_changed"] = changed
        result["daily_items_written"] = written
    if evaluations:
        result["evaluations_changed"] = aggregate_store.merge_evaluations(
            evaluations, merge_evaluation
        )
    return result


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


# --- the sweep (the aggregate_kpi job) ----------------------------------------------------


def run_aggregation(deadline: float) -> dict[str, Any]:
    """Fold every inbox item still pending (missed or not yet reached by the stream),
    move as_of, and report silent sources. One sweep at a time (a lease); a crashed
    sweep's lease expires. Stops before its deadline between chunks (`done: false`)."""
    settings = get_settings()
    owner = uuid.uuid4().hex
    lease = settings.aggregate_lease_seconds
    if not job_store.acquire_lease(JOB, owner, lease):
        return {"skipped": "another aggregation run holds the lease"}
    started = clock.monotonic()
    summary: dict[str, Any] = {
        "inbox_items": 0,
        "events": 0,
        "documents_changed": 0,
        "daily_items_written": 0,
        "evaluations_changed": 0,
        "stale_markers": 0,
    }
    try:
        done = True
        chunk: list[tuple[str, str]] = []
        # Items younger than the stream's own delay are the stream consumers' (folding
        # them here too would only race them for the same documents: issue 23's burst).
        young = dt.timedelta(seconds=settings.sweep_min_age_seconds)
        before = clock.now() - young if young else None
        for key in event_store.pending_items(before):
            chunk.append(key)
            if len(chunk) < SWEEP_CHUNK:
                continue
            if clock.monotonic() > deadline:
                done = False
                break
            _sweep_chunk(chunk, summary)
            chunk = []
            if not job_store.extend_lease(JOB, owner, lease):
                raise RuntimeError("lost the aggregation lease mid-run")
        if chunk and done:
            if clock.monotonic() > deadline:
                done = False
            else:
                _sweep_chunk(chunk, summary)
        as_of = advance_as_of()
        summary["done"] = done
        summary["as_of"] = as_of.isoformat()
        summary["seconds"] = round(clock.monotonic() - started, 3)
        # Exempt documents marked after their clear data was stored (its own lease).
        summary["redaction"] = redact_pending(deadline)
        report_silence(settings.silent_after_hours)
        job_store.record_run(JOB, summary)
        metrics.add_metric(name="AggregatedEvents", unit="Count", value=summary["events"])
        logger.info("aggregation sweep", extra=summary)
        return summary
    finally:
        job_store.release_lease(JOB, owner)


def _sweep_chunk(keys: list[tuple[str, str]], summary: dict[str, Any]) -> None:
    found = event_store.inbox_get(keys)
    batches = [found[k] for k in keys if k in found]
    if batches:
        _add(summary, fold(batches))
        summary["inbox_items"] += len(batches)
    cutoff = clock.now() - dt.timedelta(seconds=ORPHAN_MARKER_SECONDS)
    stale = [k for k in keys if k not in found and event_store.seq_time(k[1]) < cutoff]
    if stale:
        event_store.mark_folded(stale)  # a write that failed after its marker (answered 503)
        summary["stale_markers"] += len(stale)


def report_silence(hours: int) -> list[str]:
    """Emit one metric per source silent for more than `hours` (an alarm target)."""
    from aws_lambda_powertools.metrics import MetricUnit, single_metric

    cutoff = clock.now() - dt.timedelta(hours=hours)
    fresh = aggregate_store.all_freshness()
    silent = []
    for source in source_store.list_sources():
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

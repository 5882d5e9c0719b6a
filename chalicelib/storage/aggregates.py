"""Data access for aggregation: document state, daily aggregates, evaluations
and freshness. Writers may run concurrently (stream consumers, the sweep): every
read-modify-write is version-checked and retried here. Reads of a KPI range cost
one query per scope, whatever the number of documents behind it."""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from pynamodb.exceptions import PutError, TransactWriteError, UpdateError
from pynamodb.transactions import TransactWrite

from chalicelib.observability import logger
from chalicelib.storage.models import (
    DailyAggregateModel,
    DocumentStateModel,
    EvaluationModel,
    FreshnessModel,
    condition_failed,
)

TRANSACTION_LIMIT = 100  # items per TransactWriteItems


MAX_COMMIT_ATTEMPTS = 8  # per document: concurrent consumers retry on version conflicts

DayKey = tuple[str, str]  # (scope, local day)
Delta = dict[DayKey, dict[str, int]]
# A document's stored state (None: new) -> its new state and the daily deltas it causes,
# or None when nothing changes (the events were already folded).
DocumentStep = Callable[[str, dict[str, Any] | None], tuple[dict[str, Any], Delta] | None]


class ConcurrentUpdates(RuntimeError):
    """Items kept changing under us for every attempt: the caller retries later."""


def _backoff(attempt: int) -> None:
    time.sleep(random.uniform(0, min(1.0, 0.02 * 2**attempt)))  # noqa: S311 (jitter)


@dataclass
class FoldResult:
    changed: int = 0  # documents
    written: int = 0  # daily items
    # Documents whose new state and deltas do not fit one transaction: nothing was written
    # for them; the caller folds their events in smaller steps.
    oversized: list[str] = field(default_factory=list)


def fold_documents(keys: Iterable[str], step: DocumentStep) -> FoldResult:
    """Apply `step` to each document and commit each new state together with the daily
    deltas it causes. Every item carries its version condition: when a concurrent writer
    (another stream shard's consumer, the sweep) changed one, the transaction fails and
    its documents are read and computed again, so no update is lost or applied twice."""
    remaining = list(dict.fromkeys(keys))
    out = FoldResult()
    for attempt in range(MAX_COMMIT_ATTEMPTS):
        done_keys, c, w = _fold_once(remaining, step, out.oversized)
        out.changed += c
        out.written += w
        remaining = [k for k in remaining if k not in done_keys and k not in out.oversized]
        if not remaining:
            return out
        logger.info("version conflict; retrying", extra={"attempt": attempt + 1})
        _backoff(attempt)
    raise ConcurrentUpdates(f"{len(remaining)} document(s) kept conflicting")


def _fold_once(
    keys: list[str], step: DocumentStep, oversized: list[str]
) -> tuple[set[str], int, int]:
    """One attempt: (keys settled, documents changed, daily items written). Stops at the
    first failed transaction (its items' in-memory versions are no longer trustworthy)."""
    current = {
        item.doc_key: item for item in DocumentStateModel.batch_get(keys, consistent_read=True)
    }
    settled: set[str] = set()
    updates: list[tuple[str, DocumentStateModel, Delta]] = []
    for key in keys:
        existing = current.get(key)
        result = step(key, dict(existing.state) if existing is not None else None)
        if result is None:
            settled.add(key)  # already folded (a redelivery, a race already won)
            continue
        if 1 + len(result[1]) > TRANSACTION_LIMIT:
            oversized.append(key)
            continue
        item = existing if existing is not None else DocumentStateModel(key)
        item.state = result[0]
        updates.append((key, item, result[1]))
    if not updates:
        return settled, 0, 0
    wanted = list(dict.fromkeys(day for _, _, delta in updates for day in delta))
    daily = {
        (item.scope, item.day): item
        for item in DailyAggregateModel.batch_get(wanted, consistent_read=True)
    }
    changed = written = 0
    for group in _transaction_groups(updates):
        documents = [item for _, item, _ in group]
        touched: dict[DayKey, DailyAggregateModel] = {}
        for _, _, delta in group:
            for day, counters in delta.items():
                aggregate = daily.get(day)
                if aggregate is None:
                    aggregate = daily[day] = DailyAggregateModel(day[0], day[1], counters={})
                totals = _counters(aggregate.counters)
                for name, value in counters.items():
                    totals[name] = totals.get(name, 0) + value
                aggregate.counters = {k: v for k, v in totals.items() if v}
                touched[day] = aggregate
        try:
            _commit([*documents, *touched.values()])
        except TransactWriteError:
            return settled, changed, written
        settled.update(key for key, _, _ in group)
        changed += len(group)
        written += len(touched)
    return settled, changed, written


def _transaction_groups(
    updates: list[tuple[str, DocumentStateModel, Delta]],
) -> list[list[tuple[str, DocumentStateModel, Delta]]]:
    """Pack documents into transactions of at most 100 distinct items."""
    groups: list[list[tuple[str, DocumentStateModel, Delta]]] = []
    current: list[tuple[str, DocumentStateModel, Delta]] = []
    items: set[Any] = set()
    for update in updates:
        needed = {("doc", update[0]), *(("day", k) for k in update[2])}
        if current and len(items | needed) > TRANSACTION_LIMIT:
            groups.append(current)
            current, items = [], set()
        current.append(update)
        items |= needed
    if current:
        groups.append(current)
    return groups


def _commit(items: list[DocumentStateModel | DailyAggregateModel]) -> None:
    """One transaction; each item's version condition makes it all-or-nothing against
    concurrent writers."""
    # The model's own connection: a new Connection would build a new botocore
    # client (and load the service model) for every transaction.
    connection = DocumentStateModel._get_connection().connection
    with TransactWrite(connection=connection) as transaction:
        for item in items:
            transaction.save(item)


def daily_rows(scope: str, start: dt.date, end: dt.date) -> list[tuple[str, dict[str, int]]]:
    return [
        (item.day, _counters(item.counters))
        for item in DailyAggregateModel.query(
            scope,
            range_key_condition=DailyAggregateModel.day.between(start.isoformat(), end.isoformat()),
        )
    ]


def _counters(raw: Any) -> dict[str, int]:
    values = raw.as_dict() if hasattr(raw, "as_dict") else dict(raw or {})
    return {str(k): int(v) for k, v in values.items()}


# --- evaluations ---------------------------------------------------------------------


def evaluated_among(keys: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
    """The (official, period) keys that have an evaluation."""
    wanted = list(dict.fromkeys(keys))
    return {(i.official_id, i.period) for i in EvaluationModel.batch_get(wanted)}


EvaluationMerge = Callable[[dict[str, Any] | None, dict[str, Any]], dict[str, Any]]


def merge_evaluations(records: list[dict[str, Any]], merge: EvaluationMerge) -> int:
    """Merge evaluation events into the stored record of their (official, period), each
    write under its version condition (re-read and merged again on a conflict).
    Returns the number of records changed."""
    by_key: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for record in records:
        by_key.setdefault((record["official_id"], record["period"]), []).append(record)
    changed = 0
    remaining = list(by_key)
    for attempt in range(MAX_COMMIT_ATTEMPTS):
        existing = {
            (i.official_id, i.period): i
            for i in EvaluationModel.batch_get(remaining, consistent_read=True)
        }
        conflicts = []
        for key in remaining:
            item = existing.get(key) or EvaluationModel(key[0], key[1])
            before = dict(item.record) if item.record is not None else None
            merged = before
            for record in by_key[key]:
                merged = merge(merged, record)
            if merged == before or merged is None:
                continue
            item.record = merged
            try:
                item.save()
            except PutError as exc:
                if not condition_failed(exc):
                    raise
                conflicts.append(key)
                continue
            changed += 1
        if not conflicts:
            return changed
        remaining = conflicts
        _backoff(attempt)
    raise ConcurrentUpdates(f"{len(remaining)} evaluation(s) kept conflicting")


def latest_evaluation(official_id: str) -> dict[str, Any] | None:
    for item in EvaluationModel.query(official_id, scan_index_forward=False, limit=1):
        return dict(item.record)
    return None


# --- freshness ----------------------------------------------------------------------------


def touch_freshness(key: str, moment: dt.datetime) -> None:
    """Keep the latest time only (a conditional write; older news is ignored)."""
    try:
        FreshnessModel(key).update(
            actions=[FreshnessModel.last_event_at.set(moment)],
            condition=FreshnessModel.last_event_at.does_not_exist()
            | (FreshnessModel.last_event_at < moment),
        )
    except UpdateError as exc:
        if not condition_failed(exc):
            raise


def all_freshness() -> dict[str, dt.datetime]:
    return {item.key: item.last_event_at for item in FreshnessModel.scan()}

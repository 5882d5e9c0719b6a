"""Data access for aggregation: document state, daily aggregates, evaluations
and freshness. Writers may run concurrently (stream consumers, the sweep).

The write path of a fold (issue 23): each document's new state is put under its version
condition, in one transaction with the daily deltas it causes; the deltas are commutative
`ADD`s on the daily items' counters (top-level number attributes), which need neither a
read nor a version. So a burst on one unit-day costs no retries: only two writers of the
same *document* at once conflict, and only that transaction is read and computed again.
A batch's documents are packed into transactions by the days they touch, and each
transaction adds the sum of its documents' deltas, so a unit-day is written once per
transaction that touches it, not once per document. Reads of a KPI range cost one query
per scope, whatever the number of documents behind it."""

from __future__ import annotations

import datetime as dt
import random
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError
from pynamodb.exceptions import PutError, UpdateError

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
# A daily item's counters: one number attribute each, named COUNTER_PREFIX + counter name
# (ADD works on top-level attributes). Items written before issue 23 hold them in a
# `counters` map; reads add both.
COUNTER_PREFIX = "c|"
# Cancellation reasons a transaction is retried on: a version changed under us, or
# another transaction held one of its items at that moment (DynamoDB, not moto).
RETRYABLE = ("ConditionalCheckFailed", "TransactionConflict")

DayKey = tuple[str, str]  # (scope, local day)
Delta = dict[DayKey, dict[str, int]]
# A document's stored state (None: new) -> its new state and the daily deltas it causes,
# or None when nothing changes (the events were already folded).
DocumentStep = Callable[[str, dict[str, Any] | None], tuple[dict[str, Any], Delta] | None]


class ConcurrentUpdates(RuntimeError):
    """Items kept changing under us for every attempt: the caller retries later."""


def _backoff(attempt: int) -> None:
    time.sleep(random.uniform(0, min(1.0, 0.02 * 2**attempt)))  # noqa: S311 (jitter)


class WriteStats:
    """What the fold write path did in this process: transactions committed and cancelled,
    items written, documents read again. The benchmarks read it; so can a metric."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.counts: Counter[str] = Counter()

    def add(self, **values: int) -> None:
        with self._lock:
            self.counts.update(values)

    def snapshot(self) -> dict[str, int]:
        with self._lock:
            return dict(self.counts)

    def reset(self) -> None:
        with self._lock:
            self.counts.clear()


write_stats = WriteStats()


@dataclass
class FoldResult:
    changed: int = 0  # documents
    written: int = 0  # daily item writes
    conflicts: int = 0  # transactions cancelled by a concurrent writer (then retried)
    # Documents whose new state and deltas do not fit one transaction: nothing was written
    # for them; the caller folds their events in smaller steps.
    oversized: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Update:
    key: str
    version: int | None  # the stored version read (None: a new document)
    state: dict[str, Any]
    delta: Delta
    refs: frozenset[str] = frozenset()  # inbox items holding the document's events


def fold_documents(
    keys: Iterable[str],
    step: DocumentStep,
    refs: Mapping[str, Iterable[str]] | None = None,
) -> FoldResult:
    """Apply `step` to each document and commit each new state together with the daily
    deltas it causes. Each document's put carries its version condition: when a concurrent
    writer (another stream shard's consumer, the sweep) changed it, that transaction is
    cancelled and its documents are read and computed again, so no update is lost or
    applied twice. The daily deltas are ADDs inside the same transaction: applied exactly
    when the document's new state is. `refs`: per document, the inbox items its events
    came from, added to the document's references (what a later secret marking redacts)."""
    remaining = list(dict.fromkeys(keys))
    out = FoldResult()
    new_refs = {k: frozenset(v) for k, v in (refs or {}).items()}
    for attempt in range(MAX_COMMIT_ATTEMPTS):
        remaining = _fold_once(remaining, step, out, new_refs)
        if not remaining:
            return out
        write_stats.add(retried_documents=len(remaining))
        logger.info("version conflict; retrying", extra={"attempt": attempt + 1})
        _backoff(attempt)
    raise ConcurrentUpdates(f"{len(remaining)} document(s) kept conflicting")


def _fold_once(
    keys: list[str], step: DocumentStep, out: FoldResult, refs: Mapping[str, frozenset[str]]
) -> list[str]:
    """One attempt; returns the keys to try again (their transaction was cancelled by a
    concurrent writer). Transactions are independent: each document is in one, and the
    daily ADDs commute, so one cancelled transaction does not stop the others."""
    current = {
        item.doc_key: item for item in DocumentStateModel.batch_get(keys, consistent_read=True)
    }
    updates: list[_Update] = []
    for key in keys:
        existing = current.get(key)
        old_refs = frozenset(existing.refs or ()) if existing is not None else frozenset()
        all_refs = old_refs | refs.get(key, frozenset())
        result = step(key, dict(existing.state) if existing is not None else None)
        if result is None:
            if existing is None or all_refs == old_refs:
                continue  # already folded (a redelivery, a race already won)
            # The same events again from another inbox item (two requests stored them at
            # once): nothing to count, but that item must be found by a redaction too.
            result = (dict(existing.state), {})
        if 1 + len(result[1]) > TRANSACTION_LIMIT:
            out.oversized.append(key)
            continue
        version = int(existing.version) if existing is not None and existing.version else None
        updates.append(_Update(key, version, result[0], result[1], all_refs))
    retry: list[str] = []
    for packed in _transaction_groups(updates):
        group = packed
        while group:
            days = _summed(group)
            write_stats.add(items_attempted=len(group) + len(days))
            try:
                _commit(group, days)
            except _Cancelled as cancelled:
                out.conflicts += 1
                write_stats.add(
                    transactions_cancelled=1, condition_failures=len(cancelled.documents) or 1
                )
                # The documents whose condition held are still valid as read: commit them
                # again at once; only those another writer changed are read again.
                failed = cancelled.documents or {u.key for u in group}
                retry += [u.key for u in group if u.key in failed]
                group = [u for u in group if u.key not in failed]
                continue
            out.changed += len(group)
            out.written += len(days)
            write_stats.add(transactions=1, document_writes=len(group), daily_writes=len(days))
            break
    return retry


def _summed(group: list[_Update]) -> Delta:
    """The group's deltas added up per (scope, day): one ADD per daily item."""
    days: Delta = {}
    for update in group:
        for day, counters in update.delta.items():
            row = days.setdefault(day, {})
            for name, value in counters.items():
                row[name] = row.get(name, 0) + value
    return {
        day: {k: v for k, v in row.items() if v} for day, row in days.items() if any(row.values())
    }


def _transaction_groups(updates: list[_Update]) -> list[list[_Update]]:
    """Pack documents into transactions of at most 100 distinct items, documents that
    touch the same days next to each other (so a busy unit-day is in few transactions)."""
    ordered = sorted(updates, key=lambda u: (sorted(u.delta), u.key))
    groups: list[list[_Update]] = []
    current: list[_Update] = []
    items: set[Any] = set()
    for update in ordered:
        needed = {("doc", update.key), *(("day", k) for k in update.delta)}
        if current and len(items | needed) > TRANSACTION_LIMIT:
            groups.append(current)
            current, items = [], set()
        current.append(update)
        items |= needed
    if current:
        groups.append(current)
    return groups


class _Cancelled(Exception):
    """A transaction cancelled by a concurrent writer (safe to read again and retry):
    `documents` are the keys whose version condition failed (empty: not known)."""

    def __init__(self, documents: set[str]) -> None:
        super().__init__(f"{len(documents)} document(s) changed concurrently")
        self.documents = documents


def _commit(group: list[_Update], days: Delta) -> None:
    """One transaction: the documents' puts under their version conditions and one ADD
    per daily item; all or nothing."""
    documents_table = DocumentStateModel.Meta.table_name
    daily_table = DailyAggregateModel.Meta.table_name
    items: list[dict[str, Any]] = []
    for update in group:
        put: dict[str, Any] = {
            "TableName": documents_table,
            "Item": {
                "doc_key": {"S": update.key},
                "state": {"S": DocumentStateModel.state.serialize(update.state)},
                "version": {"N": str((update.version or 0) + 1)},
            },
        }
        if update.refs:
            put["Item"]["refs"] = {"SS": sorted(update.refs)}
        if update.version is None:
            put["ConditionExpression"] = "attribute_not_exists(doc_key)"
        else:
            put["ConditionExpression"] = "#version = :version"
            put["ExpressionAttributeNames"] = {"#version": "version"}
            put["ExpressionAttributeValues"] = {":version": {"N": str(update.version)}}
        items.append({"Put": put})
    for (scope, day), counters in days.items():
        names = {f"#c{i}": COUNTER_PREFIX + name for i, name in enumerate(counters)}
        values = {f":c{i}": {"N": str(value)} for i, value in enumerate(counters.values())}
        items.append(
            {
                "Update": {
                    "TableName": daily_table,
                    "Key": {"scope": {"S": scope}, "day": {"S": day}},
                    "UpdateExpression": "ADD "
                    + ", ".join(f"{n} {v}" for n, v in zip(names, values, strict=True)),
                    "ExpressionAttributeNames": names,
                    "ExpressionAttributeValues": values,
                }
            }
        )
    # The model's own client: a new one would load the service model for every commit.
    client = DocumentStateModel._get_connection().connection.client
    try:
        client.transact_write_items(TransactItems=items)
    except ClientError as exc:
        error = exc.response.get("Error", {}).get("Code")
        if error == "TransactionConflictException":
            raise _Cancelled(set()) from None
        reasons = [r.get("Code") for r in exc.response.get("CancellationReasons", []) or []]
        if (
            error == "TransactionCanceledException"
            and any(code in RETRYABLE for code in reasons)
            and all(code in (*RETRYABLE, "None", None) for code in reasons)
        ):
            # Reasons are in the order of the items: the documents come first.
            raise _Cancelled(
                {
                    update.key
                    for update, code in zip(group, reasons, strict=False)
                    if code == "ConditionalCheckFailed"
                }
            ) from None
        raise


def document_refs(key: str) -> set[str]:
    """The inbox items ("bucket|seq") the fold noted for a document (strongly consistent)."""
    try:
        item = DocumentStateModel.get(key, consistent_read=True, attributes_to_get=["refs"])
    except DocumentStateModel.DoesNotExist:
        return set()
    return set(item.refs or ())


def daily_rows(scope: str, start: dt.date, end: dt.date) -> list[tuple[str, dict[str, int]]]:
    """The scope's daily counters from `start` to `end` (one query, paged)."""
    client = DailyAggregateModel._get_connection().connection.client
    paginator = client.get_paginator("query")
    rows = []
    for page in paginator.paginate(
        TableName=DailyAggregateModel.Meta.table_name,
        KeyConditionExpression="#s = :s AND #d BETWEEN :a AND :b",
        ExpressionAttributeNames={"#s": "scope", "#d": "day"},
        ExpressionAttributeValues={
            ":s": {"S": scope},
            ":a": {"S": start.isoformat()},
            ":b": {"S": end.isoformat()},
        },
    ):
        for item in page.get("Items", []):
            rows.append((item["day"]["S"], counters_of(item)))
    return rows


def counters_of(item: dict[str, Any]) -> dict[str, int]:
    """A daily item's non-zero counters (DynamoDB JSON): its counter attributes plus the
    `counters` map of an item written before issue 23."""
    out: dict[str, int] = {}
    for name, value in (item.get("counters", {}).get("M") or {}).items():
        out[name] = out.get(name, 0) + int(value["N"])
    for name, value in item.items():
        if name.startswith(COUNTER_PREFIX):
            counter = name[len(COUNTER_PREFIX) :]
            out[counter] = out.get(counter, 0) + int(value["N"])
    return {k: v for k, v in out.items() if v}


def daily_item(scope: str, day: str, counters: dict[str, int]) -> dict[str, Any]:
    """The stored form of one daily item (DynamoDB JSON), for loaders that write history
    directly (benchmarks, rebuild tests)."""
    item: dict[str, Any] = {"scope": {"S": scope}, "day": {"S": day}}
    for name, value in counters.items():
        if value:
            item[COUNTER_PREFIX + name] = {"N": str(value)}
    return item


# --- evaluations ---------------------------------------------------------------------


BATCH_GET_KEYS = 100  # keys per BatchGetItem
READ_THREADS = 8  # requests in flight for one reader


def evaluated_among(keys: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
    """The (official, period) keys that have an evaluation. A ranking asks for every
    official of a level (~7,000 for 168 communes: 70 batch gets), so the batches go
    `READ_THREADS` at a time rather than one after another (issue 23)."""
    wanted = list(dict.fromkeys(keys))
    chunks = [wanted[i : i + BATCH_GET_KEYS] for i in range(0, len(wanted), BATCH_GET_KEYS)]

    def read(chunk: list[tuple[str, str]]) -> set[tuple[str, str]]:
        return {(i.official_id, i.period) for i in EvaluationModel.batch_get(chunk)}

    if len(chunks) <= 1:
        return read(wanted) if wanted else set()
    with ThreadPoolExecutor(max_workers=READ_THREADS) as pool:
        return set().union(*pool.map(read, chunks))


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

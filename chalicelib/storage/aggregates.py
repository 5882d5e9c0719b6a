"""Data access for aggregation: document state, daily aggregates, evaluations
and freshness. Reads of a KPI range cost one query per scope, whatever the
number of documents behind it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pynamodb.exceptions import UpdateError
from pynamodb.transactions import TransactWrite

from chalicelib.storage.models import (
    DailyAggregateModel,
    DocumentStateModel,
    EvaluationModel,
    FreshnessModel,
)

TRANSACTION_LIMIT = 100  # items per TransactWriteItems


def load_documents(keys: Iterable[str]) -> dict[str, DocumentStateModel]:
    wanted = list(dict.fromkeys(keys))
    return {
        item.doc_key: item for item in DocumentStateModel.batch_get(wanted, consistent_read=True)
    }


def load_daily(keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], DailyAggregateModel]:
    wanted = list(dict.fromkeys(keys))
    return {
        (item.scope, item.day): item
        for item in DailyAggregateModel.batch_get(wanted, consistent_read=True)
    }


@dataclass
class PendingWrite:
    """Document states and the daily aggregates they change, committed together."""

    documents: list[DocumentStateModel] = field(default_factory=list)
    daily: dict[tuple[str, str], DailyAggregateModel] = field(default_factory=dict)

    def size(self) -> int:
        return len(self.documents) + len(self.daily)


def commit(pending: PendingWrite) -> None:
    """One transaction: every item carries its version condition, so a concurrent
    writer makes the whole transaction fail instead of losing an update."""
    if not pending.size():
        return
    # The model's own connection: a new Connection would build a new botocore
    # client (and load the service model) for every transaction.
    connection = DocumentStateModel._get_connection().connection
    with TransactWrite(connection=connection) as transaction:
        for document in pending.documents:
            transaction.save(document)
        for daily in pending.daily.values():
            transaction.save(daily)


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


def counters_of(item: DailyAggregateModel) -> dict[str, int]:
    return _counters(item.counters)


def set_counters(item: DailyAggregateModel, counters: Mapping[str, int]) -> None:
    item.counters = {k: v for k, v in counters.items() if v}


# --- evaluations ---------------------------------------------------------------------


def load_evaluations(keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], EvaluationModel]:
    wanted = list(dict.fromkeys(keys))
    return {(i.official_id, i.period): i for i in EvaluationModel.batch_get(wanted)}


def save_evaluations(items: Iterable[EvaluationModel]) -> None:
    with EvaluationModel.batch_write() as batch:
        for item in items:
            batch.save(item)


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
        if exc.cause_response_code != "ConditionalCheckFailedException":
            raise


def all_freshness() -> dict[str, dt.datetime]:
    return {item.key: item.last_event_at for item in FreshnessModel.scan()}

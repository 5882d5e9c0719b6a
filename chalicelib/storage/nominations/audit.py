"""The append-only audit trail: every change of a nomination adds one record, in the
same transaction as the change.

The audit table is only ever written with conditional puts of new keys (`append`):
this module has no function that updates or deletes an audit record (and infra's
IAM policy denies it).
"""

from __future__ import annotations

import datetime as dt
import secrets
import time
from collections.abc import Iterator

# The module, not its names: every public name here with "audit" in it is a reader or
# the one constructor of new records (tests/api/test_nominations_workflow.py checks).
from chalicelib.domain import nominations as domain
from chalicelib.storage.nominations.tables import NominationAuditModel
from chalicelib.storage.nominations.transactions import AUDIT, Transaction


def audit_record(record: domain.AuditRecord) -> NominationAuditModel:
    # The suffix orders records written within one microsecond (a frozen clock in
    # tests) and keeps keys unique across writers.
    at = record.at
    seq = f"{at.astimezone(dt.UTC):%Y-%m-%dT%H:%M:%S.%fZ}#{time.time_ns():020d}-{secrets.token_hex(4)}"
    return NominationAuditModel(
        record.nomination_id,
        seq,
        at=at,
        actor=record.actor,
        action=record.action,
        from_status=record.from_status,
        to_status=record.to_status,
        details=record.details or {},
    )


def append(tx: Transaction, record: domain.AuditRecord) -> None:
    """Add the record to the change's transaction, as a new key or not at all."""
    tx.put(AUDIT, audit_record(record), condition=NominationAuditModel.seq.does_not_exist())


def _record_of(item: NominationAuditModel) -> domain.AuditRecord:
    return domain.AuditRecord(
        nomination_id=item.nomination_id,
        at=item.at,
        actor=item.actor,
        action=item.action,
        from_status=item.from_status,
        to_status=item.to_status,
        details=item.details or {},
    )


def audit_page(
    nomination_id: str, limit: int, after: str | None
) -> tuple[list[domain.AuditRecord], str | None]:
    """One page of the trail, oldest first, and where the next page starts."""
    start = {"nomination_id": {"S": nomination_id}, "seq": {"S": after}} if after else None
    items = list(
        NominationAuditModel.query(
            nomination_id, limit=limit + 1, last_evaluated_key=start, consistent_read=True
        )
    )
    if len(items) > limit:
        return [_record_of(i) for i in items[:limit]], items[limit - 1].seq
    return [_record_of(i) for i in items], None


def audit_records(nomination_id: str) -> Iterator[domain.AuditRecord]:
    """A nomination's whole audit trail, oldest first (a few records per nomination)."""
    for item in NominationAuditModel.query(nomination_id, consistent_read=True):
        yield _record_of(item)


def audit_records_since(
    since: dt.datetime, actions: tuple[str, ...]
) -> Iterator[domain.AuditRecord]:
    """Records of these actions at or after `since`, any nomination (a filtered scan: the
    notifications job reads the day's changes; the trail is a few records per nomination)."""
    condition = (NominationAuditModel.at >= since) & NominationAuditModel.action.is_in(*actions)
    for item in NominationAuditModel.scan(condition):
        yield _record_of(item)

"""Holds on units and officials. Lifting a hold marks it, never deletes it; each change is
also a record of the append-only audit trail (keyed by the hold's id)."""

from __future__ import annotations

import datetime as dt

from pynamodb.attributes import JSONAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.models import Model

from chalicelib.domain.holds import Hold
from chalicelib.domain.nominations import AuditRecord
from chalicelib.storage.models import _meta, register_models
from chalicelib.storage.nominations import audit
from chalicelib.storage.nominations.transactions import Refused, Transaction

HOLD = "hold"
__all__ = ["HOLD", "Refused"]


class HoldModel(Model):
    Meta = _meta("holds")
    hold_id = UnicodeAttribute(hash_key=True)
    subject_kind = UnicodeAttribute()
    subject_id = UnicodeAttribute()
    subject_name = UnicodeAttribute(default="")
    kind = UnicodeAttribute()
    reason = UnicodeAttribute()
    starts_on = UnicodeAttribute()  # local date
    ends_on = UnicodeAttribute(null=True)
    created_by = JSONAttribute()
    created_at = UTCDateTimeAttribute()
    lifted_at = UTCDateTimeAttribute(null=True)
    lifted_by = JSONAttribute(null=True)


register_models(HoldModel)


def _hold(item: HoldModel) -> Hold:
    return Hold(
        hold_id=item.hold_id,
        subject_kind=item.subject_kind,
        subject_id=item.subject_id,
        subject_name=item.subject_name or "",
        kind=item.kind,
        reason=item.reason,
        starts_on=dt.date.fromisoformat(item.starts_on),
        ends_on=dt.date.fromisoformat(item.ends_on) if item.ends_on else None,
        created_by=item.created_by,
        created_at=item.created_at,
        lifted_at=item.lifted_at,
        lifted_by=item.lifted_by,
    )


def create_hold(hold: Hold, record: AuditRecord) -> None:
    tx = Transaction()
    tx.put(
        HOLD,
        HoldModel(
            hold.hold_id,
            subject_kind=hold.subject_kind,
            subject_id=hold.subject_id,
            subject_name=hold.subject_name,
            kind=hold.kind,
            reason=hold.reason,
            starts_on=hold.starts_on.isoformat(),
            ends_on=hold.ends_on.isoformat() if hold.ends_on else None,
            created_by=hold.created_by,
            created_at=hold.created_at,
        ),
        condition=HoldModel.hold_id.does_not_exist(),
    )
    audit.append(tx, record)
    tx.commit()


def lift_hold(
    hold_id: str, at: dt.datetime, by: dict[str, str | None], record: AuditRecord
) -> None:
    """Mark the hold lifted (once); Refused when it is unknown or already lifted."""
    tx = Transaction()
    tx.update(
        HOLD,
        HoldModel(hold_id),
        [HoldModel.lifted_at.set(at), HoldModel.lifted_by.set(by)],
        condition=HoldModel.hold_id.exists() & HoldModel.lifted_at.does_not_exist(),
    )
    audit.append(tx, record)
    tx.commit()


def get_hold(hold_id: str) -> Hold | None:
    try:
        return _hold(HoldModel.get(hold_id, consistent_read=True))
    except HoldModel.DoesNotExist:
        return None


def all_holds() -> list[Hold]:
    """Every hold, lifted ones too (a scan: a province records a handful a year)."""
    return sorted((_hold(i) for i in HoldModel.scan()), key=lambda h: (h.created_at, h.hold_id))

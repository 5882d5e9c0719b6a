"""Units' e-mail contacts (registry data, imported with the CSV) and each address's mail
preferences (kinds unsubscribed, suppression after an SES bounce or complaint)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.models import Model

from chalicelib import clock
from chalicelib.domain.notifications import MailPreference
from chalicelib.domain.registry import ContactRecord
from chalicelib.storage.models import _meta, register_models


class ContactModel(Model):
    Meta = _meta("contacts")
    unit_id = UnicodeAttribute(hash_key=True)
    email = UnicodeAttribute(range_key=True)  # lower-cased
    role = UnicodeAttribute()
    updated_at = UTCDateTimeAttribute()


class MailPreferenceModel(Model):
    Meta = _meta("mail_preferences")
    email = UnicodeAttribute(hash_key=True)  # lower-cased
    unsubscribed: ListAttribute[str] = ListAttribute(of=UnicodeAttribute, default=list)  # type: ignore[arg-type]
    suppressed = BooleanAttribute(default=False)
    suppressed_reason = UnicodeAttribute(null=True)
    updated_at = UTCDateTimeAttribute()


register_models(ContactModel, MailPreferenceModel)


def put_contacts(contacts: Iterable[ContactRecord]) -> int:
    now = clock.now()
    count = 0
    with ContactModel.batch_write() as batch:
        for c in contacts:
            batch.save(ContactModel(c.unit_id, c.email.lower(), role=c.role, updated_at=now))
            count += 1
    return count


def contacts_of(unit_id: str) -> list[ContactRecord]:
    return [ContactRecord(i.unit_id, i.email, i.role) for i in ContactModel.query(unit_id)]


def all_contacts() -> list[ContactRecord]:
    """Every contact (a scan: a few per unit)."""
    return [ContactRecord(i.unit_id, i.email, i.role) for i in ContactModel.scan()]


def _preference(item: MailPreferenceModel) -> MailPreference:
    return MailPreference(
        item.email,
        frozenset(item.unsubscribed or []),
        bool(item.suppressed),
        item.suppressed_reason,
    )


def preferences_of(emails: Iterable[str]) -> dict[str, MailPreference]:
    keys = sorted({e.lower() for e in emails})
    found: dict[str, MailPreference] = {}
    for start in range(0, len(keys), 100):
        for item in MailPreferenceModel.batch_get(keys[start : start + 100]):
            found[item.email] = _preference(item)
    return found


def set_unsubscribed(email: str, kinds: Iterable[str], at: dt.datetime) -> None:
    """Replace the kinds an address refuses (suppression is kept as it is)."""
    email = email.lower()
    item = MailPreferenceModel(email)
    item.update(
        actions=[
            MailPreferenceModel.unsubscribed.set(sorted(set(kinds))),
            MailPreferenceModel.updated_at.set(at),
        ]
    )


def add_unsubscribed(email: str, kind: str, at: dt.datetime) -> None:
    """Refuse one more kind (one-click unsubscribe): a set union, safe to repeat."""
    email = email.lower()
    current = preferences_of([email]).get(email)
    kinds = set(current.unsubscribed if current else ()) | {kind}
    set_unsubscribed(email, kinds, at)


def suppress(email: str, reason: str, at: dt.datetime) -> None:
    MailPreferenceModel(email.lower()).update(
        actions=[
            MailPreferenceModel.suppressed.set(True),
            MailPreferenceModel.suppressed_reason.set(reason[:500]),
            MailPreferenceModel.updated_at.set(at),
        ]
    )

"""The notifications ledger (one item per message key: claimed, sent, confirmed; see
domain/notifications.py for the protocol)
and the mail transport: Amazon SES (locally moto's SES, which sends nowhere), plus a copy
of each message as a file under MAIL_CAPTURE_DIR when that is set (local stack)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from pynamodb.attributes import NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.exceptions import PutError, UpdateError
from pynamodb.expressions.update import Action
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from chalicelib.domain.notifications import CLAIMED, FAILED, SENT, SentRecord
from chalicelib.settings import get_settings
from chalicelib.storage.aws import client
from chalicelib.storage.models import _meta, condition_failed, first_page, register_models


class MailByDayIndex(GlobalSecondaryIndex["MailLedgerModel"]):
    """The captured mail page: messages of one UTC day, newest first."""

    class Meta:
        index_name = "by_day"
        projection = AllProjection()

    day = UnicodeAttribute(hash_key=True)
    created_key = UnicodeAttribute(range_key=True)


class MailLedgerModel(Model):
    Meta = _meta("mail_ledger")
    message_key = UnicodeAttribute(hash_key=True)
    kind = UnicodeAttribute()
    unit_id = UnicodeAttribute(null=True)
    recipient = UnicodeAttribute()
    subject = UnicodeAttribute()
    status = UnicodeAttribute()  # claimed | sent | unsubscribed | suppressed | failed
    created_at = UTCDateTimeAttribute()
    day = UnicodeAttribute()  # UTC date of created_at
    created_key = UnicodeAttribute()  # "<created_at iso>#<message_key>"
    provider_id = UnicodeAttribute(null=True)
    owner = UnicodeAttribute(null=True)  # the run holding the claim
    claimed_at = UTCDateTimeAttribute(null=True)
    attempts = NumberAttribute(null=True)
    text = UnicodeAttribute(null=True)  # only when mail is captured (local)
    html = UnicodeAttribute(null=True)
    by_day = MailByDayIndex()


register_models(MailLedgerModel)


def _record(item: MailLedgerModel) -> SentRecord:
    return SentRecord(
        key=item.message_key,
        kind=item.kind,
        unit_id=item.unit_id,
        recipient=item.recipient,
        subject=item.subject,
        status=item.status,
        created_at=item.created_at,
        provider_id=item.provider_id,
        owner=item.owner,
        claimed_at=item.claimed_at,
        attempts=int(item.attempts or 0),
        text=item.text,
        html=item.html,
    )


def claim(record: SentRecord) -> bool:
    """Write the message's ledger item unless its key exists: True when this call claimed
    it (and may send), False when some run already did."""
    at = record.created_at.astimezone(dt.UTC)
    item = MailLedgerModel(
        record.key,
        kind=record.kind,
        unit_id=record.unit_id,
        recipient=record.recipient,
        subject=record.subject,
        status=record.status,
        created_at=at,
        day=at.date().isoformat(),
        created_key=f"{at:%Y-%m-%dT%H:%M:%S.%fZ}#{record.key}",
        owner=record.owner,
        claimed_at=record.claimed_at,
        attempts=record.attempts,
        text=record.text,
        html=record.html,
    )
    try:
        item.save(condition=MailLedgerModel.message_key.does_not_exist())
    except PutError as exc:
        if condition_failed(exc):
            return False
        raise
    return True


def take_over(seen: SentRecord, owner: str, at: dt.datetime, status: str) -> bool:
    """Take a claim that was not confirmed over (see domain.notifications.takeover): True
    when this call won it, False when another run changed the item since it was read."""
    actions: list[Action] = [
        MailLedgerModel.status.set(status),
        MailLedgerModel.owner.set(owner),
        MailLedgerModel.claimed_at.set(at.astimezone(dt.UTC)),
    ]
    if status == CLAIMED:
        actions.append(MailLedgerModel.attempts.set(seen.attempts + 1))
    condition = MailLedgerModel.status == seen.status
    if seen.owner is None:
        condition &= MailLedgerModel.owner.does_not_exist()
    else:
        condition &= MailLedgerModel.owner == seen.owner
    if seen.claimed_at is None:
        condition &= MailLedgerModel.claimed_at.does_not_exist()
    else:
        condition &= MailLedgerModel.claimed_at == seen.claimed_at.astimezone(dt.UTC)
    try:
        MailLedgerModel(seen.key).update(actions=actions, condition=condition)
    except UpdateError as exc:
        if condition_failed(exc):
            return False
        raise
    return True


def settle(key: str, status: str, provider_id: str | None = None) -> None:
    """The outcome of this run's send (`sent` with SES's id, or `failed`)."""
    actions: list[Action] = [MailLedgerModel.status.set(status)]
    if provider_id:
        actions.append(MailLedgerModel.provider_id.set(provider_id))
    condition = MailLedgerModel.message_key.exists()
    if status == FAILED:
        # SES's Send event may have confirmed it meanwhile: a confirmation stays.
        condition &= MailLedgerModel.status == CLAIMED
    try:
        MailLedgerModel(key).update(actions=actions, condition=condition)
    except UpdateError as exc:
        if not condition_failed(exc):
            raise


def confirm_sent(key: str, provider_id: str) -> bool:
    """SES's Send event for a ledger key: the message was accepted, whatever the run that
    sent it wrote down (True when this changed the item)."""
    try:
        MailLedgerModel(key).update(
            actions=[
                MailLedgerModel.status.set(SENT),
                MailLedgerModel.provider_id.set(provider_id),
            ],
            condition=MailLedgerModel.status.is_in(CLAIMED, FAILED),
        )
    except UpdateError as exc:
        if condition_failed(exc):
            return False
        raise
    return True


def get(key: str) -> SentRecord | None:
    try:
        return _record(MailLedgerModel.get(key, consistent_read=True))
    except MailLedgerModel.DoesNotExist:
        return None


def all_records() -> list[SentRecord]:
    return [_record(i) for i in MailLedgerModel.scan()]


def day_page(
    day: str, limit: int, after: dict[str, str] | None
) -> tuple[list[SentRecord], dict[str, str] | None]:
    from chalicelib.storage.models import start_key

    items = MailLedgerModel.by_day.query(
        day, scan_index_forward=False, last_evaluated_key=start_key(after, day=day)
    )
    page, last = first_page(
        items,
        limit,
        lambda i: {"message_key": i.message_key, "created_key": i.created_key},
    )
    return [_record(i) for i in page], last


# --- the unsubscribe links' key ---------------------------------------------------------------

_secret: list[bytes] = []


def link_secret() -> bytes:
    """The HMAC key of the unsubscribe links: the Secrets Manager secret MAIL_LINK_SECRET_ARN
    names (AWS), else MAIL_LINK_SECRET (local stack, tests)."""
    if _secret:
        return _secret[0]
    settings = get_settings()
    if settings.mail_link_secret_arn:
        value = client("secretsmanager").get_secret_value(SecretId=settings.mail_link_secret_arn)
        key = str(value["SecretString"]).encode("utf-8")
        _secret.append(key)
        return key
    return settings.mail_link_secret.encode("utf-8")


# --- transport -------------------------------------------------------------------------------


def send_quota_rate() -> float:
    """SES's maximum send rate (messages per second) for this account and region."""
    return float(client("ses").get_send_quota().get("MaxSendRate") or 1.0)


def send_raw(
    sender: str, recipient: str, raw: bytes, tags: list[dict[str, str]] | None = None
) -> str:
    """Send one MIME message with SES; its SES message id. `tags` ride on SES's events."""
    settings = get_settings()
    kwargs: dict[str, Any] = {
        "Source": sender,
        "Destinations": [recipient],
        "RawMessage": {"Data": raw},
    }
    if tags:
        kwargs["Tags"] = tags
    if settings.mail_configuration_set:
        kwargs["ConfigurationSetName"] = settings.mail_configuration_set
    return str(client("ses").send_raw_email(**kwargs)["MessageId"])


_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


def capture(key: str, raw: bytes) -> str | None:
    """A copy of the message as a .eml file under MAIL_CAPTURE_DIR (local only)."""
    directory = get_settings().mail_capture_dir
    if not directory:
        return None
    path = Path(directory)
    path.mkdir(parents=True, exist_ok=True)
    target = path / f"{_SAFE.sub('_', key)[:180]}.eml"
    target.write_bytes(raw)
    return str(target)


def verify_sender_identity(domain: str) -> None:
    """Local stack: moto's SES sends only from a verified identity (infra verifies it in AWS)."""
    client("ses").verify_domain_identity(Domain=domain)

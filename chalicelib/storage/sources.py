"""Webhook sources and their secrets (encrypted with KMS, never stored in clear)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import threading

from pynamodb.exceptions import PutError

from chalicelib.domain.sources import HubSettings, SourceRecord, SourceSecret
from chalicelib.settings import get_settings
from chalicelib.storage.aws import client
from chalicelib.storage.models import HubConfig, SourceModel, condition_failed
from chalicelib.storage.models import SourceSecret as StoredSecret

_plaintext_cache: dict[str, str] = {}
_cache_lock = threading.Lock()


def encrypt_secret(secret: str, source_id: str) -> bytes:
    response = client("kms").encrypt(
        KeyId=get_settings().kms_key_id,
        Plaintext=secret.encode(),
        EncryptionContext={"source_id": source_id},
    )
    return bytes(response["CiphertextBlob"])


def decrypt_secret(ciphertext: bytes, source_id: str) -> str:
    # Decrypted secrets are cached per container: a KMS call per webhook would
    # add latency and cost. The source item itself is re-read on every request,
    # so disabling or rotating takes effect at once.
    key = hashlib.sha256(ciphertext).hexdigest()
    with _cache_lock:
        if key in _plaintext_cache:
            return _plaintext_cache[key]
    response = client("kms").decrypt(
        CiphertextBlob=ciphertext, EncryptionContext={"source_id": source_id}
    )
    plaintext = bytes(response["Plaintext"]).decode()
    with _cache_lock:
        _plaintext_cache[key] = plaintext
    return plaintext


def clear_secret_cache() -> None:
    with _cache_lock:
        _plaintext_cache.clear()


def _hub(config: HubConfig | None) -> HubSettings | None:
    if config is None:
        return None
    return HubSettings(
        base_url=config.base_url,
        system_id=config.system_id,
        secret_ciphertext=bytes(config.secret_ciphertext),
        message_types=tuple(config.message_types or []),
        poll_every_minutes=int(config.poll_every_minutes),
        acknowledge=bool(config.acknowledge),
        dialect=config.dialect,
        pull_from=dt.date.fromisoformat(config.pull_from) if config.pull_from else None,
    )


def _hub_config(hub: HubSettings | None) -> HubConfig | None:
    if hub is None:
        return None
    return HubConfig(
        base_url=hub.base_url,
        system_id=hub.system_id,
        secret_ciphertext=hub.secret_ciphertext,
        message_types=list(hub.message_types),
        poll_every_minutes=hub.poll_every_minutes,
        acknowledge=hub.acknowledge,
        dialect=hub.dialect,
        pull_from=hub.pull_from.isoformat() if hub.pull_from else None,
    )


def _record(item: SourceModel) -> SourceRecord:
    return SourceRecord(
        source_id=item.source_id,
        name=item.name,
        units=tuple(item.units or []),
        enabled=bool(item.enabled),
        secrets=tuple(
            SourceSecret(bytes(s.ciphertext), s.created_at, s.expires_at) for s in item.secrets
        ),
        created_at=item.created_at,
        updated_at=item.updated_at,
        last_event_at=item.last_event_at,
        version=item.version,
        kind=item.kind or "webhook",
        mode=item.mode or "live",
        hub=_hub(item.hub),
    )


def _save(source: SourceRecord) -> SourceRecord:
    """Write the whole item; its version condition fails the write (PutError) when the
    source changed since `source` was read."""
    item = SourceModel(
        source.source_id,
        name=source.name,
        units=list(source.units),
        enabled=source.enabled,
        secrets=[
            StoredSecret(ciphertext=s.ciphertext, created_at=s.created_at, expires_at=s.expires_at)
            for s in source.secrets
        ],
        created_at=source.created_at,
        updated_at=source.updated_at,
        last_event_at=source.last_event_at,
        version=source.version,
        kind=source.kind,
        mode=source.mode,
        hub=_hub_config(source.hub),
    )
    item.save()
    return _record(item)


def get_source(source_id: str) -> SourceRecord | None:
    try:
        return _record(SourceModel.get(source_id, consistent_read=True))
    except SourceModel.DoesNotExist:
        return None


def create_source(
    source_id: str,
    name: str,
    units: list[str],
    ciphertext: bytes | None,
    now: dt.datetime,
    *,
    kind: str = "webhook",
    mode: str = "live",
    hub: HubSettings | None = None,
) -> bool:
    """False when the source id is taken. A hub source has no webhook secret (None)."""
    source = SourceModel(
        source_id,
        name=name,
        units=list(units),
        enabled=True,
        secrets=(
            [StoredSecret(ciphertext=ciphertext, created_at=now, expires_at=None)]
            if ciphertext is not None
            else []
        ),
        created_at=now,
        updated_at=now,
        kind=kind,
        mode=mode,
        hub=_hub_config(hub),
    )
    try:
        source.save(condition=SourceModel.source_id.does_not_exist())
    except PutError as exc:
        if condition_failed(exc):
            return False
        raise
    return True


def add_secret(
    source: SourceRecord, ciphertext: bytes, now: dt.datetime, grace: dt.timedelta
) -> SourceRecord:
    """Append a new secret; older ones keep working until now + grace. A concurrent
    rotation fails the version condition."""
    kept = []
    for secret in source.secrets:
        if secret.expires_at is not None and secret.expires_at <= now:
            continue  # already expired: drop it
        if secret.expires_at is None or secret.expires_at > now + grace:
            kept.append(dataclasses.replace(secret, expires_at=now + grace))
        else:
            kept.append(secret)
    kept.append(SourceSecret(ciphertext=ciphertext, created_at=now, expires_at=None))
    return _save(dataclasses.replace(source, secrets=tuple(kept), updated_at=now))


class ConcurrentChange(Exception):
    """The source changed between our read and our write (its version moved)."""


def update_source(
    source: SourceRecord,
    now: dt.datetime,
    *,
    name: str | None,
    units: list[str] | None,
    mode: str | None = None,
    hub: HubSettings | None = None,
) -> SourceRecord:
    changed = dataclasses.replace(
        source,
        name=source.name if name is None else name,
        units=source.units if units is None else tuple(units),
        mode=source.mode if mode is None else mode,
        hub=source.hub if hub is None else hub,
        updated_at=now,
    )
    try:
        return _save(changed)
    except PutError as exc:
        if condition_failed(exc):
            raise ConcurrentChange(source.source_id) from None
        raise


def disable_source(source: SourceRecord, now: dt.datetime) -> SourceRecord:
    return _save(dataclasses.replace(source, enabled=False, updated_at=now))


def list_sources() -> list[SourceRecord]:
    return sorted((_record(s) for s in SourceModel.scan()), key=lambda s: s.source_id)

"""Webhook sources and their secrets (encrypted with KMS, never stored in clear)."""

from __future__ import annotations

import datetime as dt
import hashlib
import threading

from chalicelib.settings import get_settings
from chalicelib.storage.aws import client
from chalicelib.storage.models import SourceModel, SourceSecret

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


def get_source(source_id: str) -> SourceModel | None:
    try:
        return SourceModel.get(source_id, consistent_read=True)
    except SourceModel.DoesNotExist:
        return None


def create_source(
    source_id: str, name: str, units: list[str], ciphertext: bytes, now: dt.datetime
) -> bool:
    """False when the source id is taken."""
    from pynamodb.exceptions import PutError

    source = SourceModel(
        source_id,
        name=name,
        units=list(units),
        enabled=True,
        secrets=[SourceSecret(ciphertext=ciphertext, created_at=now, expires_at=None)],
        created_at=now,
        updated_at=now,
    )
    try:
        source.save(condition=SourceModel.source_id.does_not_exist())
    except PutError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    return True


def add_secret(
    source: SourceModel, ciphertext: bytes, now: dt.datetime, grace: dt.timedelta
) -> None:
    """Append a new secret; older ones keep working until now + grace."""
    kept = []
    for secret in source.secrets:
        if secret.expires_at is not None and secret.expires_at <= now:
            continue  # already expired: drop it
        if secret.expires_at is None or secret.expires_at > now + grace:
            secret.expires_at = now + grace
        kept.append(secret)
    kept.append(SourceSecret(ciphertext=ciphertext, created_at=now, expires_at=None))
    source.secrets = kept
    source.updated_at = now
    source.save()  # VersionAttribute guards against a concurrent rotation


class ConcurrentChange(Exception):
    """The source changed between our read and our write (its version moved)."""


def update_source(
    source: SourceModel, now: dt.datetime, *, name: str | None, units: list[str] | None
) -> None:
    from pynamodb.exceptions import PutError

    if name is not None:
        source.name = name
    if units is not None:
        source.units = list(units)
    source.updated_at = now
    try:
        source.save()  # VersionAttribute: a concurrent change fails the condition
    except PutError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            raise ConcurrentChange(source.source_id) from None
        raise


def disable_source(source: SourceModel, now: dt.datetime) -> None:
    source.enabled = False
    source.updated_at = now
    source.save()


def list_sources() -> list[SourceModel]:
    return sorted(SourceModel.scan(), key=lambda s: s.source_id)

"""Registering document systems (webhook sources) and rotating their secrets."""

from __future__ import annotations

import base64
import datetime as dt
import secrets
from typing import Any

from chalicelib import clock
from chalicelib.domain.sources import SourceRecord
from chalicelib.errors import ApiError, conflict, not_found, unprocessable
from chalicelib.settings import get_settings
from chalicelib.storage import registry as registry_store
from chalicelib.storage import sources as source_store


def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def source_out(source: SourceRecord) -> dict[str, Any]:
    return {
        "source_id": source.source_id,
        "name": source.name,
        "units": list(source.units),
        "enabled": source.enabled,
        "created_at": source.created_at,
        "active_secrets": sum(1 for s in source.secrets if s.active(clock.now())),
        "last_event_at": source.last_event_at,
    }


def _check_scope_units(units: list[str]) -> None:
    """A source's scope names units of the registry (422 naming each unknown one)."""
    missing = registry_store.missing_units(units)
    unknown = [(i, u) for i, u in enumerate(units) if u in missing]
    if unknown:
        raise unprocessable(
            "The source's units must be in the registry",
            [{"field": f"units.{i}", "unit_id": u, "message": "unknown unit"} for i, u in unknown],
        )


def register_source(source_id: str, name: str, units: list[str]) -> dict[str, Any]:
    _check_scope_units(units)
    secret = new_secret()
    created = source_store.create_source(
        source_id, name, units, source_store.encrypt_secret(secret, source_id), clock.now()
    )
    if not created:
        raise conflict(f"Source {source_id!r} already exists; rotate its secret instead")
    # The only time the secret is ever returned.
    return {"source_id": source_id, "name": name, "units": units, "secret": secret}


def update_source(source_id: str, *, name: str | None, units: list[str] | None) -> dict[str, Any]:
    source = source_store.get_source(source_id)
    if source is None:
        raise not_found(f"Source {source_id!r} does not exist")
    if units is not None:
        _check_scope_units(units)
    try:
        source = source_store.update_source(source, clock.now(), name=name, units=units)
    except source_store.ConcurrentChange:
        raise conflict(f"Source {source_id!r} was changed meanwhile; read it and retry") from None
    return source_out(source)


def scope_of(source_id: str) -> list[str] | None:
    """The units an enabled source may speak for; None for an unknown or disabled source."""
    source = source_store.get_source(source_id)
    if source is None or not source.enabled:
        return None
    return list(source.units)


def rotate_secret(source_id: str, grace_hours: int | None = None) -> dict[str, Any]:
    source = source_store.get_source(source_id)
    if source is None:
        raise not_found(f"Source {source_id!r} does not exist")
    if not source.enabled:
        raise ApiError(409, "source_disabled", f"Source {source_id!r} is disabled")
    hours = get_settings().secret_rotation_grace_hours if grace_hours is None else grace_hours
    secret = new_secret()
    now = clock.now()
    source_store.add_secret(
        source, source_store.encrypt_secret(secret, source_id), now, dt.timedelta(hours=hours)
    )
    return {
        "source_id": source_id,
        "secret": secret,
        "previous_secrets_expire_at": now + dt.timedelta(hours=hours),
    }


def disable_source(source_id: str) -> dict[str, Any]:
    source = source_store.get_source(source_id)
    if source is None:
        raise not_found(f"Source {source_id!r} does not exist")
    return source_out(source_store.disable_source(source, clock.now()))


def list_sources() -> list[dict[str, Any]]:
    return [source_out(s) for s in source_store.list_sources()]


def verification_secrets(source_id: str) -> list[str] | None:
    """The secrets a delivery may be signed with now; None for an unknown or disabled source."""
    source = source_store.get_source(source_id)
    if source is None or not source.enabled:
        return None
    now = clock.now()
    return [
        source_store.decrypt_secret(s.ciphertext, source_id)
        for s in source.secrets
        if s.active(now)
    ]

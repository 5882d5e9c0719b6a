"""Registering document systems (webhook sources) and rotating their secrets."""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import secrets
from typing import Any

from chalicelib import clock
from chalicelib.domain.errors import Conflict, InvalidInput, NotFound, Unprocessable
from chalicelib.domain.sources import KIND_HUB, KIND_WEBHOOK, MODE_LIVE, HubSettings, SourceRecord
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
        "kind": source.kind,
        "mode": source.mode,
        "hub": _hub_out(source.hub),
    }


def _hub_out(hub: HubSettings | None) -> dict[str, Any] | None:
    """A hub's settings without its secret."""
    if hub is None:
        return None
    return {
        "base_url": hub.base_url,
        "system_id": hub.system_id,
        "message_types": list(hub.message_types),
        "poll_every_minutes": hub.poll_every_minutes,
        "acknowledge": hub.acknowledge,
        "dialect": hub.dialect,
        "pull_from": hub.pull_from,
    }


def _check_hub_url(url: str) -> None:
    # Credentials travel in headers: outside the local stack only over TLS.
    if not url.startswith("https://") and not get_settings().hub_allow_http:
        raise InvalidInput("A hub's base_url must be https://", details=[{"field": "hub.base_url"}])


def _hub_settings(
    source_id: str, given: dict[str, Any], current: HubSettings | None = None
) -> HubSettings:
    """New hub settings from the request's fields (a PATCH keeps what it does not name);
    a given secret is encrypted at once and never kept in clear."""
    fields = {k: v for k, v in given.items() if v is not None}
    if "base_url" in fields:
        _check_hub_url(fields["base_url"])
    secret = fields.pop("secret", None)
    if current is None:
        assert secret is not None  # the schema requires it at creation
        return HubSettings(
            base_url=fields.pop("base_url"),
            system_id=fields.pop("system_id"),
            secret_ciphertext=source_store.encrypt_secret(secret, source_id),
            message_types=tuple(fields.pop("message_types", ("edoc", "status"))),
            **fields,
        )
    if "message_types" in fields:
        fields["message_types"] = tuple(fields["message_types"])
    if secret is not None:
        fields["secret_ciphertext"] = source_store.encrypt_secret(secret, source_id)
    return dataclasses.replace(current, **fields)


def _check_scope_units(units: list[str]) -> None:
    """A source's scope names units of the registry (422 naming each unknown one)."""
    missing = registry_store.missing_units(units)
    unknown = [(i, u) for i, u in enumerate(units) if u in missing]
    if unknown:
        raise Unprocessable(
            "The source's units must be in the registry",
            details=[
                {"field": f"units.{i}", "unit_id": u, "message": "unknown unit"} for i, u in unknown
            ],
        )


def register_source(
    source_id: str,
    name: str,
    units: list[str],
    *,
    kind: str = KIND_WEBHOOK,
    mode: str = MODE_LIVE,
    hub: dict[str, Any] | None = None,
) -> dict[str, Any]:
    _check_scope_units(units)
    # A hub is pulled: it has no webhook secret, only the hub's own credentials.
    secret = new_secret() if kind == KIND_WEBHOOK else None
    hub_settings = _hub_settings(source_id, hub) if kind == KIND_HUB and hub else None
    created = source_store.create_source(
        source_id,
        name,
        units,
        source_store.encrypt_secret(secret, source_id) if secret is not None else None,
        clock.now(),
        kind=kind,
        mode=mode,
        hub=hub_settings,
    )
    if not created:
        raise Conflict(f"Source {source_id!r} already exists; rotate its secret instead")
    # The only time the secret is ever returned.
    return {
        "source_id": source_id,
        "name": name,
        "units": units,
        "kind": kind,
        "mode": mode,
        "secret": secret,
    }


def update_source(
    source_id: str,
    *,
    name: str | None,
    units: list[str] | None,
    mode: str | None = None,
    hub: dict[str, Any] | None = None,
) -> dict[str, Any]:
    source = source_store.get_source(source_id)
    if source is None:
        raise NotFound(f"Source {source_id!r} does not exist")
    if units is not None:
        _check_scope_units(units)
    hub_settings = None
    if hub is not None:
        if source.kind != KIND_HUB:
            raise InvalidInput(
                f"Source {source_id!r} is a webhook source; `hub` is for hub sources",
                details=[{"field": "hub"}],
            )
        hub_settings = _hub_settings(source_id, hub, source.hub)
    try:
        source = source_store.update_source(
            source, clock.now(), name=name, units=units, mode=mode, hub=hub_settings
        )
    except source_store.ConcurrentChange:
        raise Conflict(f"Source {source_id!r} was changed meanwhile; read it and retry") from None
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
        raise NotFound(f"Source {source_id!r} does not exist")
    if not source.enabled:
        raise Conflict(f"Source {source_id!r} is disabled", code="source_disabled")
    if source.kind == KIND_HUB:
        raise Conflict(
            f"Source {source_id!r} is a hub: PATCH its hub.secret instead", code="hub_source"
        )
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
        raise NotFound(f"Source {source_id!r} does not exist")
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

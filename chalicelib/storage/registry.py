"""Data access for units, officials and campaigns."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from chalicelib import clock
from chalicelib.domain.campaigns import Campaign
from chalicelib.domain.registry import OfficialRecord, UnitRecord
from chalicelib.settings import get_settings
from chalicelib.storage.models import CampaignModel, OfficialModel, UnitModel


@dataclass(frozen=True)
class RegistrySnapshot:
    units: dict[str, UnitRecord]
    loaded_at: float

    def levels(self) -> dict[str, str]:
        return {u.unit_id: u.level for u in self.units.values()}


_snapshot: RegistrySnapshot | None = None
_snapshot_lock = threading.Lock()


def load_units() -> dict[str, UnitRecord]:
    return {
        item.unit_id: UnitRecord(item.unit_id, item.name, item.level, item.parent_id)
        for item in UnitModel.scan()
    }


def registry_snapshot(max_age_seconds: float | None = None) -> RegistrySnapshot:
    """All units, cached per container: the registry is small and read on every
    webhook and scope check. Writes through this module invalidate it."""
    global _snapshot  # noqa: PLW0603
    max_age = get_settings().registry_cache_seconds if max_age_seconds is None else max_age_seconds
    with _snapshot_lock:
        if _snapshot is None or clock.monotonic() - _snapshot.loaded_at > max_age:
            _snapshot = RegistrySnapshot(load_units(), clock.monotonic())
        return _snapshot


def missing_units(unit_ids: Iterable[str]) -> set[str]:
    """The ids that name no unit of the registry. The cached snapshot is read again
    before any id is called missing: the unit may just have been registered."""
    wanted = set(unit_ids)
    units = registry_snapshot().units
    if not wanted <= units.keys():
        units = registry_snapshot(max_age_seconds=0).units
    return wanted - units.keys()


T = TypeVar("T")


class _PerContainer(Generic[T]):
    """A value read once per container and again after REGISTRY_CACHE_SECONDS, or at once
    after this container wrote it (as the units' snapshot)."""

    def __init__(self, load: Callable[[], T]) -> None:
        self._load = load
        self._held: tuple[T, float] | None = None
        self._lock = threading.Lock()

    def get(self, max_age_seconds: float | None = None) -> T:
        settings = get_settings()
        max_age = settings.registry_cache_seconds if max_age_seconds is None else max_age_seconds
        with self._lock:
            if self._held is None or clock.monotonic() - self._held[1] > max_age:
                self._held = (self._load(), clock.monotonic())
            return self._held[0]

    def clear(self) -> None:
        with self._lock:
            self._held = None


def _load_campaigns() -> dict[str, Campaign]:
    campaigns = (Campaign.model_validate(dict(c.body)) for c in CampaignModel.scan())
    return {c.campaign_id: c for c in campaigns}


def _load_officials() -> tuple[OfficialRecord, ...]:
    return tuple(_official(i) for i in OfficialModel.scan())


# Every KPI answer needs its campaign (the current one, or by id) and every ranking the
# officials: read and validated once per container, not on every request.
_campaigns: _PerContainer[dict[str, Campaign]] = _PerContainer(_load_campaigns)
_officials: _PerContainer[tuple[OfficialRecord, ...]] = _PerContainer(_load_officials)


def campaigns_snapshot() -> dict[str, Campaign]:
    """Every campaign by id, validated (cached per container, like the units)."""
    return _campaigns.get()


def officials_snapshot() -> tuple[OfficialRecord, ...]:
    """Every official (cached per container, like the units)."""
    return _officials.get()


def invalidate_registry() -> None:
    global _snapshot  # noqa: PLW0603
    with _snapshot_lock:
        _snapshot = None
    _campaigns.clear()
    invalidate_officials()


def put_units(units: Iterable[UnitRecord]) -> int:
    now = clock.now()
    count = 0
    with UnitModel.batch_write() as batch:
        for u in units:
            batch.save(
                UnitModel(
                    u.unit_id, name=u.name, level=u.level, parent_id=u.parent_id, updated_at=now
                )
            )
            count += 1
    invalidate_registry()
    return count


def put_officials(officials: Iterable[OfficialRecord]) -> int:
    now = clock.now()
    count = 0
    with OfficialModel.batch_write() as batch:
        for o in officials:
            batch.save(
                OfficialModel(
                    o.official_id,
                    unit_id=o.unit_id,
                    full_name=o.full_name,
                    position=o.position,
                    active=o.active,
                    updated_at=now,
                )
            )
            count += 1
    invalidate_officials()
    return count


def _official(item: OfficialModel) -> OfficialRecord:
    return OfficialRecord(
        item.official_id, item.unit_id, item.full_name, item.position, item.active
    )


def officials_page(
    unit_id: str, limit: int, after: str | None
) -> tuple[list[OfficialRecord], str | None]:
    """A unit's officials by id, from after the given official id; the id to go on from."""
    start = {"unit_id": {"S": unit_id}, "official_id": {"S": after}} if after else None
    result = OfficialModel.by_unit.query(unit_id, limit=limit, last_evaluated_key=start)
    items = [_official(i) for i in result]
    last = result.last_evaluated_key
    return items, (str(last["official_id"]["S"]) if last else None)


def officials_of_unit(unit_id: str) -> list[OfficialRecord]:
    """A unit's officials, by id, from the container's snapshot (`officials_snapshot`):
    a KPI answer reads no registry table."""
    return sorted(
        (o for o in officials_snapshot() if o.unit_id == unit_id), key=lambda o: o.official_id
    )


def get_official(official_id: str) -> OfficialRecord | None:
    try:
        return _official(OfficialModel.get(official_id))
    except OfficialModel.DoesNotExist:
        return None


def officials_by_id(official_ids: Iterable[str]) -> dict[str, OfficialRecord]:
    """The named officials that exist (one BatchGetItem per 100 ids)."""
    ids = sorted(set(official_ids))
    if not ids:
        return {}
    return {item.official_id: _official(item) for item in OfficialModel.batch_get(ids)}


# Officials read by every webhook's plausibility check, cached per container like the
# units (the same REGISTRY_CACHE_SECONDS): without it a 500-event request of distinct
# actors read up to 500 officials (0.3-0.6 RCU per event). Only found officials are kept;
# writes through this module clear it, and the caller reads again (max_age_seconds=0)
# before refusing an event for an official it did not find.
_officials_cache: dict[str, tuple[OfficialRecord, float]] = {}
_officials_lock = threading.Lock()
OFFICIALS_CACHE_MAX = 50_000  # entries (~10 MB); beyond it the cache starts again


def cached_officials(
    official_ids: Iterable[str], max_age_seconds: float | None = None
) -> dict[str, OfficialRecord]:
    """`officials_by_id`, answered from the container's cache where it is fresh."""
    max_age = get_settings().registry_cache_seconds if max_age_seconds is None else max_age_seconds
    now = clock.monotonic()
    wanted = set(official_ids)
    found: dict[str, OfficialRecord] = {}
    with _officials_lock:
        for official_id in wanted:
            entry = _officials_cache.get(official_id)
            if entry is not None and now - entry[1] <= max_age:
                found[official_id] = entry[0]
    missing = wanted - found.keys()
    if missing:
        read = officials_by_id(missing)
        with _officials_lock:
            if len(_officials_cache) + len(read) > OFFICIALS_CACHE_MAX:
                _officials_cache.clear()
            for official_id, record in read.items():
                _officials_cache[official_id] = (record, now)
        found.update(read)
    return found


def invalidate_officials() -> None:
    with _officials_lock:
        _officials_cache.clear()
    _officials.clear()


def all_officials() -> list[OfficialRecord]:
    return [_official(i) for i in OfficialModel.scan()]


# --- campaigns ---------------------------------------------------------------------


def put_campaign(campaign_id: str, body: dict[str, Any]) -> None:
    CampaignModel(campaign_id, body=body, updated_at=clock.now()).save()
    _campaigns.clear()


def get_campaign(campaign_id: str) -> dict[str, Any] | None:
    try:
        return dict(CampaignModel.get(campaign_id).body)
    except CampaignModel.DoesNotExist:
        return None


def list_campaigns() -> list[dict[str, Any]]:
    return [dict(c.body) for c in CampaignModel.scan()]

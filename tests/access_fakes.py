"""Stand-ins for the registry over generated unit trees, and the oracle of a unit's
subtree: the access rules (tests/unit/test_access_rules.py) and the admission rules
(tests/unit/test_admission_service.py) are tested against them without a stack."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from chalicelib.domain import plausibility
from chalicelib.domain.registry import OfficialRecord, UnitRecord

UNIT_IDS = [f"u{i}" for i in range(8)]
# The fakes are installed afresh for every example (the fixtures hand back an installer).
FAKES = settings(suppress_health_check=[HealthCheck.function_scoped_fixture])


@st.composite
def unit_forests(draw: st.DrawFn) -> dict[str, UnitRecord]:
    """A few units; each one's parent (if any) is an earlier unit, so no cycles."""
    count = draw(st.integers(1, len(UNIT_IDS)))
    units: dict[str, UnitRecord] = {}
    for i in range(count):
        parent = draw(st.none() | st.sampled_from(UNIT_IDS[:i])) if i else None
        units[UNIT_IDS[i]] = UnitRecord(UNIT_IDS[i], f"Unit {i}", "department", parent)
    return units


def subtree(root: str, units: dict[str, UnitRecord]) -> set[str]:
    """The oracle: every unit whose parent chain reaches `root` (root included)."""
    out = set()
    for unit_id in units:
        current: str | None = unit_id
        while current is not None:
            if current == root:
                out.add(unit_id)
                break
            record = units.get(current)
            current = record.parent_id if record else None
    return out


class FakeRegistry:
    """registry_snapshot(): `cached` until asked for a fresh read (max_age_seconds=0)."""

    def __init__(self, cached: dict[str, UnitRecord], fresh: dict[str, UnitRecord] | None = None):
        self.cached = cached
        self.fresh = cached if fresh is None else fresh
        self.fresh_reads = 0

    def registry_snapshot(self, max_age_seconds: float | None = None) -> Any:
        if max_age_seconds == 0:
            self.fresh_reads += 1
            return SimpleNamespace(units=self.fresh)
        return SimpleNamespace(units=self.cached)


def install_registry(
    monkeypatch: pytest.MonkeyPatch,
) -> Callable[..., FakeRegistry]:
    """What the `registry` fixtures hand back: install(cached, fresh=None) puts a
    FakeRegistry in place of storage.registry.registry_snapshot and returns it."""
    from chalicelib.storage import registry as registry_store

    def install(cached: dict[str, UnitRecord], fresh: dict[str, UnitRecord] | None = None):
        fake = FakeRegistry(cached, fresh)
        monkeypatch.setattr(registry_store, "registry_snapshot", fake.registry_snapshot)
        return fake

    return install


# A registry and time window for the plausibility rule (admission's and its own tests).
UNITS = {
    "p": UnitRecord("p", "Tỉnh", "province", None),
    "d": UnitRecord("d", "Sở", "department", "p"),
    "v": UnitRecord("v", "Phòng", "division", "d"),
}
OFFICIALS = {
    "o-p": OfficialRecord("o-p", "p", "A"),
    "o-d": OfficialRecord("o-d", "d", "B"),
    "o-v": OfficialRecord("o-v", "v", "C"),
}
NOW = dt.datetime(2025, 8, 1, 12, 0, tzinfo=dt.UTC)
BOUNDS = plausibility.Bounds(
    now=NOW,
    future_tolerance=dt.timedelta(seconds=300),
    max_age=dt.timedelta(days=400),
    zone=ZoneInfo("Asia/Ho_Chi_Minh"),
)

"""Rules of the organisation registry: pure functions, no storage."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from chalicelib.domain.vocabulary import (
    IDENTIFIER_PATTERN,
    IDENTIFIER_RE,
    LEVEL_COMMUNE,
    LEVEL_DEPARTMENT,
    LEVEL_DIVISION,
    LEVEL_PROVINCE,
    UNIT_LEVELS,
)

# Which levels a unit of a given level may hang under (None = a root).
ALLOWED_PARENT_LEVELS: dict[str, frozenset[str | None]] = {
    LEVEL_PROVINCE: frozenset({None, LEVEL_PROVINCE}),
    LEVEL_DEPARTMENT: frozenset({LEVEL_PROVINCE}),
    LEVEL_COMMUNE: frozenset({LEVEL_PROVINCE}),
    LEVEL_DIVISION: frozenset({LEVEL_DEPARTMENT}),
}
MAX_NAME_LENGTH = 300


@dataclass(frozen=True)
class UnitRecord:
    unit_id: str
    name: str
    level: str
    parent_id: str | None = None


@dataclass(frozen=True)
class OfficialRecord:
    official_id: str
    unit_id: str
    full_name: str
    position: str = ""
    active: bool = True


@dataclass
class RowError:
    kind: str  # "unit" or "official"
    row: int
    field: str
    message: str
    id: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "row": self.row,
            "id": self.id,
            "field": self.field,
            "message": self.message,
        }


@dataclass
class RegistryValidation:
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def validate_registry_upsert(
    units: list[UnitRecord],
    officials: list[OfficialRecord],
    existing_units: Mapping[str, UnitRecord],
) -> RegistryValidation:
    """Validate a bulk upsert against the registry as it would be afterwards.

    Every offending row is reported, so the sender can fix them all at once.
    """
    result = RegistryValidation()
    errors = result.errors
    seen_units: dict[str, int] = {}
    for i, u in enumerate(units):
        if not IDENTIFIER_RE.match(u.unit_id or ""):
            errors.append(
                RowError("unit", i, "unit_id", f"must match {IDENTIFIER_PATTERN}", u.unit_id)
            )
        if u.unit_id in seen_units:
            errors.append(
                RowError(
                    "unit", i, "unit_id", f"duplicate of row {seen_units[u.unit_id]}", u.unit_id
                )
            )
        else:
            seen_units[u.unit_id] = i
        if u.level not in UNIT_LEVELS:
            errors.append(
                RowError("unit", i, "level", f"must be one of {', '.join(UNIT_LEVELS)}", u.unit_id)
            )
        if not u.name or not u.name.strip():
            errors.append(RowError("unit", i, "name", "must not be empty", u.unit_id))
        elif len(u.name) > MAX_NAME_LENGTH:
            errors.append(
                RowError("unit", i, "name", f"longer than {MAX_NAME_LENGTH} characters", u.unit_id)
            )
        if u.parent_id is not None and u.parent_id == u.unit_id:
            errors.append(
                RowError("unit", i, "parent_id", "a unit cannot be its own parent", u.unit_id)
            )

    merged: dict[str, UnitRecord] = dict(existing_units)
    for u in units:
        merged[u.unit_id] = u
    for i, u in enumerate(units):
        if u.parent_id is None or u.parent_id == u.unit_id:
            parent_level: str | None = None
        elif u.parent_id not in merged:
            errors.append(
                RowError("unit", i, "parent_id", f"unknown parent {u.parent_id!r}", u.unit_id)
            )
            continue
        else:
            parent_level = merged[u.parent_id].level
        allowed = ALLOWED_PARENT_LEVELS.get(u.level)
        if allowed is not None and parent_level not in allowed and u.parent_id != u.unit_id:
            wanted = ", ".join(sorted(x or "none" for x in allowed))
            errors.append(
                RowError(
                    "unit",
                    i,
                    "parent_id",
                    f"a {u.level} must have a parent of level {wanted}, not {parent_level or 'none'}",
                    u.unit_id,
                )
            )
    for i, u in enumerate(units):
        if u.parent_id != u.unit_id and _in_cycle(u.unit_id, merged):
            errors.append(RowError("unit", i, "parent_id", "parent chain forms a cycle", u.unit_id))

    seen_officials: dict[str, int] = {}
    for i, o in enumerate(officials):
        if not IDENTIFIER_RE.match(o.official_id or ""):
            errors.append(
                RowError(
                    "official", i, "official_id", f"must match {IDENTIFIER_PATTERN}", o.official_id
                )
            )
        if o.official_id in seen_officials:
            errors.append(
                RowError(
                    "official",
                    i,
                    "official_id",
                    f"duplicate of row {seen_officials[o.official_id]}",
                    o.official_id,
                )
            )
        else:
            seen_officials[o.official_id] = i
        if o.unit_id not in merged:
            errors.append(
                RowError("official", i, "unit_id", f"unknown unit {o.unit_id!r}", o.official_id)
            )
        if not o.full_name or not o.full_name.strip():
            errors.append(RowError("official", i, "full_name", "must not be empty", o.official_id))
        elif len(o.full_name) > MAX_NAME_LENGTH:
            errors.append(
                RowError(
                    "official",
                    i,
                    "full_name",
                    f"longer than {MAX_NAME_LENGTH} characters",
                    o.official_id,
                )
            )
    return result


def _in_cycle(start: str, units: Mapping[str, UnitRecord]) -> bool:
    """True when the parent chain from start loops (through start or above it)."""
    seen: set[str] = set()
    current: str | None = start
    while current is not None:
        if current in seen:
            return True
        seen.add(current)
        record = units.get(current)
        current = record.parent_id if record is not None else None
    return False


def ancestors(unit_id: str, units: Mapping[str, UnitRecord]) -> list[str]:
    """The chain of parents of a unit, nearest first (cycle-safe)."""
    chain: list[str] = []
    current = units.get(unit_id)
    while current is not None and current.parent_id and current.parent_id not in chain:
        chain.append(current.parent_id)
        current = units.get(current.parent_id)
    return chain


def is_within(unit_id: str, root_id: str, units: Mapping[str, UnitRecord]) -> bool:
    """True when unit_id is root_id or one of its descendants."""
    return unit_id == root_id or root_id in ancestors(unit_id, units)


def descendants(root_id: str, units: Iterable[UnitRecord]) -> set[str]:
    """root_id and every unit below it."""
    children: dict[str, list[str]] = {}
    for u in units:
        if u.parent_id:
            children.setdefault(u.parent_id, []).append(u.unit_id)
    out = {root_id}
    stack = [root_id]
    while stack:
        for child in children.get(stack.pop(), []):
            if child not in out:
                out.add(child)
                stack.append(child)
    return out


def outside_scope(
    acting: Iterable[str], scope: Iterable[str], units: Mapping[str, UnitRecord]
) -> list[str]:
    """The acting units (known to the registry) that are neither a scope unit nor below one.

    Units the registry does not know are left to the registry check, which names them."""
    roots = set(scope)
    return sorted(
        u
        for u in set(acting)
        if u in units and u not in roots and not roots.intersection(ancestors(u, units))
    )

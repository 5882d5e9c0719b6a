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
# A unit's e-mail contacts (who the notifications reach), by role: the head of the unit,
# its clerk (văn thư), and the system administrator (admin alerts, province units).
CONTACT_ROLES = ("head", "clerk", "admin")
EMAIL_PATTERN = r"^[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9.-]{1,190}\.[A-Za-z]{2,24}$"


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


@dataclass(frozen=True)
class ContactRecord:
    """An e-mail address of a unit for a role (lower-cased: one address, one record)."""

    unit_id: str
    email: str
    role: str


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
    contacts: list[ContactRecord] | None = None,
) -> RegistryValidation:
    """Validate a bulk upsert against the registry as it would be afterwards.

    Every offending row is reported, so the sender can fix them all at once.
    """
    result = RegistryValidation()
    errors = result.errors
    seen_units: dict[str, int] = {}
    for i, u in enumerate(units):
        errors += _id_errors("unit", i, "unit_id", u.unit_id, seen_units)
        if u.level not in UNIT_LEVELS:
            errors.append(
                RowError("unit", i, "level", f"must be one of {', '.join(UNIT_LEVELS)}", u.unit_id)
            )
        errors += _name_errors("unit", i, "name", u.name, u.unit_id)
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
        errors += _id_errors("official", i, "official_id", o.official_id, seen_officials)
        if o.unit_id not in merged:
            errors.append(
                RowError("official", i, "unit_id", f"unknown unit {o.unit_id!r}", o.official_id)
            )
        errors += _name_errors("official", i, "full_name", o.full_name, o.official_id)
    for i, c in enumerate(contacts or ()):
        if c.unit_id not in merged:
            errors.append(RowError("contact", i, "unit_id", f"unknown unit {c.unit_id!r}", c.email))
        if c.role not in CONTACT_ROLES:
            errors.append(
                RowError(
                    "contact", i, "role", f"must be one of {', '.join(CONTACT_ROLES)}", c.email
                )
            )
    return result


def _id_errors(
    kind: str, row: int, field: str, row_id: str, seen: dict[str, int]
) -> list[RowError]:
    """A row's id must be an identifier and appear once in the upsert (`seen`: id -> the
    first row with it, filled as the rows are checked)."""
    errors = []
    if not IDENTIFIER_RE.match(row_id or ""):
        errors.append(RowError(kind, row, field, f"must match {IDENTIFIER_PATTERN}", row_id))
    if row_id in seen:
        errors.append(RowError(kind, row, field, f"duplicate of row {seen[row_id]}", row_id))
    else:
        seen[row_id] = row
    return errors


def _name_errors(kind: str, row: int, field: str, name: str, row_id: str) -> list[RowError]:
    if not name or not name.strip():
        return [RowError(kind, row, field, "must not be empty", row_id)]
    if len(name) > MAX_NAME_LENGTH:
        return [RowError(kind, row, field, f"longer than {MAX_NAME_LENGTH} characters", row_id)]
    return []


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

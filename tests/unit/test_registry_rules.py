"""The registry's rules (chalicelib/domain/registry.py), without a stack: every
offending row of a bulk upsert is named by kind, row, field, id and a message that says
what is wrong, and a valid registry passes whole. The service's API tests send the same
batches through HTTP; these make `make mutation` see the rule itself. The tree (ancestors,
is_within, descendants, outside_scope) against a recomputation along the parent chain."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain.registry import (
    ContactRecord,
    OfficialRecord,
    RowError,
    UnitRecord,
    ancestors,
    descendants,
    is_within,
    outside_scope,
    validate_registry_upsert,
)

LEVELS = "province, department, commune, division"


def _errors(units, officials=(), existing=None, contacts=None) -> list[dict]:
    result = validate_registry_upsert(list(units), list(officials), existing or {}, contacts)
    assert result.ok == (not result.errors)
    return [e.as_dict() for e in result.errors]


def test_a_row_error_shows_every_field():
    error = RowError("official", 3, "unit_id", "unknown unit 'x'", "cb-1")
    assert error.as_dict() == {
        "kind": "official",
        "row": 3,
        "id": "cb-1",
        "field": "unit_id",
        "message": "unknown unit 'x'",
    }


def test_a_valid_registry_passes_whole_with_every_allowed_parent_level():
    existing = {"p": UnitRecord("p", "Tỉnh", "province")}
    units = [
        UnitRecord("p2", "Tỉnh khác", "province"),  # a root province
        UnitRecord("p3", "Văn phòng", "province", "p"),  # a province unit under the province
        UnitRecord("d", "Sở", "department", "p3"),
        UnitRecord("v", "Phòng", "division", "d"),  # its parent is new in the same upsert
        UnitRecord("c", "x" * 300, "commune", "p"),  # a name of exactly the longest length
    ]
    officials = [OfficialRecord("cb-1", "v", "Nguyễn Văn A"), OfficialRecord("cb-2", "p", "B")]
    contacts = [
        ContactRecord("p", "head@p.vn", "head"),
        ContactRecord("d", "clerk@d.vn", "clerk"),
        ContactRecord("c", "admin@c.vn", "admin"),
    ]
    result = validate_registry_upsert(units, officials, existing, contacts)
    assert result.ok and result.errors == []


def test_an_upsert_names_every_offending_row_by_kind_row_field_and_what_is_wrong():
    existing = {
        "p": UnitRecord("p", "Tỉnh", "province"),
        "d0": UnitRecord("d0", "Sở A", "department", "p"),
    }
    units = [
        UnitRecord("bad id", "Xã", "commune", "p"),
        UnitRecord("d1", "  ", "department", "nowhere"),
        UnitRecord("d1", "Sở B", "planet", "p"),
        UnitRecord("s", "S", "division", "s"),
        UnitRecord("c", "x" * 301, "commune", None),
        UnitRecord("v", "V", "division", "p"),
        UnitRecord("q", "Q", "province", "d0"),
        UnitRecord("a", "A", "commune", "b"),
        UnitRecord("b", "B", "province", "a"),
        UnitRecord("x", "X", "commune", "b"),  # below the loop, not in it: its chain loops
        UnitRecord("e", "", "department", "p"),
    ]
    officials = [
        OfficialRecord("cb-1", "p", "Nguyễn Văn A"),
        OfficialRecord("cb-1", "ghost", ""),
        OfficialRecord("", "d1", "B"),
        OfficialRecord("cb-3", "c", " " * 3),
    ]
    contacts = [ContactRecord("p", "a@b.vn", "head"), ContactRecord("ghost", "x@b.vn", "boss")]

    def unit(row: int, field: str, message: str, row_id: str) -> dict:
        return {"kind": "unit", "row": row, "id": row_id, "field": field, "message": message}

    def official(row: int, field: str, message: str, row_id: str) -> dict:
        return {"kind": "official", "row": row, "id": row_id, "field": field, "message": message}

    assert _errors(units, officials, existing, contacts) == [
        # each row: its id, its level, its name, its own parent
        unit(0, "unit_id", "must match ^[A-Za-z0-9._-]{1,64}$", "bad id"),
        unit(1, "name", "must not be empty", "d1"),
        unit(2, "unit_id", "duplicate of row 1", "d1"),
        unit(2, "level", f"must be one of {LEVELS}", "d1"),
        unit(3, "parent_id", "a unit cannot be its own parent", "s"),
        unit(4, "name", "longer than 300 characters", "c"),
        unit(10, "name", "must not be empty", "e"),
        # the parents, against the registry as it would be afterwards
        unit(1, "parent_id", "unknown parent 'nowhere'", "d1"),
        unit(4, "parent_id", "a commune must have a parent of level province, not none", "c"),
        unit(5, "parent_id", "a division must have a parent of level department, not province", "v"),
        unit(
            6, "parent_id", "a province must have a parent of level none, province, not department", "q"
        ),
        unit(8, "parent_id", "a province must have a parent of level none, province, not commune", "b"),
        # the cycles (a unit that is its own parent was named above, once)
        unit(7, "parent_id", "parent chain forms a cycle", "a"),
        unit(8, "parent_id", "parent chain forms a cycle", "b"),
        unit(9, "parent_id", "parent chain forms a cycle", "x"),
        # the officials, then the contacts
        official(1, "official_id", "duplicate of row 0", "cb-1"),
        official(1, "unit_id", "unknown unit 'ghost'", "cb-1"),
        official(1, "full_name", "must not be empty", "cb-1"),
        official(2, "official_id", "must match ^[A-Za-z0-9._-]{1,64}$", ""),
        official(3, "full_name", "must not be empty", "cb-3"),
        {"kind": "contact", "row": 1, "id": "x@b.vn", "field": "unit_id",
         "message": "unknown unit 'ghost'"},
        {"kind": "contact", "row": 1, "id": "x@b.vn", "field": "role",
         "message": "must be one of head, clerk, admin"},
    ]  # fmt: skip


def test_a_level_the_registry_does_not_know_is_named_once_whatever_its_parent():
    existing = {"p": UnitRecord("p", "Tỉnh", "province")}
    assert _errors([UnitRecord("z", "Z", "planet")], existing=existing) == [
        {
            "kind": "unit",
            "row": 0,
            "id": "z",
            "field": "level",
            "message": f"must be one of {LEVELS}",
        }
    ]


def test_an_unknown_parent_does_not_stop_the_checks_of_the_rows_after_it():
    assert _errors([UnitRecord("a", "A", "commune", "nowhere"), UnitRecord("b", "B", "division")]) == [
        {"kind": "unit", "row": 0, "id": "a", "field": "parent_id",
         "message": "unknown parent 'nowhere'"},
        {"kind": "unit", "row": 1, "id": "b", "field": "parent_id",
         "message": "a division must have a parent of level department, not none"},
    ]  # fmt: skip


def test_a_cycle_through_the_existing_registry_is_found():
    # The upsert moves p under d, and d already hangs under p: a loop of two.
    existing = {
        "p": UnitRecord("p", "Tỉnh", "province"),
        "d": UnitRecord("d", "Sở", "department", "p"),
    }
    errors = _errors([UnitRecord("p", "Tỉnh", "province", "d")], existing=existing)
    assert errors[-1] == {
        "kind": "unit",
        "row": 0,
        "id": "p",
        "field": "parent_id",
        "message": "parent chain forms a cycle",
    }


# --- the tree: parents, subtrees, scopes ---------------------------------------------------

FOREST_IDS = [f"u{i}" for i in range(7)]


@st.composite
def forests(draw: st.DrawFn) -> dict[str, UnitRecord]:
    """Up to 7 units, each hanging under an earlier one, a unit the registry does not know
    ("ghost") or nothing."""
    units: dict[str, UnitRecord] = {}
    for i in range(draw(st.integers(1, len(FOREST_IDS)))):
        parent = draw(st.none() | st.sampled_from([*FOREST_IDS[:i], "ghost"]))
        units[FOREST_IDS[i]] = UnitRecord(FOREST_IDS[i], f"U{i}", "province", parent)
    return units


def _chain(unit_id: str, units: dict[str, UnitRecord]) -> list[str]:
    """The oracle: parent after parent, as long as a parent is named (known or not)."""
    out: list[str] = []
    while unit_id in units and units[unit_id].parent_id is not None:
        unit_id = units[unit_id].parent_id  # type: ignore[assignment]
        out.append(unit_id)
    return out


@given(forests(), st.data())
def test_the_tree_is_read_along_the_parent_chain(units, data):
    ids = [*units, "ghost"]
    unit_id = data.draw(st.sampled_from(ids))
    root_id = data.draw(st.sampled_from(ids))
    assert ancestors(unit_id, units) == _chain(unit_id, units)
    assert is_within(unit_id, root_id, units) == (
        unit_id == root_id or root_id in _chain(unit_id, units)
    )
    below = {u for u in units if root_id in _chain(u, units)}
    assert descendants(root_id, units.values()) == {root_id} | below
    scope = data.draw(st.lists(st.sampled_from(ids), max_size=3))
    acting = data.draw(st.lists(st.sampled_from([*ids, "nowhere"]), max_size=5))
    reached = {u for u in units if u in scope or set(scope) & set(_chain(u, units))}
    assert outside_scope(acting, scope, units) == sorted(
        {u for u in acting if u in units and u not in reached}
    )


def test_the_tree_on_examples_and_through_a_loop():
    units = {
        "p": UnitRecord("p", "P", "province"),
        "d": UnitRecord("d", "D", "department", "p"),
        "v": UnitRecord("v", "V", "division", "d"),
        "w": UnitRecord("w", "W", "division", "d"),
        "c": UnitRecord("c", "C", "commune", "p"),
    }
    assert ancestors("v", units) == ["d", "p"]
    assert ancestors("p", units) == [] and ancestors("ghost", units) == []
    assert is_within("v", "p", units) and is_within("v", "v", units)
    assert not is_within("p", "v", units) and not is_within("c", "d", units)
    assert descendants("d", units.values()) == {"d", "v", "w"}
    assert descendants("v", units.values()) == {"v"}
    assert outside_scope(["v", "c", "p", "ghost", "c"], ["d"], units) == ["c", "p"]
    assert outside_scope(["v"], [], units) == ["v"]
    # A loop (a registry being repaired): each unit once, nothing read forever.
    loop = {"a": UnitRecord("a", "A", "province", "b"), "b": UnitRecord("b", "B", "province", "a")}
    assert ancestors("a", loop) == ["b", "a"]
    assert descendants("a", loop.values()) == {"a", "b"}

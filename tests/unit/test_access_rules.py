"""Who may reach what, without a stack: the role enforcement of a route declaration
(routing.enforcing), a unit officer's subtree (services/registry.check_unit_access,
visible_unit_ids), the nominations' access rules and a source's scope at admission, each
against an independent recomputation over a generated unit tree. The registry and the
nominations store are stood in for (monkeypatch), so `make mutation` runs these in
milliseconds; the API tests (tests/api/test_role_matrix.py, test_admission.py) check the
same rules through HTTP."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chalicelib.auth import PROVINCE_ADMIN, PROVINCE_WIDE_ROLES, ROLES, UNIT_OFFICER, Principal
from chalicelib.domain.errors import Conflict, Forbidden, NotFound, Unavailable, Unprocessable
from chalicelib.domain.registry import OfficialRecord, UnitRecord
from chalicelib.domain.vocabulary import EV_PROCESSED
from chalicelib.errors import ApiError

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


@pytest.fixture
def registry(monkeypatch: pytest.MonkeyPatch):
    from chalicelib.storage import registry as registry_store

    def install(cached: dict[str, UnitRecord], fresh: dict[str, UnitRecord] | None = None):
        fake = FakeRegistry(cached, fresh)
        monkeypatch.setattr(registry_store, "registry_snapshot", fake.registry_snapshot)
        return fake

    return install


principals = st.builds(
    Principal,
    sub=st.just("someone"),
    role=st.sampled_from(ROLES),
    unit_id=st.none() | st.sampled_from(UNIT_IDS),
)


# --- routing.enforcing: the role a route declares ---------------------------------------


@dataclass
class FakeBlueprint:
    current_request: Any


def _request(role: str | None) -> Any:
    authorizer = {} if role is None else {"sub": "s", "role": role, "unit_id": ""}
    return SimpleNamespace(context={"authorizer": authorizer})


@given(
    allowed=st.lists(st.sampled_from(ROLES), min_size=1, unique=True), role=st.sampled_from(ROLES)
)
def test_a_route_lets_through_exactly_the_roles_it_declares(allowed, role):
    from chalicelib.api.routing import enforcing

    calls = []
    view = enforcing(
        FakeBlueprint(_request(role)),
        tuple(allowed),
        lambda *a, **kw: calls.append((a, kw)) or "answer",
    )
    if role in allowed:
        assert view(1, unit_id="u") == "answer"
        assert calls == [((1,), {"unit_id": "u"})]
    else:
        with pytest.raises(Forbidden) as refused:
            view(1, unit_id="u")
        assert calls == []
        assert refused.value.code == "forbidden"
        assert repr(role) in refused.value.message
        assert all(r in refused.value.message for r in allowed)


def test_a_request_without_an_identity_is_refused_whatever_the_route():
    from chalicelib.api.routing import enforcing

    view = enforcing(FakeBlueprint(_request(None)), ROLES, lambda: "answer")
    with pytest.raises(ApiError) as refused:
        view()
    assert (refused.value.status, refused.value.code) == (403, "forbidden")
    assert refused.value.message == "No caller identity"


@given(allowed=st.lists(st.sampled_from(ROLES), unique=True), role=st.sampled_from(ROLES))
def test_the_role_check_refuses_exactly_the_roles_not_declared(allowed, role):
    from chalicelib.api.routing import check_role

    if role in allowed:
        assert check_role(role, tuple(allowed)) is None
    else:
        with pytest.raises(Forbidden) as refused:
            check_role(role, tuple(allowed))
        assert refused.value.message == (
            f"Role {role!r} may not do this; needs one of: {', '.join(allowed)}"
        )


@pytest.mark.parametrize(
    "context",
    [None, {}, {"authorizer": None}, {"authorizer": {}}, {"authorizer": {"role": ""}}],
)
def test_a_request_whose_context_names_no_role_has_no_identity(context):
    from chalicelib.api.http import principal_of

    with pytest.raises(ApiError) as refused:
        principal_of(SimpleNamespace(context=context))
    assert (refused.value.status, refused.value.message) == (403, "No caller identity")


def test_the_identity_is_read_from_the_authorizer_context():
    from chalicelib.api.http import principal_of

    officer = {"sub": "s-1", "role": UNIT_OFFICER, "unit_id": "u-1"}
    assert principal_of(SimpleNamespace(context={"authorizer": officer})) == Principal(
        sub="s-1", role=UNIT_OFFICER, unit_id="u-1"
    )
    # API Gateway carries strings only: a province-wide caller's unit is "", read as none.
    admin = {"sub": "s-2", "role": PROVINCE_ADMIN, "unit_id": ""}
    assert principal_of(SimpleNamespace(context={"authorizer": admin})).unit_id is None


# --- the unit officer's subtree (services/registry) -------------------------------------


@FAKES
@given(units=unit_forests(), principal=principals, unit_id=st.sampled_from(UNIT_IDS))
def test_a_caller_reaches_a_unit_exactly_when_it_is_in_their_subtree(
    registry, units, principal, unit_id
):
    from chalicelib.services.registry import check_unit_access, visible_unit_ids

    registry(units)
    if unit_id not in units:
        with pytest.raises(NotFound):
            check_unit_access(principal, unit_id)
    elif principal.role in PROVINCE_WIDE_ROLES or (
        principal.unit_id and unit_id in subtree(principal.unit_id, units)
    ):
        assert check_unit_access(principal, unit_id) == units[unit_id]
    else:
        with pytest.raises(Forbidden):
            check_unit_access(principal, unit_id)

    visible = visible_unit_ids(principal)
    if principal.role in PROVINCE_WIDE_ROLES:
        assert visible is None
    elif principal.unit_id:
        assert visible == subtree(principal.unit_id, units) | {principal.unit_id}
    else:
        assert visible == set()


def test_a_unit_registered_since_the_cached_snapshot_is_found(registry):
    parent = UnitRecord("u0", "Parent", "department")
    child = UnitRecord("u1", "Child", "commune", "u0")
    fake = registry({"u0": parent}, {"u0": parent, "u1": child})
    from chalicelib.services.registry import check_unit_access

    officer = Principal("s", "unit_officer", "u0")
    assert check_unit_access(officer, "u1") == child
    assert fake.fresh_reads == 1
    assert check_unit_access(officer, "u0") == parent
    assert fake.fresh_reads == 1  # a known unit needs no fresh read
    with pytest.raises(NotFound) as missing:
        check_unit_access(officer, "u7")
    assert "'u7'" in missing.value.message


# --- nominations (services/nominations/access.py) ---------------------------------------


@FAKES
@given(units=unit_forests(), principal=principals, unit_id=st.sampled_from(UNIT_IDS))
def test_a_nomination_is_within_the_caller_exactly_in_their_subtree(
    registry, units, principal, unit_id
):
    from chalicelib.services.nominations.access import within_caller

    registry(units)
    expected = principal.role in PROVINCE_WIDE_ROLES or bool(
        principal.unit_id and unit_id in subtree(principal.unit_id, units) | {principal.unit_id}
    )
    assert within_caller(principal, unit_id) is expected


def test_within_caller_reads_the_registry_again_for_a_unit_it_does_not_know(registry):
    from chalicelib.services.nominations.access import within_caller

    parent = UnitRecord("u0", "Parent", "department")
    child = UnitRecord("u1", "Child", "commune", "u0")
    officer = Principal("s", "unit_officer", "u0")
    fake = registry({"u0": parent}, {"u0": parent, "u1": child})
    assert within_caller(officer, "u1") is True
    assert fake.fresh_reads == 1
    fake = registry({"u1": child}, {"u0": parent, "u1": child})  # the officer's unit is new
    assert within_caller(officer, "u1") is True
    assert fake.fresh_reads == 1
    fake = registry({"u0": parent, "u1": child})
    assert within_caller(officer, "u1") is True
    assert fake.fresh_reads == 0
    assert within_caller(Principal("s", "unit_officer", None), "u0") is False
    assert within_caller(Principal("s", "council_member", None), "u0") is False


@pytest.fixture
def nominations(monkeypatch: pytest.MonkeyPatch, registry):
    from chalicelib.storage import nominations as nomination_store

    registry(
        {
            "u0": UnitRecord("u0", "Parent", "department"),
            "u1": UnitRecord("u1", "Child", "commune", "u0"),
            "u2": UnitRecord("u2", "Other", "department"),
        }
    )
    stored: dict[str, Any] = {}
    monkeypatch.setattr(nomination_store, "get_nomination", stored.get)
    return stored


def _nomination(nomination_id: str, unit_id: str, status: str) -> Any:
    return SimpleNamespace(nomination_id=nomination_id, unit_id=unit_id, status=status)


def test_visible_and_changeable_say_404_403_or_409(nominations):
    from chalicelib.domain import nominations as rules
    from chalicelib.services.nominations.access import changeable, refused_state, visible

    nominations["n1"] = _nomination("n1", "u1", "draft")
    officer = Principal("s", "unit_officer", "u0")
    assert visible(officer, "n1") is nominations["n1"]
    with pytest.raises(NotFound) as unknown:
        visible(officer, "n9")
    assert "'n9'" in unknown.value.message
    with pytest.raises(Forbidden) as outside:
        visible(Principal("s", "unit_officer", "u2"), "n1")
    assert "'n1'" in outside.value.message

    assert rules.next_status("draft", "submit") is not None
    assert changeable(officer, "n1", "submit") is nominations["n1"]
    assert rules.next_status("draft", "approve") is None
    with pytest.raises(Conflict) as conflict:
        changeable(officer, "n1", "approve")
    allowed = rules.allowed_from("approve")
    assert conflict.value.details == [
        {"nomination_id": "n1", "status": "draft", "action": "approve", "allowed_from": allowed}
    ]
    assert "Cannot approve nomination 'n1': it is 'draft'" in conflict.value.message
    assert " or ".join(repr(s) for s in allowed) in conflict.value.message

    stale = refused_state("n1", "approve")
    assert isinstance(stale, Conflict) and stale.details == conflict.value.details
    gone = refused_state("n9", "approve")
    assert isinstance(gone, NotFound) and "'n9'" in gone.message


def test_the_audit_trail_names_the_actor():
    from chalicelib.services.nominations.access import actor

    assert actor(Principal("s", "unit_officer", "u0")) == {
        "sub": "s",
        "role": "unit_officer",
        "unit_id": "u0",
    }


# --- a source's scope at admission (services/admission.py) ------------------------------


@pytest.fixture
def scope(monkeypatch: pytest.MonkeyPatch, registry):
    from chalicelib.services import sources as source_service

    scopes: dict[str, list[str]] = {}
    monkeypatch.setattr(source_service, "scope_of", scopes.get)
    return scopes


@FAKES
@given(
    units=unit_forests(),
    roots=st.lists(st.sampled_from(UNIT_IDS), max_size=3, unique=True),
    acting=st.lists(st.sampled_from([*UNIT_IDS, "unknown"]), max_size=5),
)
def test_a_source_speaks_only_for_its_scope_and_below(registry, scope, units, roots, acting):
    from chalicelib.services.admission import check_scope

    registry(units)
    scope["src"] = roots
    within = set().union(*(subtree(r, units) for r in roots)) | set(roots)
    outside = sorted({u for u in acting if u in units and u not in within})
    if not outside:
        check_scope("src", acting)
        return
    with pytest.raises(Forbidden) as refused:
        check_scope("src", acting)
    assert refused.value.code == "outside_scope"
    assert refused.value.details == [{"unit_id": u} for u in outside]
    assert ", ".join(outside) in refused.value.message
    assert (", ".join(roots) or "empty") in refused.value.message


def test_a_unit_moved_under_the_scope_since_the_snapshot_is_admitted(registry, scope):
    from chalicelib.services.admission import check_scope

    before = {"u0": UnitRecord("u0", "A", "department"), "u1": UnitRecord("u1", "B", "commune")}
    after = {**before, "u1": UnitRecord("u1", "B", "commune", "u0")}
    scope["src"] = ["u0"]
    fake = registry(before, after)
    check_scope("src", ["u1"])
    assert fake.fresh_reads == 1
    check_scope("src", [])  # nothing to check: no read at all
    assert fake.fresh_reads == 1


def test_a_scope_lookup_that_fails_is_unavailable_not_a_default(monkeypatch, registry, scope):
    from chalicelib.services import sources as source_service
    from chalicelib.services.admission import check_scope

    registry({"u0": UnitRecord("u0", "A", "department")})

    def broken(source_id: str) -> list[str]:
        raise RuntimeError("the table is down")

    monkeypatch.setattr(source_service, "scope_of", broken)
    with pytest.raises(Unavailable):
        check_scope("src", ["u0"])


# --- admission: units in the registry, organs, and what a delivery may claim -----------


NOW = dt.datetime(2025, 8, 1, 9, 0, tzinfo=dt.UTC)
UNITS = {
    "dept": UnitRecord("dept", "Department", "department"),
    "div": UnitRecord("div", "Division", "division", "dept"),
}


def _processed(unit_id: str, official_id: str, at: dt.datetime = NOW) -> Any:
    return SimpleNamespace(
        type=EV_PROCESSED, unit_id=unit_id, actor_official_id=official_id, occurred_at=at
    )


class FakeOfficials:
    """cached_officials(): what the cache knows until a fresh read (max_age_seconds=0)."""

    def __init__(self, cached: dict[str, OfficialRecord], fresh: dict[str, OfficialRecord]):
        self.cached, self.fresh, self.reads = cached, fresh, []

    def __call__(self, ids: Any, max_age_seconds: float | None = None) -> dict:
        self.reads.append((set(ids), max_age_seconds))
        known = self.fresh if max_age_seconds == 0 else self.cached
        return {i: known[i] for i in ids if i in known}


@pytest.fixture
def admission(monkeypatch: pytest.MonkeyPatch, registry, scope):
    """The registry of UNITS, the source "src" scoped to "dept", a fixed clock."""
    from chalicelib import clock
    from chalicelib.storage import registry as registry_store

    registry(UNITS)
    scope["src"] = ["dept"]
    monkeypatch.setattr(
        registry_store, "missing_units", lambda ids: {i for i in ids if i not in UNITS}
    )
    clock.set_clock(lambda: NOW)

    def officials(cached: dict, fresh: dict | None = None) -> FakeOfficials:
        fake = FakeOfficials(cached, cached if fresh is None else fresh)
        monkeypatch.setattr(registry_store, "cached_officials", fake)
        return fake

    return officials


def test_units_outside_the_registry_are_named_per_event(admission):
    from chalicelib.services.admission import check_units

    check_units([_processed("dept", "o"), _processed("div", "o")])
    with pytest.raises(Unprocessable) as refused:
        check_units([_processed("dept", "o"), _processed("ghost", "o"), _processed("ghost", "o")])
    assert refused.value.details == [
        {"index": i, "field": "unit_id", "unit_id": "ghost", "message": "not in the registry"}
        for i in (1, 2)
    ]
    assert "not in the registry" in refused.value.message


def test_an_edxml_organ_is_held_to_the_unit_rules(admission, scope):
    from chalicelib.services.admission import check_organs

    check_organs("src", {"dept", "div"})
    with pytest.raises(Unprocessable) as unknown:
        check_organs("src", {"zz", "dept", "aa"})
    assert unknown.value.details == [{"unit_id": "aa"}, {"unit_id": "zz"}]
    scope["narrow"] = ["div"]
    with pytest.raises(Forbidden):
        check_organs("narrow", {"dept"})


def test_a_delivery_is_admitted_or_refused_whole(admission):
    from chalicelib.services.admission import admit

    own = OfficialRecord("o-dept", "dept", "A")
    admission({"o-dept": own})
    admit("src", [])  # nothing to check
    # An officer of the department acts for the division below it.
    admit("src", [_processed("div", "o-dept"), _processed("dept", "o-dept")])
    with pytest.raises(Unprocessable) as refused:
        admit("src", [_processed("dept", "o-dept"), _processed("dept", "o-gone")])
    assert refused.value.details == [
        {
            "index": 1,
            "field": "actor_official_id",
            "message": "official 'o-gone' is not in the registry",
        }
    ]
    with pytest.raises(Unprocessable):
        admit("src", [_processed("ghost", "o-dept")])  # the unit first
    with pytest.raises(Forbidden):
        admit("narrow-less", [_processed("dept", "o-dept")])  # no scope: nothing allowed


def test_the_time_window_is_the_settings_defaults(admission):
    """EVENT_MAX_AGE_DAYS (400) and the webhook tolerance bound occurred_at, read unset."""
    from chalicelib.services.admission import admit
    from chalicelib.settings import get_settings

    admission({"o": OfficialRecord("o", "dept", "A")})
    settings = get_settings()
    assert settings.event_max_age_days == 400
    tolerance = dt.timedelta(seconds=settings.webhook_tolerance_seconds)
    admit("src", [_processed("dept", "o", NOW - dt.timedelta(days=400))])
    admit("src", [_processed("dept", "o", NOW + tolerance)])
    for at, words in (
        (NOW - dt.timedelta(days=400, seconds=1), "older than the 400 days"),
        (NOW + tolerance + dt.timedelta(seconds=1), "in the future"),
    ):
        with pytest.raises(Unprocessable) as refused:
            admit("src", [_processed("dept", "o", at)])
        assert refused.value.details[0]["field"] == "occurred_at"
        assert words in refused.value.details[0]["message"]


def test_an_official_changed_since_the_cache_is_read_again_once(admission):
    from chalicelib.services.admission import admit

    moved = OfficialRecord("o", "dept", "A")
    fake = admission({"o": OfficialRecord("o", "elsewhere", "A")}, {"o": moved})
    admit("src", [_processed("div", "o")])
    assert fake.reads == [({"o"}, None), ({"o"}, 0)]
    fake = admission({"o": moved})
    admit("src", [_processed("div", "o")])
    assert fake.reads == [({"o"}, None)]  # nothing wrong: no second read


def test_edxml_officials_are_not_registry_ids(admission):
    from chalicelib.services.admission import admit

    fake = admission({})
    admit("src", [_processed("dept", "cert:abc")], registry_officials=False)
    assert fake.reads == [(set(), None)]
    with pytest.raises(Unprocessable):
        admit("src", [_processed("dept", "cert:abc", NOW - dt.timedelta(days=500))],
              registry_officials=False)  # fmt: skip


def test_a_registry_that_cannot_be_read_is_unavailable(admission, monkeypatch):
    from chalicelib.services.admission import admit
    from chalicelib.storage import registry as registry_store

    def broken(ids: Any, max_age_seconds: float | None = None) -> dict:
        raise RuntimeError("the table is down")

    monkeypatch.setattr(registry_store, "cached_officials", broken)
    with pytest.raises(Unavailable):
        admit("src", [_processed("dept", "o")])
    fake = admission({"o": OfficialRecord("o", "elsewhere", "A")})
    calls = []

    def fails_fresh(ids: Any, max_age_seconds: float | None = None) -> dict:
        calls.append(max_age_seconds)
        if max_age_seconds == 0:
            raise RuntimeError("the table is down")
        return fake(ids)

    monkeypatch.setattr(registry_store, "cached_officials", fails_fresh)
    with pytest.raises(Unavailable):
        admit("src", [_processed("dept", "o")])
    assert calls == [None, 0]

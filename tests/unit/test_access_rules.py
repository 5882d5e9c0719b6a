"""Who may reach what, without a stack: the role enforcement of a route declaration
(routing.enforcing), a unit officer's subtree (services/registry.check_unit_access,
visible_unit_ids) and the nominations' access rules, each against an independent
recomputation over a generated unit tree (a source's scope at admission:
test_admission_service.py). The registry and the nominations store are stood in for
(monkeypatch), so `make mutation` runs these in milliseconds; the API tests
(tests/api/test_role_matrix.py) check the same rules through HTTP."""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.auth import PROVINCE_ADMIN, PROVINCE_WIDE_ROLES, ROLES, UNIT_OFFICER, Principal
from chalicelib.domain.errors import Conflict, Forbidden, NotFound
from chalicelib.domain.registry import UnitRecord
from chalicelib.errors import ApiError
from tests.access_fakes import FAKES, UNIT_IDS, install_registry, subtree, unit_forests


@pytest.fixture
def registry(monkeypatch: pytest.MonkeyPatch):
    return install_registry(monkeypatch)


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
    assert missing.value.message == "Unit 'u7' is not in the registry"
    with pytest.raises(Forbidden) as outside:
        check_unit_access(Principal("s", "unit_officer", "u1"), "u0")
    assert outside.value.message == "Unit 'u0' is outside your unit"


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


def test_a_refusal_lists_every_state_the_action_is_allowed_from(nominations, monkeypatch):
    """Each action has one allowed state today; a second one is listed with "or"."""
    from chalicelib.domain import nominations as rules
    from chalicelib.services.nominations.access import changeable

    nominations["n1"] = _nomination("n1", "u1", "approved")
    monkeypatch.setattr(rules, "allowed_from", lambda action: ["draft", "submitted"])
    with pytest.raises(Conflict) as conflict:
        changeable(Principal("s", "province_admin", None), "n1", "edit")
    assert conflict.value.message == (
        "Cannot edit nomination 'n1': it is 'approved'; allowed only when 'draft' or 'submitted'"
    )


def test_the_audit_trail_names_the_actor():
    from chalicelib.services.nominations.access import actor

    assert actor(Principal("s", "unit_officer", "u0")) == {
        "sub": "s",
        "role": "unit_officer",
        "unit_id": "u0",
    }

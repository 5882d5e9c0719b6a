"""What a delivery may claim, checked when it arrives (services/admission.py), without a
stack: a source's scope over generated unit trees against an independent recomputation,
the units and officials in the registry, the time window and the province's month, and
what each refusal says (to the sender) and logs (for the operator). The registry, the
sources and the clock are stood in for; tests/api/test_admission.py checks the same rules
through HTTP."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain.errors import Forbidden, Unavailable, Unprocessable
from chalicelib.domain.registry import OfficialRecord, UnitRecord
from chalicelib.domain.vocabulary import EV_EVALUATED, EV_PROCESSED
from tests.access_fakes import FAKES, UNIT_IDS, install_registry, subtree, unit_forests


@pytest.fixture
def registry(monkeypatch: pytest.MonkeyPatch):
    return install_registry(monkeypatch)


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


# --- admission's refusals say why, to the sender and to the operator --------------------


class FakeLogger:
    """admission.logger stood in for: what an operator would read in the logs."""

    def __init__(self) -> None:
        self.exceptions: list[str] = []

    def exception(self, message: str, *args: Any, **kwargs: Any) -> None:
        self.exceptions.append(message)


@pytest.fixture
def logged(monkeypatch: pytest.MonkeyPatch) -> FakeLogger:
    from chalicelib.services import admission as admission_service

    fake = FakeLogger()
    monkeypatch.setattr(admission_service, "logger", fake)
    return fake


def test_a_refusal_names_the_source_the_units_and_the_scope(registry, scope):
    from chalicelib.services.admission import check_scope

    registry({u: UnitRecord(u, u, "department") for u in ("u0", "u1", "u2", "u3")})
    scope["src"] = ["u0", "u1"]
    with pytest.raises(Forbidden) as refused:
        check_scope("src", ["u3", "u0", "u2"])
    assert refused.value.message == (
        "Source 'src' may not speak for unit(s) u2, u3; its scope is u0, u1 and the units "
        "below; nothing was stored"
    )
    scope["none"] = []
    with pytest.raises(Forbidden) as refused:
        check_scope("none", ["u1"])
    assert refused.value.message == (
        "Source 'none' may not speak for unit(s) u1; its scope is empty and the units "
        "below; nothing was stored"
    )


def test_each_refusal_of_a_delivery_says_nothing_was_stored(admission):
    from chalicelib.services.admission import admit, check_organs, check_units

    admission({"o-dept": OfficialRecord("o-dept", "dept", "A")})
    with pytest.raises(Unprocessable) as unknown:
        check_units([_processed("ghost", "o")])
    assert unknown.value.message == (
        "Events name units that are not in the registry; nothing was stored"
    )
    with pytest.raises(Unprocessable) as organs:
        check_organs("src", {"ghost"})
    assert organs.value.message == (
        "The message names organs that are not in the registry; nothing was stored"
    )
    with pytest.raises(Unprocessable) as untrue:
        admit("src", [_processed("dept", "o-gone")])
    assert untrue.value.message == "Events that cannot be true; nothing was stored"


def test_a_lookup_that_fails_is_logged_and_answered_retry_later(
    admission, logged, monkeypatch, scope
):
    from chalicelib.services import sources as source_service
    from chalicelib.services.admission import admit, check_scope
    from chalicelib.storage import registry as registry_store

    retry = "Could not check the registry right now; retry later"

    def broken(ids: Any, max_age_seconds: float | None = None) -> dict:
        raise RuntimeError("the table is down")

    monkeypatch.setattr(registry_store, "cached_officials", broken)
    with pytest.raises(Unavailable) as cached:
        admit("src", [_processed("dept", "o")])
    assert cached.value.message == retry
    assert logged.exceptions == ["registry lookup failed"]

    stale = admission({"o": OfficialRecord("o", "elsewhere", "A")})

    def fails_fresh(ids: Any, max_age_seconds: float | None = None) -> dict:
        if max_age_seconds == 0:
            raise RuntimeError("the table is down")
        return stale(ids)

    monkeypatch.setattr(registry_store, "cached_officials", fails_fresh)
    with pytest.raises(Unavailable) as fresh:
        admit("src", [_processed("dept", "o")])
    assert fresh.value.message == retry
    assert logged.exceptions == ["registry lookup failed"] * 2

    def no_scope(source_id: str) -> list[str]:
        raise RuntimeError("the table is down")

    monkeypatch.setattr(source_service, "scope_of", no_scope)
    with pytest.raises(Unavailable) as scoped:
        check_scope("src", ["dept"])
    assert scoped.value.message == "Could not check the source's scope right now; retry later"
    assert logged.exceptions[-1] == "scope lookup failed"


def _evaluated(at: dt.datetime, period: str) -> Any:
    return SimpleNamespace(
        type=EV_EVALUATED, unit_id="dept", official_id="o", occurred_at=at, period=period
    )


def test_an_evaluations_month_is_the_provinces_local_month(admission):
    """The province's zone (settings, Asia/Ho_Chi_Minh), not the machine's: at 00:30 on the
    1st, local time, the month evaluated may already be the new one."""
    from chalicelib.services.admission import admit

    admission({"o": OfficialRecord("o", "dept", "A")})
    first_local = dt.datetime(2025, 7, 31, 17, 30, tzinfo=dt.UTC)  # 1 August, 00:30 local
    admit("src", [_evaluated(first_local, "2025-08")])
    last_local = dt.datetime(2025, 7, 31, 16, 30, tzinfo=dt.UTC)  # 31 July, 23:30 local
    with pytest.raises(Unprocessable) as refused:
        admit("src", [_evaluated(last_local, "2025-08")])
    assert refused.value.details == [
        {
            "index": 0,
            "field": "period",
            "message": "2025-08 is later than the month of occurred_at (2025-07)",
        }
    ]

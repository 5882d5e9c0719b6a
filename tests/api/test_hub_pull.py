"""The hub connector (pull_hubs) against the fake hub (scripts/fake_hub.py) over real HTTP:
packages stored once through the edXML path whatever the hub's faults, the cursor resumed
after a run killed mid-way, unparseable packages set aside, wrong credentials backing off."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import pytest

from chalicelib.domain.edxml import parse_edxml
from scripts import fake_hub
from scripts.demo import province, simulator
from scripts.fake_hub import FakeHub, Faults, HubMessage
from tests.conftest import body

START = dt.date(2025, 7, 15)


@pytest.fixture(scope="module")
def messages() -> list[HubMessage]:
    """Two days of the demo month's hub share: ~60 packages and statuses, a few late, and
    one that does not parse."""
    month = simulator.generate_month(
        province.demo_units(), province.demo_officials(), start=START, days=2
    )
    return fake_hub.month_messages(fake_hub.hub_part(month, share=0.08), late_share=0.1)


@pytest.fixture
def registry(api: Any) -> None:
    r = api.post(
        "/admin/units", {"units": province.demo_units(), "officials": province.demo_officials()}
    )
    assert r.status_code == 200, r.body
    assert api.post("/admin/campaigns", province.demo_campaign()).status_code == 201


def register(api: Any, url: str, *, secret: str = fake_hub.SECRET, **hub: Any) -> None:
    r = api.post(
        "/admin/sources",
        {
            "source_id": "lgsp",
            "name": "Trục LGSP tỉnh",
            "units": [province.PROVINCE_ID],
            "kind": "hub",
            "hub": {
                "base_url": url,
                "system_id": fake_hub.SYSTEM_ID,
                "secret": secret,
                "pull_from": START.isoformat(),
                **hub,
            },
        },
    )
    assert r.status_code == 201, r.body


def expected_event_ids(messages: list[HubMessage]) -> set[str]:
    out: set[str] = set()
    for m in messages:
        if m.xml != fake_hub.BROKEN_XML:
            out |= {e["event_id"] for e in parse_edxml(m.xml).events}
    return out


def ledger(source_id: str = "lgsp") -> list[str]:
    from chalicelib.storage.models import EventLedgerModel

    return [i.event_id for i in EventLedgerModel.query(source_id)]


def inbox_events() -> list[str]:
    import json
    import zlib

    from chalicelib.storage.models import InboxModel

    return [r["event_id"] for i in InboxModel.scan() for r in json.loads(zlib.decompress(i.events))]


def source() -> Any:
    from chalicelib.storage import sources as source_store

    found = source_store.get_source("lgsp")
    assert found is not None
    return found


def pull_until_done(runs: int = 60, **kwargs: Any) -> list[Any]:
    from chalicelib.services import hub_pull

    out = []
    for _ in range(runs):
        run = hub_pull.pull_hub(
            source(), deadline=time.monotonic() + 60, force=True, sleep=lambda s: None, **kwargs
        )
        out.append(run)
        if run.fault is None and not run.more:
            return out
    raise AssertionError(f"not done after {runs} runs: {out[-1]}")


@pytest.fixture
def fast_hub(setting: Any) -> None:
    setting("HUB_TIMEOUT_SECONDS", 1)


def test_every_package_is_stored_once_through_every_fault(
    api: Any, registry: None, messages: list[HubMessage], fast_hub: None
) -> None:
    faults = Faults(
        stall_every=11,
        stall_seconds=1.5,
        error_every=7,
        throttle_every=5,
        duplicate_every=3,
        late_after=3,
    )
    with FakeHub(messages, faults=faults) as hub:
        register(api, hub.url)
        runs = pull_until_done()
        stats = hub.stats
    assert stats.faults["stall"] and stats.faults["error"] and stats.faults["throttle"]
    assert any(r.fault for r in runs)  # the faults stopped some runs
    expected = expected_event_ids(messages)
    stored = ledger()
    assert sorted(stored) == sorted(expected)  # each event once, none missing
    assert sorted(inbox_events()) == sorted(expected)
    # Each package fetched about once: a package is refetched only when a fault hit
    # between its fetch and its record, never because it was listed again.
    refetched = sum(n - 1 for n in stats.fetches.values())
    assert refetched <= stats.faults.total()
    # The broken package is set aside with its error, once.
    from chalicelib.services import hub_pull

    aside = body(api.get("/admin/sources/lgsp/hub"))["set_aside"]
    assert [p["package_id"] for p in aside] == ["edoc-broken"]
    assert aside[0]["error"].startswith("/")  # the edXML error's path
    status = hub_pull.hub_status("lgsp")
    assert status["unreachable_since"] is None and "fault" not in status["last_run"]
    assert stats.fetches["edoc-broken"] == 1
    assert hub.stats.acknowledged == []  # acknowledge defaults to off: observe only


def test_a_run_killed_mid_way_is_resumed_and_stores_nothing_twice(
    api: Any, registry: None, messages: list[HubMessage]
) -> None:
    from chalicelib.services import hub_http, hub_pull

    class Killed(BaseException):
        """The Lambda runtime ending the invocation (not an Exception: nothing catches it)."""

    with FakeHub(messages, faults=Faults(shuffle=True)) as hub:
        register(api, hub.url)
        calls = {"n": 0}

        def dying(request: Any) -> Any:
            calls["n"] += 1
            if calls["n"] == 25:
                raise Killed
            return real(request)

        real = hub_pull._transport_for(source())
        with pytest.raises(Killed):
            hub_pull.pull_hub(source(), deadline=time.monotonic() + 60, transport=dying, force=True)
        from chalicelib.storage import hubs as hub_store

        cursor_after_kill = hub_store.get_state("lgsp").cursors.get("edoc")
        assert cursor_after_kill is not None  # it had moved past what it stored
        runs = pull_until_done()
        assert all(r.fault is None for r in runs)
        from chalicelib.domain.hubs import Position

        final = Position.decode(hub_store.get_state("lgsp").cursors["edoc"])
        assert final >= Position.decode(cursor_after_kill)
    assert sorted(ledger()) == sorted(expected_event_ids(messages))
    assert sorted(inbox_events()) == sorted(expected_event_ids(messages))
    del hub_http


def test_bounded_runs_go_on_where_they_stopped(
    api: Any, registry: None, messages: list[HubMessage], setting: Any
) -> None:
    setting("HUB_MAX_PACKAGES_PER_RUN", 10)
    with FakeHub(messages, faults=Faults()) as hub:
        register(api, hub.url)
        runs = pull_until_done()
    assert len(runs) >= len(messages) // 10
    assert all(r.fetched <= 10 for r in runs)
    assert sorted(ledger()) == sorted(expected_event_ids(messages))


def test_wrong_credentials_back_off_and_count_as_unreachable(
    api: Any, registry: None, messages: list[HubMessage]
) -> None:
    from chalicelib import clock
    from chalicelib.services import hub_pull
    from chalicelib.storage import hubs as hub_store

    with FakeHub(messages[:5]) as hub:
        register(api, hub.url, secret="wrong")
        first = hub_pull.pull_hub(source(), deadline=time.monotonic() + 30)
        assert first.fault and first.fault.startswith("credentials")
        state = hub_store.get_state("lgsp")
        assert state.unreachable_since is not None and state.failures == 1
        assert state.next_poll_at is not None and state.next_poll_at > clock.now()
        # Not due again before its backoff ends (the job skips it).
        assert hub_pull.pull_hub(source(), deadline=time.monotonic() + 30).skipped == "not due"
        assert hub.stats.fetches.total() == 0
    assert ledger() == []


def test_acknowledge_only_when_asked(api: Any, registry: None, messages: list[HubMessage]) -> None:
    good = [m for m in messages if m.xml != fake_hub.BROKEN_XML][:4]
    with FakeHub(good, faults=Faults(shuffle=False)) as hub:
        register(api, hub.url, acknowledge=True)
        pull_until_done()
        assert sorted(hub.stats.acknowledged) == sorted(m.package_id for m in good)


def test_the_job_is_in_the_catalog_and_runs_from_the_admin_route(
    api: Any, registry: None, messages: list[HubMessage]
) -> None:
    good = [m for m in messages if m.xml != fake_hub.BROKEN_XML][:6]
    with FakeHub(good, faults=Faults()) as hub:
        register(api, hub.url)
        r = api.post("/admin/jobs/pull_hubs")
        assert r.status_code in (200, 202), r.body
        result = body(r).get("result") or {}
        deadline = time.monotonic() + 30
        while len(ledger()) < len(expected_event_ids(good)) and time.monotonic() < deadline:
            time.sleep(0.2)  # an async run (a run id) finishes on its own
    assert sorted(ledger()) == sorted(expected_event_ids(good))
    if result:
        assert result["hubs"][0]["source_id"] == "lgsp"

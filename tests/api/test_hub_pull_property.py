"""Issue 25, item 6: whatever the interleaving of listings, duplicates, faults and restarts,
the connector stores each package exactly once and its cursor never moves backwards.

The hub is a scripted transport (no sockets, so Hypothesis can try hundreds of orders): it
lists packages in a drawn order, repeats some, lists some late (older times, inside the
overlap window), and follows a drawn schedule of faults: timeouts, 500, 429 with
Retry-After, and kills (the Lambda runtime ending the invocation) either on a request or
right after a package was stored and before it was recorded. The store is an independent
ledger keyed by package: the property is checked against it, not against the connector's
own records. The connector's state lives in the real tables (moto), one source id per
example."""

from __future__ import annotations

import base64
import datetime as dt
import itertools
import time
import uuid
from collections import Counter
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chalicelib.domain.hubs import HubRequest, Position
from chalicelib.domain.sources import HubSettings, SourceRecord
from chalicelib.errors import ApiError
from chalicelib.services import hub_pull
from chalicelib.services.hub_http import HubResponse, HubUnreachable

T0 = dt.datetime(2025, 7, 15, 8, 0, tzinfo=dt.timezone(dt.timedelta(hours=7)))
FAULTS = ("ok", "timeout", "500", "429", "kill")


class Killed(BaseException):
    """The invocation ends here (not an Exception: nothing in the connector catches it)."""


class ScriptedHub:
    def __init__(
        self, packages: list[dict[str, Any]], schedule: list[str], dup_every: int, order_seed: int
    ) -> None:
        self.packages = packages
        self.schedule = iter(schedule)
        self.dup_every = dup_every
        self.order_seed = order_seed
        self.lists = 0
        self.fetches: Counter[str] = Counter()

    def __call__(self, request: HubRequest) -> HubResponse:
        fault = next(self.schedule, "ok")
        if fault == "timeout":
            raise HubUnreachable("timed out")
        if fault == "500":
            return HubResponse(500, b"{}", None)
        if fault == "429":
            return HubResponse(429, b"{}", 1.0)
        if fault == "kill":
            raise Killed
        if request.path.endswith("syncReceivedEdocList"):
            return self._list(request)
        package_id = request.params["docId"]
        self.fetches[package_id] += 1
        content = base64.b64encode(package_id.encode()).decode()
        return _json({"status": "OK", "data": {"docId": package_id, "content": content}})

    def _list(self, request: HubRequest) -> HubResponse:
        self.lists += 1
        start = dt.datetime.strptime(request.params["fromDate"], "%Y/%m/%d").date()
        items = []
        for p in self.packages:
            if p["late"] and self.lists <= 2:
                continue  # not listed yet
            if p["at"].date() < start:
                continue
            items.append(
                {
                    "docId": p["id"],
                    "messagetype": "edoc",
                    "created_time": p["at"].strftime("%Y/%m/%d %H:%M:%S"),
                }
            )
        if self.dup_every:
            items += items[:: self.dup_every]
        # a drawn, stable-per-listing order
        items.sort(key=lambda i: hash((self.order_seed, self.lists, i["docId"])))
        return _json({"status": "OK", "data": items})


def _json(body: Any) -> HubResponse:
    import json

    return HubResponse(200, json.dumps(body).encode(), None)


class Ledger:
    """The store, independently: a package's body is its id; storing it twice is a
    duplicate; "broken-*" packages do not parse."""

    def __init__(self, kill_after_store: set[str]) -> None:
        self.stored: Counter[str] = Counter()
        self.kill_after_store = set(kill_after_store)

    def __call__(self, source_id: str, body: bytes) -> dict[str, int]:
        package_id = body.decode()
        if package_id.startswith("broken"):
            raise ApiError(400, "invalid_edxml", "/edXML: not well-formed")
        new = package_id not in self.stored
        self.stored[package_id] += 1
        if package_id in self.kill_after_store:
            self.kill_after_store.discard(package_id)
            raise Killed  # stored, not yet recorded: the next run must find a duplicate
        return {"accepted": 1 if new else 0, "duplicates": 0 if new else 1}


packages_strategy = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=40 * 60),  # minutes after T0 (< the 48 h overlap)
        st.booleans(),  # late
        st.booleans(),  # broken
    ),
    min_size=1,
    max_size=14,
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    raw=packages_strategy,
    schedule=st.lists(st.sampled_from(FAULTS), max_size=40),
    dup_every=st.integers(min_value=0, max_value=3),
    order_seed=st.integers(min_value=0, max_value=10**6),
    kill_after=st.lists(st.integers(min_value=0, max_value=13), max_size=3),
)
def test_each_package_is_stored_exactly_once_and_the_cursor_only_moves_forward(
    aws: None,
    raw: list[tuple[int, bool, bool]],
    schedule: list[str],
    dup_every: int,
    order_seed: int,
    kill_after: list[int],
) -> None:
    from chalicelib.storage import hubs as hub_store

    packages = [
        {
            "id": f"{'broken' if broken else 'pkg'}-{i}",
            # a late package is listed with an older time, well inside the overlap window
            "at": T0 + dt.timedelta(minutes=minutes),
            "late": late,
        }
        for i, (minutes, late, broken) in enumerate(raw)
    ]
    good = {p["id"] for p in packages if not p["id"].startswith("broken")}
    broken = {p["id"] for p in packages} - good
    hub = ScriptedHub(packages, schedule, dup_every, order_seed)
    ledger = Ledger({f"pkg-{i}" for i in kill_after})
    source = SourceRecord(
        source_id=f"hub-{uuid.uuid4().hex[:10]}",
        name="hub",
        units=("000.00.00.H34",),
        enabled=True,
        secrets=(),
        created_at=T0,
        updated_at=T0,
        last_event_at=None,
        version=None,
        kind="hub",
        hub=HubSettings("http://hub", "sys", b"x", ("edoc",), pull_from=T0.date()),
    )

    cursors: list[Position] = []
    saved = hub_store.save_state

    def watching(state: hub_store.HubState) -> None:
        if "edoc" in state.cursors:
            cursors.append(Position.decode(state.cursors["edoc"]))
        saved(state)

    restarts = 0
    hub_store.save_state = watching  # type: ignore[assignment]
    try:
        for _ in itertools.count():
            try:
                run = hub_pull.pull_hub(
                    source,
                    deadline=time.monotonic() + 60,
                    transport=hub,
                    ingest=ledger,
                    sleep=lambda s: None,
                    force=True,
                )
            except Killed:
                restarts += 1
                continue
            if run.fault is None and not run.more and hub.lists > 2:
                break
            assert restarts + _ < 200, "the connector never finished"
    finally:
        hub_store.save_state = saved  # type: ignore[assignment]

    # Exactly once: every good package is in the store, none stored as new twice (a
    # second storing is only ever the duplicate after a kill between store and record).
    assert set(ledger.stored) == good
    assert all(
        n == 1 or pid in {f"pkg-{i}" for i in kill_after} for pid, n in ledger.stored.items()
    )
    assert all(n <= 2 for n in ledger.stored.values())
    # Unparseable packages set aside, with their error, fetched once (or again only when a
    # kill came between the fetch and the record).
    aside = {p.package_id: p.error for p in hub_store.set_aside(source.source_id)}
    assert set(aside) == broken
    assert all(error and "not well-formed" in error for error in aside.values())
    assert all(hub.fetches[b] <= 1 + schedule.count("kill") for b in broken)
    # The cursor moved forward only, and ends at the last package in listing order.
    assert cursors == sorted(cursors)
    last = max((p["at"], p["id"]) for p in packages)
    assert cursors[-1] == Position(last[0], last[1])

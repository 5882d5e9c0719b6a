"""Property tests over the real handlers on moto:

- ingestion: any duplication and any delivery order of a set of events leaves
  exactly the same stored state;
- aggregation: with duplicates, any delivery order and aggregation runs at
  random points, the API's figures for random ranges equal a straightforward
  recomputation from the full event list (domain.kpi_reference).
"""

from __future__ import annotations

import datetime as dt
import json
import time
import zlib
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import COMMUNE, DEPARTMENT, DIVISION, OFFICIALS, OTHER_DEPARTMENT, UNITS
from tests.webhooks import encode, sign

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
ACTING_UNITS = [DEPARTMENT, DIVISION, OTHER_DEPARTMENT, COMMUNE]
# Who may act for a unit (its own officials and those of the units above it) and who may
# be evaluated in it (its own): anything else is refused as an event that cannot be true.
STAFF = {DEPARTMENT: ["cb-001", "cb-002"], DIVISION: ["cb-003", "cb-001"], COMMUNE: ["cb-004"]}
OWN = {DEPARTMENT: ["cb-001", "cb-002"], DIVISION: ["cb-003"], COMMUNE: ["cb-004"]}
OFFSETS = ["+07:00", "Z", "-05:00", "+09:00"]
SETTINGS = settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@st.composite
def events_strategy(draw: st.DrawFn) -> list[dict]:
    count = draw(st.integers(min_value=1, max_value=18))
    out = []
    for i in range(count):
        kind = draw(
            st.sampled_from(
                [
                    "document.processed",
                    "document.processed",
                    "document.issued",
                    "document.signed",
                    "document.sent",
                    "document.received",
                    "document.printed",
                    "document.registered",
                    "official.evaluated",
                ]
            )
        )
        day = draw(st.integers(min_value=14, max_value=17))
        hour = draw(st.integers(min_value=0, max_value=23))
        offset = draw(st.sampled_from(OFFSETS))
        at = f"2025-07-{day:02d}T{hour:02d}:{draw(st.sampled_from(['00', '59'])):s}:00{offset}"
        needs_staff = kind in ("document.processed", "document.signed", "official.evaluated")
        unit = draw(st.sampled_from(sorted(STAFF) if needs_staff else ACTING_UNITS))
        event: dict = {"event_id": f"e{i}", "type": kind, "occurred_at": at, "unit_id": unit}
        if kind == "official.evaluated":
            event.update(
                official_id=draw(st.sampled_from(OWN[unit])),
                period="2025-07",
                score=draw(st.integers(0, 100)),
            )
        else:
            doc = {"id": f"d{draw(st.integers(0, 4))}"}
            if draw(st.integers(0, 9)) == 0:
                doc["security"] = draw(st.sampled_from(["mat", "toi_mat", "tuyet_mat"]))
            if draw(st.booleans()):
                doc["pages"] = draw(st.integers(1, 9))
            event["document"] = doc
            channel = draw(st.sampled_from(["electronic", "electronic", "paper"]))
            other = draw(st.sampled_from([u for u in ACTING_UNITS if u != unit] + ["G01.BNV"]))
            extra = {
                "document.processed": {
                    "channel": channel,
                    "actor_official_id": draw(st.sampled_from(STAFF.get(unit, ["cb-001"]))),
                },
                "document.issued": {"channel": channel},
                "document.signed": {
                    "method": draw(st.sampled_from(["digital", "handwritten"])),
                    "signer_official_id": draw(st.sampled_from(STAFF.get(unit, ["cb-001"]))),
                },
                "document.sent": {"to_unit_id": other, "channel": channel},
                "document.received": {"from_unit_id": other, "channel": channel},
                "document.printed": {},
                "document.registered": {"direction": "incoming"},
            }[kind]
            if kind == "document.processed" and draw(st.booleans()):
                extra["due_at"] = f"2025-07-{draw(st.integers(14, 18)):02d}T12:00:00+07:00"
            event.update(extra)
        out.append(event)
    return out


@st.composite
def delivery_strategy(draw: st.DrawFn, events: list[dict]) -> list[list[dict]]:
    stream = list(events) + draw(st.lists(st.sampled_from(events), max_size=len(events)))
    stream = draw(st.permutations(stream))
    batches, i = [], 0
    while i < len(stream):
        size = draw(st.integers(min_value=1, max_value=6))
        batches.append(stream[i : i + size])
        i += size
    return batches


class Stack:
    """A fresh moto backend with the test registry, a source and the test client."""

    def __enter__(self) -> Stack:
        from chalice.test import Client
        from moto import mock_aws

        from app import app
        from chalicelib.domain.registry import OfficialRecord, UnitRecord
        from chalicelib.services.sources import register_source
        from chalicelib.storage import registry
        from chalicelib.storage.aws import reset_clients
        from chalicelib.storage.models import reset_connections
        from chalicelib.storage.setup import create_all
        from scripts.local_gateway import install

        install()
        self.mock = mock_aws()
        self.mock.start()
        reset_clients()
        reset_connections()
        registry.invalidate_registry()
        create_all()
        registry.put_units([UnitRecord(**u) for u in UNITS])
        registry.put_officials([OfficialRecord(**o) for o in OFFICIALS])
        self.secret = register_source("src", "Nguồn thử", ["000.00.00.H34"])["secret"]
        self.client = Client(app)
        return self

    def deliver(self, batch: list[dict]) -> None:
        data = encode(batch)
        response = self.client.http.post(
            "/webhooks/src", headers=sign(self.secret, data), body=data
        )
        assert response.status_code == 202, response.body

    def aggregate(self) -> None:
        from chalicelib.services.aggregation import run_aggregation

        while not run_aggregation(deadline=time.monotonic() + 60).get("done"):
            pass

    def __exit__(self, *exc: object) -> None:
        from chalicelib.storage.aws import reset_clients
        from chalicelib.storage.models import reset_connections
        from chalicelib.storage.registry import invalidate_registry

        self.mock.stop()
        reset_clients()
        reset_connections()
        invalidate_registry()


def _stored_state() -> tuple[dict, list]:
    from chalicelib.storage.models import EventLedgerModel, InboxModel

    ledger = {(i.source_id, i.event_id): i.payload_sha256 for i in EventLedgerModel.scan()}
    records = []
    for item in InboxModel.scan():
        records += json.loads(zlib.decompress(item.events))
    return ledger, sorted(json.dumps(r, sort_keys=True) for r in records)


@SETTINGS
@given(data=st.data())
def test_any_duplication_and_order_leaves_the_same_stored_state(data):
    events = data.draw(events_strategy())
    states = []
    for _ in range(2):
        plan = data.draw(delivery_strategy(events))
        with Stack() as stack:
            for batch in plan:
                stack.deliver(batch)
            states.append(_stored_state())
    (ledger_a, inbox_a), (ledger_b, inbox_b) = states
    assert ledger_a == ledger_b
    assert inbox_a == inbox_b
    assert len(inbox_a) == len(events)  # every event stored exactly once


@SETTINGS
@given(data=st.data())
def test_api_figures_equal_a_recomputation_from_all_events(data):
    from chalicelib.domain.kpi_reference import reference_official_metrics, reference_unit_metrics

    events = data.draw(events_strategy())
    plan = data.draw(delivery_strategy(events))
    levels = {u["unit_id"]: u["level"] for u in UNITS}
    with Stack() as stack:
        for batch in plan:
            stack.deliver(batch)
            if data.draw(st.integers(0, 3)) == 0:
                stack.aggregate()  # aggregation runs interleaved at random points
        stack.aggregate()
        token = __import__("tests.conftest", fromlist=["mint_token"])
        admin = token.mint_token(
            "province_admin",
            directory=token._KEY_DIR,
            issuer="https://auth.test",
            audience="khong-giay-test",
        )
        headers = {"Authorization": f"Bearer {admin}"}
        for _ in range(3):
            start = dt.date(2025, 7, data.draw(st.integers(13, 18)))
            end = start + dt.timedelta(days=data.draw(st.integers(0, 4)))
            unit = data.draw(st.sampled_from(ACTING_UNITS))
            response = stack.client.http.get(
                f"/units/{unit}/kpi?from={start}&to={end}", headers=headers
            )
            assert response.status_code == 200, response.body
            got = json.loads(response.body)["metrics"]
            active = [o["official_id"] for o in OFFICIALS if o["unit_id"] == unit and o["active"]]
            expected = reference_unit_metrics(
                [dict(e, source_id="src") for e in events],
                unit_id=unit,
                start=start,
                end=end,
                tz=ZONE,
                unit_levels=levels,
                active_official_ids=active,
            )
            assert got == expected, (unit, start, end)
            official = data.draw(st.sampled_from(["cb-001", "cb-002"]))
            response = stack.client.http.get(
                f"/officials/{official}/kpi?from={start}&to={end}", headers=headers
            )
            got_official = json.loads(response.body)
            want = reference_official_metrics(
                [dict(e, source_id="src") for e in events],
                official_id=official,
                start=start,
                end=end,
                tz=ZONE,
            )
            for key in (
                "processed_total",
                "processed_online",
                "online_rate",
                "on_time_total",
                "on_time",
                "on_time_rate",
                "digital_signatures",
            ):
                assert got_official[key] == want[key], (official, key, start, end)

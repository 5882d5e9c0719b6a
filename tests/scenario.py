"""A random, seeded province scenario: documents with their events, some of them secret
with the marking on a few of their events only (as careless e-office systems send them),
and a delivery plan with overlapping redeliveries in random order.

Events are valid for the test registry (tests/factories.py): actors and signers are of the
event's unit or of a unit above it; times lie in the last few weeks (within any event age
limit). Every document has a unique number, so a scan of storage can tell whose it is.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any

from chalicelib import clock
from tests.factories import COMMUNE, DEPARTMENT, DIVISION, OTHER_DEPARTMENT

ACTING_UNITS = (DEPARTMENT, DIVISION, OTHER_DEPARTMENT, COMMUNE)
# Officials who may act for a unit: its own and those of the units above it.
ACTORS = {
    DEPARTMENT: ("cb-001", "cb-002"),
    DIVISION: ("cb-003", "cb-001"),
    OTHER_DEPARTMENT: (),
    COMMUNE: ("cb-004",),
}
COUNTERPARTS = (*ACTING_UNITS, "000.00.00.H34", "G01.BNV")
MARKINGS = (
    {"security": "mat"},
    {"security": "toi_mat"},
    {"security": "tuyet_mat"},
    {"state_commendation": True},
)
DOC_TYPES = ("Công văn", "Kế hoạch", "Quyết định", "Tờ trình", "Báo cáo")


@dataclass
class Scenario:
    events: list[dict[str, Any]]
    exempt_numbers: dict[str, str]  # document id -> number, for exempt documents
    clear_numbers: dict[str, str]  # the same for ordinary documents
    first_day: dt.date
    last_day: dt.date
    marked_events: set[str] = field(default_factory=set)  # event ids that carry a marking


def _kinds(unit: str) -> list[str]:
    kinds = ["document.registered", "document.issued", "document.sent", "document.received"]
    kinds += ["document.printed"]
    if ACTORS[unit]:
        kinds += ["document.processed", "document.processed", "document.signed"]
    return kinds


def build(
    seed: int,
    documents: int = 120,
    exempt_share: float = 0.15,
    *,
    today: dt.date | None = None,
    prefix: str = "",
) -> Scenario:
    """`prefix` keeps ids (and numbers) of several scenarios in one stack apart."""
    rng = random.Random(seed)
    today = today or clock.now().date()
    first_day = today - dt.timedelta(days=21)
    events: list[dict[str, Any]] = []
    exempt_numbers: dict[str, str] = {}
    clear_numbers: dict[str, str] = {}
    marked_events: set[str] = set()
    for n in range(documents):
        doc_id = f"{prefix}doc-{seed}-{n:04d}"
        number = f"{n + 1}/{prefix}SO{seed}-{rng.randrange(10**6):06d}"
        exempt = rng.random() < exempt_share
        (exempt_numbers if exempt else clear_numbers)[doc_id] = number
        unit = rng.choice(ACTING_UNITS)
        count = rng.randint(2, 5)
        doc_events = []
        for k in range(count):
            kind = rng.choice(_kinds(unit))
            day = first_day + dt.timedelta(days=rng.randint(0, 19))  # up to two days ago
            at = dt.datetime(day.year, day.month, day.day, rng.randint(0, 23), rng.choice((0, 59)))
            offset = rng.choice(("+07:00", "Z", "+09:00"))
            document: dict[str, Any] = {
                "id": doc_id,
                "number": number,
                "doc_type": rng.choice(DOC_TYPES),
            }
            if rng.random() < 0.5:
                document["pages"] = rng.randint(1, 30)
            event: dict[str, Any] = {
                "event_id": f"{prefix}ev-{seed}-{n:04d}-{k}",
                "type": kind,
                "occurred_at": at.strftime("%Y-%m-%dT%H:%M:00") + offset,
                "unit_id": unit,
                "document": document,
            }
            channel = rng.choice(("electronic", "electronic", "electronic", "paper"))
            other = rng.choice([u for u in COUNTERPARTS if u != unit])
            if kind == "document.processed":
                event.update(channel=channel, actor_official_id=rng.choice(ACTORS[unit]))
                if rng.random() < 0.5:
                    due = day + dt.timedelta(days=rng.randint(-1, 3))
                    event["due_at"] = f"{due.isoformat()}T17:00:00+07:00"
            elif kind == "document.signed":
                event.update(
                    method=rng.choice(("digital", "digital", "handwritten")),
                    signer_official_id=rng.choice(ACTORS[unit]),
                )
            elif kind == "document.issued":
                event.update(channel=channel)
            elif kind == "document.sent":
                event.update(to_unit_id=other, channel=channel)
            elif kind == "document.received":
                event.update(from_unit_id=other, channel=channel)
            elif kind == "document.printed":
                event.update(pages=rng.randint(1, 12))
            else:
                event.update(direction=rng.choice(("incoming", "outgoing")))
            doc_events.append(event)
        if exempt:
            # The marking on some events only: often just one, any of them.
            marked = rng.sample(doc_events, rng.randint(1, max(1, len(doc_events) - 1)))
            marking = rng.choice(MARKINGS)
            for event in marked:
                event["document"].update(marking)
                marked_events.add(event["event_id"])
        events += doc_events
    return Scenario(events, exempt_numbers, clear_numbers, first_day, today, marked_events)


def delivery_plan(
    scenario: Scenario, seed: int, *, redeliver_share: float = 0.3, max_batch: int = 12
) -> list[list[dict[str, Any]]]:
    """Every event at least once, a share of them again, shuffled, cut into batches."""
    rng = random.Random(seed)
    stream = list(scenario.events)
    stream += rng.sample(scenario.events, int(len(scenario.events) * redeliver_share))
    rng.shuffle(stream)
    batches: list[list[dict[str, Any]]] = []
    while stream:
        size = rng.randint(1, max_batch)
        batch, stream = stream[:size], stream[size:]
        # One event id once per request (a repeat inside a request is the same event).
        batches.append(list({e["event_id"]: e for e in batch}.values()))
    return batches

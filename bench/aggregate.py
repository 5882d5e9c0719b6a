"""DynamoDB cost of aggregation and KPI reads as history grows, beside a naive scan.

    .venv/bin/python bench/aggregate.py [--sizes 10000 50000 200000] [--new 1000]

In-process on moto. For each history size a fresh backend gets the demo province's
registry and campaign and that many events of history (the demo simulator's events,
extended over as many days as needed), loaded fast: inbox, ledger, document state,
daily aggregates, evaluations and freshness items written with batch writes, the
state computed by the same pure functions the job uses (document_state.fold_events,
daily_counters.contributions), and the job's cursor set after the history. Then the next
`--new` events go through the real ingestion path (store_events) and are measured:

- one aggregation run (run_aggregation) folding them in;
- one 31-day `kpi` query (services.kpi.unit_kpi, province_admin) of the busiest unit;
- a naive baseline: scan the whole inbox, decompress every event and recompute the
  unit's figures with tests.kpi_reference.reference_unit_metrics.

Requests and capacity units are counted with botocore event hooks (bench/dynamo_meter.py;
moto reports no ConsumedCapacity, so units are estimated from item sizes). The naive and
the kpi figures are compared field by field (a check of the fast loader too). Slopes are
least-squares fits over the sizes; the 1M column extrapolates them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import sys
import time
import zlib
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.environment import offline  # noqa: E402

offline()

from bench.dynamo_meter import Meter  # noqa: E402

SOURCE_ID = "eoffice-khanhhoa"
HISTORY_START = dt.date(2025, 1, 1)
EVENTS_PER_DAY_GUESS = 780  # the demo province: ~25k events in 31 days
RANGE_DAYS = 31


# --- events ----------------------------------------------------------------------------------


def generate_events(total: int) -> tuple[list[dict[str, Any]], list[dict], list[dict], dict]:
    """At least `total` events of the demo province, sorted by occurred_at."""
    from scripts.demo import province, simulator

    units, officials = province.demo_units(), province.demo_officials()
    days = math.ceil(total / EVENTS_PER_DAY_GUESS) + 5
    while True:
        events = simulator.generate_month(units, officials, start=HISTORY_START, days=days)
        if len(events) >= total:
            return events[:total], units, officials, province.demo_campaign()
        days = math.ceil(days * total / len(events)) + 2


def to_records(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The stored form of validated events, as store_events makes them (each event
    redacted by its own exemption marking)."""
    from chalicelib.domain import events as domain

    records = []
    for start in range(0, len(events), 500):
        for event in domain.validate_events({"events": events[start : start + 500]}):
            record = domain.to_record(event, SOURCE_ID, redact=domain.is_exempt(event))
            record["_sha"] = domain.payload_hash(record)
            records.append(record)
    return records


# --- fast history load -----------------------------------------------------------------------


def load_registry(units: list[dict], officials: list[dict], campaign: dict) -> None:
    from chalicelib.domain.campaigns import Campaign
    from chalicelib.domain.registry import OfficialRecord, UnitRecord
    from chalicelib.services import registry as registry_service
    from chalicelib.services import sources
    from chalicelib.storage import registry as registry_store
    from scripts.demo import province

    registry_store.put_units([UnitRecord(**u) for u in units])
    registry_store.put_officials([OfficialRecord(**o) for o in officials])
    registry_service.save_campaign(Campaign.model_validate(campaign))
    sources.register_source(SOURCE_ID, "E-office Khánh Hòa", [province.PROVINCE_ID])


def load_history(records: list[dict[str, Any]], zone: Any) -> None:
    """Write what ingestion plus one aggregation run would have left behind."""
    from chalicelib.domain import daily_counters, document_state
    from chalicelib.domain.evaluations import merge_evaluation
    from chalicelib.storage import events as event_store
    from chalicelib.storage.models import (
        DailyAggregateModel,
        DocumentStateModel,
        EvaluationModel,
        EventLedgerModel,
        FreshnessModel,
        InboxModel,
        JobStateModel,
    )

    # Arrival: the last 90 minutes (the job runs hourly, so its cursor is recent).
    arrived = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=90)
    last_seq = ""
    with InboxModel.batch_write() as inbox_batch, EventLedgerModel.batch_write() as ledger:
        for n, start in enumerate(range(0, len(records), event_store.INBOX_CHUNK)):
            part = records[start : start + event_store.INBOX_CHUNK]
            moment = arrived + dt.timedelta(milliseconds=n)
            public = [{k: v for k, v in r.items() if k != "_sha"} for r in part]
            item = InboxModel(
                event_store.inbox_bucket(moment),
                event_store.inbox_seq(moment, f"hist{n:08d}", 0),
                source_id=SOURCE_ID,
                event_count=len(part),
                events=zlib.compress(
                    json.dumps(public, ensure_ascii=False, separators=(",", ":")).encode(), 6
                ),
            )
            inbox_batch.save(item)
            last_seq = item.seq
            for record in part:
                ledger.save(
                    EventLedgerModel(
                        SOURCE_ID,
                        record["event_id"],
                        payload_sha256=record["_sha"],
                        inbox_key=f"{item.bucket}|{item.seq}",
                    )
                )

    by_document: dict[str, list[dict[str, Any]]] = defaultdict(list)
    evaluations: dict[tuple[str, str], dict[str, Any]] = {}
    latest: dict[str, dt.datetime] = {}
    for record in records:
        moment = dt.datetime.fromisoformat(record["occurred_at"]).astimezone(dt.UTC)
        key = f"unit#{record['unit_id']}"
        latest[key] = max(latest.get(key, moment), moment)
        if record["type"] == "official.evaluated":
            ekey = (record["official_id"], record["period"])
            evaluations[ekey] = merge_evaluation(evaluations.get(ekey), record)
        else:
            by_document[f"{record['source_id']}#{record['document']['id']}"].append(record)
    daily: dict[tuple[str, str], dict[str, int]] = defaultdict(dict)
    with DocumentStateModel.batch_write() as documents:
        for doc_key, doc_records in by_document.items():
            state = document_state.fold_events(None, doc_records)
            documents.save(DocumentStateModel(doc_key, state=state, version=1))
            for scope_day, counters in daily_counters.contributions(state, zone).items():
                row = daily[scope_day]
                for name, value in counters.items():
                    row[name] = row.get(name, 0) + value
    with DailyAggregateModel.batch_write() as batch:
        for (scope, day), counters in daily.items():
            kept = {k: v for k, v in counters.items() if v}
            batch.save(DailyAggregateModel(scope, day, counters=kept, version=1))
    with EvaluationModel.batch_write() as batch:
        for (official_id, period), merged in evaluations.items():
            batch.save(EvaluationModel(official_id, period, record=merged))
    latest[f"source#{SOURCE_ID}"] = arrived
    with FreshnessModel.batch_write() as batch:
        for key, moment in latest.items():
            batch.save(FreshnessModel(key, last_event_at=moment))
    JobStateModel(
        "aggregate_kpi",
        cursor=last_seq,
        as_of=arrived + dt.timedelta(minutes=1),
    ).save()


# --- the naive baseline ----------------------------------------------------------------------


def naive_unit_metrics(unit_id: str, start: dt.date, end: dt.date, zone: Any) -> dict[str, Any]:
    """Scan every stored event and recompute the unit's figures from scratch."""
    from chalicelib.storage import registry as registry_store
    from chalicelib.storage.models import InboxModel
    from tests.kpi_reference import reference_unit_metrics

    events: list[dict[str, Any]] = []
    for item in InboxModel.scan():
        events.extend(json.loads(zlib.decompress(item.events)))
    officials = registry_store.officials_of_unit(unit_id)
    return reference_unit_metrics(
        events,
        unit_id=unit_id,
        start=start,
        end=end,
        tz=zone,
        unit_levels=registry_store.registry_snapshot().levels(),
        active_official_ids=[o.official_id for o in officials if o.active],
    )


# --- measuring -------------------------------------------------------------------------------


def measured(meter: Meter, fn: Callable[[], Any]) -> tuple[Any, dict[str, Any]]:
    meter.reset()
    started = time.perf_counter()
    result = fn()
    return result, {
        "requests": meter.total_requests,
        "rcu": meter.rcu,
        "wcu": meter.wcu,
        "cu": meter.rcu + meter.wcu,
        "seconds": time.perf_counter() - started,
        "by_op": dict(meter.requests),
    }


def run_size(
    meter: Meter,
    history: list[dict[str, Any]],
    new_events: list[dict[str, Any]],
    registry_data: tuple[list[dict], list[dict], dict],
    unit_id: str,
) -> dict[str, Any]:
    from zoneinfo import ZoneInfo

    from moto import mock_aws

    from chalicelib.auth import Principal
    from chalicelib.services import kpi as kpi_service
    from chalicelib.services.aggregation import run_aggregation
    from chalicelib.services.ingestion import store_events
    from chalicelib.settings import get_settings
    from chalicelib.storage import registry as registry_store
    from chalicelib.storage.aws import reset_clients
    from chalicelib.storage.models import reset_connections
    from chalicelib.storage.setup import create_all

    zone = ZoneInfo(get_settings().timezone)
    with mock_aws():
        reset_clients()
        reset_connections()
        registry_store.invalidate_registry()
        create_all()
        started = time.perf_counter()
        load_registry(*registry_data)
        load_history(to_records(history), zone)
        load_seconds = time.perf_counter() - started

        from chalicelib.domain import events as domain

        for start in range(0, len(new_events), 500):
            part = new_events[start : start + 500]
            parsed = domain.validate_events({"events": part})
            store_events(
                SOURCE_ID,
                parsed,
                raw_body=json.dumps({"events": part}).encode(),
                content_type="application/json",
                delivery_id=f"bench-{start}",
            )

        summary, aggregation = measured(
            meter, lambda: run_aggregation(deadline=time.monotonic() + 600)
        )
        assert summary.get("done") and summary["events"] == len(new_events), summary

        end = dt.datetime.fromisoformat(new_events[-1]["occurred_at"]).astimezone(zone).date()
        start_day = end - dt.timedelta(days=RANGE_DAYS - 1)
        principal = Principal(sub="bench", role="province_admin", unit_id=None)
        kpi_service.unit_kpi(principal, unit_id, start_day, end)  # warm the registry cache
        answer, kpi_cost = measured(
            meter, lambda: kpi_service.unit_kpi(principal, unit_id, start_day, end)
        )
        naive, naive_cost = measured(
            meter, lambda: naive_unit_metrics(unit_id, start_day, end, zone)
        )
        mismatches = sorted(
            k for k in naive if k in answer["metrics"] and naive[k] != answer["metrics"][k]
        )
    reset_clients()
    reset_connections()
    registry_store.invalidate_registry()
    return {
        "history": len(history),
        "load_seconds": load_seconds,
        "summary": summary,
        "aggregation": aggregation,
        "kpi": kpi_cost,
        "naive": naive_cost,
        "range": (start_day, end),
        "processed_total": answer["metrics"]["processed_total"],
        "mismatches": mismatches,
    }


def fit(xs: list[float], ys: list[float]) -> tuple[float, float]:
    """Least-squares (intercept, slope)."""
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    var = sum((x - mx) ** 2 for x in xs)
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / var if var else 0.0
    return my - slope * mx, slope


def report(rows: list[dict[str, Any]], new: int, target: int) -> None:
    print()
    print(
        f"{'history':>8} | {'aggregation run (' + str(new) + ' new)':^27} | "
        f"{'kpi 31 days':^15} | {'naive scan':^17} | {'naive / kpi':^13} | check"
    )
    print(
        f"{'events':>8} | {'req':>5} {'RCU':>6} {'WCU':>6} {'s':>6} | {'req':>4} {'RCU':>4} "
        f"{'s':>5} | {'req':>4} {'RCU':>6} {'s':>5} | {'req':>5} {'CU':>7} |"
    )
    for r in rows:
        a, k, n = r["aggregation"], r["kpi"], r["naive"]
        print(
            f"{r['history']:>8} | {a['requests']:>5} {a['rcu']:>6.0f} {a['wcu']:>6.0f} "
            f"{a['seconds']:>6.1f} | {k['requests']:>4} {k['rcu']:>4.1f} {k['seconds']:>5.2f} | "
            f"{n['requests']:>4} {n['rcu']:>6.0f} {n['seconds']:>5.1f} | "
            f"{n['requests'] / k['requests']:>5.1f} {n['cu'] / k['cu']:>7.0f} | "
            f"{'figures equal' if not r['mismatches'] else 'MISMATCH ' + ','.join(r['mismatches'])}"
        )
    xs = [float(r["history"]) for r in rows]
    print()
    print(f"Least-squares fits over history size (per 1,000 events), extrapolated to {target:,}:")
    print(f"{'measure':<34} {'intercept':>10} {'per 1k ev':>10} {'at ' + f'{target:,}':>12}")
    at: dict[str, float] = {}
    for label, part, field in (
        ("aggregation run: requests", "aggregation", "requests"),
        ("aggregation run: RCU+WCU", "aggregation", "cu"),
        ("kpi query: requests", "kpi", "requests"),
        ("kpi query: RCU", "kpi", "cu"),
        ("naive scan: requests", "naive", "requests"),
        ("naive scan: RCU", "naive", "cu"),
    ):
        intercept, slope = fit(xs, [float(r[part][field]) for r in rows])
        at[f"{part}.{field}"] = intercept + slope * target
        print(
            f"{label:<34} {intercept:>10.1f} {slope * 1000:>10.3f} {at[f'{part}.{field}']:>12.1f}"
        )
    last = rows[-1]
    print()
    print(
        f"naive / kpi at {last['history']:,} events: "
        f"{last['naive']['requests'] / last['kpi']['requests']:.1f}x requests, "
        f"{last['naive']['cu'] / last['kpi']['cu']:.0f}x capacity units"
    )
    print(
        f"naive / kpi at {target:,} events (extrapolated): "
        f"{at['naive.requests'] / at['kpi.requests']:.1f}x requests, "
        f"{at['naive.cu'] / at['kpi.cu']:.0f}x capacity units"
    )
    print()
    for r in rows:
        s = r["summary"]
        print(
            f"history {r['history']:>7}: loaded in {r['load_seconds']:.0f} s; run folded "
            f"{s['events']} events in {s['inbox_items']} inbox items, {s['documents_changed']} "
            f"documents, {s['daily_items_written']} daily writes; aggregation requests "
            f"{r['aggregation']['by_op']}; kpi {r['kpi']['by_op']}; naive {r['naive']['by_op']}; "
            f"range {r['range'][0]}..{r['range'][1]}, processed_total {r['processed_total']}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 50_000, 200_000])
    parser.add_argument("--new", type=int, default=1_000)
    parser.add_argument("--extrapolate", type=int, default=1_000_000)
    args = parser.parse_args()
    sizes = sorted(args.sizes)

    from scripts.moto_patches import install as install_moto_patches

    install_moto_patches()  # moto's TransactWriteItems would copy whole tables per item
    meter = Meter().install()  # before any client exists
    started = time.perf_counter()
    events, units, officials, campaign = generate_events(sizes[-1] + args.new)
    # The busiest unit of the whole stream (the same one at every size).
    counts: dict[str, int] = defaultdict(int)
    for event in events:
        counts[event["unit_id"]] += 1
    unit_id = max(counts, key=lambda u: (counts[u], u))
    print(
        f"{len(events):,} events generated in {time.perf_counter() - started:.0f} s "
        f"({events[0]['occurred_at'][:10]} .. {events[-1]['occurred_at'][:10]}); "
        f"kpi unit {unit_id} ({counts[unit_id]:,} events in the stream)"
    )
    rows = []
    for size in sizes:
        row = run_size(
            meter,
            events[:size],
            events[size : size + args.new],
            (units, officials, campaign),
            unit_id,
        )
        rows.append(row)
        print(
            f"  history {size:>7,}: aggregation {row['aggregation']['requests']} req, "
            f"kpi {row['kpi']['requests']} req, naive {row['naive']['requests']} req "
            f"({time.perf_counter() - started:.0f} s so far)",
            flush=True,
        )
    report(rows, args.new, args.extrapolate)
    meter.uninstall()


if __name__ == "__main__":
    main()

"""The largest province, measured (issue 23): a slice of Hồ Chí Minh City's volume, a burst
on one unit-day, and the read side at full size.

    .venv/bin/python bench/scale.py [--events 20000] [--burst-communes 168] [--replies 5]
                                    [--report-officials 20000] [--skip-report]
    .venv/bin/python bench/scale.py --smoke      # the smallest run (tests/bench)

In-process on moto (HTTP would only measure moto); DynamoDB requests and capacity are
counted with botocore hooks (bench/dynamo_meter.py: moto reports no ConsumedCapacity, so
units are estimated from item sizes; a transactional ADD on a daily item is charged from
the item's size after the write, read back from moto's backend).

1. Ingestion and aggregation per event: the first `--events` events of a weekday of the
   `large` demo province (scripts/demo/large.py: 424 units, ~19,400 officials, ~2.5
   million events a month) through the webhook handler in 500-event requests, then the
   inbox stream's records folded by one consumer (fold_inbox) in batches of 100 records,
   as the event source mapping delivers them. Per event: requests and capacity of each;
   the consumer's events per second (wall and CPU).
2. The burst: the city office sends one document to every commune (`--burst-communes`),
   each commune replies `--replies` times within a minute (received, registered,
   processed, ...), one request per reply, interleaved with the next slice of the normal
   traffic; then four consumers (four shards: records split by inbox item) fold at once,
   with a sweep running beside them. Reported: transactions committed and cancelled by a
   concurrent writer (conditional-check failures) per write, documents retried, the time
   from the last 202 to everything folded, and the office's and five communes' figures
   against a recomputation from every event sent (tests/kpi_reference.py).
3. The read side at full size: the registry of the large province, a month of daily rows
   for every unit and `--report-officials` officials (bench/reports.py's loader, written
   straight to the tables), then the ranking of the communes and of the departments, one
   unit's KPIs and the province report in every format: seconds, requests, capacity and
   the peak of Python allocations, against a Lambda's limits.
4. The extrapolation to a month of the province and to a national deployment (3,321
   communes), printed from the measured per-event and per-row figures.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import sys
import threading
import time
import tracemalloc
import zlib
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.environment import offline  # noqa: E402

offline(EVENT_MAX_AGE_DAYS="36500")  # the simulated events are dated 2025

from bench.dynamo_meter import Meter  # noqa: E402

SOURCE_ID = "eoffice-hcmc"
DAY = dt.date(2025, 7, 16)  # a Wednesday of the campaign
MONTH_EVENTS = 2_500_000  # the anchor: 2-3 million events a month (DOMAIN.md)
NATIONAL_COMMUNES = 3_321
HCMC_COMMUNES = 168
BATCH = 500
SHARDS = 4  # stream shards folding at once in the burst (the scenario)
POLL_SECONDS = 1.0  # how often the event source mapping reads the stream (about 1/s)


class _Admin:
    """A province-wide reader (services.kpi takes the caller's principal)."""

    sub, role, unit_id = "bench", "province_admin", None
    province_wide = True


ADMIN: Any = _Admin()


def _registry() -> tuple[list[dict], list[dict]]:
    from scripts.demo import large

    units = large.units()
    return units, large.officials(units)


def _slice(units: list[dict], officials: list[dict], count: int) -> list[dict]:
    """The first `count` document events of DAY (the day before gives the replies'
    documents a history) and no evaluations (a month-end event)."""
    from scripts.demo import large

    events = large.events(units, officials, start=DAY, days=1)
    return [e for e in events if e["type"] != "official.evaluated"][:count]


def _setup(units: list[dict], officials: list[dict]) -> tuple[Any, str]:
    from chalice.test import Client

    from app import app
    from chalicelib.domain.registry import OfficialRecord, UnitRecord
    from chalicelib.services import sources
    from chalicelib.storage import registry as registry_store
    from chalicelib.storage.setup import create_all
    from scripts.demo import large

    create_all()
    registry_store.put_units([UnitRecord(**u) for u in units])
    registry_store.put_officials([OfficialRecord(**o) for o in officials])
    secret = sources.register_source(SOURCE_ID, "E-office TP.HCM", [large.PROVINCE_ID])["secret"]
    return Client(app), secret


def _send(client: Any, secret: str, events: list[dict], size: int) -> tuple[int, float]:
    """Post `events` in requests of `size`; (events accepted, instant of the last 202)."""
    from tests.webhooks import sign

    accepted, last = 0, 0.0
    for start in range(0, len(events), size):
        data = json.dumps({"events": events[start : start + size]}, ensure_ascii=False).encode()
        response = client.http.post(f"/webhooks/{SOURCE_ID}", headers=sign(secret, data), body=data)
        assert response.status_code == 202, response.body
        accepted += json.loads(response.body)["accepted"]
        last = time.monotonic()
    return accepted, last


def _per_event(meter: Meter, events: int) -> dict[str, float]:
    return {
        "requests": round(meter.total_requests / events, 3),
        "wcu": round(meter.wcu / events, 2),
        "rcu": round(meter.rcu / events, 2),
        "cu": round((meter.wcu + meter.rcu) / events, 2),
    }


def _fold(records: list[dict], batch: int = 100) -> None:
    from chalicelib.services.aggregation import fold_stream_records

    for start in range(0, len(records), batch):
        result = fold_stream_records(records[start : start + batch])
        assert result == {"batchItemFailures": []}, result


# --- 1. ingestion and aggregation per event ---------------------------------------------------


def bench_slice(meter: Meter, client: Any, secret: str, events: list[dict]) -> dict[str, Any]:
    from tests.streams import Recorder

    recorder = Recorder()
    recorder.new_records()  # the stream's start
    meter.reset()
    started = time.perf_counter()
    accepted, _ = _send(client, secret, events, BATCH)
    ingest_s = time.perf_counter() - started
    ingest = _per_event(meter, accepted)
    ingest["requests_by_operation"] = dict(meter.requests)
    records = recorder.new_records()
    meter.reset()
    wall, cpu = time.perf_counter(), time.process_time()
    _fold(records)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return {
        "events": accepted,
        "ingest": {**ingest, "events_per_s": round(accepted / ingest_s)},
        "aggregate": {
            **_per_event(meter, accepted),
            "events_per_s_wall": round(accepted / wall),
            "events_per_s_cpu": round(accepted / cpu),
        },
    }


# --- 2. the burst --------------------------------------------------------------------------


def burst_events(units: list[dict], communes: int, replies: int) -> list[dict]:
    """The city office's document to every commune, and each commune's replies within a
    minute (one request each)."""
    from scripts.demo import large

    office = large.PROVINCE_OFFICE_ID
    targets = [u["unit_id"] for u in units if u["level"] == "commune"][:communes]
    document = {"id": "burst-vb-0001", "doc_type": "Công văn", "pages": 3}
    at = "2025-07-16T10:%02d:%02d+07:00"
    out: list[dict] = []
    for n, commune in enumerate(targets):
        out.append(
            {
                "event_id": f"burst-sent-{n:04d}",
                "type": "document.sent",
                "occurred_at": at % (0, n % 60),
                "unit_id": office,
                "document": document,
                "to_unit_id": commune,
                "channel": "electronic",
            }
        )
    kinds = ["document.received", "document.registered", "document.processed"]
    for r in range(replies):
        for n, commune in enumerate(targets):
            event: dict[str, Any] = {
                "event_id": f"burst-reply-{n:04d}-{r}",
                "type": kinds[min(r, 2)],
                "occurred_at": at % (1 + r // 60, (n + r) % 60),
                "unit_id": commune,
                "document": document,
            }
            if event["type"] == "document.received":
                event.update(from_unit_id=office, channel="electronic")
            elif event["type"] == "document.registered":
                event.update(direction="incoming")
            else:
                event.update(channel="electronic", actor_official_id=f"{commune}.cb003")
                if r > 2:  # later status replies: the same processing, re-reported
                    event["event_id"] = f"burst-reply-{n:04d}-{r}"
            out.append(event)
    return out


def bench_burst(
    meter: Meter,
    client: Any,
    secret: str,
    units: list[dict],
    officials: list[dict],
    normal: list[dict],
    args: argparse.Namespace,
    history: list[dict],
) -> dict[str, Any]:
    """The burst as it happens: the stream is read while the requests arrive (every
    `POLL_SECONDS`, as the event source mapping polls), each record goes to one of four
    shards (by inbox item), and each shard's consumer folds up to 100 records gathered
    within the batching window (`fold_inbox`'s 5 s), while a sweep runs every
    `--sweep-every` seconds with the deployed stage's SWEEP_MIN_AGE_SECONDS. The clock
    stops when the last request's items are folded (no pending marker left)."""
    import queue

    from chalicelib.jobs.stream import BATCH_SIZE, BATCH_WINDOW_SECONDS
    from chalicelib.services.aggregation import fold_stream_records, run_aggregation
    from chalicelib.settings import get_settings
    from chalicelib.storage import aggregates as aggregate_store
    from chalicelib.storage.events import pending_items
    from scripts.demo import large
    from tests.streams import Recorder

    os.environ["SWEEP_MIN_AGE_SECONDS"] = str(args.sweep_min_age)
    get_settings.cache_clear()
    recorder = Recorder()
    recorder.new_records()
    burst = burst_events(units, args.burst_communes, args.replies)
    aggregate_store.write_stats.reset()
    meter.reset()
    shards: list[queue.Queue[dict]] = [queue.Queue() for _ in range(SHARDS)]
    stop = threading.Event()
    errors: list[BaseException] = []
    folds = {"consumer": 0, "sweep_runs": 0, "sweep_items": 0}
    load_before = os.getloadavg()[0]

    def guarded(fn: Any) -> Any:
        def run(*a: Any) -> None:
            try:
                fn(*a)
            except BaseException as exc:
                errors.append(exc)
                stop.set()

        return run

    @guarded
    def stream() -> None:  # the event source mapping's reader
        meter.label("aggregate")
        while not stop.is_set():
            for record in recorder.new_records():
                seq = record["dynamodb"]["Keys"]["seq"]["S"]
                shards[zlib.crc32(seq.encode()) % SHARDS].put(record)
            stop.wait(POLL_SECONDS)

    @guarded
    def consume(shard: queue.Queue[dict]) -> None:  # one shard's fold_inbox
        meter.label("aggregate")
        while not stop.is_set():
            try:
                batch = [shard.get(timeout=0.2)]
            except queue.Empty:
                continue
            window = time.monotonic() + BATCH_WINDOW_SECONDS
            while len(batch) < BATCH_SIZE and time.monotonic() < window:
                try:
                    batch.append(shard.get(timeout=max(0.01, window - time.monotonic())))
                except queue.Empty:
                    break
            result = fold_stream_records(batch)
            assert result == {"batchItemFailures": []}, result
            folds["consumer"] += 1

    @guarded
    def sweep() -> None:  # the aggregate_kpi schedule (hourly in AWS; here far more often)
        meter.label("aggregate")
        while not stop.wait(args.sweep_every):
            summary = run_aggregation(deadline=time.monotonic() + 600)
            folds["sweep_runs"] += 1
            folds["sweep_items"] += summary.get("inbox_items", 0)

    threads = [threading.Thread(target=stream), threading.Thread(target=sweep)]
    threads += [threading.Thread(target=consume, args=(q,)) for q in shards]
    for thread in threads:
        thread.start()
    cpu = time.process_time()
    sending = time.monotonic()
    meter.label("ingest")
    # The replies, one request each, between requests of the normal traffic (50 events).
    last_202 = 0.0
    step = max(1, len(normal) // 50 // max(1, len(burst)) + 1)
    n = 0
    for i, event in enumerate(burst):
        _, last_202 = _send(client, secret, [event], 1)
        if i % step == 0 and n < len(normal):
            _, last_202 = _send(client, secret, normal[n : n + 50], 50)
            n += 50
    if n < len(normal):
        _, last_202 = _send(client, secret, normal[n:], BATCH)
    meter.label(None)
    sending = last_202 - sending
    while not stop.is_set() and any(True for _ in pending_items()):
        time.sleep(0.2)
    folded_at = time.monotonic()
    cpu = time.process_time() - cpu
    stop.set()
    for thread in threads:
        thread.join()
    assert not errors, errors
    os.environ["SWEEP_MIN_AGE_SECONDS"] = "0"
    get_settings.cache_clear()
    run_aggregation(deadline=time.monotonic() + 600)
    assert list(pending_items()) == []
    stats = aggregate_store.write_stats.snapshot()
    attempts = stats.get("transactions", 0) + stats.get("transactions_cancelled", 0)
    sent_events = len(burst) + len(normal)
    checked = _check(
        [*history, *burst, *normal],
        [large.PROVINCE_OFFICE_ID, *[u["unit_id"] for u in units if u["level"] == "commune"][:5]],
        units,
        officials,
    )
    return {
        "burst_events": len(burst),
        "normal_events": len(normal),
        "ingest": meter.per_event("ingest", sent_events),
        "aggregate": meter.per_event("aggregate", sent_events),
        "consumer_batches": folds["consumer"],
        "sweep_runs": folds["sweep_runs"],
        "sweep_inbox_items": folds["sweep_items"],
        "sweep_min_age_seconds": args.sweep_min_age,
        "transactions": stats.get("transactions", 0),
        "cancelled": stats.get("transactions_cancelled", 0),
        "cancelled_share": round(stats.get("transactions_cancelled", 0) / max(1, attempts), 4),
        "condition_failures": stats.get("condition_failures", 0),
        "item_writes_attempted": stats.get("items_attempted", 0),
        "condition_failures_per_write": round(
            stats.get("condition_failures", 0) / max(1, stats.get("items_attempted", 0)), 4
        ),
        "documents_read_again": stats.get("retried_documents", 0),
        "document_writes": stats.get("document_writes", 0),
        "daily_writes": stats.get("daily_writes", 0),
        "seconds_sending": round(sending, 1),
        "seconds_last_202_to_folded": round(folded_at - last_202, 2),
        "cpu_seconds_whole_burst": round(cpu, 1),
        "load_average": [round(load_before, 1), round(os.getloadavg()[0], 1)],
        "figures": checked,
    }


def _check(
    events: list[dict], unit_ids: list[str], units: list[dict], officials: list[dict]
) -> str:
    from zoneinfo import ZoneInfo

    from chalicelib.services import kpi
    from tests.kpi_reference import reference_unit_metrics

    levels = {u["unit_id"]: u["level"] for u in units}
    for unit_id in unit_ids:
        mine = [dict(e, source_id=SOURCE_ID) for e in events if e["unit_id"] == unit_id]
        active = [o["official_id"] for o in officials if o["unit_id"] == unit_id and o["active"]]
        expected = reference_unit_metrics(
            mine,
            unit_id=unit_id,
            start=DAY,
            end=DAY,
            tz=ZoneInfo("Asia/Ho_Chi_Minh"),
            unit_levels=levels,
            active_official_ids=active,
        )
        got = kpi.unit_kpi(ADMIN, unit_id, DAY, DAY)["metrics"]
        if got != expected:
            diff = {k: (got.get(k), v) for k, v in expected.items() if got.get(k) != v}
            return f"DIFFER for {unit_id}: {diff}"
    return f"equal a recomputation ({len(unit_ids)} units)"


# --- 3. the read side ------------------------------------------------------------------------


def bench_reads(meter: Meter, args: argparse.Namespace) -> dict[str, Any]:
    """Rankings, one unit's KPIs and the province report over a month of daily rows.

    Full size: the large province's registry (scripts/demo/large.py: 424 units, 168
    communes, 40 departments, ~19,400 officials) and 31 days of daily rows for every unit
    and official, written straight to the tables (bench/reports.py's loader). Each read is
    run cold (a new container: the registry snapshot is read first), warm, and once more
    under tracemalloc for its peak of Python allocations (tracemalloc slows what it
    watches, so its pass is not timed). Times are wall and CPU (process_time) of this
    process, which includes moto's own work for every request: an upper bound of the
    service's CPU time in a Lambda."""
    from bench import reports as report_bench
    from chalicelib.domain.registry import OfficialRecord, UnitRecord
    from chalicelib.services import kpi
    from chalicelib.storage import registry as registry_store

    if args.smoke:
        data = report_bench.load(30, args.report_officials, 31)
    else:
        units, officials = _registry()
        officials = officials[: args.report_officials]  # a slice of them, to scale up
        data = report_bench.load(
            len(units),
            len(officials),
            31,
            registry=([UnitRecord(**u) for u in units], [OfficialRecord(**o) for o in officials]),
        )
    out: dict[str, Any] = {
        "data": {k: v for k, v in data.items() if k not in ("from", "to")},
        "load_average": os.getloadavg()[0],
    }

    def drop_snapshots() -> None:
        registry_store.invalidate_registry()  # a new container: no registry snapshot yet

    def timed(fn: Any) -> tuple[Any, dict[str, Any]]:
        meter.reset()
        wall, cpu = time.perf_counter(), time.process_time()
        result = fn()
        return result, {
            "wall_s": round(time.perf_counter() - wall, 3),
            "cpu_s": round(time.process_time() - cpu, 3),
            "requests": meter.total_requests,
            "by_operation": dict(meter.requests),
            "rcu": round(meter.rcu, 1),
        }

    def measure(name: str, fn: Any, *, warm: bool = True) -> Any:
        drop_snapshots()
        result, cold = timed(fn)
        figures: dict[str, Any] = {"cold": cold}
        if warm:
            _, figures["warm"] = timed(fn)
        if warm or args.report_service_cpu:
            figures["service_cpu_s"] = _service_cpu(fn)
        tracemalloc.start()
        fn()
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        figures["peak_mb"] = round(peak / 1024 / 1024, 1)
        out[name] = figures
        print(name, json.dumps(figures), flush=True)
        return result

    campaign = report_bench.CAMPAIGN_ID
    communes = measure(
        "ranking_communes", lambda: kpi.ranking(campaign, "commune", data["from"], data["to"])
    )
    out["ranking_communes"]["rows"] = len(communes["items"])
    departments = measure(
        "ranking_departments",
        lambda: kpi.ranking(campaign, "department", data["from"], data["to"]),
    )
    out["ranking_departments"]["rows"] = len(departments["items"])
    unit_id = communes["items"][0]["unit_id"]
    measure("unit_kpi", lambda: kpi.unit_kpi(ADMIN, unit_id, data["from"], data["to"]))
    if not args.skip_report:
        measure(
            "report_every_format",
            lambda: report_bench.generate_once(data["from"], data["to"]),
            warm=False,
        )
    return out


def _service_cpu(fn: Any) -> float:
    """The service's own CPU time for `fn` (warm), without moto's: every answer of the
    storage reads a ranking or a unit's KPIs make is recorded on one run and served from
    memory on the next, so what is timed is the service's computation alone. In AWS add
    the requests' latency: their rounds (8 in flight) times a few milliseconds each."""
    from chalicelib.services.initiatives import assessment
    from chalicelib.storage import aggregates as aggregate_store
    from chalicelib.storage import jobs as job_store
    from chalicelib.storage import registry as registry_store

    names = [(aggregate_store, "daily_rows"), (aggregate_store, "evaluated_among")]
    names += [(job_store, "as_of"), (registry_store, "officials_of_unit")]
    names += [(aggregate_store, "latest_evaluation")]
    names += [(assessment, "unit_creativity")]
    originals = {(m, n): getattr(m, n) for m, n in names}
    answers: dict[Any, Any] = {}

    def recording(module: Any, name: str) -> Any:
        def call(*a: Any) -> Any:
            key = (name, *(tuple(x) if isinstance(x, list) else x for x in a))
            answers[key] = originals[(module, name)](*a)
            return answers[key]

        return call

    def replaying(name: str) -> Any:
        def call(*a: Any) -> Any:
            return answers[(name, *(tuple(x) if isinstance(x, list) else x for x in a))]

        return call

    try:
        for module, name in names:
            setattr(module, name, recording(module, name))
        fn()
        for module, name in names:
            setattr(module, name, replaying(name))
        cpu = time.process_time()
        fn()
        return round(time.process_time() - cpu, 3)
    finally:
        for (module, name), original in originals.items():
            setattr(module, name, original)


# --- 4. extrapolation ------------------------------------------------------------------------


AWS_REQUEST_MS = 10  # a DynamoDB query or batch get of ~100 small items, in AWS (typical)


def _aws_seconds(figures: dict[str, Any], scale: float = 1.0) -> float:
    """A reader's service time in AWS, estimated: its own CPU time (storage answers served
    from memory) plus its requests' latency, 8 in flight (kpi.READ_THREADS), scaled by
    `scale` (more units and officials: proportionally more of both)."""
    ops = figures["warm"]["by_operation"]
    rounds = math.ceil(ops.get("Query", 0) * scale / 8) + math.ceil(
        ops.get("BatchGetItem", 0) * scale / 8
    )
    rounds += sum(v for k, v in ops.items() if k not in ("Query", "BatchGetItem"))
    return round(figures["service_cpu_s"] * scale + rounds * AWS_REQUEST_MS / 1000, 2)


def extrapolate(result: dict[str, Any]) -> dict[str, Any]:
    """A month of the province from the slice's per-event figures; a national ranking
    from the measured one, scaled by the number of communes (its units, officials,
    queries and batch gets all grow with them)."""
    out: dict[str, Any] = {}
    if "slice" in result:
        s = result["slice"]
        per_event_cu = s["ingest"]["cu"] + s["aggregate"]["cu"]
        per_event_req = s["ingest"]["requests"] + s["aggregate"]["requests"]
        national_month = MONTH_EVENTS * NATIONAL_COMMUNES / HCMC_COMMUNES
        out.update(
            {
                "hcmc_month_events": MONTH_EVENTS,
                "hcmc_month_cu_millions": round(MONTH_EVENTS * per_event_cu / 1e6, 1),
                "hcmc_month_requests_millions": round(MONTH_EVENTS * per_event_req / 1e6, 1),
                "national_month_events_millions": round(national_month / 1e6, 1),
                "national_month_cu_millions": round(national_month * per_event_cu / 1e6, 1),
                "consumer_events_per_s_cpu": s["aggregate"]["events_per_s_cpu"],
            }
        )
    ranking = result.get("reads", {}).get("ranking_communes")
    if ranking and "warm" in ranking:
        scale = NATIONAL_COMMUNES / max(1, ranking["rows"])
        out.update(
            {
                "ranking_communes_aws_seconds_estimate": _aws_seconds(ranking),
                "ranking_3321_communes_aws_seconds_estimate": _aws_seconds(ranking, scale),
                "ranking_3321_communes_rcu_estimate": round(ranking["warm"]["rcu"] * scale),
                "ranking_3321_communes_requests_estimate": round(
                    ranking["warm"]["requests"] * scale
                ),
            }
        )
    return out


class _SkipWrites(Exception):
    pass


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--burst-communes", type=int, default=HCMC_COMMUNES)
    parser.add_argument("--replies", type=int, default=5)
    parser.add_argument("--report-officials", type=int, default=20_000)
    parser.add_argument("--skip-report", action="store_true")
    parser.add_argument(
        "--sweep-min-age",
        type=int,
        default=300,
        help="SWEEP_MIN_AGE_SECONDS during the burst (the deployed stage's; 0: the sweep "
        "folds every pending item, young or not)",
    )
    parser.add_argument("--sweep-every", type=float, default=10.0, help="seconds between sweeps")
    parser.add_argument("--skip-reads", action="store_true")
    parser.add_argument("--skip-burst", action="store_true", help="the slice's figures only")
    parser.add_argument(
        "--report-service-cpu",
        action="store_true",
        help="also the report's own CPU time (two more runs of it: recorded, replayed)",
    )
    parser.add_argument("--skip-writes", action="store_true", help="the read side only")
    parser.add_argument("--smoke", action="store_true", help="the smallest run (a test)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    if args.smoke:
        args.events, args.burst_communes, args.replies = 300, 8, 2
        args.report_officials, args.skip_report = 200, True

    from moto import mock_aws

    from scripts.moto_patches import install

    install()
    meter = Meter().install()
    result: dict[str, Any] = {}
    try:
        with mock_aws():
            if args.skip_writes:
                raise _SkipWrites
            units, officials = _registry()
            client, secret = _setup(units, officials)
            events = _slice(units, officials, args.events * 2)
            first, second = events[: args.events], events[args.events :]
            with client:
                result["slice"] = bench_slice(meter, client, secret, first)
                if not args.skip_burst:
                    result["burst"] = bench_burst(
                        meter, client, secret, units, officials, second, args, first
                    )
        print(json.dumps(result, indent=2, ensure_ascii=False, default=str), flush=True)
    except _SkipWrites:
        pass
    try:
        if not args.skip_reads:
            with mock_aws():
                from chalicelib.storage.setup import create_all

                create_all()
                result["reads"] = bench_reads(meter, args)
    finally:
        meter.uninstall()
    result["extrapolation"] = extrapolate(result)
    print(json.dumps(result, indent=2, ensure_ascii=False, default=str))
    return result


if __name__ == "__main__":
    main()

"""Live figures (issue 15): how soon an accepted event is on the scoreboard, and what the
stream-driven aggregation costs in DynamoDB capacity beside one hourly run.

    .venv/bin/python bench/live.py                    # 100 events/s for 180 s, 4 senders
    .venv/bin/python bench/live.py --smoke            # 20 events/s for 4 s, small replay

1. Delay, on the local stack (moto server + chalice local + the stream poller, free
   ports, no scheduler: no sweep helps): four senders post the demo simulator's events,
   `--batch` per signed request, paced to `--rate` events/s in total. A watcher asks
   `GET /units/{id}/kpi` four times a second; `as_of` there promises that every event
   ingested before it is in the figures, so a request's events are visible at the first
   answer whose `as_of` is at or after the request's 202. Delay = that answer - the 202
   (p50, p95, max over requests). At the end the busiest unit's figures are compared with
   a recomputation from all events (tests/kpi_reference.py).
2. Capacity, in-process on moto (moto reports no ConsumedCapacity; bench/dynamo_meter.py
   estimates it from item sizes in the process that makes the calls): the same requests
   through the Chalice handler, then either
   - live: the inbox stream's records delivered to fold_inbox in the batches the mapping
     makes at this rate (what arrives within the 5 s window, at most 100 records), or
   - hourly: one aggregate_kpi sweep folding every item at the end (the hourly design's
     single run over the same events: the most it can amortise them).
   Capacity units per accepted event: ingestion, aggregation, total. The hourly run can
   also be measured on the code before issue 15 (a checkout of it, whose bench/ has
   dynamo_meter.py):
       git worktree add /tmp/kg-before 17e3492
       KG_BENCH_CODE_ROOT=/tmp/kg-before .venv/bin/python bench/live.py --skip-latency \
           --designs hourly
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
from pathlib import Path
from typing import Any


def _bench_env() -> dict[str, str]:
    return {
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "AWS_DEFAULT_REGION": "ap-southeast-1",
        "AWS_REGION": "ap-southeast-1",
        "STAGE": "bench",
        "POWERTOOLS_LOG_LEVEL": "ERROR",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_METRICS_DISABLED": "true",
        "AGGREGATE_SETTLE_SECONDS": "0",  # read only by the code before issue 15
        "EVENT_MAX_AGE_DAYS": "36500",  # the demo campaign's events are dated 2025
    }


ROOT = Path(os.environ.get("KG_BENCH_CODE_ROOT") or Path(__file__).resolve().parent.parent)
sys.path.insert(0, str(ROOT))
os.environ.update(_bench_env())  # before anything reads settings or creates Powertools
os.environ.pop("AWS_ENDPOINT_URL", None)
os.environ.pop("AWS_SESSION_TOKEN", None)

SOURCE_ID = "bench-live"
SENDERS = 4
WATCH_SECONDS = 0.25


def demo_events(total: int) -> tuple[list[dict[str, Any]], list[dict], list[dict], dict]:
    """The first `total` events of the demo province's simulated campaign."""
    from scripts.demo import province, simulator

    units, officials = province.demo_units(), province.demo_officials()
    campaign = province.demo_campaign()
    start = dt.date.fromisoformat(campaign["start_date"])
    days = 3
    while True:
        events = simulator.generate_month(units, officials, start=start, days=days)
        if len(events) >= total or days >= 62:
            return events[:total], units, officials, campaign
        days = min(62, math.ceil(days * total / max(1, len(events))) + 1)


def requests_of(events: list[dict[str, Any]], batch: int) -> list[list[dict[str, Any]]]:
    return [events[i : i + batch] for i in range(0, len(events), batch)]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(p / 100 * len(ordered)) - 1))]


# --- 1. delay on the local stack -------------------------------------------------------------


def run_latency(rate: float, seconds: float, batch: int) -> dict[str, Any]:
    import requests

    from scripts.local_stack import LocalStack, free_port
    from tests.webhooks import encode, sign

    total = int(rate * seconds)
    events, units, officials, campaign = demo_events(total)
    plan = requests_of(events, batch)
    env = {**os.environ, **_bench_env()}
    env.pop("AWS_ENDPOINT_URL", None)
    with LocalStack(
        moto_port=free_port(), api_port=free_port(), scheduler=False, env=env, quiet=True
    ) as stack:
        url = stack.api_url
        admin = {"Authorization": f"Bearer {stack.admin_token()}"}
        r = requests.post(
            f"{url}/admin/units",
            json={"units": units, "officials": officials},
            headers=admin,
            timeout=120,
        )
        r.raise_for_status()
        requests.post(f"{url}/admin/campaigns", json=campaign, headers=admin, timeout=60)
        secret = requests.post(
            f"{url}/admin/sources",
            json={"source_id": SOURCE_ID, "name": "Bench", "units": [units[0]["unit_id"]]},
            headers=admin,
            timeout=60,
        ).json()["secret"]
        busiest = max(
            {e["unit_id"] for e in events}, key=lambda u: sum(e["unit_id"] == u for e in events)
        )
        accepted: list[float] = []  # epoch seconds of each request's 202
        lock = threading.Lock()
        watch: list[tuple[float, dt.datetime | None]] = []
        stop = threading.Event()

        def watcher() -> None:
            session = requests.Session()
            while not stop.is_set():
                answer = session.get(f"{url}/units/{busiest}/kpi", headers=admin, timeout=60).json()
                moment = answer.get("as_of")
                watch.append((time.time(), dt.datetime.fromisoformat(moment) if moment else None))
                stop.wait(WATCH_SECONDS)

        interval = SENDERS * batch / rate  # seconds between one sender's requests
        started = time.monotonic() + 1.0

        def sender(n: int) -> None:
            session = requests.Session()
            for k, body_events in enumerate(plan[n::SENDERS]):
                pause = started + n * interval / SENDERS + k * interval - time.monotonic()
                if pause > 0:
                    time.sleep(pause)
                data = encode(body_events)
                response = session.post(
                    f"{url}/webhooks/{SOURCE_ID}", data=data, headers=sign(secret, data), timeout=60
                )
                if response.status_code != 202:
                    raise RuntimeError(f"{response.status_code}: {response.text}")
                with lock:
                    accepted.append(time.time())

        threads = [threading.Thread(target=watcher)]
        threads += [threading.Thread(target=sender, args=(n,)) for n in range(SENDERS)]
        for t in threads:
            t.start()
        for t in threads[1:]:
            t.join()
        sent_seconds = time.monotonic() - started
        last = max(accepted)
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            if watch and watch[-1][1] is not None and watch[-1][1].timestamp() >= last:
                break
            time.sleep(0.5)
        stop.set()
        threads[0].join()
        delays = []
        for moment in accepted:
            seen = next(
                (w for w, as_of in watch if as_of is not None and as_of.timestamp() >= moment),
                None,
            )
            delays.append(math.inf if seen is None else seen - moment)
        figures = requests.get(
            f"{url}/units/{busiest}/kpi?from={campaign['start_date']}&to={campaign['end_date']}",
            headers=admin,
            timeout=60,
        ).json()["metrics"]
        expected = _reference(events, busiest, campaign, units, officials)
        mismatches = sorted(k for k in expected if figures.get(k) != expected[k])
    return {
        "events": len(events),
        "requests": len(plan),
        "batch": batch,
        "achieved_rate": len(events) / sent_seconds,
        "p50": percentile(delays, 50),
        "p95": percentile(delays, 95),
        "max": max(delays),
        "busiest": busiest,
        "mismatches": mismatches,
    }


def _reference(
    events: list[dict[str, Any]],
    unit: str,
    campaign: dict,
    units: list[dict],
    officials: list[dict],
) -> dict[str, Any]:
    from zoneinfo import ZoneInfo

    from tests.kpi_reference import reference_unit_metrics

    return reference_unit_metrics(
        [dict(e, source_id=SOURCE_ID) for e in events],
        unit_id=unit,
        start=dt.date.fromisoformat(campaign["start_date"]),
        end=dt.date.fromisoformat(campaign["end_date"]),
        tz=ZoneInfo("Asia/Ho_Chi_Minh"),
        unit_levels={u["unit_id"]: u["level"] for u in units},
        active_official_ids=[
            o["official_id"] for o in officials if o["unit_id"] == unit and o.get("active", True)
        ],
    )


# --- 2. capacity in-process ------------------------------------------------------------------


def run_capacity(rate: float, seconds: float, batch: int, design: str) -> dict[str, Any]:
    from chalice.test import Client
    from moto import mock_aws

    from bench.dynamo_meter import Meter
    from chalicelib.storage import registry as registry_store
    from chalicelib.storage.aws import reset_clients
    from chalicelib.storage.models import reset_connections
    from scripts.moto_patches import install
    from tests.webhooks import encode, sign

    install()
    events, units, officials, campaign = demo_events(int(rate * seconds))
    plan = requests_of(events, batch)
    window_seconds = 5.0
    if design == "live":
        from chalicelib.jobs import stream as mapping

        window_seconds = mapping.BATCH_WINDOW_SECONDS
    per_window = max(1, round(rate * window_seconds / batch))
    meter = Meter().install()
    with mock_aws():
        reset_clients()
        reset_connections()
        registry_store.invalidate_registry()
        from app import app
        from chalicelib.domain.campaigns import Campaign
        from chalicelib.domain.registry import OfficialRecord, UnitRecord
        from chalicelib.services import registry as registry_service
        from chalicelib.services import sources
        from chalicelib.services.aggregation import run_aggregation
        from chalicelib.storage.setup import create_all

        create_all()
        registry_store.put_units([UnitRecord(**u) for u in units])
        registry_store.put_officials([OfficialRecord(**o) for o in officials])
        registry_service.save_campaign(Campaign.model_validate(campaign))
        secret = sources.register_source(SOURCE_ID, "Bench", [units[0]["unit_id"]])["secret"]
        ingestion = aggregation = 0.0
        folds = 0
        with Client(app) as client:
            if design == "live":
                from tests.streams import Recorder, invoker

                invoke, stream = invoker(client), Recorder()
            for start in range(0, len(plan), per_window):
                meter.reset()
                for body_events in plan[start : start + per_window]:
                    data = encode(body_events)
                    response = client.http.post(
                        f"/webhooks/{SOURCE_ID}", headers=sign(secret, data), body=data
                    )
                    assert response.status_code == 202, response.body
                ingestion += meter.rcu + meter.wcu
                if design == "live":
                    records = stream.new_records()
                    meter.reset()
                    for i in range(0, len(records), mapping.BATCH_SIZE):
                        result = invoke({"Records": records[i : i + mapping.BATCH_SIZE]})
                        assert result == {"batchItemFailures": []}, result
                        folds += 1
                    aggregation += meter.rcu + meter.wcu
            if design == "hourly":
                meter.reset()
                while not run_aggregation(deadline=time.monotonic() + 3600).get("done"):
                    pass
                folds = 1
                aggregation += meter.rcu + meter.wcu
    meter.uninstall()
    reset_clients()
    reset_connections()
    registry_store.invalidate_registry()
    n = len(events)
    return {
        "design": design,
        "events": n,
        "folds": folds,
        "ingestion": ingestion / n,
        "aggregation": aggregation / n,
        "total": (ingestion + aggregation) / n,
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=100.0, help="events per second, in all")
    parser.add_argument("--seconds", type=float, default=180.0)
    parser.add_argument("--batch", type=int, default=10, help="events per webhook request")
    parser.add_argument(
        "--replay-seconds", type=float, default=None, help="seconds of events replayed for capacity"
    )
    parser.add_argument("--smoke", action="store_true", help="20 events/s for 4 s (a test)")
    parser.add_argument("--skip-latency", action="store_true")
    parser.add_argument("--skip-capacity", action="store_true")
    parser.add_argument("--designs", nargs="+", default=["live", "hourly"])
    args = parser.parse_args(argv)
    if args.smoke:
        args.rate, args.seconds, args.replay_seconds = 20.0, 4.0, 4.0
    replay = args.replay_seconds or args.seconds
    out: dict[str, Any] = {}
    if not args.skip_latency:
        lat = run_latency(args.rate, args.seconds, args.batch)
        out["latency"] = lat
        print(
            f"delay 202 -> visible in GET /units/{{id}}/kpi: {lat['events']} events in "
            f"{lat['requests']} requests of {lat['batch']}, {lat['achieved_rate']:.1f} events/s "
            f"from {SENDERS} senders: p50 {lat['p50']:.1f} s, p95 {lat['p95']:.1f} s, "
            f"max {lat['max']:.1f} s; figures of {lat['busiest']} "
            + (
                "equal a recomputation" if not lat["mismatches"] else f"DIFFER: {lat['mismatches']}"
            ),
            flush=True,
        )
    if not args.skip_capacity:
        print(
            f"\n{'design':>7} | {'events':>6} | {'folds':>5} | {'ingest CU/ev':>12} | "
            f"{'aggregate CU/ev':>15} | {'total CU/ev':>11}"
        )
        for design in args.designs:
            c = run_capacity(args.rate, replay, args.batch, design)
            out[design] = c
            print(
                f"{c['design']:>7} | {c['events']:>6} | {c['folds']:>5} | {c['ingestion']:>12.2f} | "
                f"{c['aggregation']:>15.2f} | {c['total']:>11.2f}",
                flush=True,
            )
    print("\n" + json.dumps(out, default=str))
    return out


if __name__ == "__main__":
    main()

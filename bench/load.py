"""Load and faults, end to end on the local stack (issue 13, item 8).

    .venv/bin/python -m bench.load [--documents 600] [--senders 8] [--seed 7]

Starts a local stack on free ports (or drives one given to `run`), registers the test
registry and a source, then delivers a random province scenario (tests/scenario.py) from
eight concurrent senders, with overlapping redeliveries: a share of the requests is sent
again by another sender at the same time with the same webhook-id, and the scenario
re-sends a share of its events under new webhook-ids. Meanwhile:

- two aggregation runs at once (`POST /admin/jobs/aggregate_kpi` from two threads);
- a stream outage (the local stream poller stopped) while the second half is sent, so
  inbox items pile up pending; a sweep in its own process, slowed down and killed
  (SIGKILL) mid-way through them, with a short lease (`AGGREGATE_LEASE_SECONDS`);
- once its lease expired, a sweep that folds again what it left pending, while senders
  still send; then the stream consumer resumes (and refolds what it had not read).

Then aggregation runs to the end and every unit's KPIs are compared with a recomputation
from the events (tests/kpi_reference.py). Prints throughput, latency percentiles, the
slowest requests, every 5xx, and the mismatches; exits 1 on any failure.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as `python bench/load.py` too, like the other benchmarks
ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
KILLED_LEASE_SECONDS = 2
# The run killed mid-way: its fold is slowed so that it is surely mid-way when killed.
KILLED_RUN = """
import sys, time
from chalicelib.services import aggregation
original = aggregation.apply_records
def slow(records, zone):
    # Fold a few records at a time, so that the run is surely mid-way when killed.
    result = {}
    for start in range(0, len(records), 5):
        for key, value in original(records[start:start + 5], zone).items():
            result[key] = result.get(key, 0) + value
        print("folded", flush=True)
        time.sleep(0.3)
    return result
aggregation.apply_records = slow
print(aggregation.run_aggregation(deadline=time.monotonic() + 120), flush=True)
"""


@dataclass
class Outcome:
    request: int
    sender: int
    status: int
    seconds: float
    retry_after: str | None
    body: str


@dataclass
class Report:
    outcomes: list[Outcome] = field(default_factory=list)
    final_status: dict[int, int] = field(default_factory=dict)
    aggregation_runs: list[dict[str, Any]] = field(default_factory=list)
    killed_after_items: int = 0
    killed_mid_way: bool = False
    mismatches: list[dict[str, Any]] = field(default_factory=list)
    events: int = 0
    requests: int = 0
    send_seconds: float = 0.0

    @property
    def server_errors(self) -> list[Outcome]:
        """5xx answers other than a 503 that says when to retry."""
        return [
            o for o in self.outcomes if o.status >= 500 and not (o.status == 503 and o.retry_after)
        ]


class Load:
    def __init__(self, api_url: str, token: str, env: dict[str, str], *, senders: int = 8) -> None:
        self.api_url = api_url
        self.headers = {"Authorization": f"Bearer {token}"}
        self.env = env
        self.senders = senders
        self.report = Report()
        self._lock = threading.Lock()

    # --- setup ------------------------------------------------------------------------------

    def register(self, source_id: str) -> str:
        from tests.factories import CAMPAIGN, OFFICIALS, UNITS

        r = requests.post(
            f"{self.api_url}/admin/units",
            json={"units": UNITS, "officials": OFFICIALS},
            headers=self.headers,
            timeout=60,
        )
        r.raise_for_status()
        r = requests.post(
            f"{self.api_url}/admin/campaigns", json=CAMPAIGN, headers=self.headers, timeout=60
        )
        assert r.status_code in (201, 409), r.text
        r = requests.post(
            f"{self.api_url}/admin/sources",
            json={
                "source_id": source_id,
                "name": "Hệ thống tải thử",
                "units": [UNITS[0]["unit_id"]],
            },
            headers=self.headers,
            timeout=60,
        )
        assert r.status_code == 201, r.text
        secret = str(r.json()["secret"])
        self._warm_up(source_id, secret)
        return secret

    def _warm_up(self, source_id: str, secret: str) -> None:
        # A fresh `chalice local` imports the webhook path on its first request; an empty
        # (refused, 400) delivery pays for that outside the measured load.
        from tests.webhooks import sign

        data = b'{"events": []}'
        r = requests.post(
            f"{self.api_url}/webhooks/{source_id}",
            data=data,
            headers=sign(secret, data),
            timeout=120,
        )
        assert r.status_code == 400, r.text

    # --- senders ----------------------------------------------------------------------------

    def _post(self, index: int, sender: int, source_id: str, secret: str, data: bytes, msg: str):
        from tests.webhooks import sign

        for _attempt in range(30):
            started = time.perf_counter()
            # Signed afresh on each attempt, as a sender's retry is (same id, same body).
            r = requests.post(
                f"{self.api_url}/webhooks/{source_id}",
                data=data,
                headers=sign(secret, data, msg_id=msg),
                timeout=120,
            )
            outcome = Outcome(
                index,
                sender,
                r.status_code,
                time.perf_counter() - started,
                r.headers.get("Retry-After"),
                r.text[:300],
            )
            with self._lock:
                self.report.outcomes.append(outcome)
            if r.status_code == 503 and outcome.retry_after:
                time.sleep(min(float(outcome.retry_after), 1.0) * random.uniform(0.2, 1.0))
                continue
            with self._lock:
                self.report.final_status[index] = r.status_code
            return

    def send(
        self,
        requests_to_send: list[tuple[int, bytes, str]],
        source_id: str,
        secret: str,
        *,
        overlap: float,
        seed: int,
        on_progress: Callable[[int], None] | None = None,
    ) -> None:
        """Every request once, a share of them twice at once by two senders (same id)."""
        rng = random.Random(seed)
        jobs: list[tuple[int, bytes, str]] = []
        for item in requests_to_send:
            jobs.append(item)
            if rng.random() < overlap:
                jobs.append(item)
        done = 0
        with ThreadPoolExecutor(self.senders) as pool:
            futures = [
                pool.submit(self._post, index, n % self.senders, source_id, secret, data, msg)
                for n, (index, data, msg) in enumerate(jobs)
            ]
            for future in futures:
                future.result()
                done += 1
                if on_progress is not None:
                    on_progress(done)

    # --- aggregation and its faults -----------------------------------------------------------

    def aggregate_once(self) -> dict[str, Any]:
        r = requests.post(
            f"{self.api_url}/admin/jobs/aggregate_kpi", headers=self.headers, timeout=300
        )
        assert r.status_code == 202, r.text  # the local stack runs the job in-process
        result = dict(r.json()["result"])
        with self._lock:
            self.report.aggregation_runs.append(result)
        return result

    def two_runs_at_once(self) -> list[threading.Thread]:
        threads = [threading.Thread(target=self.aggregate_once) for _ in range(2)]
        for thread in threads:
            thread.start()
        return threads

    def killed_run(self, after_items: int = 2) -> None:
        """A run in its own process, killed once it folded `after_items` inbox items."""
        env = {**self.env, "AGGREGATE_LEASE_SECONDS": str(KILLED_LEASE_SECONDS)}
        proc = subprocess.Popen(
            [sys.executable, "-c", KILLED_RUN],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        folded = 0
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.strip() == "folded":
                folded += 1
                if folded >= after_items:
                    break
        self.report.killed_mid_way = proc.poll() is None
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        self.report.killed_after_items = folded

    def aggregate_to_the_end(self) -> None:
        for _ in range(50):
            result = self.aggregate_once()
            if result.get("done") and "skipped" not in result:
                return
            time.sleep(0.5)
        raise RuntimeError("aggregation did not finish")

    # --- verification ---------------------------------------------------------------------------

    def verify(self, events: list[dict[str, Any]], source_id: str, start: dt.date, end: dt.date):
        from tests.factories import OFFICIALS, UNITS
        from tests.kpi_reference import reference_unit_metrics
        from tests.scenario import ACTING_UNITS

        levels = {u["unit_id"]: u["level"] for u in UNITS}
        for unit in ACTING_UNITS:
            r = requests.get(
                f"{self.api_url}/units/{unit}/kpi",
                params={"from": start.isoformat(), "to": end.isoformat()},
                headers=self.headers,
                timeout=60,
            )
            assert r.status_code == 200, r.text
            got = r.json()["metrics"]
            want = reference_unit_metrics(
                [dict(e, source_id=source_id) for e in events],
                unit_id=unit,
                start=start,
                end=end,
                tz=ZONE,
                unit_levels=levels,
                active_official_ids=[
                    o["official_id"] for o in OFFICIALS if o["unit_id"] == unit and o["active"]
                ],
            )
            if got != want:
                diff = {k: (got.get(k), want[k]) for k in want if got.get(k) != want[k]}
                self.report.mismatches.append({"unit": unit, "got_vs_expected": diff})


def run(
    api_url: str,
    token: str,
    env: dict[str, str],
    *,
    documents: int,
    seed: int,
    senders: int = 8,
    overlap: float = 0.25,
    pause_stream: Callable[[bool], None] | None = None,
) -> Report:
    """The whole scenario against a running stack; the report says what happened.

    `pause_stream(True)` stops the stream consumer (an outage: items pile up pending, for
    the sweeps to fold), `pause_stream(False)` lets it go on (it then folds them again)."""
    from tests.scenario import build, delivery_plan
    from tests.webhooks import encode

    load = Load(api_url, token, env, senders=senders)
    source_id = f"load-{uuid.uuid4().hex[:8]}"
    secret = load.register(source_id)
    scenario = build(seed, documents, prefix=f"{source_id}-")
    plan = delivery_plan(scenario, seed, redeliver_share=0.4, max_batch=10)
    numbered = [(i, encode(batch), f"msg_{source_id}_{i}") for i, batch in enumerate(plan)]
    half = len(numbered) // 2
    load.report.events = len(scenario.events)
    load.report.requests = len(numbered)

    started = time.perf_counter()
    concurrent_runs: list[threading.Thread] = []

    def start_two_runs(done: int) -> None:
        if done >= half // 2 and not concurrent_runs:
            concurrent_runs.extend(load.two_runs_at_once())

    load.send(
        numbered[:half], source_id, secret, overlap=overlap, seed=seed, on_progress=start_two_runs
    )
    for thread in concurrent_runs:
        thread.join()

    if pause_stream is not None:
        pause_stream(True)
    try:
        backlog = threading.Event()
        second_half = threading.Thread(
            target=load.send,
            args=(numbered[half:], source_id, secret),
            kwargs={
                "overlap": overlap,
                "seed": seed + 1,
                "on_progress": lambda done: backlog.set() if done >= 6 else None,
            },
        )
        second_half.start()
        backlog.wait(timeout=120)
        load.killed_run()
        time.sleep(KILLED_LEASE_SECONDS + 0.2)  # the killed run's lease expires ...
        load.aggregate_once()  # ... and a run folds again what it left pending
        second_half.join()
    finally:
        if pause_stream is not None:
            pause_stream(False)
    load.report.send_seconds = time.perf_counter() - started

    load.aggregate_to_the_end()
    load.verify(scenario.events, source_id, scenario.first_day, scenario.last_day)
    return load.report


def stream_pauser(stack: Any) -> Callable[[bool], None]:
    """Stop (SIGSTOP) or continue (SIGCONT) a LocalStack's stream poller process."""
    pollers = [p for p in stack.procs if "scripts.stream_poller" in " ".join(map(str, p.args))]

    def pause(stop: bool) -> None:
        for proc in pollers:
            proc.send_signal(signal.SIGSTOP if stop else signal.SIGCONT)

    return pause


def summarize(report: Report) -> dict[str, Any]:
    times = sorted(o.seconds for o in report.outcomes)
    slowest = sorted(report.outcomes, key=lambda o: o.seconds, reverse=True)[:5]
    statuses: dict[str, int] = {}
    for o in report.outcomes:
        statuses[str(o.status)] = statuses.get(str(o.status), 0) + 1
    return {
        "events": report.events,
        "requests": report.requests,
        "http_requests": len(report.outcomes),
        "statuses": statuses,
        "events_per_second": round(report.events / report.send_seconds, 1)
        if report.send_seconds
        else None,
        "p50_ms": round(statistics.median(times) * 1000) if times else None,
        "p95_ms": round(times[int(len(times) * 0.95) - 1] * 1000) if times else None,
        "slowest_ms": [
            {"ms": round(o.seconds * 1000), "status": o.status, "request": o.request}
            for o in slowest
        ],
        "server_errors": [{"status": o.status, "body": o.body} for o in report.server_errors],
        "not_accepted": sorted(i for i, s in report.final_status.items() if s != 202),
        "aggregation_runs": len(report.aggregation_runs),
        "skipped_runs": sum(1 for r in report.aggregation_runs if "skipped" in r),
        "killed_mid_way": report.killed_mid_way,
        "killed_after_items": report.killed_after_items,
        "kpi_mismatches": report.mismatches,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=600)
    parser.add_argument("--senders", type=int, default=8)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    from scripts.devkeys import mint_token
    from scripts.local_stack import LocalStack, free_port

    env = dict(os.environ)
    env.pop("AWS_ENDPOINT_URL", None)
    with LocalStack(
        moto_port=free_port(), api_port=free_port(), scheduler=False, env=env, quiet=True
    ) as stack:
        token = mint_token(
            "province_admin",
            sub="bench-load",
            issuer=stack.env.get("AUTH_ISSUER", "https://auth.khong-giay.local"),
            audience=stack.env.get("AUTH_AUDIENCE", "khong-giay-api"),
        )
        report = run(
            stack.api_url,
            token,
            stack.env,
            documents=args.documents,
            seed=args.seed,
            senders=args.senders,
            pause_stream=stream_pauser(stack),
        )
    summary = summarize(report)
    print(json.dumps(summary, indent=2, ensure_ascii=False))
    failed = summary["server_errors"] or summary["not_accepted"] or summary["kpi_mismatches"]
    return 1 if failed or not report.killed_mid_way else 0


if __name__ == "__main__":
    sys.exit(main())

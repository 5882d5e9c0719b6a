"""Webhook ingestion throughput and DynamoDB cost per accepted event.

    .venv/bin/python bench/ingest.py [--repeats 5]

In-process on moto: each delivery goes through the Chalice handler
(chalice.test.Client), signature check and all. Prints events/s for batches of
1, 50 and 500 ~1 KB events, the p50 handler time of a 500-event batch, and
DynamoDB requests and capacity units per accepted event.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.environment import offline  # noqa: E402

offline(EVENT_MAX_AGE_DAYS="36500")  # the events are dated 2025

from bench.dynamo_meter import Meter  # noqa: E402

UNITS = [
    {
        "unit_id": f"000.00.{i:02d}.H34",
        "name": f"Sở số {i}",
        "level": "department",
        "parent_id": "000.00.00.H34",
    }
    for i in range(1, 21)
]
UNITS.insert(
    0,
    {
        "unit_id": "000.00.00.H34",
        "name": "UBND tỉnh Khánh Hòa",
        "level": "province",
        "parent_id": None,
    },
)


def _officials() -> list[Any]:
    from chalicelib.domain.registry import OfficialRecord

    # make_event's actor cb-k acts for department 1 + k % 20 (300 is a multiple of 20).
    return [
        OfficialRecord(f"cb-{k:04d}", UNITS[1 + k % 20]["unit_id"], f"Cán bộ {k}")
        for k in range(300)
    ]


def make_event(n: int) -> dict:
    unit = UNITS[1 + n % 20]["unit_id"]
    return {
        "event_id": f"eoffice-khanhhoa:2025:processed:{unit}:{n:09d}:" + "x" * 40,
        "type": "document.processed",
        "occurred_at": f"2025-07-{15 + n % 14:02d}T{8 + n % 9:02d}:15:00+07:00",
        "unit_id": unit,
        "document": {
            "id": f"{unit},2025/07/15,VB-{n:09d}/" + "hồ-sơ-công-việc-" * 8,
            "number": f"{n % 999}/UBND-VP-KSTTHC-" + "Đ" * 40,
            "doc_type": "Công văn về việc triển khai phong trào thi đua Ngày không in giấy",
            "pages": 1 + n % 12,
        },
        "channel": "electronic",
        "actor_official_id": f"cb-{n % 300:04d}",
        "due_at": "2025-08-01T17:00:00+07:00",
        "completed_at": f"2025-07-{15 + n % 14:02d}T16:00:00+07:00",
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    from chalice.test import Client
    from moto import mock_aws

    from tests.webhooks import sign

    meter = Meter().install()
    with mock_aws():
        from app import app
        from chalicelib.storage.setup import create_all
        from scripts.devkeys import ensure_keys  # noqa: F401 - no tokens needed

        create_all()
        from chalicelib.domain.registry import UnitRecord
        from chalicelib.services import sources
        from chalicelib.storage import registry as registry_store

        registry_store.put_units([UnitRecord(**u) for u in UNITS])
        registry_store.put_officials(_officials())
        secret = sources.register_source("bench", "Bench", [UNITS[0]["unit_id"]])["secret"]
        counter = 0
        print(
            f"{'batch':>6} {'events/s':>10} {'p50 ms':>8} {'req/event':>10} {'WCU/ev':>7} {'RCU/ev':>7} {'CU/ev':>6}"
        )
        with Client(app) as client:
            for size in (1, 50, 500):
                times, accepted = [], 0
                meter.reset()
                for _ in range(args.repeats * (5 if size < 500 else 1)):
                    events = [make_event(counter + i) for i in range(size)]
                    counter += size
                    data = json.dumps({"events": events}, ensure_ascii=False).encode()
                    headers = sign(secret, data)
                    started = time.perf_counter()
                    response = client.http.post("/webhooks/bench", headers=headers, body=data)
                    times.append(time.perf_counter() - started)
                    assert response.status_code == 202, response.body
                    accepted += json.loads(response.body)["accepted"]
                p50 = statistics.median(times)
                per_event = meter.total_requests / accepted
                print(
                    f"{size:>6} {size / p50:>10.0f} {p50 * 1000:>8.1f} {per_event:>10.3f} "
                    f"{meter.wcu / accepted:>7.2f} {meter.rcu / accepted:>7.2f} "
                    f"{(meter.wcu + meter.rcu) / accepted:>6.2f}"
                )
                if size == 500:
                    print(
                        f"\n500-event batches: p50 handler time {p50 * 1000:.0f} ms; "
                        f"requests by operation per batch: "
                        f"{ {k: v / len(times) for k, v in meter.requests.items()} }"
                    )
                    print(f"event size ~{len(json.dumps(events[0]).encode())} bytes as sent")
    meter.uninstall()


if __name__ == "__main__":
    main()

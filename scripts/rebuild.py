"""`make rebuild`: rebuild every event from the S3 archive, on a running local stack.

Runs the `rebuild_events` job until it reports done (each run stops before the
API's time limit and resumes from its cursor), then aggregates. Point it at an
empty event store (a fresh stack whose archive bucket holds the archive) to
rebuild the ledger, inbox and every KPI from the archive alone.
"""

from __future__ import annotations

import argparse

import requests

from scripts.devkeys import mint_token


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--api-port", type=int, default=8000)
    args = parser.parse_args()
    base = f"http://127.0.0.1:{args.api_port}"
    headers = {"Authorization": f"Bearer {mint_token('province_admin', sub='rebuild')}"}
    totals = {"objects": 0, "accepted": 0, "duplicates": 0}
    while True:
        response = requests.post(f"{base}/admin/jobs/rebuild_events", headers=headers, timeout=120)
        response.raise_for_status()
        result = response.json()["result"]
        for key in totals:
            totals[key] += result.get(key, 0)
        print(f"rebuild: {totals}", flush=True)
        if result.get("done"):
            break
    while True:
        response = requests.post(f"{base}/admin/jobs/aggregate_kpi", headers=headers, timeout=120)
        response.raise_for_status()
        result = response.json()["result"]
        print(f"aggregate_kpi: {result.get('events', 0)} events folded", flush=True)
        if result.get("done"):
            break


if __name__ == "__main__":
    main()

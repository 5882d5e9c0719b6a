"""Work per request on the hot paths issue 19 named: DynamoDB requests of a warm KPI answer
and a warm ranking, JSON encodings of one error body, idempotency layers built per webhook.

    .venv/bin/python bench/hot_paths.py [--campaigns 12] [--officials 600] [--requests 5]

In-process on moto through the Chalice handler (chalice.test.Client). Counts, not times:
they do not depend on the machine's load. Each figure is per request, after one warm-up
request (a container's first request fills its caches). Runs unchanged on older commits
(it needs only the routes, `bench/dynamo_meter.py` and the storage setup), so "before" is
this file run in a worktree of the older commit.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.environment import offline  # noqa: E402

offline("CRITICAL", EVENT_MAX_AGE_DAYS="36500")  # the events are dated 2025

from bench.dynamo_meter import Meter  # noqa: E402

PROVINCE = "000.00.00.H34"
DEPARTMENTS = [f"000.00.{i:02d}.H34" for i in range(1, 21)]


def _units() -> list[dict[str, Any]]:
    units = [{"unit_id": PROVINCE, "name": "UBND tỉnh", "level": "province", "parent_id": None}]
    units += [
        {"unit_id": u, "name": f"Sở số {i}", "level": "department", "parent_id": PROVINCE}
        for i, u in enumerate(DEPARTMENTS, 1)
    ]
    return units


def _officials(count: int) -> list[dict[str, Any]]:
    return [
        {
            "official_id": f"cb-{k:04d}",
            "unit_id": DEPARTMENTS[k % len(DEPARTMENTS)],
            "full_name": f"Cán bộ {k}",
            "position": "Chuyên viên",
            "active": True,
        }
        for k in range(count)
    ]


def _campaign(n: int) -> dict[str, Any]:
    # Campaign 0 is the one asked for; the others are past years (a province's history).
    year = 2025 - n
    return {
        "campaign_id": f"kh-{year}",
        "name": f"Ngày không in giấy {year}",
        "start_date": f"{year}-07-15",
        "end_date": f"{year}-08-15",
        "timezone": "Asia/Ho_Chi_Minh",
    }


# "<operation> <table>" -> requests, since the last reset (which table a Scan read).
BY_TABLE: Counter[str] = Counter()


def _count_tables() -> None:
    original = Meter._before

    def before(self: Meter, params: dict[str, Any], model: Any, **kw: Any) -> None:
        names = (
            [params["TableName"]]
            if "TableName" in params
            else list(params.get("RequestItems") or {})
        )
        for name in names:
            BY_TABLE[f"{model.name} {name.rsplit('-', 1)[-1]}"] += 1
        original(self, params, model, **kw)

    Meter._before = before  # type: ignore[method-assign]


def _per_request(meter: Meter, requests: int) -> dict[str, Any]:
    return {
        "requests": round(meter.total_requests / requests, 2),
        "rcu": round(meter.rcu / requests, 2),
        "by_table": {k: round(v / requests, 2) for k, v in sorted(BY_TABLE.items())},
    }


def main() -> dict[str, Any]:
    parser = argparse.ArgumentParser()
    parser.add_argument("--campaigns", type=int, default=12)
    parser.add_argument("--officials", type=int, default=600)
    parser.add_argument("--requests", type=int, default=5)
    args = parser.parse_args()
    from chalice.test import Client
    from moto import mock_aws

    from scripts.devkeys import ensure_keys, mint_token

    _, jwks = ensure_keys()
    os.environ["AUTH_JWKS_FILE"] = str(jwks)
    _count_tables()
    meter = Meter().install()
    out: dict[str, Any] = {}
    with mock_aws():
        from app import app
        from chalicelib.storage.setup import create_all

        create_all()
        token = mint_token("province_admin", sub="bench")
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        with Client(app) as client:

            def call(method: str, path: str, body: Any = None) -> Any:
                data = json.dumps(body).encode() if body is not None else b""
                return client.http.request(method, path, headers=headers, body=data)

            r = call(
                "POST", "/admin/units", {"units": _units(), "officials": _officials(args.officials)}
            )
            assert r.status_code == 200, r.body
            for n in range(args.campaigns):
                r = call("POST", "/admin/campaigns", _campaign(n))
                assert r.status_code == 201, r.body
            cases = {
                "KPI answer (GET /units/{id}/kpi)": (
                    "GET",
                    f"/units/{DEPARTMENTS[0]}/kpi?from=2025-07-15&to=2025-08-15",
                ),
                "ranking (GET /campaigns/{id}/ranking, 20 departments)": (
                    "GET",
                    "/campaigns/kh-2025/ranking?level=department&from=2025-07-15&to=2025-08-15",
                ),
            }
            for label, (method, path) in cases.items():
                assert call(method, path).status_code == 200  # warm-up: the container's first
                meter.reset()
                BY_TABLE.clear()
                for _ in range(args.requests):
                    r = call(method, path)
                    assert r.status_code == 200, r.body
                out[label] = _per_request(meter, args.requests)

            # One error body: how many times is JSON encoded on its way out?
            import json as json_module

            encodings = Counter[str]()
            original = json_module.dumps

            def counting(*a: Any, **kw: Any) -> str:
                # The service's own encodings (not botocore's or moto's of the unit lookup).
                caller = sys._getframe(1).f_code.co_filename
                if caller.startswith(str(ROOT / "chalicelib")) or caller == str(ROOT / "app.py"):
                    encodings["json.dumps"] += 1
                return original(*a, **kw)

            call("GET", "/units/no-such-unit")
            json_module.dumps = counting  # type: ignore[assignment]
            try:
                for _ in range(args.requests):
                    assert call("GET", "/units/no-such-unit").status_code == 404
            finally:
                json_module.dumps = original  # type: ignore[assignment]
            out["error body (404): json.dumps calls"] = encodings["json.dumps"] / args.requests

            # Idempotency layers built for N webhooks.
            from aws_lambda_powertools.utilities.idempotency import persistence

            built = Counter[str]()
            init = persistence.base.BasePersistenceLayer.__init__

            def counted_init(self: Any, *a: Any, **kw: Any) -> None:
                built["layers"] += 1
                init(self, *a, **kw)

            from chalicelib.services import sources
            from tests.webhooks import encode, event, sign

            secret = sources.register_source("bench", "Bench", [PROVINCE])["secret"]
            persistence.base.BasePersistenceLayer.__init__ = counted_init  # type: ignore[method-assign]
            try:
                for n in range(args.requests + 1):
                    data = encode(
                        [
                            event(
                                f"hp-{n}",
                                at="2025-07-20T09:00:00+07:00",
                                unit=DEPARTMENTS[0],
                                actor_official_id="cb-0000",
                            )
                        ]
                    )
                    r = client.http.post("/webhooks/bench", headers=sign(secret, data), body=data)
                    assert r.status_code == 202, r.body
            finally:
                persistence.base.BasePersistenceLayer.__init__ = init  # type: ignore[method-assign]
            out[f"idempotency layers built for {args.requests + 1} webhooks"] = built["layers"]

            # Events serialised and hashed per new event (a 50-event webhook, none seen
            # before: the other form is needed only for ids already in the ledger).
            from chalicelib.domain import events as event_domain

            hashed = Counter[str]()
            originals = {n: getattr(event_domain, n) for n in ("payload_hash", "to_record")}

            def counted(name: str) -> Any:
                def run(*a: Any, **kw: Any) -> Any:
                    hashed[name] += 1
                    return originals[name](*a, **kw)

                return run

            for name in originals:
                setattr(event_domain, name, counted(name))
            try:
                batch = [
                    event(
                        f"hp-new-{n}",
                        doc=f"d-{n}",
                        at="2025-07-21T09:00:00+07:00",
                        unit=DEPARTMENTS[n % len(DEPARTMENTS)],
                        actor_official_id=f"cb-{n % len(DEPARTMENTS):04d}",
                    )
                    for n in range(50)
                ]
                data = encode(batch)
                r = client.http.post("/webhooks/bench", headers=sign(secret, data), body=data)
                assert r.status_code == 202, r.body
            finally:
                for name, fn in originals.items():
                    setattr(event_domain, name, fn)
            out["per new event: records built, payload hashes"] = [
                hashed["to_record"] / 50,
                hashed["payload_hash"] / 50,
            ]
    meter.uninstall()
    print(json.dumps(out, indent=2, ensure_ascii=False))
    return out


if __name__ == "__main__":
    main()

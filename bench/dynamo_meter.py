"""Counts DynamoDB requests and estimates capacity units with botocore event hooks.

Every botocore client created while a Meter is installed gets a
`provide-client-params.dynamodb.*` handler. Capacity is computed from item sizes
as DynamoDB bills it (moto does not report ConsumedCapacity):
writes 1 WCU per started KB per item (2x inside transactions); strongly
consistent reads 1 RCU per started 4 KB (0.5 eventually consistent), with the
minimum charged for keys that are not found; queries by the total size read.
"""

from __future__ import annotations

import math
import threading
from collections import Counter, defaultdict
from typing import Any

import botocore.session


def _value_size(value: dict[str, Any]) -> int:
    ((kind, raw),) = value.items()
    if kind == "S":
        return len(raw.encode())
    if kind == "N":
        return len(str(raw).lstrip("-").replace(".", "")) // 2 + 1
    if kind == "B":
        return len(raw) if isinstance(raw, bytes | bytearray) else len(raw) * 3 // 4
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "M":
        return 3 + sum(len(k.encode()) + _value_size(v) for k, v in raw.items())
    if kind == "L":
        return 3 + sum(_value_size(v) for v in raw)
    if kind in ("SS", "NS", "BS"):
        return sum(len(str(x)) for x in raw)
    return 0


def item_size(item: dict[str, Any]) -> int:
    return sum(len(name.encode()) + _value_size(value) for name, value in item.items())


def wcu(item: dict[str, Any]) -> int:
    return max(1, math.ceil(item_size(item) / 1024))


class Meter:
    """Counts for the whole process, and per label: a thread that sets `meter.label(name)`
    has its requests and units also counted under that name (`meter.labelled[name]`), so
    concurrent work (ingestion while consumers fold) is told apart."""

    def __init__(self) -> None:
        self.requests: Counter[str] = Counter()
        self.wcu = 0.0
        self.rcu = 0.0
        self.labelled: defaultdict[str, Counter[str]] = defaultdict(Counter)
        self._lock = threading.Lock()
        self._local = threading.local()  # per thread: the label, a read's pending figures
        self._original = botocore.session.Session.create_client

    def label(self, name: str | None) -> None:
        self._local.label = name

    def _charge(self, field: str, value: float) -> None:
        with self._lock:
            if field == "wcu":
                self.wcu += value
            else:
                self.rcu += value
            name = getattr(self._local, "label", None)
            if name:
                self.labelled[name][field] += value  # type: ignore[assignment]

    def _count(self, op: str) -> None:
        with self._lock:
            self.requests[op] += 1
            name = getattr(self._local, "label", None)
            if name:
                self.labelled[name]["requests"] += 1

    def per_event(self, name: str, events: int) -> dict[str, float]:
        """A label's requests and capacity per event."""
        tally = self.labelled[name]
        return {
            "requests": round(tally["requests"] / max(1, events), 3),
            "wcu": round(tally["wcu"] / max(1, events), 2),
            "rcu": round(tally["rcu"] / max(1, events), 2),
            "cu": round((tally["wcu"] + tally["rcu"]) / max(1, events), 2),
        }

    # -- hooks ------------------------------------------------------------------------------
    def _before(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        op = model.name
        self._count(op)
        if op in ("Query", "Scan"):
            self._local.consistent = bool(params.get("ConsistentRead"))
        if op == "PutItem":
            self._charge("wcu", wcu(params["Item"]))
        elif op in ("UpdateItem", "DeleteItem"):
            self._charge("wcu", 1)  # small items here; updated size unknown before the call
        elif op == "BatchWriteItem":
            for writes in params["RequestItems"].values():
                for w in writes:
                    self._charge("wcu", wcu(w["PutRequest"]["Item"]) if "PutRequest" in w else 1)
        elif op == "TransactWriteItems":
            for entry in params["TransactItems"]:
                if "Put" in entry:
                    self._charge("wcu", 2 * wcu(entry["Put"]["Item"]))
                else:
                    self._charge("wcu", 2)

    def _after(self, parsed: dict[str, Any], model: Any, params: Any = None, **_: Any) -> None:
        op = model.name
        if op == "BatchGetItem":
            # Strongly consistent: 1 RCU per started 4 KB of each item; eventually: half.
            unit = getattr(self._local, "pending_unit", 1.0)
            for _table, items in parsed.get("Responses", {}).items():
                for item in items:
                    self._charge("rcu", max(1, math.ceil(item_size(item) / 4096)) * unit)
        elif op in ("Query", "Scan"):
            # Billed on the total size read, per started 4 KB: 1 RCU strongly consistent,
            # 0.5 eventually consistent.
            size = sum(item_size(i) for i in parsed.get("Items", []))
            unit = 1.0 if getattr(self._local, "consistent", False) else 0.5
            self._charge("rcu", max(1, math.ceil(size / 4096)) * unit)
        elif op == "GetItem":
            self._charge("rcu", max(1, math.ceil(item_size(parsed.get("Item", {})) / 4096)))

    def _missing_reads(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        # BatchGetItem: every requested key costs at least 1 RCU (strong), found or not;
        # found items are charged by size in _after, so charge the not-found remainder there.
        if model.name == "BatchGetItem":
            self._local.pending_keys = sum(len(v["Keys"]) for v in params["RequestItems"].values())
            # 0.5 per missing key when eventually consistent (one table per request here)
            self._local.pending_unit = (
                1.0
                if any(v.get("ConsistentRead") for v in params["RequestItems"].values())
                else 0.5
            )

    # -- install ------------------------------------------------------------------------------
    def install(self) -> Meter:
        meter = self
        original = self._original

        def create_client(session: Any, service_name: str, *args: Any, **kwargs: Any) -> Any:
            client = original(session, service_name, *args, **kwargs)
            if service_name == "dynamodb":
                client.meta.events.register(
                    "provide-client-params.dynamodb.*",
                    lambda params, model, **kw: meter._before(params, model),
                )
                client.meta.events.register(
                    "provide-client-params.dynamodb.*",
                    lambda params, model, **kw: meter._missing_reads(params, model),
                )
                client.meta.events.register("after-call.dynamodb.*", meter._after_call)
            return client

        botocore.session.Session.create_client = create_client  # type: ignore[method-assign]
        return self

    def _after_call(
        self, http_response: Any = None, parsed: Any = None, model: Any = None, **_: Any
    ) -> None:
        if model is None or parsed is None:
            return
        if model.name == "BatchGetItem":
            found = sum(len(v) for v in parsed.get("Responses", {}).values())
            not_found = max(0, getattr(self._local, "pending_keys", 0) - found)
            # minimum charge per missing key
            self._charge("rcu", not_found * getattr(self._local, "pending_unit", 1.0))
        self._after(parsed, model)

    def uninstall(self) -> None:
        botocore.session.Session.create_client = self._original  # type: ignore[method-assign]

    def reset(self) -> None:
        with self._lock:
            self.requests.clear()
            self.wcu = self.rcu = 0.0
            self.labelled.clear()

    @property
    def total_requests(self) -> int:
        return sum(self.requests.values())

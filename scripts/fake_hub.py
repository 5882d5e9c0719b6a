"""A fake provincial hub (LGSP REST dialect, docs/hubs.md) for the local stack, the demo and
the tests: it serves edXML packages and status messages the way the connector
(`pull_hubs`) reads them, with the faults real hubs have, on a fixed schedule so a test can
count on them:

- a request that stalls past the client's timeout (``stall_every``),
- ``500`` (``error_every``), ``429`` with ``Retry-After`` (``throttle_every``),
- the same package listed twice (``duplicate_every``), listings out of order (shuffled),
- packages listed late: they appear only after ``late_after`` listings, with an older time,
- one package that does not parse (``broken``),
- wrong credentials: ``401`` unless ``X-SystemId``/``X-SecretKey`` match.

``python -m scripts.fake_hub --port 8091`` serves the demo month's edXML part; in Python::

    with FakeHub(messages, faults=Faults(error_every=7)) as hub:
        hub.url  # http://127.0.0.1:<port>
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import json
import random
import threading
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

LOCAL = timezone(timedelta(hours=7))
HUB_SHARE = 0.03  # of the demo month's documents (after the edXML push's share)
SYSTEM_ID = "khong-giay-demo"
SECRET = "lgsp-demo-secret"
BROKEN_XML = b"<?xml version='1.0'?><edXML><edXMLEnvelope><edXMLHeader>"  # cut short


@dataclass(frozen=True)
class HubMessage:
    package_id: str
    message_type: str  # edoc | status
    listed_at: datetime  # local time the hub lists it at
    xml: bytes
    late: bool = False  # listed only after Faults.late_after listings, with this older time


@dataclass
class Faults:
    stall_every: int = 0  # every Nth request stalls stall_seconds (the client times out)
    stall_seconds: float = 3.0
    error_every: int = 0  # every Nth request answers 500
    throttle_every: int = 0  # every Nth request answers 429 with Retry-After
    retry_after: int = 1
    duplicate_every: int = 0  # every Nth package is listed twice
    shuffle: bool = True  # listings out of order
    late_after: int = 0  # late messages appear from this many list requests on
    seed: int = 2025


@dataclass
class HubStats:
    requests: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    faults: Counter[str] = field(default_factory=Counter)
    lists: int = 0
    fetches: Counter[str] = field(default_factory=Counter)
    acknowledged: list[str] = field(default_factory=list)


class FakeHub:
    def __init__(
        self,
        messages: Iterable[HubMessage],
        *,
        faults: Faults | None = None,
        system_id: str = SYSTEM_ID,
        secret: str = SECRET,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.messages = {m.package_id: m for m in messages}
        self.faults = faults or Faults()
        self.system_id, self.secret = system_id, secret
        self.stats = HubStats()
        self._lock = threading.Lock()
        self._random = random.Random(self.faults.seed)
        hub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:  # quiet
                return

            def do_GET(self) -> None:
                hub._serve(self)

            def do_POST(self) -> None:
                hub._serve(self)

        self.server = ThreadingHTTPServer((host, port), Handler)
        self.server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> FakeHub:
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> FakeHub:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- the dialect ------------------------------------------------------------------

    def _fault(self) -> str | None:
        f = self.faults
        with self._lock:
            self.stats.requests += 1
            n = self.stats.requests
        for name, every in (
            ("stall", f.stall_every),
            ("error", f.error_every),
            ("throttle", f.throttle_every),
        ):
            if every and n % every == 0:
                with self._lock:
                    self.stats.faults[name] += 1
                return name
        return None

    def _answer(
        self,
        handler: BaseHTTPRequestHandler,
        status: int,
        body: Any,
        headers: dict[str, str] | None = None,
    ) -> None:
        data = json.dumps(body, ensure_ascii=False).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json; charset=utf-8")
        handler.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(data)
        with self._lock:
            self.stats.statuses[status] += 1

    def _serve(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        fault = self._fault()
        if fault == "stall":
            time.sleep(self.faults.stall_seconds)
            with contextlib.suppress(OSError):  # the client gave up waiting
                self._answer(handler, 504, {"status": "FAIL", "ErrorDesc": "gateway timeout"})
            return None
        if fault == "error":
            return self._answer(handler, 500, {"status": "FAIL", "ErrorDesc": "internal error"})
        if fault == "throttle":
            return self._answer(
                handler,
                429,
                {"status": "FAIL", "ErrorDesc": "too many requests"},
                {"Retry-After": str(self.faults.retry_after)},
            )
        if (
            handler.headers.get("X-SystemId") != self.system_id
            or handler.headers.get("X-SecretKey") != self.secret
        ):
            return self._answer(
                handler, 401, {"status": "FAIL", "ErrorDesc": "sai thông tin xác thực"}
            )
        url = urlparse(handler.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        path = url.path.rstrip("/").split("/v1/", 1)[-1]
        if handler.command == "GET" and path == "syncReceivedEdocList":
            return self._answer(handler, 200, self._list(query))
        if handler.command == "GET" and path == "getEdoc":
            message = self.messages.get(query.get("docId", ""))
            if message is None:
                return self._answer(handler, 404, {"status": "FAIL", "ErrorDesc": "not found"})
            with self._lock:
                self.stats.fetches[message.package_id] += 1
            content = base64.b64encode(message.xml).decode()
            return self._answer(
                handler,
                200,
                {"status": "OK", "data": {"docId": message.package_id, "content": content}},
            )
        if handler.command == "POST" and path == "updateStatus":
            doc = json.loads(raw or b"{}").get("docId")
            with self._lock:
                self.stats.acknowledged.append(str(doc))
            return self._answer(handler, 200, {"status": "OK", "data": None})
        return self._answer(handler, 404, {"status": "FAIL", "ErrorDesc": "unknown operation"})

    def _list(self, query: dict[str, str]) -> dict[str, Any]:
        try:
            start = datetime.strptime(query["fromDate"], "%Y/%m/%d").date()
            end = datetime.strptime(query["toDate"], "%Y/%m/%d").date()
        except (KeyError, ValueError):
            return {"status": "FAIL", "ErrorDesc": "fromDate/toDate: YYYY/MM/DD"}
        with self._lock:
            self.stats.lists += 1
            lists = self.stats.lists
        kind = query.get("messageType", "edoc")
        items = []
        for message in self.messages.values():
            if message.message_type != kind or not start <= message.listed_at.date() <= end:
                continue
            if message.late and lists < self.faults.late_after:
                continue
            item = {
                "docId": message.package_id,
                "messagetype": message.message_type,
                "created_time": message.listed_at.strftime("%Y/%m/%d %H:%M:%S"),
            }
            items.append(item)
        if self.faults.duplicate_every:
            items += items[:: self.faults.duplicate_every]
        if self.faults.shuffle:
            with self._lock:
                self._random.shuffle(items)
        return {"status": "OK", "ErrorDesc": "", "data": items}


# --- the demo month's edXML, as the hub would list it -----------------------------------------


def month_messages(
    events: Sequence[dict[str, Any]],
    *,
    late_share: float = 0.05,
    broken: bool = True,
    seed: int = 2025,
) -> list[HubMessage]:
    """The hub's messages for these JSON events (scripts.demo.edxml_writer), each listed at
    the time it travelled (a package: its sending; a status: its own time); about
    `late_share` of them late, and, with `broken`, one package that does not parse."""
    from scripts.demo.edxml_writer import convert

    rng = random.Random(seed)
    out = []
    for n, message in enumerate(convert(events).messages, start=1):
        kind = "edoc" if message.kind == "package" else "status"
        at = _message_time(message.xml)
        out.append(
            HubMessage(f"{kind}-{n:05d}", kind, at, message.xml, late=rng.random() < late_share)
        )
    if broken and out:
        first = min(m.listed_at for m in out)
        out.append(HubMessage("edoc-broken", "edoc", first + timedelta(hours=1), BROKEN_XML))
    return out


def _message_time(xml: bytes) -> datetime:
    """The first Timestamp of a message (a package's first trace, a status's time)."""
    import re

    found = re.search(rb"Timestamp>([^<]+)<", xml) or re.search(rb"PromulgationDate>([^<]+)<", xml)
    text = found.group(1).decode().strip() if found else "2025/07/15 08:00:00"
    for form in ("%Y/%m/%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S%z", "%Y/%m/%d", "%d/%m/%Y %H:%M:%S"):
        try:
            moment = datetime.strptime(text, form)
            break
        except ValueError:
            continue
    else:
        moment = datetime.fromisoformat(text)
    return moment.astimezone(LOCAL) if moment.tzinfo else moment.replace(tzinfo=LOCAL)


def demo_split(
    month: Sequence[dict[str, Any]], *, share: float = HUB_SHARE, seed: int = 2025
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """The demo month as `make demo` sends it: (edXML pushed, hub, JSON). The edXML push
    takes its share first (scripts.demo.edxml_sender.split_month), the hub `share` of the
    rest, with another seed: no document travels two ways, so none is counted twice."""
    from scripts.demo import edxml_sender

    pushed, rest = edxml_sender.split_month(month, share=0.05, seed=seed)
    hub, json_part = edxml_sender.split_month(rest, share=share, seed=seed + 1)
    return pushed, hub, json_part


def hub_part(
    month: Sequence[dict[str, Any]], *, share: float, seed: int = 2025
) -> list[dict[str, Any]]:
    from scripts.demo import edxml_sender

    part, _ = edxml_sender.split_month(month, share=share, seed=seed + 1)
    return part


def demo_hub_messages(days: int = 32) -> list[HubMessage]:
    """What the local stack's hub lists: the hub share of the demo month."""
    from scripts.demo import province, simulator

    campaign = province.demo_campaign()
    month = simulator.generate_month(
        province.demo_units(),
        province.demo_officials(),
        start=date.fromisoformat(campaign["start_date"]),
        days=days,
    )
    return month_messages(demo_split(month)[1])


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m scripts.fake_hub", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--port", type=int, default=8091)
    parser.add_argument("--days", type=int, default=32)
    parser.add_argument("--no-faults", action="store_true")
    args = parser.parse_args(argv)
    faults = Faults() if args.no_faults else demo_faults()
    with FakeHub(demo_hub_messages(args.days), faults=faults, port=args.port) as hub:
        print(
            f"fake hub on {hub.url} ({len(hub.messages)} messages); X-SystemId {SYSTEM_ID}",
            flush=True,
        )
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
    return 0


def demo_faults() -> Faults:
    return Faults(
        stall_every=23,
        stall_seconds=3.0,
        error_every=17,
        throttle_every=13,
        duplicate_every=9,
        late_after=2,
    )


if __name__ == "__main__":
    raise SystemExit(main())

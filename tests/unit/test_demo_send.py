"""The demo sender against a tiny local webhook (scripts/demo/simulator.py: send, main).

The server verifies every request with the standardwebhooks package, stores events by
event_id (a redelivered event is a duplicate), answers a redelivered webhook-id exactly as
the first time, and can be told to fail the next requests.
"""

import base64
import json
import threading
import time
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from scripts.demo import simulator
from scripts.demo.province import demo_officials, demo_units
from scripts.demo.simulator import SendError, delivery_plan, generate_month, send

SECRET = "whsec_" + base64.b64encode(b"k" * 32).decode()


class FakeWebhook:
    def __init__(self) -> None:
        self.events: dict[str, dict] = {}
        self.answers: dict[str, tuple[int, bytes]] = {}
        self.failures: list[tuple[int, dict[str, str], bytes]] = []  # canned next responses
        self.requests: list[dict] = []
        self.lock = threading.Lock()

    def handle(self, path: str, headers: dict[str, str], body: bytes):
        with self.lock:
            self.requests.append(
                {"path": path, "headers": headers, "body": body, "at": time.time()}
            )
            if self.failures:
                return self.failures.pop(0)
            if not path.startswith("/webhooks/"):
                return 404, {}, b'{"error": {"code": "not_found"}}'
            try:
                payload = Webhook(SECRET).verify(body, headers)
            except WebhookVerificationError as exc:
                return 401, {}, json.dumps({"error": {"message": str(exc)}}).encode()
            msg_id = headers["webhook-id"]
            if msg_id in self.answers:
                status, answer = self.answers[msg_id]
                return status, {}, answer
            accepted = duplicates = 0
            for event in payload["events"]:
                known = self.events.get(event["event_id"])
                if known is None:
                    self.events[event["event_id"]] = event
                    accepted += 1
                elif known == event:
                    duplicates += 1
                else:
                    return 409, {}, json.dumps({"error": {"code": "conflict"}}).encode()
            answer = json.dumps({"accepted": accepted, "duplicates": duplicates}).encode()
            self.answers[msg_id] = (202, answer)
            return 202, {}, answer


@pytest.fixture
def server():
    state = FakeWebhook()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("content-length", 0)))
            headers = {k.lower(): v for k, v in self.headers.items()}
            status, extra, answer = state.handle(self.path, headers, body)
            self.send_response(status)
            self.send_header("content-type", "application/json")
            for key, value in extra.items():
                self.send_header(key, value)
            self.send_header("content-length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(
        target=httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
    )
    thread.start()
    state.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    yield state
    httpd.shutdown()
    httpd.server_close()
    thread.join(5)


@pytest.fixture(scope="module")
def events():
    return generate_month(
        demo_units(), demo_officials(), start=date(2025, 7, 15), days=3, seed=2025
    )


def test_send_signs_counts_and_redelivers(server, events):
    plan = delivery_plan(events, seed=2025, batch_size=50, duplicate_rate=0.05)
    delivered = sum(len(b) for b in plan)
    assert delivered > len(events)
    began = time.time()
    summary = send(
        plan, base_url=server.url, source_id="demo-eoffice", secret=SECRET, redeliver_every=5
    )
    assert summary.batches == len(plan) and summary.events == delivered
    assert summary.accepted == len(events)
    assert summary.duplicates == delivered - len(events)
    assert summary.redeliveries == len(plan) // 5 == summary.redeliveries_identical
    assert summary.requests == len(plan) + summary.redeliveries and summary.retries == 0
    assert server.events == {e["event_id"]: e for e in events}
    ids = [r["headers"]["webhook-id"] for r in server.requests]
    assert len(set(ids)) == len(plan)  # a fresh id per batch, reused only on redelivery
    for request in server.requests:
        assert request["path"] == "/webhooks/demo-eoffice"
        assert request["headers"]["content-type"].startswith("application/json")
        assert abs(int(request["headers"]["webhook-timestamp"]) - began) < 60
        assert request["headers"]["webhook-signature"].startswith("v1,")
    raw = b"".join(r["body"] for r in server.requests)
    assert "Công văn".encode() in raw and b"\\u" not in raw  # UTF-8, not \u escapes


def test_retries_honour_retry_after_and_resign(server, events):
    plan = delivery_plan(events[:60], seed=1, batch_size=30, duplicate_rate=0)
    server.failures = [
        (503, {"Retry-After": "3"}, b'{"error": {"code": "unavailable"}}'),
        (429, {"Retry-After": "0"}, b"{}"),
        (500, {}, b"{}"),
        (502, {}, b""),
    ]
    waits = []
    summary = send(
        plan,
        base_url=server.url + "/",
        source_id="demo-eoffice",
        secret=SECRET,
        sleep=waits.append,
        redeliver_every=0,
        backoff=0.25,
    )
    # Retry-After when given, else a backoff doubling with each attempt (3rd: 4 x 0.25 s)
    assert waits == [3.0, 0.0, 1.0, 2.0]
    assert summary.retries == 4 and summary.requests == len(plan) + 4
    assert summary.accepted == 60 and summary.duplicates == 0
    first = [r for r in server.requests if r["body"] == server.requests[0]["body"]]
    assert len({r["headers"]["webhook-id"] for r in first}) == 1  # same message, re-signed
    assert summary.statuses[503] == 1 and summary.statuses[202] == len(plan)


def test_retry_after_as_http_date_is_honoured(server, events):
    server.failures = [(503, {"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}, b"{}")]
    waits = []
    send([events[:5]], base_url=server.url, source_id="s", secret=SECRET, sleep=waits.append)
    assert waits == [0.0]  # a date in the past: retry at once


def test_client_errors_raise_with_the_body(server, events):
    body = json.dumps(
        {
            "error": {
                "code": "unknown_units",
                "message": "Đơn vị không tồn tại",
                "details": ["000.99.99.H34"],
            }
        },
        ensure_ascii=False,
    ).encode()
    server.failures = [(422, {}, body)]
    with pytest.raises(SendError) as caught:
        send(
            [events[:5]], base_url=server.url, source_id="demo", secret=SECRET, sleep=lambda s: None
        )
    assert caught.value.status == 422
    assert "000.99.99.H34" in str(caught.value) and "Đơn vị không tồn tại" in caught.value.body
    assert len(server.requests) == 1  # not retried


def test_wrong_secret_is_a_401_error(server, events):
    other = "whsec_" + base64.b64encode(b"x" * 32).decode()
    with pytest.raises(SendError) as caught:
        send([events[:3]], base_url=server.url, source_id="demo", secret=other)
    assert caught.value.status == 401


def test_gives_up_after_max_attempts(server, events):
    server.failures = [(503, {}, b"busy")] * 3
    with pytest.raises(SendError) as caught:
        send(
            [events[:3]],
            base_url=server.url,
            source_id="demo",
            secret=SECRET,
            max_attempts=3,
            sleep=lambda s: None,
        )
    assert caught.value.status == 503 and caught.value.body == "busy"
    assert len(server.requests) == 3


def test_connection_errors_are_retried_then_reported(events):
    waits = []
    with pytest.raises(SendError):
        send(
            [events[:3]],
            base_url="http://127.0.0.1:9",
            source_id="demo",
            secret=SECRET,
            max_attempts=2,
            sleep=waits.append,
            timeout=2,
        )
    assert waits == [0.5]


def test_source_id_is_quoted_into_the_path(server, events):
    send(
        [events[:2]],
        base_url=server.url,
        source_id="e office/1",
        secret=SECRET,
        path_template="/webhooks/{source_id}",
    )
    assert server.requests[-1]["path"] == "/webhooks/e%20office%2F1"


def test_cli_dry_run_prints_figures(capsys):
    assert simulator.main(["--dry-run", "--days", "2"]) == 0
    out = capsys.readouterr().out
    assert "events:" in out and "document.processed" in out and "batches" in out


def test_cli_requires_a_secret_unless_dry_run(capsys, monkeypatch):
    monkeypatch.delenv("DEMO_WEBHOOK_SECRET", raising=False)
    assert simulator.main(["--days", "1"]) == 2
    assert "--secret" in capsys.readouterr().err


def test_cli_sends_to_the_webhook(server, capsys, tmp_path):
    dump = tmp_path / "events.jsonl"
    code = simulator.main(
        [
            "--base-url",
            server.url,
            "--source-id",
            "demo-eoffice",
            "--secret",
            SECRET,
            "--days",
            "2",
            "--seed",
            "7",
            "--dump",
            str(dump),
        ]
    )
    out = capsys.readouterr().out
    assert code == 0, out
    lines = dump.read_text(encoding="utf-8").splitlines()
    assert len(server.events) == len(lines) > 0
    assert f"{len(lines)} accepted" in out

"""A small implementation of the Lambda Runtime API, as the Lambda service offers it to
a function's runtime (`AWS_LAMBDA_RUNTIME_API`).

One `RuntimeApi` serves one function's execution environment: the runtime interface
client (awslambdaric) long-polls `GET /2018-06-01/runtime/invocation/next`, which answers
with the event and the invocation headers (request id, deadline, function ARN, X-Ray
trace header); it then posts `.../{id}/response` or `.../{id}/error`. An error during
init arrives on `/runtime/init/error`.
"""

from __future__ import annotations

import json
import queue
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

PREFIX = "/2018-06-01/runtime"


@dataclass
class Invocation:
    event: Any
    request_id: str
    trace_id: str
    deadline_ms: int
    function_arn: str
    done: threading.Event = field(default_factory=threading.Event)
    # Set on completion: "response" or "error", the payload and the request headers.
    outcome: str = ""
    payload: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    delivered_headers: dict[str, str] = field(default_factory=dict)


@dataclass
class InitError:
    payload: Any
    headers: dict[str, str]


class RuntimeApi:
    def __init__(self, function_arn: str) -> None:
        self.function_arn = function_arn
        self._pending: queue.Queue[Invocation] = queue.Queue()
        self._active: dict[str, Invocation] = {}
        self._lock = threading.Lock()
        self.init_errors: list[InitError] = []
        self.polls = 0
        api = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body go out in two writes: without TCP_NODELAY the body waits
            # for the client's delayed ACK (40 ms a response).
            disable_nagle_algorithm = True

            def log_message(self, format: str, *args: Any) -> None:
                pass  # the runtime client polls constantly: keep test output readable

            def _reply(
                self, status: int, body: bytes = b"{}", headers: dict[str, str] | None = None
            ) -> None:
                self.send_response(status)
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _body(self) -> Any:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                try:
                    return json.loads(raw) if raw else None
                except ValueError:
                    return raw.decode("utf-8", "replace")

            def do_GET(self) -> None:
                if self.path != f"{PREFIX}/invocation/next":
                    self._reply(404, b'{"errorMessage":"unknown path"}')
                    return
                api.polls += 1
                invocation = api._pending.get()
                headers = {
                    "Lambda-Runtime-Aws-Request-Id": invocation.request_id,
                    "Lambda-Runtime-Deadline-Ms": str(invocation.deadline_ms),
                    "Lambda-Runtime-Invoked-Function-Arn": invocation.function_arn,
                    "Lambda-Runtime-Trace-Id": invocation.trace_id,
                }
                invocation.delivered_headers = headers
                with api._lock:
                    api._active[invocation.request_id] = invocation
                self._reply(200, json.dumps(invocation.event).encode(), headers)

            def do_POST(self) -> None:
                body = self._body()
                headers = dict(self.headers.items())
                if self.path == f"{PREFIX}/init/error":
                    api.init_errors.append(InitError(body, headers))
                    self._reply(202, b'{"status":"OK"}')
                    return
                parts = self.path[len(PREFIX) :].strip("/").split("/")
                if (
                    len(parts) != 3
                    or parts[0] != "invocation"
                    or parts[2]
                    not in (
                        "response",
                        "error",
                    )
                ):
                    self._reply(404, b'{"errorMessage":"unknown path"}')
                    return
                with api._lock:
                    invocation = api._active.pop(parts[1], None)
                if invocation is None:
                    self._reply(400, b'{"errorMessage":"unknown request id"}')
                    return
                invocation.outcome = parts[2]
                invocation.payload = body
                invocation.headers = headers
                self._reply(202, b'{"status":"OK"}')
                invocation.done.set()

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> RuntimeApi:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def submit(self, event: Any, *, trace_id: str, timeout_seconds: float) -> Invocation:
        invocation = Invocation(
            event=event,
            request_id=str(uuid.uuid4()),
            trace_id=trace_id,
            deadline_ms=int((time.time() + timeout_seconds) * 1000),
            function_arn=self.function_arn,
        )
        self._pending.put(invocation)
        return invocation

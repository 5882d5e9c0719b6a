"""A stand-in for the X-Ray daemon: the UDP socket `AWS_XRAY_DAEMON_ADDRESS` points to.

The X-Ray SDK sends each (sub)segment as one datagram: a JSON header line
`{"format": "json", "version": 1}`, a newline, then the segment document. Inside Lambda
the SDK emits subsegments of the facade segment Lambda owns, so what arrives here is
exactly what would reach X-Ray.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from typing import Any


class XRayDaemon:
    def __init__(self) -> None:
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.settimeout(0.2)
        self.documents: list[dict[str, Any]] = []
        self.malformed: list[bytes] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._receive, daemon=True)

    @property
    def address(self) -> str:
        host, port = self._sock.getsockname()
        return f"{host}:{port}"

    def start(self) -> XRayDaemon:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self._sock.close()

    def _receive(self) -> None:
        while not self._stop.is_set():
            try:
                datagram = self._sock.recv(65535)
            except TimeoutError:
                continue
            except OSError:
                return
            header, _, body = datagram.partition(b"\n")
            try:
                if json.loads(header) != {"format": "json", "version": 1}:
                    raise ValueError(header)
                document = json.loads(body)
            except ValueError:
                with self._lock:
                    self.malformed.append(datagram)
                continue
            with self._lock:
                self.documents.append(document)

    def for_trace(self, trace_id: str) -> list[dict[str, Any]]:
        with self._lock:
            return [d for d in self.documents if d.get("trace_id") == trace_id]

    def wait_for(self, trace_id: str, name: str, timeout: float = 5.0) -> dict[str, Any]:
        """The (sub)segment called `name` of the trace, once it has arrived."""
        deadline = time.monotonic() + timeout
        while True:
            for document in self.for_trace(trace_id):
                if document.get("name") == name and not document.get("in_progress"):
                    return document
            if time.monotonic() > deadline:
                seen = [d.get("name") for d in self.for_trace(trace_id)]
                raise AssertionError(f"no subsegment {name!r} in trace {trace_id}: {seen}")
            time.sleep(0.02)

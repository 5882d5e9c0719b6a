"""docs/integration.md's signing examples, run as a vendor would run them, against a small
server that checks their signature exactly as the service does (domain/signatures.py).
Python and curl always; Java and C# where their toolchain is installed."""

from __future__ import annotations

import base64
import datetime as dt
import json
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from chalicelib.domain.signatures import SignatureRefused, verify

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
BODY = {"events": [{"event_id": "e-1", "type": "document.processed", "unit_id": "000.00.31.H34"}]}


@pytest.fixture
def receiver() -> Iterator[tuple[str, list[dict[str, str]]]]:
    """A stand-in for POST /webhooks/{source_id}: 202 when the signature verifies, else 401."""
    seen: list[dict[str, str]] = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            return

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            headers = {k.lower(): v for k, v in self.headers.items()}
            try:
                verify([SECRET], headers, body, now=dt.datetime.now(dt.UTC), tolerance_seconds=300)
                status, answer = 202, {"accepted": len(json.loads(body)["events"]), "duplicates": 0}
            except SignatureRefused as exc:
                status, answer = 401, {"error": {"code": "unauthorized", "message": exc.reason}}
            seen.append({"path": self.path, "status": str(status)})
            data = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", seen
    finally:
        server.shutdown()
        server.server_close()


def run(command: list[str], url: str, tmp_path: Path, secret: str = SECRET) -> str:
    events = tmp_path / "events.json"
    events.write_text(json.dumps(BODY, ensure_ascii=False), encoding="utf-8")
    env = {"KG_URL": url, "KG_SOURCE": "eoffice-1", "KG_SECRET": secret, "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [*command, str(events)],
        check=False,
        cwd=EXAMPLES,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_python_example_signs_as_the_service_verifies(receiver, tmp_path: Path) -> None:
    url, seen = receiver
    out = run([sys.executable, "send_events.py"], url, tmp_path)
    assert out.startswith("202 ")
    assert seen == [{"path": "/webhooks/eoffice-1", "status": "202"}]
    # a wrong secret is refused: the check is real
    out = run(
        [sys.executable, "send_events.py"],
        url,
        tmp_path,
        secret="whsec_" + base64.b64encode(b"x" * 32).decode(),
    )
    assert out.startswith("401 ")


def test_python_example_dry_run_asks_for_it(receiver, tmp_path: Path) -> None:
    url, seen = receiver
    run([sys.executable, "send_events.py", "--dry-run"], url, tmp_path)
    assert seen[0]["path"] == "/webhooks/eoffice-1?dry_run=true"


@pytest.mark.skipif(not shutil.which("openssl") or not shutil.which("curl"), reason="no curl")
def test_curl_example_signs_as_the_service_verifies(receiver, tmp_path: Path) -> None:
    url, seen = receiver
    out = run(["sh", "send_events.sh"], url, tmp_path)
    assert out.strip().endswith("202"), out
    assert seen[-1]["status"] == "202"


@pytest.mark.skipif(not shutil.which("java"), reason="no JDK here")
def test_java_example_signs_as_the_service_verifies(receiver, tmp_path: Path) -> None:
    url, seen = receiver
    out = run(["java", "SendEvents.java"], url, tmp_path)
    assert out.startswith("202 "), out
    assert seen[-1]["status"] == "202"


@pytest.mark.skipif(not shutil.which("dotnet"), reason="no .NET SDK here")
def test_csharp_example_signs_as_the_service_verifies(receiver, tmp_path: Path) -> None:
    project = tmp_path / "cs"
    subprocess.run(["dotnet", "new", "console", "-o", str(project)], check=True, timeout=300)
    shutil.copy(EXAMPLES / "SendEvents.cs", project / "Program.cs")
    url, _ = receiver
    out = run(["dotnet", "run", "--project", str(project), "--"], url, tmp_path)
    assert out.startswith("202 "), out

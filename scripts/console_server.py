"""The console's local web server: `web/` on its own origin, the local `config.json`, and
the dev sign-in (pick a role and a unit; a token signed with the local key).

Started by `scripts.local_stack.LocalStack` (`make serve`, `make console`, browser tests);
never deployed. In AWS, CloudFront serves `web/` and the CDK stack writes `config.json`
(the same `infra.console_config`) with the Cognito settings instead (format in README,
"config.json").
"""

from __future__ import annotations

import json
import mimetypes
import threading
import urllib.parse
import urllib.request
from collections.abc import Mapping
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from chalicelib.auth import ROLES  # every role a token may carry
from infra.console_config import console_config
from infra.csp import content_security_policy

ROOT = Path(__file__).resolve().parent.parent
WEB_DIR = ROOT / "web"
DEV_DIR = Path(__file__).resolve().parent / "console_dev"

DEV_TOKEN_SECONDS = 8 * 3600
TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".json": "application/json; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".txt": "text/plain; charset=utf-8",
}


class ConsoleServer:
    def __init__(
        self,
        *,
        port: int,
        api_url: str,
        key_dir: Path,
        issuer: str,
        audience: str,
        app_environment: Mapping[str, str],
        connect_origins: list[str] | None = None,
        web_dir: Path = WEB_DIR,
    ) -> None:
        """`app_environment`: the variables the local API runs with (its time zone)."""
        self.port = port
        self.api_url = api_url.rstrip("/")
        self.key_dir = key_dir
        self.issuer = issuer
        self.audience = audience
        self.app_environment = dict(app_environment)
        self.web_dir = web_dir.resolve()
        origins = [self.api_url, *(connect_origins or [])]
        self.csp = content_security_policy(list(dict.fromkeys(origins)))
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def config(self) -> dict[str, Any]:
        return console_config(
            api_url=self.api_url,
            stage="local",
            auth={"type": "dev", "sign_in_url": "/dev/sign-in"},
            app_environment=self.app_environment,
        )

    def mint(
        self,
        role: str,
        unit_id: str | None,
        ttl_seconds: int = DEV_TOKEN_SECONDS,
        sub: str | None = None,
    ) -> str:
        from scripts.devkeys import mint_token

        return mint_token(
            role,
            unit_id,
            sub=sub or f"dev-{role}-{unit_id or 'province'}",
            ttl_seconds=ttl_seconds,
            directory=self.key_dir,
            issuer=self.issuer,
            audience=self.audience,
        )

    def units(self) -> list[dict[str, Any]]:
        """Every unit, for the dev sign-in's picker (read with a province token)."""
        token = self.mint("province_admin", None, ttl_seconds=60)
        items: list[dict[str, Any]] = []
        next_token: str | None = None
        while True:
            query = {"limit": "500", **({"next_token": next_token} if next_token else {})}
            request = urllib.request.Request(
                f"{self.api_url}/units?{urllib.parse.urlencode(query)}",
                headers={"Authorization": f"Bearer {token}"},
            )
            with urllib.request.urlopen(request, timeout=30) as response:
                page = json.load(response)
            items.extend(page["items"])
            next_token = page.get("next_token")
            if not next_token:
                return items

    def start(self) -> ConsoleServer:
        server = self

        class Handler(_Handler):
            console = server

        self._httpd = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None


class _Handler(BaseHTTPRequestHandler):
    # Headers and body go out in two writes: without TCP_NODELAY the body waits
    # for the client's delayed ACK (40 ms a response).
    disable_nagle_algorithm = True
    console: ConsoleServer
    server_version = "KhongGiayConsole"
    sys_version = ""

    def log_message(self, format: str, *args: Any) -> None:
        return  # quiet: the stack prints its own summary

    def _send(
        self, status: int, body: bytes, content_type: str, *, cache: str = "no-cache"
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", cache)
        self.send_header("Content-Security-Policy", self.console.csp)
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("X-Frame-Options", "DENY")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _json(self, status: int, body: Any) -> None:
        self._send(status, json.dumps(body, ensure_ascii=False).encode(), TYPES[".json"])

    def _error(self, status: int, message: str) -> None:
        self._json(
            status,
            {
                "error": {
                    "code": HTTPStatus(status).phrase.lower().replace(" ", "_"),
                    "message": message,
                    "details": [],
                }
            },
        )

    def do_HEAD(self) -> None:
        self.do_GET()

    def do_GET(self) -> None:
        path = urllib.parse.urlsplit(self.path).path
        if path == "/config.json":
            self._json(200, self.console.config())
        elif path == "/dev/sign-in":
            self._file(DEV_DIR / "sign-in.html")
        elif path == "/dev/sign-in.js":
            self._file(DEV_DIR / "sign-in.js")
        elif path == "/dev/units":
            try:
                self._json(200, {"items": self.console.units()})
            except OSError as exc:
                self._error(502, f"The API at {self.console.api_url} did not answer: {exc}")
        else:
            self._static(path)

    def do_POST(self) -> None:
        if urllib.parse.urlsplit(self.path).path != "/dev/token":
            self._error(404, "No such endpoint")
            return
        if "json" not in (self.headers.get("Content-Type") or ""):
            self._error(415, "Expected application/json")
            return
        length = int(self.headers.get("Content-Length") or 0)
        try:
            body = json.loads(self.rfile.read(min(length, 10_000)) or b"{}")
        except json.JSONDecodeError:
            self._error(400, "Body is not valid JSON")
            return
        role = body.get("role")
        unit_id = body.get("unit_id") or None
        if role not in ROLES:
            self._error(400, f"role must be one of {', '.join(ROLES)}")
            return
        if role == "unit_officer" and not unit_id:
            self._error(400, "A unit officer signs in for a unit: choose one")
            return
        sub = body.get("sub") or None
        if role == "council_member" and not (isinstance(sub, str) and 0 < len(sub) <= 128):
            self._error(400, "A council member signs in as the sub the council lists: enter it")
            return
        token = self.console.mint(role, unit_id, sub=sub if role == "council_member" else None)
        self._json(200, {"id_token": token, "expires_in": DEV_TOKEN_SECONDS})

    def _file(self, file: Path) -> None:
        self._send(200, file.read_bytes(), TYPES.get(file.suffix, "application/octet-stream"))

    def _static(self, path: str) -> None:
        relative = urllib.parse.unquote(path).lstrip("/") or "index.html"
        target = (self.console.web_dir / relative).resolve()
        if not target.is_relative_to(self.console.web_dir) or not target.is_file():
            self._error(404, f"No file {path}")
            return
        content_type = TYPES.get(target.suffix) or (
            mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        )
        self._send(200, target.read_bytes(), content_type)

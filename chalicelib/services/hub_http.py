"""HTTP to a document-exchange hub, with the standard library (urllib, imported on first
use: no request pays for it but the connector's). Answers are handed back whatever their
status; only a transport failure (timeout, refused connection) raises."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from chalicelib.domain.hubs import HubRequest

MAX_ANSWER_BYTES = 16 * 1024 * 1024  # a 10 MiB edXML package is ~13.4 MiB in base64


class HubUnreachable(Exception):
    """No answer: a timeout, a refused or reset connection, a name that does not resolve."""


@dataclass(frozen=True)
class HubResponse:
    status: int
    body: bytes
    retry_after: float | None  # seconds, from Retry-After (delta-seconds form)

    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8"))


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value.strip()))
    except ValueError:
        return None  # an HTTP date: the caller's backoff applies


def send(
    base_url: str, request: HubRequest, headers: Mapping[str, str], timeout: float
) -> HubResponse:
    import urllib.error
    import urllib.request

    url = base_url.rstrip("/") + request.path
    if not url.startswith(("https://", "http://")):
        # Registration allows only these (schemas.ingestion.HUB_URL_PATTERN); never file: etc.
        raise HubUnreachable("a hub URL must be http(s)")
    if request.params:
        url += "?" + urlencode(dict(request.params))
    data = None
    all_headers = {"Accept": "application/json", **headers}
    if request.json_body is not None:
        data = json.dumps(request.json_body).encode()
        all_headers["Content-Type"] = "application/json"
    http_request = urllib.request.Request(  # noqa: S310 (http(s) only, checked above)
        url, data=data, headers=all_headers, method=request.method
    )
    try:
        # http(s) only, checked above
        with urllib.request.urlopen(http_request, timeout=timeout) as answer:  # noqa: S310  # nosec B310
            return HubResponse(answer.status, answer.read(MAX_ANSWER_BYTES), None)
    except urllib.error.HTTPError as exc:
        body = exc.read(64 * 1024) if exc.fp is not None else b""
        return HubResponse(exc.code, body, _retry_after(exc.headers.get("Retry-After")))
    except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as exc:
        raise HubUnreachable(str(getattr(exc, "reason", exc))[:200]) from None

"""Send signed events to Không Giấy (Standard Webhooks), with the standard library only.

    KG_URL=https://api.example.gov.vn/v1 KG_SOURCE=eoffice-1 KG_SECRET=whsec_... \
        python send_events.py events.json [--dry-run]

Prints the HTTP status and the answer. 202: stored; 409: an event id reused with another
payload; 422: refused, nothing stored (the details say which event and why); 503 or 429:
retry after `Retry-After` seconds with the SAME webhook-id and body.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import sys
import time
import urllib.error
import urllib.request
import uuid


def sign(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    key = base64.b64decode(secret.removeprefix("whsec_"))
    mac = hmac.new(key, f"{msg_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    return "v1," + base64.b64encode(mac).decode()


def send(url: str, source: str, secret: str, body: bytes, dry_run: bool = False) -> tuple[int, dict]:
    msg_id = f"msg_{uuid.uuid4().hex}"  # keep it for retries of this delivery
    for _attempt in range(5):
        timestamp = int(time.time())
        request = urllib.request.Request(
            f"{url.rstrip('/')}/webhooks/{source}" + ("?dry_run=true" if dry_run else ""),
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "webhook-id": msg_id,
                "webhook-timestamp": str(timestamp),
                "webhook-signature": sign(secret, msg_id, timestamp, body),
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                return answer.status, json.loads(answer.read() or b"{}")
        except urllib.error.HTTPError as error:
            if error.code in (429, 503):
                time.sleep(int(error.headers.get("Retry-After") or "5"))
                continue
            return error.code, json.loads(error.read() or b"{}")
    raise SystemExit("gave up after 5 attempts")


if __name__ == "__main__":
    files = [a for a in sys.argv[1:] if not a.startswith("--")]
    with open(files[0], "rb") as f:
        payload = f.read()
    status, answer = send(
        os.environ["KG_URL"], os.environ["KG_SOURCE"], os.environ["KG_SECRET"], payload,
        dry_run="--dry-run" in sys.argv,
    )
    print(status, json.dumps(answer, ensure_ascii=False))

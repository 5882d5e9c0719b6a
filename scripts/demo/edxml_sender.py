"""The demo's document-exchange hub: part of a month of JSON events, posted as edXML.

:func:`send_edxml` re-expresses events as QCVN 102:2016 packages and status messages
(:mod:`scripts.demo.edxml_writer`) and posts them one per request, signed per Standard Webhooks,
``Content-Type: application/xml``, to ``/webhooks/{source_id}/edxml``, as a provincial hub
would relay them. :func:`split_month` chooses which documents go that way, so that a demo can
send the rest of the month as JSON without counting any document twice::

    edxml_part, json_part = edxml_sender.split_month(events, share=0.05)
    simulator.send(simulator.delivery_plan(json_part, seed=2025), base_url=..., ...)
    edxml_sender.send_edxml(edxml_part, base_url=..., source_id="demo-lgsp", secret=...)

``python -m scripts.demo.edxml_sender --help`` runs it against a running service.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import quote

from scripts.demo import province, simulator
from scripts.demo.edxml_writer import Conversion, Message, convert
from scripts.demo.simulator import SendError

CONTENT_TYPE = "application/xml; charset=utf-8"


@dataclass
class EdxmlSendSummary:
    events: int = 0  # JSON events given
    expressed: int = 0  # of those, re-expressed in edXML
    skipped: Counter[str] = field(default_factory=Counter)  # reason -> events not expressible
    messages: int = 0  # edXML messages posted once each (packages + status messages)
    packages: int = 0
    status_messages: int = 0
    accepted: int = 0  # events the service accepted, from the answers to first sendings
    duplicates: int = 0
    resent: int = 0  # messages sent again with a new webhook-id, as a hub re-sends
    resent_accepted: int = 0  # events those re-sendings added: 0 when de-duplication works
    redelivered: int = 0  # messages re-posted with the same webhook-id (missed answer)
    redelivered_identical: int = 0  # of those, answered exactly as the first time
    requests: int = 0  # HTTP requests, retries included
    retries: int = 0
    seconds: float = 0.0
    statuses: Counter[int] = field(default_factory=Counter)  # HTTP status -> responses

    def in_vietnamese(self) -> str:
        return (
            f"{self.events} sự kiện, {self.expressed} sự kiện thành {self.messages} thông điệp "
            f"edXML ({self.packages} gói tin, {self.status_messages} thông điệp trạng thái): "
            f"nhận {self.accepted}, trùng {self.duplicates}; gửi lại {self.resent} thông điệp "
            f"({self.resent_accepted} sự kiện mới), gửi lặp {self.redelivered} "
            f"({self.redelivered_identical} được trả lời y hệt); {self.requests} yêu cầu "
            f"({self.retries} lần thử lại) trong {self.seconds:.1f} giây"
        )

    def __str__(self) -> str:
        return (
            f"{self.events} events, {self.expressed} expressed as {self.messages} edXML messages "
            f"({self.packages} packages, {self.status_messages} status messages): "
            f"{self.accepted} accepted, {self.duplicates} duplicates; {self.resent} re-sent "
            f"({self.resent_accepted} new events), {self.redelivered} redelivered "
            f"({self.redelivered_identical} answered identically); {self.requests} requests "
            f"({self.retries} retries) in {self.seconds:.1f} s"
        )


def split_month(
    events: Sequence[dict[str, Any]], *, share: float = 0.05, seed: int = 2025
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(events for edXML, events for JSON): about ``share`` of the documents that edXML can
    carry whole (:attr:`Conversion.complete_documents`, chosen by a hash of their id and
    ``seed``) go to the first list with all their events; everything else, official
    evaluations included, to the second. A document is never split between the two, so the
    two sources together count each document once, with the unit figures of the whole
    month except the on-time ones (a status carries no deadline) and the individual figures
    of the moved documents (edXML names signers and staff by placeholders).

    Every edXML message is a request and an inbox item of its own (a JSON batch holds up to
    500 events), so the share sets the demo's time: for the 32-day demo month, 0.05 is about
    90 documents and 410 messages, 0.25 about 2,500 messages."""
    if not 0.0 <= share <= 1.0:
        raise ValueError("share must be between 0 and 1")
    complete = convert(events).complete_documents

    def chosen(doc_id: str) -> bool:
        digest = hashlib.sha256(f"{seed}\x1f{doc_id}".encode()).digest()
        return doc_id in complete and int.from_bytes(digest[:8], "big") < share * 2**64

    edxml_part: list[dict[str, Any]] = []
    json_part: list[dict[str, Any]] = []
    for event in events:
        document = event.get("document")
        (edxml_part if document and chosen(document["id"]) else json_part).append(event)
    return edxml_part, json_part


def send_edxml(
    events: Iterable[Mapping[str, Any]],
    *,
    base_url: str,
    source_id: str,
    secret: str,
    session: Any = None,
    resend_every: int = 25,
    redeliver_every: int = 40,
    exempt_doc_types: Iterable[str] = (),
    max_attempts: int = 6,
    backoff: float = 0.5,
    max_backoff: float = 30.0,
    timeout: float = 30.0,
    sleep: Callable[[float], None] = time.sleep,
    progress: Callable[[int, int, EdxmlSendSummary], None] | None = None,
    now: Callable[[], datetime] = lambda: datetime.now(tz=UTC),
) -> EdxmlSendSummary:
    """Convert ``events`` to edXML and POST every message to
    ``base_url/webhooks/{source_id}/edxml``; return the counts.

    Only the expressible events travel (see :mod:`scripts.demo.edxml_writer`); the others
    are counted in ``skipped`` by reason. Each message gets a fresh ``webhook-id`` and is
    signed with ``secret`` at the time of each request. A 5xx, a 429 or a connection error is
    retried with the same ``webhook-id`` (``Retry-After``, else exponential backoff) up to
    ``max_attempts`` requests; any other 4xx raises :class:`SendError`. Every
    ``resend_every``-th message (0: never) is then sent again under a new ``webhook-id``, as a
    hub re-sends a package it is unsure about: the service must find only duplicates. Every
    ``redeliver_every``-th (0: never) is re-posted with the same ``webhook-id`` and must get the
    same answer. ``progress(done, total, summary)`` is called after each message. ``now`` is
    the signing time (a service in-process on a set clock is given that clock).
    """
    import requests
    from standardwebhooks.webhooks import Webhook

    given = list(events)
    conversion: Conversion = convert(given, exempt_doc_types=exempt_doc_types)
    summary = EdxmlSendSummary(
        events=len(given),
        expressed=len(conversion.expressed),
        skipped=Counter(conversion.skipped),
        packages=conversion.packages,
        status_messages=conversion.statuses,
    )
    signer = Webhook(secret)
    url = base_url.rstrip("/") + f"/webhooks/{quote(source_id, safe='')}/edxml"
    own_session = session is None
    http = requests.Session() if own_session else session
    began = time.monotonic()

    def post(msg_id: str, body: bytes) -> dict[str, Any]:
        text = ""
        status: int | None = None
        for attempt in range(1, max_attempts + 1):
            signed_at = now()
            headers = {
                "content-type": CONTENT_TYPE,
                "webhook-id": msg_id,
                "webhook-timestamp": str(int(signed_at.timestamp())),
                # standardwebhooks signs text; edXML is UTF-8, so this is the raw bytes.
                "webhook-signature": signer.sign(msg_id, signed_at, body.decode("utf-8")),
            }
            summary.requests += 1
            wait: float | None = None
            try:
                response = http.post(url, data=body, headers=headers, timeout=timeout)
            except (requests.ConnectionError, requests.Timeout) as exc:
                status, text = None, str(exc)
            else:
                status = response.status_code
                text = response.content.decode("utf-8", errors="replace")
                summary.statuses[status] += 1
                if 200 <= status < 300:
                    return simulator._parse_answer(text)
                if status != 429 and status < 500:
                    raise SendError(f"edXML message {msg_id} refused", status, text)
                wait = simulator._retry_after(response.headers.get("Retry-After"))
            if attempt == max_attempts:
                break
            summary.retries += 1
            sleep(
                min(wait, 120.0)
                if wait is not None
                else min(max_backoff, backoff * 2 ** (attempt - 1))
            )
        raise SendError(
            f"edXML message {msg_id} failed after {max_attempts} attempts", status, text
        )

    def new_id() -> str:
        return f"msg_{uuid.uuid4().hex}"

    messages: list[Message] = conversion.messages
    try:
        for n, message in enumerate(messages, start=1):
            msg_id = new_id()
            answer = post(msg_id, message.xml)
            summary.messages += 1
            summary.accepted += int(answer.get("accepted", 0))
            summary.duplicates += int(answer.get("duplicates", 0))
            if redeliver_every and n % redeliver_every == 0:
                summary.redelivered += 1
                if post(msg_id, message.xml) == answer:
                    summary.redelivered_identical += 1
            if resend_every and n % resend_every == 0:
                summary.resent += 1
                summary.resent_accepted += int(post(new_id(), message.xml).get("accepted", 0))
            if progress is not None:
                progress(n, len(messages), summary)
    finally:
        summary.seconds = time.monotonic() - began
        if own_session:
            http.close()
    return summary


# --- CLI -----------------------------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    campaign = province.demo_campaign()
    parser = argparse.ArgumentParser(
        prog="python -m scripts.demo.edxml_sender",
        description="Generate the demo month, take the share of its documents that edXML "
        "carries whole, and post them as signed edXML packages and status messages to "
        "/webhooks/{source_id}/edxml. The demo registry and the source must exist.",
    )
    parser.add_argument("--base-url", default="http://127.0.0.1:8000")
    parser.add_argument("--source-id", default="demo-lgsp")
    parser.add_argument(
        "--secret",
        default=os.environ.get("DEMO_EDXML_SECRET"),
        help="the source's whsec_... secret (default: $DEMO_EDXML_SECRET)",
    )
    parser.add_argument(
        "--start",
        type=date.fromisoformat,
        default=date.fromisoformat(campaign["start_date"]),
        help="first local date (default: the campaign's start)",
    )
    parser.add_argument("--days", type=int, default=31)
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument(
        "--share",
        type=float,
        default=0.05,
        help="share of the documents edXML carries whole that go as edXML (default 0.05)",
    )
    parser.add_argument(
        "--dry-run", action="store_true", help="convert and print figures, send nothing"
    )
    parser.add_argument(
        "--dump", metavar="DIR", help="also write every message to DIR/NNNNN-kind.xml"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if not args.dry_run and not args.secret:
        print(
            "error: --secret (or DEMO_EDXML_SECRET) is required unless --dry-run", file=sys.stderr
        )
        return 2
    events = simulator.generate_month(
        province.demo_units(),
        province.demo_officials(),
        start=args.start,
        days=args.days,
        seed=args.seed,
    )
    edxml_part, json_part = split_month(events, share=args.share, seed=args.seed)
    conversion = convert(edxml_part)
    print(
        f"month: {len(events)} events; edXML part: {len(edxml_part)} events of "
        f"{len({e['document']['id'] for e in edxml_part})} documents -> "
        f"{conversion.packages} packages, {conversion.statuses} status messages "
        f"({len(conversion.expressed)} events expressed); JSON part: {len(json_part)} events"
    )
    for reason, n in sorted(conversion.skipped.items()):
        print(f"  not expressible: {reason:<45} {n:>6}")
    if args.dump:
        os.makedirs(args.dump, exist_ok=True)
        for n, message in enumerate(conversion.messages, start=1):
            name = f"{n:05d}-{message.kind}{'-' + message.code if message.kind == 'status' else ''}"
            with open(os.path.join(args.dump, f"{name}.xml"), "wb") as out:
                out.write(message.xml)
        print(f"messages written to {args.dump}")
    if args.dry_run:
        return 0

    def progress(done: int, total: int, summary: EdxmlSendSummary) -> None:
        if done % 100 == 0 or done == total:
            print(
                f"  sent {done}/{total}: {summary.accepted} accepted, "
                f"{summary.duplicates} duplicates",
                flush=True,
            )

    try:
        summary = send_edxml(
            edxml_part,
            base_url=args.base_url,
            source_id=args.source_id,
            secret=args.secret,
            progress=progress,
        )
    except SendError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"done: {summary}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

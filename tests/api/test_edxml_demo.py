"""The demo's edXML hub (scripts/demo/edxml_sender.py) against a scripted session: what it
posts, how it retries, when it gives up. The real service is exercised by
test_edxml_property.py."""

from __future__ import annotations

import base64
import json
from collections import deque
from types import SimpleNamespace
from typing import Any

import pytest
from standardwebhooks.webhooks import Webhook

from chalicelib.domain.edxml import parse_edxml
from scripts.demo import edxml_sender
from scripts.demo.edxml_sender import send_edxml
from scripts.demo.simulator import SendError

SECRET = "whsec_" + base64.b64encode(b"h" * 32).decode()
SNV, NHA_TRANG = "000.00.31.H34", "000.01.31.H34"


def doc(**extra: Any) -> dict[str, Any]:
    return {"id": "vb-1", "number": "215/KH-SNV", "doc_type": "Kế hoạch", "pages": 4, **extra}


EVENTS: list[dict[str, Any]] = [
    {
        "event_id": "e1",
        "type": "document.registered",
        "occurred_at": "2025-07-15T08:00:00+07:00",
        "unit_id": SNV,
        "document": doc(),
        "direction": "outgoing",
    },
    {
        "event_id": "e2",
        "type": "document.signed",
        "occurred_at": "2025-07-15T08:40:00+07:00",
        "unit_id": SNV,
        "document": doc(),
        "method": "digital",
        "signer_official_id": "cb-001",
    },
    {
        "event_id": "e3",
        "type": "document.issued",
        "occurred_at": "2025-07-15T09:00:00+07:00",
        "unit_id": SNV,
        "document": doc(),
        "channel": "electronic",
    },
    {
        "event_id": "e4",
        "type": "document.sent",
        "occurred_at": "2025-07-15T02:12:30Z",
        "unit_id": SNV,
        "document": doc(),
        "to_unit_id": NHA_TRANG,
        "channel": "electronic",
    },
    {
        "event_id": "e5",
        "type": "document.received",
        "occurred_at": "2025-07-15T09:20:00+07:00",
        "unit_id": NHA_TRANG,
        "document": doc(),
        "from_unit_id": SNV,
        "channel": "electronic",
    },
    {
        "event_id": "e6",
        "type": "document.printed",
        "occurred_at": "2025-07-16T10:00:00+07:00",
        "unit_id": NHA_TRANG,
        "document": doc(),
        "pages": 4,
    },
]


class ScriptedSession:
    """Answers from a script (status, headers, body); afterwards 202 with the events found."""

    def __init__(self, script: list[tuple[int, dict[str, str], dict[str, Any]]] = ()) -> None:
        self.script = deque(script)
        self.requests: list[dict[str, Any]] = []

    def post(self, url: str, *, data: bytes, headers: dict[str, str], timeout: float) -> Any:
        self.requests.append({"url": url, "data": data, "headers": dict(headers)})
        Webhook(SECRET).verify(data, headers, json_parse=False)
        if self.script:
            status, extra, answer = self.script.popleft()
        else:
            status, extra = 202, {}
            answer = {"accepted": len(parse_edxml(data).events), "duplicates": 0}
        return SimpleNamespace(
            status_code=status, headers=extra, content=json.dumps(answer).encode()
        )


def test_posts_signed_xml_one_message_per_request() -> None:
    session = ScriptedSession()
    summary = send_edxml(
        EVENTS,
        base_url="http://hub.test/",
        source_id="lgsp khánh hòa",
        secret=SECRET,
        session=session,
        resend_every=0,
        redeliver_every=0,
    )
    assert [r["url"] for r in session.requests] == [
        "http://hub.test/webhooks/lgsp%20kh%C3%A1nh%20h%C3%B2a/edxml"
    ] * 2
    assert {r["headers"]["content-type"] for r in session.requests} == {
        "application/xml; charset=utf-8"
    }
    package, status = (parse_edxml(r["data"]) for r in session.requests)
    assert (package.kind, status.kind) == ("package", "status")
    assert [e["type"] for e in package.events] == [
        "document.signed",
        "document.issued",
        "document.sent",
    ]
    assert package.events[2]["occurred_at"] == "2025-07-15T09:12:30+07:00"
    assert status.events[0]["type"] == "document.received"
    assert (summary.events, summary.expressed, summary.messages) == (6, 4, 2)
    assert (summary.packages, summary.status_messages) == (1, 1)
    assert summary.skipped == {"outgoing registration": 1, "document.printed has no edXML form": 1}
    assert (summary.accepted, summary.duplicates, summary.requests) == (4, 0, 2)
    assert "2 edXML messages" in str(summary)


def test_retries_5xx_and_429_with_the_same_webhook_id_then_counts_once() -> None:
    session = ScriptedSession(
        [
            (503, {"Retry-After": "2"}, {"error": {"code": "unavailable"}}),
            (429, {}, {"error": {"code": "throttled"}}),
        ]
    )
    waits: list[float] = []
    summary = send_edxml(
        EVENTS,
        base_url="http://hub.test",
        source_id="lgsp",
        secret=SECRET,
        session=session,
        resend_every=0,
        redeliver_every=0,
        sleep=waits.append,
        backoff=0.25,
    )
    assert waits == [2.0, 0.5]  # Retry-After, then the backoff of the second attempt
    ids = [r["headers"]["webhook-id"] for r in session.requests]
    assert ids[0] == ids[1] == ids[2] != ids[3]
    assert (summary.requests, summary.retries, summary.accepted) == (4, 2, 4)
    assert summary.statuses == {503: 1, 429: 1, 202: 2}


def test_a_4xx_is_not_retried_and_raises_with_the_answer() -> None:
    session = ScriptedSession([(422, {}, {"error": {"details": [{"unit_id": NHA_TRANG}]}})])
    with pytest.raises(SendError) as err:
        send_edxml(
            EVENTS, base_url="http://hub.test", source_id="s", secret=SECRET, session=session
        )
    assert err.value.status == 422 and NHA_TRANG in err.value.body
    assert len(session.requests) == 1


def test_gives_up_after_max_attempts() -> None:
    session = ScriptedSession([(500, {}, {})] * 3)
    with pytest.raises(SendError, match="after 3 attempts"):
        send_edxml(
            EVENTS,
            base_url="http://hub.test",
            source_id="s",
            secret=SECRET,
            session=session,
            max_attempts=3,
            sleep=lambda _s: None,
        )


def test_resends_and_redelivers_are_counted_apart() -> None:
    session = ScriptedSession()
    summary = send_edxml(
        EVENTS,
        base_url="http://hub.test",
        source_id="s",
        secret=SECRET,
        session=session,
        resend_every=1,
        redeliver_every=2,
    )
    # message 1: first + resend (new id); message 2: first + redelivery (same id) + resend
    ids = [r["headers"]["webhook-id"] for r in session.requests]
    assert len(ids) == 5 and ids[2] == ids[3]
    assert (summary.resent, summary.redelivered, summary.redelivered_identical) == (2, 1, 1)
    # The scripted session counts every event again: the real service answers duplicates.
    assert summary.resent_accepted == 4
    assert summary.accepted == 4


def test_cli_dry_run_converts_part_of_the_demo_month(capsys) -> None:
    assert edxml_sender.main(["--dry-run", "--days", "2", "--share", "0.3"]) == 0
    out = capsys.readouterr().out
    assert "packages" in out and "status messages" in out and "JSON part" in out


def test_cli_needs_a_secret_to_send(capsys, monkeypatch) -> None:
    monkeypatch.delenv("DEMO_EDXML_SECRET", raising=False)
    assert edxml_sender.main(["--days", "1", "--secret", ""]) == 2

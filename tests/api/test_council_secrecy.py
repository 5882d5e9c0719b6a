"""Ballot secrecy: after a meeting, every DynamoDB item, every S3 object (every version)
and every log line is read back, and the ballots cannot be matched to the voters.

The proof is by exchange: the same meeting is run twice, the second time with the
ballots handed to the voters in another order (voter i casts ballot σ(i)). If anything
stored or logged tied a ballot to its voter (a member id, a request id, a time, a
sequence), the two runs would leave different records. They leave the same ones, up to
the random identifiers that differ between any two runs: whoever reads everything cannot
tell which voter cast which ballot. A control run shows the check fails on a ballot that
carries its voter.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import itertools
import json
import logging
import re
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

from chalicelib import clock
from tests.conftest import body
from tests.council import all_, attend, create_meeting, member_sub, setup_council, step, vote
from tests.factories import COMMUNE, DEPARTMENT, OTHER_DEPARTMENT

UNITS = (DEPARTMENT, OTHER_DEPARTMENT, COMMUNE)
# four distinct ballots over the three collective nominees
BALLOTS = [
    ("agree", "agree", "agree"),
    ("agree", "disagree", "agree"),
    ("disagree", "agree", "agree"),
    ("agree", "agree", "disagree"),
]
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_HEX64 = re.compile(r"\b[0-9a-f]{64}\b")
_HEX32 = re.compile(r"[0-9a-f]{32}")
_AUDIT_SEQ = re.compile(r"#\d{20}-[0-9a-f]{8}")
_VERSION = re.compile(r"@[A-Za-z0-9._-]+$")
# Times the meeting's own clock did not set (the registry's and campaigns' `updated_at`,
# written on the suite's ticking campaign clock before the meeting; moto's own): different in
# any two runs. The meeting's clock stands on 25/8/2025 (`_ticking_clock`); the ballot box is
# checked apart to hold no time at all.
_WALL_CLOCK = re.compile(
    r"(?!2025-08-25)\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:?\d\d)?"
)


def _ticking_clock() -> Any:
    # Every read of the clock moves it one second: times differ between the voters' steps
    # (so a time on a ballot would order it), and are the same in both runs.
    start = dt.datetime(2025, 8, 25, 2, 0, tzinfo=dt.UTC)
    ticks = itertools.count()
    return lambda: start + dt.timedelta(seconds=next(ticks))


def _documents_text(body_bytes: bytes, key: str) -> str:
    if key.endswith(".pdf"):
        from pypdf import PdfReader

        return "".join(p.extract_text() for p in PdfReader(io.BytesIO(body_bytes)).pages)
    from docx import Document

    document = Document(io.BytesIO(body_bytes))
    cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def _everything(captured: str) -> list[str]:
    """Every item of every table, every object version of every bucket, every log line."""
    from chalicelib.storage.aws import client
    from tests.storage_scan import _attribute

    ddb, s3 = client("dynamodb"), client("s3")
    seen = []
    for page in ddb.get_paginator("list_tables").paginate():
        for table in page["TableNames"]:
            for scan in ddb.get_paginator("scan").paginate(TableName=table):
                for item in scan["Items"]:
                    plain = {k: _attribute(v) for k, v in item.items()}
                    seen.append(f"{table}: {json.dumps(plain, sort_keys=True, default=str)}")
    for bucket in s3.list_buckets()["Buckets"]:
        name = bucket["Name"]
        for page in s3.get_paginator("list_object_versions").paginate(Bucket=name):
            for version in page.get("Versions", []):
                key = version["Key"]
                data = s3.get_object(Bucket=name, Key=key, VersionId=version["VersionId"])
                raw = data["Body"].read()
                # Rendered documents carry their render time: compare what they say.
                text = (
                    _documents_text(raw, key)
                    if key.startswith("reports/meetings/")
                    else raw.decode("latin-1")
                )
                seen.append(f"s3 {name}/{key}: {text} {data.get('Metadata')}")
    for line in captured.splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            seen.append(f"log: {line}")
            continue
        if isinstance(record, dict):
            # the log's own wall-clock time and the sampling fields are not the app's
            for k in ("timestamp", "xray_trace_id", "sampling_rate"):
                record.pop(k, None)
        seen.append(f"log: {json.dumps(record, sort_keys=True)}")
    return seen


def _masked(lines: list[str], labels: dict[str, str]) -> Counter[str]:
    """The records with the identifiers that differ between any two runs replaced: the
    nominations and the meeting by what they are, other random ids by a mark."""
    out: Counter[str] = Counter()
    for original in lines:
        line = original
        for value, label in labels.items():
            line = line.replace(value, label)
        line = _AUDIT_SEQ.sub("#<seq>", line)
        line = _WALL_CLOCK.sub("<wall-clock>", line)
        line = _UUID.sub("<uuid>", line)
        line = _HEX64.sub("<sha256>", line)
        line = _HEX32.sub("<random>", line)
        line = _VERSION.sub("@<version>", line)
        out[line] += 1
    return out


@contextlib.contextmanager
def _service_log() -> Iterator[io.StringIO]:
    """Every line the service's logger writes (its own JSON formatter), at INFO and up."""
    from chalicelib.observability import logger

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logger.registered_formatter)
    std = logger._logger
    level = std.level
    std.addHandler(handler)
    std.setLevel(logging.INFO)
    try:
        yield stream
    finally:
        std.removeHandler(handler)
        std.setLevel(level)


def _meeting(api: Any, monkeypatch: Any, capsys: Any, order: list[int]) -> Counter[str]:
    """Four present members vote; voter i casts BALLOTS[order[i]]."""
    with _service_log() as log:
        labels = _run_meeting(api, monkeypatch, order)
    return _masked(_everything(log.getvalue() + capsys.readouterr().out), labels)


def _run_meeting(api: Any, monkeypatch: Any, order: list[int]) -> dict[str, str]:
    from chalicelib.services.council.documents import run_meeting_documents
    from tests.moto_backend import reset_backend

    reset_backend()
    try:
        ids = setup_council(api, monkeypatch, members=4, collectives=UNITS, individuals=())
        clock.set_clock(_ticking_clock())
        meeting = create_meeting(api)
        mid = meeting["meeting_id"]
        assert attend(api, mid, [0, 1, 2, 3]).status_code == 200
        assert step(api, mid, "open").status_code == 200
        for voter in range(4):
            ballot = BALLOTS[order[voter]]
            choices = {ids[u]: c for u, c in zip(UNITS, ballot, strict=True)}
            assert vote(api, mid, voter, choices).status_code == 201
        decided = body(step(api, mid, "close"))
        assert decided["status"] == "decided"
        assert run_meeting_documents(deadline=1e12)["generated"] == [mid]
    finally:
        clock.set_clock(None)
    labels = {nid: f"<nomination {unit}>" for unit, nid in ids.items()}
    labels[mid] = "<meeting>"
    return labels


def _ballot_items() -> list[dict[str, Any]]:
    from chalicelib.storage.aws import client
    from chalicelib.storage.council_meetings import BallotModel

    table = BallotModel.Meta.table_name
    return list(client("dynamodb").scan(TableName=table)["Items"])


def test_ballots_cannot_be_matched_to_voters(api, monkeypatch, capsys):
    first = _meeting(api, monkeypatch, capsys, [0, 1, 2, 3])
    # a ballot holds where it was cast and what it says: nothing else
    items = _ballot_items()
    assert len(items) == 4
    for item in items:
        assert set(item) == {"box", "ballot_id", "choices"}
        assert re.fullmatch(r"[0-9a-f]{32}#r001", item["box"]["S"])
        assert re.fullmatch(r"[0-9a-f]{32}", item["ballot_id"]["S"])
    # four different ballots, one size: what a ballot says does not show in how much the
    # box's write consumed (a per-minute metric beside the audit trail's "voted" times)
    assert len({item["choices"]["S"] for item in items}) == 4
    assert len({len(json.dumps(item, sort_keys=True)) for item in items}) == 1
    exchanged = _meeting(api, monkeypatch, capsys, [2, 0, 3, 1])
    assert sum(first.values()) > 50  # the tables, objects and logs were really read
    # what a member voted appears nowhere beside them: the two runs leave the same records
    assert first == exchanged, (first - exchanged, exchanged - first)
    # and the logs said a ballot was cast, without its content
    logs = [line for line in first if line.startswith("log:") and "ballot cast" in line]
    assert len(logs) == 1 and first[logs[0]] == 4
    assert "agree" not in logs[0]


def test_the_check_catches_a_ballot_that_names_its_voter(api, monkeypatch, capsys):
    """Control: the same check on a broken store (the ballot keeps its voter) fails."""
    from chalicelib.storage import council_meetings as store

    original = store.BallotModel

    class Leaky(original):  # type: ignore[misc, valid-type]
        Meta = original.Meta

    def leaky_cast(meeting: Any, sub: str, choices: dict[str, str], **kw: Any) -> None:
        real(meeting, sub, {**choices, "voter": sub}, **kw)

    real = store.cast_ballot
    monkeypatch.setattr(store, "cast_ballot", leaky_cast)
    # the box stores choices as digits: let the voter's name through as it is, both ways
    real_stored, real_read = store.stored_choices, store.read_choices

    def leaky_stored(meeting: Any, choices: dict[str, str]) -> dict[str, Any]:
        votes = {k: v for k, v in choices.items() if k != "voter"}
        return {**real_stored(meeting, votes), "voter": choices["voter"]}

    def leaky_read(stored: dict[str, Any]) -> dict[str, str]:
        votes = {k: v for k, v in stored.items() if k != "voter"}
        return {**real_read(votes), "voter": stored["voter"]}

    monkeypatch.setattr(store, "stored_choices", leaky_stored)
    monkeypatch.setattr(store, "read_choices", leaky_read)
    monkeypatch.setattr(
        "chalicelib.domain.council_vote.check_ballot", lambda *a, **k: None, raising=True
    )
    first = _meeting(api, monkeypatch, capsys, [0, 1, 2, 3])
    exchanged = _meeting(api, monkeypatch, capsys, [2, 0, 3, 1])
    assert first != exchanged
    assert member_sub(0) in "".join(first)


@pytest.mark.parametrize("order", [[1, 0, 2, 3]])
def test_no_receipt(api, monkeypatch, capsys, order):
    """The answer to a ballot holds no ballot id: a member cannot prove how they voted."""
    ids = setup_council(api, monkeypatch, members=2, collectives=UNITS[:1], individuals=())
    mid = create_meeting(api)["meeting_id"]
    attend(api, mid, [0, 1])
    step(api, mid, "open")
    r = vote(api, mid, 0, all_(list(ids.values())))
    assert set(body(r)) == {"status", "meeting_id", "round"}

"""The local event source mapping's batch semantics (scripts/stream_poller.py), against an
in-memory stream: batch size, batching window, order, partial batch responses, bisect on
a function error, the retry limit."""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any

from scripts.stream_poller import StreamPoller, lambda_record

ARN = "arn:aws:dynamodb:ap-southeast-1:123456789012:table/t-inbox/stream/2026-01-01T00:00:00"


class FakeStreams:
    """One shard; GetRecords returns at most `page` records after the iterator."""

    def __init__(self, page: int = 1000) -> None:
        self.records: list[dict[str, Any]] = []
        self.page = page

    def add(self, n: int) -> None:
        for _ in range(n):
            seq = 100 + len(self.records)
            self.records.append(
                {
                    "eventID": f"e{seq}",
                    "eventName": "INSERT",
                    "dynamodb": {
                        "ApproximateCreationDateTime": dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
                        "Keys": {"seq": {"S": str(seq)}},
                        "NewImage": {"seq": {"S": str(seq)}, "events": {"B": b"\x00\x01"}},
                        "SequenceNumber": str(seq),
                        "SizeBytes": 10,
                        "StreamViewType": "NEW_IMAGE",
                    },
                }
            )

    def describe_stream(self, StreamArn: str) -> dict[str, Any]:
        return {"StreamDescription": {"Shards": [{"ShardId": "shard-1"}]}}

    def get_shard_iterator(self, **kwargs: Any) -> dict[str, Any]:
        assert kwargs["ShardIteratorType"] == "TRIM_HORIZON"
        return {"ShardIterator": "0"}

    def get_records(self, ShardIterator: str, Limit: int) -> dict[str, Any]:
        start = int(ShardIterator)
        page = self.records[start : start + min(Limit, self.page)]
        return {"Records": page, "NextShardIterator": str(start + len(page))}


def seqs(event: dict[str, Any]) -> list[int]:
    return [int(r["dynamodb"]["SequenceNumber"]) for r in event["Records"]]


def make(streams: FakeStreams, invoke: Any, **options: Any) -> StreamPoller:
    options.setdefault("retry_pause", 0)
    return StreamPoller(invoke, ARN, streams, "ap-southeast-1", **options)


def test_records_have_lambdas_shape() -> None:
    streams = FakeStreams()
    streams.add(1)
    record = lambda_record(streams.records[0], ARN, "ap-southeast-1")
    assert record["eventSourceARN"] == ARN and record["awsRegion"] == "ap-southeast-1"
    assert record["eventSource"] == "aws:dynamodb"
    assert record["dynamodb"]["ApproximateCreationDateTime"] == 1767225600.0
    assert base64.b64decode(record["dynamodb"]["NewImage"]["events"]["B"]) == b"\x00\x01"


def test_batches_are_full_or_wait_for_the_window(monkeypatch: Any) -> None:
    streams, calls = FakeStreams(page=7), []
    poller = make(streams, lambda e: calls.append(seqs(e)), batch_size=10, window_seconds=5)
    clock = [1000.0]
    monkeypatch.setattr("scripts.stream_poller.time.monotonic", lambda: clock[0])
    streams.add(23)
    poller.poll_once()
    assert [len(c) for c in calls] == [10, 10]  # full batches go at once, in order
    assert calls[0][0] == 100 and calls[1][-1] == 119
    clock[0] += 4.9
    poller.poll_once()
    assert len(calls) == 2  # three records wait for their window
    clock[0] += 0.2
    poller.poll_once()
    assert calls[-1] == [120, 121, 122]


def test_a_partial_failure_retries_from_the_first_failed_record() -> None:
    streams, calls = FakeStreams(), []

    def invoke(event: dict[str, Any]) -> dict[str, Any]:
        calls.append(seqs(event))
        if len(calls) == 1:
            return {"batchItemFailures": [{"itemIdentifier": "104"}, {"itemIdentifier": "106"}]}
        return {"batchItemFailures": []}

    streams.add(8)
    make(streams, invoke, batch_size=100).poll_once(flush=True)
    assert calls == [list(range(100, 108)), list(range(104, 108))]


def test_a_function_error_bisects_then_gives_up_after_the_retries() -> None:
    streams, calls = FakeStreams(), []

    def invoke(event: dict[str, Any]) -> dict[str, Any]:
        calls.append(seqs(event))
        if 103 in seqs(event):
            raise RuntimeError("bad record")
        return {"batchItemFailures": []}

    streams.add(8)
    poller = make(streams, invoke, batch_size=100, max_retry_attempts=3)
    poller.poll_once(flush=True)
    assert calls[0] == list(range(100, 108))
    assert calls[1] == [100, 101, 102, 103] and calls[2] == [100, 101]  # bisected
    assert [[int(r["dynamodb"]["SequenceNumber"]) for r in d] for d in poller.dropped] == [[103]]
    folded = {s for c in calls for s in c if 103 not in c}
    assert folded == set(range(100, 108)) - {103}  # every other record was delivered

"""The local stack's event source mapping: reads the inbox table's DynamoDB stream (moto
supports DescribeStream, GetShardIterator and GetRecords) and invokes the `fold_inbox`
handler with Lambda's event shape, as AWS does for the deployed function.

`chalice local` runs no stream triggers; `make serve` / LocalStack run this module as a
child process (`python -m scripts.stream_poller`). The batch semantics are the deployed
mapping's (chalicelib/jobs/stream.py): batch size, batching window, records in order
per shard, partial batch responses (retry from the first failed record), bisect on a
function error, a retry limit, then the batch is dropped (in AWS: its description goes
to the on-failure queue) and the pending markers leave it to the sweep.
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from chalicelib.jobs import stream as mapping

POLL_SECONDS = 0.25  # Lambda polls a shard about four times a second
RETRY_PAUSE_SECONDS = 0.5

Invoke = Callable[[dict[str, Any]], Any]


def lambda_value(value: Any) -> Any:
    """A botocore-parsed DynamoDB value in the JSON form Lambda delivers (binary as base64)."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for kind, inner in value.items():
            if kind == "B":
                out[kind] = base64.b64encode(bytes(inner)).decode()
            elif kind == "BS":
                out[kind] = [base64.b64encode(bytes(b)).decode() for b in inner]
            elif kind == "M":
                out[kind] = {k: lambda_value(v) for k, v in inner.items()}
            elif kind == "L":
                out[kind] = [lambda_value(v) for v in inner]
            else:
                out[kind] = inner
        return out
    return value


def lambda_record(record: dict[str, Any], stream_arn: str, region: str) -> dict[str, Any]:
    """A GetRecords record as an element of the Lambda event's `Records`."""
    ddb = dict(record["dynamodb"])
    created = ddb.get("ApproximateCreationDateTime")
    if isinstance(created, dt.datetime):
        ddb["ApproximateCreationDateTime"] = created.timestamp()
    for image in ("Keys", "NewImage", "OldImage"):
        if image in ddb:
            ddb[image] = {k: lambda_value(v) for k, v in ddb[image].items()}
    return {
        "eventID": record["eventID"],
        "eventName": record["eventName"],
        "eventVersion": record.get("eventVersion", "1.1"),
        "eventSource": "aws:dynamodb",
        "awsRegion": region,
        "dynamodb": ddb,
        "eventSourceARN": stream_arn,
    }


@dataclass
class _Shard:
    iterator: str | None
    buffer: list[dict[str, Any]] = field(default_factory=list)
    window_started: float = 0.0


class StreamPoller:
    """Polls every shard of one stream and delivers batches to `invoke`."""

    def __init__(
        self,
        invoke: Invoke,
        stream_arn: str,
        streams_client: Any,
        region: str,
        *,
        batch_size: int = mapping.BATCH_SIZE,
        window_seconds: float = mapping.BATCH_WINDOW_SECONDS,
        max_retry_attempts: int = mapping.MAXIMUM_RETRY_ATTEMPTS,
        bisect_on_error: bool = mapping.BISECT_ON_ERROR,
        retry_pause: float = RETRY_PAUSE_SECONDS,
    ) -> None:
        self.invoke = invoke
        self.stream_arn = stream_arn
        self.client = streams_client
        self.region = region
        self.batch_size = batch_size
        self.window_seconds = window_seconds
        self.max_retry_attempts = max_retry_attempts
        self.bisect_on_error = bisect_on_error
        self.retry_pause = retry_pause
        self.shards: dict[str, _Shard] = {}
        self.delivered = 0
        self.dropped: list[list[dict[str, Any]]] = []

    def _discover(self) -> None:
        description = self.client.describe_stream(StreamArn=self.stream_arn)["StreamDescription"]
        for shard in description.get("Shards", []):
            shard_id = shard["ShardId"]
            if shard_id not in self.shards:
                iterator = self.client.get_shard_iterator(
                    StreamArn=self.stream_arn,
                    ShardId=shard_id,
                    ShardIteratorType=mapping.STARTING_POSITION,
                )["ShardIterator"]
                self.shards[shard_id] = _Shard(iterator)

    def poll_once(self, *, flush: bool = False) -> int:
        """Read what each shard has, deliver the batches that are due (full, or their
        window elapsed; every buffered record when `flush`). Returns records delivered."""
        self._discover()
        delivered = 0
        for shard in self.shards.values():
            while True:
                self._read(shard)
                if not shard.buffer or not (
                    flush
                    or len(shard.buffer) >= self.batch_size
                    or time.monotonic() - shard.window_started >= self.window_seconds
                ):
                    break
                batch, shard.buffer = (
                    shard.buffer[: self.batch_size],
                    shard.buffer[self.batch_size :],
                )
                shard.window_started = time.monotonic()  # the rest's window starts now
                self._deliver(batch)
                delivered += len(batch)
        self.delivered += delivered
        return delivered

    def _read(self, shard: _Shard) -> None:
        """Fill the shard's buffer up to a batch from the stream (records in order)."""
        while shard.iterator and len(shard.buffer) < self.batch_size:
            page = self.client.get_records(ShardIterator=shard.iterator, Limit=1000)
            shard.iterator = page.get("NextShardIterator")
            records = page.get("Records", [])
            if not records:
                return
            if not shard.buffer:
                shard.window_started = time.monotonic()
            shard.buffer += [lambda_record(r, self.stream_arn, self.region) for r in records]

    def _deliver(self, batch: list[dict[str, Any]]) -> None:
        queue: list[tuple[list[dict[str, Any]], int]] = [(batch, 0)]
        while queue:
            records, attempt = queue.pop(0)
            try:
                response = self.invoke({"Records": records})
            except Exception as exc:  # a function error: Lambda retries (bisecting)
                print(f"[stream] fold_inbox failed ({len(records)} records): {exc}", flush=True)
                if attempt >= self.max_retry_attempts:
                    self._drop(records)
                elif self.bisect_on_error and len(records) > 1:
                    half = len(records) // 2
                    queue[:0] = [(records[:half], attempt + 1), (records[half:], attempt + 1)]
                else:
                    queue.insert(0, (records, attempt + 1))
                time.sleep(self.retry_pause)
                continue
            failures = [
                f["itemIdentifier"]
                for f in (response or {}).get("batchItemFailures", [])
                if f.get("itemIdentifier")
            ]
            if not failures:
                continue
            # Lambda checkpoints before the first failed record and retries from it.
            first = min(int(s) for s in failures)
            rest = [r for r in records if int(r["dynamodb"]["SequenceNumber"]) >= first]
            if attempt >= self.max_retry_attempts:
                self._drop(rest)
            else:
                queue.insert(0, (rest, attempt + 1))
                time.sleep(self.retry_pause)

    def _drop(self, records: list[dict[str, Any]]) -> None:
        first, last = (
            records[0]["dynamodb"]["SequenceNumber"],
            records[-1]["dynamodb"]["SequenceNumber"],
        )
        print(
            f"[stream] giving up on records {first}..{last} after "
            f"{self.max_retry_attempts} retries (in AWS: the on-failure queue); "
            "the aggregate_kpi sweep folds them",
            flush=True,
        )
        self.dropped.append(records)

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                self.poll_once()
            except Exception as exc:  # moto restarting, a transient error: keep polling
                print(f"[stream] poll failed: {exc}", flush=True)
            stop.wait(POLL_SECONDS)


def inbox_stream_arn() -> str:
    from chalicelib.storage import events as event_store

    return event_store.inbox_stream_arn()


def app_invoker() -> Invoke:
    """Invoke the app's fold_inbox handler as Lambda would (event dict, context)."""
    from chalice.local import LambdaContext

    from app import app

    handler = app.handler_map[mapping.FUNCTION_NAME]

    def invoke(event: dict[str, Any]) -> Any:
        return handler(
            event, LambdaContext(mapping.FUNCTION_NAME, memory_size=1024, max_runtime_ms=900_000)
        )

    return invoke


def streams_client() -> Any:
    """A DynamoDB Streams client for the configured endpoint (moto). Account-based
    endpoints (<account>.streams-ddb...) are off: moto answers the regional one only."""
    import boto3
    from botocore.config import Config

    from chalicelib.settings import get_settings

    settings = get_settings()
    return boto3.client(
        "dynamodbstreams",
        region_name=settings.region,
        endpoint_url=settings.endpoint_url or None,
        config=Config(account_id_endpoint_mode="disabled", retries={"mode": "standard"}),
    )


def local_poller() -> StreamPoller:
    from chalicelib.settings import get_settings

    return StreamPoller(app_invoker(), inbox_stream_arn(), streams_client(), get_settings().region)


def main() -> None:
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args()
    from scripts import local_clock

    local_clock.install()  # the same clock as the API's process
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    poller = local_poller()
    print(f"[stream] polling {poller.stream_arn}", flush=True)
    poller.run(stop)


if __name__ == "__main__":
    main()

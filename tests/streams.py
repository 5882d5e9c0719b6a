"""Drive the fold_inbox handler from moto's inbox stream in-process, with the records in
Lambda's shape (scripts.stream_poller builds them exactly as the local stack does)."""

from __future__ import annotations

from typing import Any

from scripts.stream_poller import StreamPoller, inbox_stream_arn, streams_client


def invoker(client: Any) -> Any:
    """Invoke fold_inbox through chalice.test.Client, as Lambda invokes the function."""

    def invoke(event: dict[str, Any]) -> Any:
        return client.lambda_.invoke("fold_inbox", event).payload

    return invoke


def poller(client: Any, **options: Any) -> StreamPoller:
    options.setdefault("retry_pause", 0)
    return StreamPoller(
        invoker(client), inbox_stream_arn(), streams_client(), "ap-southeast-1", **options
    )


class Recorder:
    """Reads the stream without folding: the records new since the last call, for a
    test to deliver however it likes (redelivered, split between consumers...)."""

    def __init__(self) -> None:
        self.taken: list[dict[str, Any]] = []
        self._poller: StreamPoller | None = None

    def _collect(self, event: dict[str, Any]) -> dict[str, Any]:
        self.taken += event["Records"]
        return {"batchItemFailures": []}

    def new_records(self) -> list[dict[str, Any]]:
        if self._poller is None:
            self._poller = StreamPoller(
                self._collect, inbox_stream_arn(), streams_client(), "ap-southeast-1"
            )
        self._poller.poll_once(flush=True)
        out, self.taken = self.taken, []
        return out

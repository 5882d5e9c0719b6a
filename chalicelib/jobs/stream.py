"""The aggregation consumer of the inbox table's DynamoDB stream (Chalice
`on_dynamodb_record`): a thin wrapper over services.aggregation.fold_stream_records.

What Chalice cannot express on the event source mapping (partial batch responses,
bisect on error, retry limit, on-failure destination) infra sets on the packaged
template (infra/stacks/api.py), with the stream of the table it creates.
"""

from __future__ import annotations

from typing import Any

from chalice import Blueprint

bp = Blueprint(__name__)

FUNCTION_NAME = "fold_inbox"
# Chalice needs a stream ARN when it packages the app; infra replaces it with the inbox
# table's stream (synth fails if this function's event source is not found).
STREAM_ARN_PLACEHOLDER = (
    "arn:aws:dynamodb:ap-southeast-1:000000000000:table/inbox/stream/unassigned-see-infra"
)
BATCH_SIZE = 100  # inbox items per invocation (up to 100 events each)
BATCH_WINDOW_SECONDS = 5  # gather up to this long: fewer, larger folds (capacity per event)
STARTING_POSITION = "TRIM_HORIZON"  # a new mapping starts with what the stream still holds
# Set by infra on the mapping (Chalice has no parameter for them); the local poller too.
MAXIMUM_RETRY_ATTEMPTS = 5  # then the batch's description goes to the on-failure queue
BISECT_ON_ERROR = True  # a function error splits the batch to isolate a bad record


@bp.on_dynamodb_record(
    stream_arn=STREAM_ARN_PLACEHOLDER,
    batch_size=BATCH_SIZE,
    starting_position=STARTING_POSITION,
    name=FUNCTION_NAME,
    maximum_batching_window_in_seconds=BATCH_WINDOW_SECONDS,
)
def fold_inbox(event: Any) -> dict[str, Any]:
    """The partial batch response: `{"batchItemFailures": [{"itemIdentifier": seq}]}`."""
    from chalicelib.observability import event_invocation
    from chalicelib.services.aggregation import fold_stream_records

    with event_invocation(event.context, event.to_dict()):
        return fold_stream_records(event.to_dict().get("Records", []))

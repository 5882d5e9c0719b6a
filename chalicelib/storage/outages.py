"""What a failing AWS dependency becomes, and the one seam tests inject such a failure at.

Every AWS call of the service (PynamoDB's and boto3's clients alike) passes two botocore
events this module listens to:

- `after-call` / `after-call-error`: once botocore's own retries are spent, a throttled,
  failing (5xx) or unreachable DynamoDB, S3 or KMS is raised as the domain's
  `Unavailable` (the HTTP layer answers 503 with Retry-After and logs an error), never as
  a library exception a service would have to know, and never a silent default;
- `before-call`: a fault armed with `inject` answers instead of AWS, exactly as an AWS
  error would (the same error code, through the same `after-call`), so a test makes
  storage fail without patching any function.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from chalicelib.domain.errors import Unavailable

# Error codes that mean "the service is there but cannot serve now" (after retries).
THROTTLED = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "Throttling",
        "RequestLimitExceeded",
        "SlowDown",
        "ServiceUnavailable",
        "InternalServerError",
        "InternalError",
        "KMSInternalException",
        "DependencyTimeoutException",
    }
)
RETRY_AFTER_SECONDS = 5
_SEEN = "kg_outages_seen"  # marks a call's context once both registrations saw it


@dataclass
class Fault:
    """An armed failure: calls of `operation` (every one when None) on a table whose name
    ends with `table` (any when None) fail with `code`, `times` times (None: until
    cleared)."""

    operation: str | None
    table: str | None
    code: str
    status: int
    times: int | None

    def matches(self, operation: str, params: dict[str, Any]) -> bool:
        if self.times == 0 or self.operation not in (None, operation):
            return False
        return self.table is None or any(name.endswith(self.table) for name in _tables(params))


_faults: list[Fault] = []
_lock = threading.Lock()


def inject(
    operation: str | None = None,
    *,
    table: str | None = None,
    code: str = "ProvisionedThroughputExceededException",
    status: int = 400,
    times: int | None = None,
) -> Fault:
    """Arm a fault (tests): the next matching AWS calls answer `code` as AWS would."""
    install()
    fault = Fault(operation, table, code, status, times)
    with _lock:
        _faults.append(fault)
    return fault


def clear() -> None:
    with _lock:
        _faults.clear()


def _tables(params: dict[str, Any]) -> list[str]:
    body = params.get("body")
    if isinstance(body, bytes | str):
        import json

        try:
            decoded = json.loads(body or "{}")
        except ValueError:
            return []
        names = [decoded.get("TableName", "")]
        names += list(decoded.get("RequestItems", {}))
        for item in decoded.get("TransactItems", []):
            names += [op.get("TableName", "") for op in item.values()]
        return [n for n in names if n]
    return []


def _first_sight(context: dict[str, Any] | None, stage: str) -> bool:
    """True once per call and stage (a client may carry the handlers twice: the builtin
    list and its own registration)."""
    if context is None:
        return True
    seen = context.setdefault(_SEEN, set())
    if stage in seen:
        return False
    seen.add(stage)
    return True


def _before_call(
    model: Any, params: dict[str, Any], context: dict[str, Any] | None = None, **_: Any
) -> Any:
    if not _faults or not _first_sight(context, "before"):
        return None
    with _lock:
        fault = next((f for f in _faults if f.matches(model.name, params)), None)
        if fault is None:
            return None
        if fault.times is not None:
            fault.times -= 1
    from botocore.awsrequest import AWSResponse

    parsed = {
        "Error": {"Code": fault.code, "Message": "injected fault"},
        "ResponseMetadata": {"HTTPStatusCode": fault.status, "HTTPHeaders": {}},
    }
    return AWSResponse(params.get("url", ""), fault.status, {}, None), parsed


def _after_call(
    http_response: Any,
    parsed: dict[str, Any],
    model: Any,
    context: dict[str, Any] | None = None,
    **_: Any,
) -> None:
    status = http_response.status_code
    if status < 300 or not _first_sight(context, "after"):
        return
    code = str(parsed.get("Error", {}).get("Code", ""))
    if status >= 500 or code in THROTTLED:
        _raise_unavailable(model, code)


def _after_call_error(
    exception: BaseException, context: dict[str, Any] | None = None, **kwargs: Any
) -> None:
    from botocore.exceptions import ConnectionError as BotocoreConnectionError
    from botocore.exceptions import HTTPClientError

    if isinstance(exception, BotocoreConnectionError | HTTPClientError) and _first_sight(
        context, "error"
    ):
        raise Unavailable(
            "Storage is unavailable right now; retry later",
            retry_after_seconds=RETRY_AFTER_SECONDS,
        ) from exception


def _raise_unavailable(model: Any, code: str) -> None:
    from chalicelib.observability import logger

    service = model.service_model.service_name
    logger.warning(
        "AWS dependency failed", extra={"service": service, "operation": model.name, "code": code}
    )
    raise Unavailable(
        "Storage is unavailable right now; retry later", retry_after_seconds=RETRY_AFTER_SECONDS
    )


_installed = [False]


def install() -> None:
    """Listen on every botocore session created from now on (PynamoDB makes its own per
    thread); idempotent."""
    if _installed[0]:
        return
    from botocore.handlers import BUILTIN_HANDLERS, REGISTER_FIRST

    BUILTIN_HANDLERS.append(("before-call", _before_call, REGISTER_FIRST))
    BUILTIN_HANDLERS.append(("after-call", _after_call))
    BUILTIN_HANDLERS.append(("after-call-error", _after_call_error))
    _installed[0] = True


def attach(client: Any) -> Any:
    """Listen on a client whose session may predate `install` (boto3's default one)."""
    install()
    events = client.meta.events
    events.register_first("before-call", _before_call, unique_id="kg-outages-before")
    events.register("after-call", _after_call, unique_id="kg-outages-after")
    events.register("after-call-error", _after_call_error, unique_id="kg-outages-error")
    return client

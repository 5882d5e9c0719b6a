"""The hub connector (job `pull_hubs`): read-only pulls from document-exchange hubs.

For each enabled hub source that is due: list what is new of each message type since its
cursor (less an overlap window, so a package the hub lists late is still seen), fetch each
package not handled yet, and store it through the edXML ingestion path
(`edxml_ingestion.ingest_pulled`: the same parsing, scope, plausibility, exemption, archive
and idempotency as a pushed package). The cursor moves only past packages handled
(stored, duplicate, refused or set aside), in listing order, so a run killed anywhere goes
on where it stopped; a package handled twice is a duplicate, never counted twice.

A package that cannot be parsed is set aside with its error (`hub_packages`, listed for the
admin) and never fetched again; one the service refuses (units outside the source's scope,
implausible events) is recorded with its reason. Timeouts, 5xx and 429 stop the hub's run
and back off (`Retry-After` honoured); each run is bounded by the job's deadline and
HUB_MAX_PACKAGES_PER_RUN. docs/hubs.md is the reference.
"""

from __future__ import annotations

import datetime as dt
import random
import time
import uuid
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from chalicelib import clock
from chalicelib.domain import hubs as dialect
from chalicelib.domain.hubs import HubAnswerError, HubRequest, Listing, Position
from chalicelib.domain.sources import KIND_HUB, SourceRecord
from chalicelib.observability import logger, metrics
from chalicelib.services.hub_http import HubResponse, HubUnreachable
from chalicelib.settings import get_settings
from chalicelib.storage import hubs as hub_store
from chalicelib.storage import jobs as job_store
from chalicelib.storage import sources as source_store

JOB = "pull_hubs"
LEASE_SECONDS = 15 * 60
# Waits inside a run: a Retry-After this short is waited out; a longer one ends the hub's run.
MAX_WAIT_IN_RUN_SECONDS = 5.0
ATTEMPTS_PER_REQUEST = 3
MAX_BACKOFF = dt.timedelta(minutes=60)
JITTER = 0.1  # share of the poll interval added at random, so hubs drift apart
# Error codes of the ingestion path that say the package itself is unusable.
UNPARSEABLE = {"invalid_edxml", "bad_request", "validation_failed", "payload_too_large"}
TRANSIENT = {"unavailable", "throttled", "internal_error"}
# Faults that count towards "unreachable" (the alarm): the hub, not our storage, failed.
UNREACHABLE = {"unreachable", "throttled", "server", "credentials"}

Transport = Callable[[HubRequest], HubResponse]
Ingest = Callable[[str, bytes], dict[str, int]]


class HubFault(Exception):
    """The hub did not answer usefully: the run of this hub stops and backs off."""

    def __init__(self, kind: str, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.kind = kind  # unreachable | throttled | server | credentials | answer
        self.message = message
        self.retry_after = retry_after


@dataclass
class HubRun:
    """What one pull of one hub did: the per-hub metrics."""

    source_id: str
    listed: int = 0
    fetched: int = 0
    stored: int = 0  # packages with at least one new event (or a new trail-only message)
    duplicates: int = 0  # packages already stored (every event a duplicate)
    refused: int = 0
    set_aside: int = 0
    events: int = 0
    more: bool = False  # stopped by its bound; the next run goes on
    fault: str | None = None
    skipped: str | None = None
    cursors: dict[str, str] = field(default_factory=dict)

    def out(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v not in (None, {})}


def _call(transport: Transport, request: HubRequest, sleep: Callable[[float], None]) -> Any:
    """One request, answered as JSON; short waits are retried, everything else raises."""
    for attempt in range(1, ATTEMPTS_PER_REQUEST + 1):
        try:
            response = transport(request)
        except HubUnreachable as exc:
            fault = HubFault("unreachable", f"no answer: {exc}")
        else:
            if 200 <= response.status < 300:
                try:
                    return response.json()
                except ValueError:
                    raise HubFault("answer", "the answer is not JSON") from None
            if response.status in (401, 403):
                raise HubFault(
                    "credentials", f"the hub refused the credentials ({response.status})"
                )
            if response.status == 429 or response.status >= 500:
                kind = "throttled" if response.status == 429 else "server"
                fault = HubFault(kind, f"HTTP {response.status}", response.retry_after)
            else:
                raise HubFault("answer", f"HTTP {response.status}")
        wait = fault.retry_after if fault.retry_after is not None else 0.5 * attempt
        if attempt == ATTEMPTS_PER_REQUEST or wait > MAX_WAIT_IN_RUN_SECONDS:
            raise fault
        sleep(wait)
    raise AssertionError("unreachable")  # pragma: no cover


def _outcome_of(exc: Exception) -> tuple[str, str] | None:
    """(outcome, reason) of a package the ingestion path turned down; None: transient."""
    code = getattr(exc, "code", None)
    status = getattr(exc, "status", None)
    message = str(getattr(exc, "message", exc))[:1000]
    if not isinstance(code, str) or code in TRANSIENT or (status or 0) >= 500:
        return None
    if code in UNPARSEABLE or status in (400, 413, 415):
        return "set_aside", message
    return "refused", message


def _transport_for(source: SourceRecord) -> Transport:
    from chalicelib.services import hub_http

    assert source.hub is not None
    hub = source.hub
    headers = dialect.lgsp_headers(
        hub.system_id, source_store.decrypt_secret(hub.secret_ciphertext, source.source_id)
    )
    timeout = float(get_settings().hub_timeout_seconds)
    return lambda request: hub_http.send(hub.base_url, request, headers, timeout)


class _StoringBudget:
    """What Powertools Idempotency asks of a Lambda context: the time left. A package's
    in-progress record then expires this soon after a run killed while storing it, instead
    of blocking the package for the idempotency TTL."""

    def get_remaining_time_in_millis(self) -> int:
        return STORING_BUDGET_MS


STORING_BUDGET_MS = 30_000


def _ingest(source_id: str, body: bytes) -> dict[str, int]:
    from chalicelib.services import edxml_ingestion

    return edxml_ingestion.ingest_pulled(source_id, body, lambda_context=_StoringBudget())


def _jitter(source_id: str) -> float:
    """A source's own phase in [0, 1): polls of many hubs spread over the interval."""
    return (zlib.crc32(source_id.encode()) % 1000) / 1000


def _next_poll(
    source: SourceRecord,
    now: dt.datetime,
    failures: int,
    retry: float | None,
    hub_fault: bool = True,
) -> dt.datetime:
    assert source.hub is not None
    interval = dt.timedelta(minutes=source.hub.poll_every_minutes)
    if failures and not hub_fault:
        # our side failed (storage): the hub is fine, try again soon
        return now + dt.timedelta(seconds=max(retry or 0, STORING_BUDGET_MS / 1000))
    if failures == 0:
        return now + interval * (1 + JITTER * random.random())  # noqa: S311 (spread, not secrecy)
    backoff = min(MAX_BACKOFF, interval * 2 ** min(failures - 1, 10))
    backoff = max(backoff, dt.timedelta(seconds=retry or 0))
    return now + backoff * (1 + JITTER * random.random())  # noqa: S311


def pull_hub(
    source: SourceRecord,
    *,
    deadline: float,
    transport: Transport | None = None,
    ingest: Ingest | None = None,
    sleep: Callable[[float], None] = time.sleep,
    force: bool = False,
) -> HubRun:
    """One pull of one hub source, bounded by `deadline` (monotonic seconds)."""
    assert source.kind == KIND_HUB and source.hub is not None
    hub = source.hub
    settings = get_settings()
    run = HubRun(source.source_id)
    state = hub_store.get_state(source.source_id)
    now = clock.now()
    if not force and state.next_poll_at is not None and now < state.next_poll_at:
        run.skipped = "not due"
        return run
    transport = transport or _transport_for(source)
    ingest = ingest or _ingest
    budget = settings.hub_max_packages_per_run
    overlap = dt.timedelta(hours=settings.hub_overlap_hours)
    first_day = hub.pull_from or source.created_at.astimezone(dialect.HUB_ZONE).date()
    retry_after: float | None = None
    hub_fault = True
    try:
        for message_type in hub.message_types:
            raw_cursor = state.cursors.get(message_type)
            cursor = Position.decode(raw_cursor) if raw_cursor else None
            today = clock.now().astimezone(dialect.HUB_ZONE).date()
            start, end = dialect.listing_window(cursor, today, overlap, first_day)
            try:
                listings = dialect.lgsp_parse_list(
                    _call(transport, dialect.lgsp_list(message_type, start, end), sleep),
                    message_type,
                )
            except HubAnswerError as exc:
                raise HubFault("answer", f"list: {exc}") from None
            run.listed += len(listings)
            handled = hub_store.handled_ids(source.source_id, (x.package_id for x in listings))
            for listing in dialect.to_handle(listings, handled, cursor):
                if budget <= 0 or clock.monotonic() >= deadline:
                    run.more = True
                    break
                budget -= 1
                outcome = _handle(source, listing, transport, ingest, sleep, run)
                cursor = dialect.advance(cursor, listing)
                assert cursor is not None
                state.cursors[message_type] = cursor.encode()
                # Saved after every package: a run killed here loses at most this package's
                # record, and storing it again finds duplicates.
                hub_store.save_state(state)
                if hub.acknowledge and outcome in ("stored", "duplicate"):
                    _acknowledge(transport, listing, sleep)
            if run.more:
                break
    except HubFault as exc:
        run.fault = f"{exc.kind}: {exc.message}"
        retry_after = exc.retry_after
        hub_fault = exc.kind in UNREACHABLE
        state.failures += 1
        if exc.kind in UNREACHABLE:
            state.unreachable_since = state.unreachable_since or now
        state.last_error = run.fault
        logger.warning(
            "hub pull stopped", extra={"source_id": source.source_id, "fault": run.fault}
        )
    else:
        state.failures = 0
        state.unreachable_since = None
        state.last_success_at = now
        state.last_error = None
    state.next_poll_at = (
        now
        if run.more and run.fault is None
        else _next_poll(source, clock.now(), state.failures, retry_after, hub_fault)
    )
    run.cursors = dict(state.cursors)
    state.last_run = run.out()
    hub_store.save_state(state)
    _emit_metrics(run, state, now)
    return run


def _handle(
    source: SourceRecord,
    listing: Listing,
    transport: Transport,
    ingest: Ingest,
    sleep: Callable[[float], None],
    run: HubRun,
) -> str:
    """Fetch and store one package; record what became of it. HubFault and storage
    failures propagate (the package stays unhandled: the next run tries it again)."""
    error: str | None = None
    answer = _call(transport, dialect.lgsp_fetch(listing.package_id), sleep)
    run.fetched += 1
    try:
        body = dialect.lgsp_parse_fetch(answer)
    except HubAnswerError as exc:
        outcome, error = "set_aside", f"getEdoc: {exc}"
    else:
        try:
            result = ingest(source.source_id, body)
        except Exception as exc:
            judged = _outcome_of(exc)
            if judged is None:
                raise HubFault(
                    "storage",
                    f"storing failed: {getattr(exc, 'message', exc)}",
                    float(getattr(exc, "retry_after_seconds", 0) or 0) or None,
                ) from exc
            outcome, error = judged
        else:
            run.events += int(result.get("accepted", 0))
            new = result.get("accepted", 0) > 0 or result.get("duplicates", 0) == 0
            outcome = "stored" if new else "duplicate"
    counter = "duplicates" if outcome == "duplicate" else outcome
    setattr(run, counter, getattr(run, counter) + 1)
    hub_store.record_handled(
        source.source_id,
        listing.package_id,
        outcome=outcome,
        message_type=listing.message_type,
        listed_at=listing.listed_at,
        now=clock.now(),
        error=error,
    )
    if error:
        logger.info(
            "hub package not stored",
            extra={
                "source_id": source.source_id,
                "package_id": listing.package_id,
                "outcome": outcome,
            },
        )
    return outcome


def _acknowledge(transport: Transport, listing: Listing, sleep: Callable[[float], None]) -> None:
    # Only when the source asks for it (acknowledge=true): it clears the unit's inbox on the
    # hub. A failed acknowledgement is not a failed pull: the package is stored.
    try:
        _call(transport, dialect.lgsp_acknowledge(listing.package_id), sleep)
    except HubFault as exc:
        logger.warning(
            "acknowledgement failed", extra={"package_id": listing.package_id, "fault": exc.message}
        )


def _emit_metrics(run: HubRun, state: hub_store.HubState, now: dt.datetime) -> None:
    from aws_lambda_powertools.metrics import MetricUnit, single_metric
    from aws_lambda_powertools.metrics.functions import is_metrics_disabled

    if is_metrics_disabled():  # single_metric prints whatever POWERTOOLS_METRICS_DISABLED says
        return

    unreachable = (
        (now - state.unreachable_since).total_seconds() / 60 if state.unreachable_since else 0.0
    )
    figures = {
        "HubListed": run.listed,
        "HubFetched": run.fetched,
        "HubStored": run.stored,
        "HubDuplicates": run.duplicates,
        "HubRefused": run.refused,
        "HubSetAside": run.set_aside,
    }
    from chalicelib.observability import SERVICE

    for name, value in figures.items():
        with single_metric(
            name=name, unit=MetricUnit.Count, value=value, namespace=metrics.namespace
        ) as m:
            m.add_dimension(name="service", value=SERVICE)
            m.add_dimension(name="source_id", value=run.source_id)
    # The alarm's metric (infra: a hub unreachable for an hour) also without the source,
    # so one alarm covers every hub source, including ones added later.
    for dimension in (run.source_id, None):
        with single_metric(
            name="HubUnreachableMinutes",
            unit=MetricUnit.Count,
            value=unreachable,
            namespace=metrics.namespace,
        ) as m:
            m.add_dimension(name="service", value=SERVICE)
            if dimension:
                m.add_dimension(name="source_id", value=dimension)


def pull_hubs(deadline: float, *, force: bool = False) -> dict[str, Any]:
    """The job: every enabled hub source that is due, until the deadline. One run at a
    time (a lease); a hub's failure never stops the others."""
    owner = uuid.uuid4().hex
    # The lease outlives this run's deadline a little: a run killed mid-way (a timeout)
    # holds up the next one by seconds, not LEASE_SECONDS.
    lease = min(LEASE_SECONDS, max(30.0, deadline - clock.monotonic() + 30.0))
    if not job_store.acquire_lease(JOB, owner, lease):
        return {"done": False, "skipped": "another run of pull_hubs holds the lease"}
    runs: list[dict[str, Any]] = []
    try:
        hubs = [s for s in source_store.list_sources() if s.kind == KIND_HUB and s.enabled]
        # Jittered order: with many hubs, none always waits for the others.
        hubs.sort(key=lambda s: (_jitter(s.source_id) + random.random()) % 1)  # noqa: S311
        for source in hubs:
            if clock.monotonic() >= deadline:
                runs.append(
                    {"source_id": source.source_id, "skipped": "no time left", "more": True}
                )
                continue
            try:
                runs.append(pull_hub(source, deadline=deadline, force=force).out())
            except Exception:
                logger.exception("hub pull failed", extra={"source_id": source.source_id})
                runs.append({"source_id": source.source_id, "fault": "internal error"})
    finally:
        job_store.release_lease(JOB, owner)
    return {"done": not any(r.get("more") for r in runs), "hubs": runs}


def set_aside_packages(source_id: str) -> list[dict[str, Any]]:
    return [
        {
            "package_id": p.package_id,
            "message_type": p.message_type,
            "listed_at": p.listed_at,
            "set_aside_at": p.handled_at,
            "error": p.error,
        }
        for p in hub_store.set_aside(source_id)
    ]


def hub_status(source_id: str) -> dict[str, Any]:
    from chalicelib.domain.errors import NotFound

    source = source_store.get_source(source_id)
    if source is None or source.kind != KIND_HUB:
        raise NotFound(f"No hub source {source_id!r}")
    state = hub_store.get_state(source_id)
    return {
        "source_id": source_id,
        "cursors": state.cursors,
        "next_poll_at": state.next_poll_at,
        "unreachable_since": state.unreachable_since,
        "last_success_at": state.last_success_at,
        "last_error": state.last_error,
        "last_run": state.last_run,
        "set_aside": set_aside_packages(source_id),
    }

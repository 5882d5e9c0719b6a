"""The deployed package under the runtime interface client answers as the app does
under `chalice.test.Client`: one route of every blueprint, every job, the upload
verifier and the authorizer's refusals, cold and warm.

The same scenario runs on both sides with the same inputs; the transcripts (status and
body of every step) must be equal once values that are random or time-dependent by
design (ids the service generates, secrets, timestamps, presigned URLs) are replaced by
placeholders that still tell whether two steps refer to the same thing.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from typing import Any

import pytest

from tests.conftest import TokenFactory
from tests.factories import DEPARTMENT, OFFICIALS, UNITS
from tests.lambda_runtime.harness import Harness, object_created_event, scheduled_event
from tests.nominations import pdf, upload
from tests.webhooks import encode, event, sign

Token = tuple[str, str | None, str] | None  # (role, unit_id, sub) or no token
ADMIN: Token = ("province_admin", None, "parity-admin")
TODAY = dt.datetime.now(dt.UTC).date()
CAMPAIGN = {
    "campaign_id": "parity-1",
    "name": "Ngày không in giấy (parity)",
    "start_date": (TODAY - dt.timedelta(days=10)).isoformat(),
    "end_date": (TODAY + dt.timedelta(days=20)).isoformat(),
    "timezone": "Asia/Ho_Chi_Minh",
    "nomination_deadline": (TODAY + dt.timedelta(days=30)).isoformat(),
    "award_quotas": {"collective": 5, "individual": 5},
}
# Values that differ between two runs by design ("stage": prod there, test here).
VOLATILE_KEYS = {
    "stage",
    "request_id",
    "secret",
    "url",
    "fields",
    "upload",
    "download_url",
    "expires_at",
    "seconds",
}
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
GENERATED_ID = re.compile(
    r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{32}|[0-9A-HJKMNP-TV-Z]{26}"
)


class Side:
    """One way of running the app: send requests, invoke functions."""

    uploads_bucket: str
    # What POST /admin/jobs/{name} answers: the run as it ended (in-process), or queued.
    started_state: str

    def settle(self) -> None:
        """Wait for the functions the API started asynchronously."""

    def request(
        self,
        method: str,
        path: str,
        token: Token,
        body: Any = None,
        *,
        raw: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, dict[str, str], Any]:
        raise NotImplementedError

    def run_job(self, name: str) -> Any:
        raise NotImplementedError

    def verify_upload(self, key: str, size: int) -> Any:
        raise NotImplementedError


class ChaliceSide(Side):
    started_state = "succeeded"

    def __init__(self, api: Any, timeouts: dict[str, int]) -> None:
        from chalicelib.settings import get_settings

        self.api = api
        self.timeouts = timeouts  # chalice name -> the template's Timeout
        self.uploads_bucket = get_settings().uploads_bucket

    def _invoke(self, name: str, event_: dict[str, Any]) -> Any:
        """`client.lambda_.invoke`, but with the function's timeout: chalice.test gives
        every function 3 s, which cuts a job's run (deadline = remaining - 20 s) short."""
        from chalice.local import LambdaContext

        context = LambdaContext(name, memory_size=512, max_runtime_ms=self.timeouts[name] * 1000)
        return self.api.client._app.handler_map[name](event_, context)

    def request(self, method, path, token, body=None, *, raw=None, headers=None):  # type: ignore[no-untyped-def]
        bearer = self.api.make_token(token[0], token[1], sub=token[2]) if token else None
        r = self.api.request(method, path, body, token=bearer, raw=raw, headers=headers)
        return r.status_code, dict(r.headers), json.loads(r.body) if r.body else None

    def run_job(self, name: str) -> Any:
        return self._invoke(name, scheduled_event(name, _NoName()))

    def verify_upload(self, key: str, size: int) -> Any:
        event_ = object_created_event("rule", self.uploads_bucket, key, size)
        return self._invoke("verify_upload", event_)


class _NoName:
    name = "chalice-test"


class HarnessSide(Side):
    started_state = "queued"

    def __init__(self, harness: Harness, make_token: TokenFactory) -> None:
        self.harness = harness
        self.make_token = make_token
        (rule,) = harness.stack.object_created_rules()
        self.upload_rule = rule
        self.uploads_bucket = harness.resolver.resolve(rule.bucket)
        self.functions_seen: list[str] = []

    def request(self, method, path, token, body=None, *, raw=None, headers=None):  # type: ignore[no-untyped-def]
        hdrs = {"Content-Type": "application/json", **(headers or {})}
        if token:
            bearer = self.make_token(
                token[0],
                token[1],
                sub=token[2],
                issuer=self.harness.issuer,
                audience=self.harness.audience,
            )
            hdrs["Authorization"] = f"Bearer {bearer}"
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        r = self.harness.gateway.request(method, path, headers=hdrs, body=data)
        self.functions_seen += [res.invocation.function_arn.rsplit(":", 1)[-1] for res in r.results]
        return r.status, r.headers, r.json() if r.body else None

    def settle(self) -> None:
        service = self.harness.lambda_service
        service.settle()
        assert not service.failures, [(f.payload, f.logs[-20:]) for f in service.failures]
        self.functions_seen += service.invoked

    def run_job(self, name: str) -> Any:
        from infra.catalog import cfn_name

        (schedule,) = [s for s in self.harness.stack.schedules() if s.function == cfn_name(name)]
        function = self.harness.functions[schedule.function]
        result = self.harness.invoke(
            function.logical_id, scheduled_event(schedule.rule_name, function)
        )
        assert result.ok, result.payload
        return result.payload

    def verify_upload(self, key: str, size: int) -> Any:
        event_ = object_created_event(self.upload_rule.rule_name, self.uploads_bucket, key, size)
        result = self.harness.invoke(self.upload_rule.function, event_)
        assert result.ok, result.payload
        return result.payload


def scenario(side: Side) -> list[Any]:
    """Every blueprint once (registry, campaigns, sources, webhooks, admin jobs, KPI,
    nominations with a verified file, reports, OpenAPI, health), every scheduled job, the
    upload verifier, and the errors API Gateway and the authorizer produce."""
    out: list[Any] = []

    def step(label: str, *args: Any, **kwargs: Any) -> Any:
        status, headers, body = side.request(*args, **kwargs)
        request_id = next((v for k, v in headers.items() if k.lower() == "x-request-id"), None)
        assert request_id, f"{label}: no X-Request-Id ({headers})"
        if status >= 400:
            assert body["error"]["request_id"] == request_id, (label, body)
        out.append((label, status, body))
        return body

    step("registry", "POST", "/admin/units", ADMIN, {"units": UNITS, "officials": OFFICIALS})
    step("campaign", "POST", "/admin/campaigns", ADMIN, CAMPAIGN)
    step("unit", "GET", f"/units/{DEPARTMENT}", ADMIN)
    step("campaign read", "GET", f"/campaigns/{CAMPAIGN['campaign_id']}", ADMIN)
    source = step(
        "source",
        "POST",
        "/admin/sources",
        ADMIN,
        {"source_id": "parity-src", "name": "QLVB", "units": [UNITS[0]["unit_id"]]},
    )
    day = (TODAY - dt.timedelta(days=2)).isoformat()
    data = encode(
        [
            event("p1", at=f"{day}T09:00:00+07:00"),
            event("p2", "document.signed", at=f"{day}T10:00:00+07:00"),
        ]
    )
    step(
        "webhook",
        "POST",
        "/webhooks/parity-src",
        None,
        raw=data,
        headers=sign(source["secret"], data),
    )
    step(
        "webhook bad signature",
        "POST",
        "/webhooks/parity-src",
        None,
        raw=data,
        headers=sign("whsec_" + "A" * 32, data),
    )
    # A job started by hand: 202 with its run. Under the runtime client the API invokes the
    # RunJob function asynchronously (the harness's Lambda stand-in runs it) and answers the
    # run queued; in-process the answer already shows how it ended. Once it has run, both
    # sides show the same run: state and result.
    status, _, started = side.request("POST", "/admin/jobs/verify_uploads", ADMIN)
    assert status == 202, started
    assert started["state"] == side.started_state, started
    out.append(("admin job", status, {"job": started["job"], "run_id": started["run_id"]}))
    side.settle()
    step("admin job run", "GET", f"/admin/jobs/verify_uploads/runs/{started['run_id']}", ADMIN)
    step("kpi", "GET", f"/units/{DEPARTMENT}/kpi?from={day}&to={day}", ADMIN)
    nomination = step(
        "nomination",
        "POST",
        f"/campaigns/{CAMPAIGN['campaign_id']}/nominations",
        ADMIN,
        {"kind": "collective", "summary": "Thành tích", "nominee_unit_id": DEPARTMENT},
    )
    nid = nomination["nomination_id"]
    content = pdf()
    issued = step(
        "file ticket",
        "POST",
        f"/nominations/{nid}/files",
        ADMIN,
        {
            "filename": "Tờ trình.pdf",
            "content_type": "application/pdf",
            "size": len(content),
            "category": "to_trinh",
        },
    )
    upload(issued, content)  # to the presigned POST: moto in-process, or the moto server
    key = issued["upload"]["fields"]["key"]
    out.append(("verify_upload", side.verify_upload(key, len(content))))
    step("files", "GET", f"/nominations/{nid}/files", ADMIN)
    step("reports", "GET", f"/reports?campaign_id={CAMPAIGN['campaign_id']}&scope=province", ADMIN)
    step("openapi", "GET", "/openapi.json", ADMIN)
    step("health", "GET", "/health", None)
    for job in ("aggregate_kpi", "monthly_reports", "campaign_reports"):
        out.append((f"job {job}", side.run_job(job)))
        if job == "aggregate_kpi":
            assert out[-1][1]["events"] == 2, out[-1]  # the webhook's two events
    step("kpi after aggregation", "GET", f"/units/{DEPARTMENT}/kpi?from={day}&to={day}", ADMIN)
    # Refusals: no token, a bad token, a role without access, an unknown id and route,
    # a body that is not JSON.
    step("no token", "GET", "/units", None)
    step("bad token", "GET", "/units", ("province_admin", None, "x"), headers={})
    step(
        "forbidden", "POST", "/admin/units", ("unit_officer", DEPARTMENT, "officer"), {"units": []}
    )
    step("not found", "GET", "/units/no-such-unit", ADMIN)
    step("unknown route", "GET", "/no/such/route", ADMIN)
    step("bad json", "POST", "/admin/units", ADMIN, raw=b"{not json")
    return out


def normalise(value: Any, names: dict[str, str]) -> Any:
    if isinstance(value, dict):
        return {
            k: "<volatile>" if k in VOLATILE_KEYS else normalise(v, names) for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [normalise(v, names) for v in value]
    if isinstance(value, str):
        if TIMESTAMP.match(value):
            return "<timestamp>"
        return GENERATED_ID.sub(lambda m: names.setdefault(m.group(), f"<id{len(names)}>"), value)
    return value


@pytest.fixture
def chalice_side(api: Any, harness: Harness) -> Callable[[], Side]:
    from app import app
    from infra.catalog import cfn_name

    timeouts = {
        name: harness.functions[cfn_name(name)].timeout_s
        for name in app.handler_map
        if cfn_name(name) in harness.functions
    }
    return lambda: ChaliceSide(api, timeouts)


def test_the_package_under_the_runtime_client_answers_as_under_chalice_test(
    harness: Harness, make_token: TokenFactory, chalice_side: Callable[[], Side]
) -> None:
    from infra.catalog import cfn_name

    # The prod stage's sweep leaves inbox items younger than SWEEP_MIN_AGE_SECONDS (300 s)
    # to the stream consumer, which this scenario does not run (the stream test below
    # does) and cannot wait for: its sweep takes them at once, as the in-process side's
    # default (0) does.
    sweep = cfn_name("aggregate_kpi")
    harness.overrides[sweep] = {"SWEEP_MIN_AGE_SECONDS": "0"}
    harness.reset()  # the same empty start as the in-process side (and the override)
    lambda_side = HarnessSide(harness, make_token)
    expected = normalise(scenario(chalice_side()), {})
    try:
        got = normalise(scenario(lambda_side), {})
    finally:
        harness.overrides.pop(sweep)
    for want, have in zip(expected, got, strict=True):
        assert have == want, f"{want[0]}: differs under the runtime client"
    # Every function behind the API ran, RunJob included (the others: test_functions, and
    # the stream below).
    event_driven = (
        {s.function for s in harness.stack.schedules()}
        | {r.function for r in harness.stack.object_created_rules()}
        | {s.function for s in harness.stack.stream_sources()}
    )
    # SesFeedback is invoked by SES's SNS topic, not behind an API route. RunJob is: the
    # API invokes it for POST /admin/jobs/{name}.
    not_routes = {"SesFeedback"}
    behind_api = {
        f.name
        for k, f in harness.functions.items()
        if k not in event_driven and not any(k.startswith(n) for n in not_routes)
    }
    assert set(lambda_side.functions_seen) >= behind_api
    # Within the memory the template gives each function (peak resident set).
    for process in harness.started().values():
        assert process.peak_rss_mb() < process.function.memory_mb, process.function.name


def test_the_stream_consumer_folds_the_records_the_inbox_stream_holds(harness: Harness) -> None:
    """After the scenario's webhook, the inbox table's stream holds its records: read from
    moto's stream in the event shape Lambda's event source mapping delivers
    (scripts.stream_poller), given to the function cold, then again warm (a redelivery,
    as after a retry: folding is idempotent)."""
    import boto3
    from botocore.config import Config

    from scripts.stream_poller import StreamPoller

    (source,) = harness.stack.stream_sources()
    function = harness.functions[source.function]
    table = harness.moto.client("dynamodb").describe_table(TableName=source.table_name)["Table"]
    batches: list[dict[str, Any]] = []

    def collect(event_: dict[str, Any]) -> Any:
        batches.append(event_)
        return {"batchItemFailures": []}

    streams = boto3.client(
        "dynamodbstreams",
        region_name="ap-southeast-1",
        endpoint_url=harness.moto.url,
        aws_access_key_id="harness",
        aws_secret_access_key="harness",
        config=Config(account_id_endpoint_mode="disabled"),
    )
    StreamPoller(
        collect, table["LatestStreamArn"], streams, "ap-southeast-1", batch_size=source.batch_size
    ).poll_once(flush=True)
    assert batches, "the scenario's webhook left no record on the inbox stream"
    event_ = batches[0]
    for cold in (True, False):
        result = harness.invoke(source.function, event_, fresh=cold)
        assert result.ok, (result.payload, result.logs[-20:])
        assert result.payload == {"batchItemFailures": []}, result.payload
        segment = harness.xray.wait_for(result.trace_root, f"## {function.name}")
        assert segment["annotations"]["ColdStart"] is cold
        assert segment["annotations"]["event_type"] == "aws:dynamodb"

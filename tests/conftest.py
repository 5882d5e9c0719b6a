"""Shared fixtures: an empty moto backend per test, a test signing key, tokens,
and the Chalice test client (API Gateway behaviour mirrored locally)."""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

# Settings are read once per process: fix them before anything imports the app.
_KEY_DIR = Path(tempfile.mkdtemp(prefix="kg-test-keys-"))
TEST_ENVIRONMENT = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "ap-southeast-1",
    "AWS_REGION": "ap-southeast-1",
    "STAGE": "test",
    "TABLE_PREFIX": "kg-test-",
    "AUTH_JWKS_FILE": str(_KEY_DIR / "jwks.json"),
    "AUTH_ISSUER": "https://auth.test",
    "AUTH_AUDIENCE": "khong-giay-test",
    # No EVENT_MAX_AGE_DAYS, no REDACTION_SETTLE_SECONDS: the defaults run. The fixtures'
    # 2025 campaign sets the service's clock to its own days (tests/factories.py).
    "POWERTOOLS_METRICS_NAMESPACE": "KhongGiayTest",
    "POWERTOOLS_TRACE_DISABLED": "true",
    "POWERTOOLS_METRICS_DISABLED": "true",
    "POWERTOOLS_LOG_LEVEL": "WARNING",
    "POWERTOOLS_DEV": "false",
}
os.environ.update(TEST_ENVIRONMENT)
os.environ.pop("AWS_ENDPOINT_URL", None)
os.environ.pop("AWS_PROFILE", None)
# CORS: the default origins (the local console on port 8080), whatever the shell exports.
os.environ.pop("CORS_ALLOWED_ORIGINS", None)
os.environ.pop("CONSOLE_PORT", None)

from hypothesis import HealthCheck, settings  # noqa: E402

# Hypothesis: "ci" (selected when CI=true) draws the same examples on every run
# (derandomized, no example database) and does not fail a test because a loaded machine
# (eight xdist workers on two cores) generated its data slowly; "dev" (the default) keeps
# random exploration but no deadline and no too_slow either, for the same reason.
settings.register_profile(
    "ci",
    derandomize=True,
    database=None,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE")
    or ("ci" if os.environ.get("CI", "").lower() in {"1", "true", "yes"} else "dev")
)

from scripts.devkeys import ensure_keys, mint_token  # noqa: E402
from scripts.moto_patches import install as install_moto_patches  # noqa: E402
from tests.moto_backend import share_botocore_loader, watch_client_factory  # noqa: E402

ensure_keys(_KEY_DIR)
install_moto_patches()
share_botocore_loader()
watch_client_factory()


@pytest.fixture
def aws() -> Iterator[None]:
    """An empty moto backend with every table and bucket created (tests/moto_backend.py:
    one backend per process, emptied before each test)."""
    from tests.moto_backend import fresh_backend

    with fresh_backend():
        yield


@pytest.fixture(autouse=True)
def _system_clock_and_no_faults_after_each_test() -> Iterator[None]:
    """A test that sets the one clock (`clock_at`, `chalicelib.clock.set_clock`) or arms a
    storage fault (`chalicelib.storage.outages.inject`) leaves the next test on the system
    clock and with working storage."""
    from chalicelib import clock
    from chalicelib.storage import outages

    yield
    clock.set_clock(None)
    outages.clear()


@pytest.fixture(autouse=True)
def _campaign_clock(request: pytest.FixtureRequest) -> None:
    """The API tests' fixtures are the 2025 campaign: the service's clock runs from the
    morning after it (tests/factories.CAMPAIGN_CLOCK), so the real defaults
    (EVENT_MAX_AGE_DAYS, REDACTION_SETTLE_SECONDS) apply to them as in production. A test
    sets another time with `clock_at`."""
    if "api" not in Path(str(request.node.path)).parts:
        return
    from tests.factories import CAMPAIGN_CLOCK

    set_service_clock(CAMPAIGN_CLOCK, ticking=True)


ClockAt = Callable[..., None]


@pytest.fixture
def clock_at() -> ClockAt:
    """Set the service's time (chalicelib.clock, the one clock every module reads):
    `clock_at(moment)` stands still at `moment` until set again; `clock_at(moment,
    ticking=True)` starts at `moment` and runs at the real pace (leases and timeouts still
    pass). The system clock is back after the test."""

    return set_service_clock


def set_service_clock(moment: dt.datetime, *, ticking: bool = False) -> None:
    """The body of `clock_at`, for helpers that take no fixture (tests/nominations.py)."""
    import time

    from chalicelib import clock

    if moment.tzinfo is None:
        raise ValueError("the clock needs a timezone-aware instant")
    if not ticking:
        clock.set_clock(lambda: moment)
        return
    started = time.monotonic()
    clock.set_clock(lambda: moment + dt.timedelta(seconds=time.monotonic() - started))


@pytest.fixture
def setting() -> Iterator[Callable[[str, object], None]]:
    """Set an environment setting for one test (settings are read once, so the cache is
    cleared both ways)."""
    from chalicelib.settings import get_settings

    saved: dict[str, str | None] = {}

    def set_setting(name: str, value: object) -> None:
        saved.setdefault(name, os.environ.get(name))
        os.environ[name] = str(value)
        get_settings.cache_clear()
        # Read now: the Chalice test client runs each request with .chalice/config.json's
        # variables (CAMPAIGN_TIMEZONE among them) over the environment.
        get_settings()

    yield set_setting
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    get_settings.cache_clear()


TokenFactory = Callable[..., str]


@pytest.fixture(scope="session")
def make_token() -> TokenFactory:
    def factory(role: str = "province_admin", unit_id: str | None = None, **kwargs: Any) -> str:
        kwargs.setdefault("issuer", "https://auth.test")
        kwargs.setdefault("audience", "khong-giay-test")
        return mint_token(role, unit_id, directory=_KEY_DIR, **kwargs)

    return factory


def declared_route(method: str, path: str) -> Any:
    """The RouteDoc that serves `method` `path` (query string ignored), as Chalice matches
    it: literal segments win over a {parameter} in the same place."""
    from chalicelib.api.routing import ROUTES

    parts = path.split("?", 1)[0].rstrip("/").split("/")
    best, best_literals = None, -1
    for route in ROUTES:
        template = route.path.split("/")
        if route.method != method.upper() or len(template) != len(parts):
            continue
        if all(t.startswith("{") or t == p for t, p in zip(template, parts, strict=True)):
            literals = sum(not t.startswith("{") for t in template)
            if literals > best_literals:
                best, best_literals = route, literals
    return best


def check_declared_response(method: str, path: str, response: Any) -> None:
    """Every 2xx JSON body matches the response model its route declares (what the OpenAPI
    document promises clients), so a handler cannot drift from its schema unnoticed."""
    from pydantic import ValidationError

    from chalicelib.api.openapi import resolve_model

    if not 200 <= response.status_code < 300 or not response.body:
        return
    route = declared_route(method, path)
    assert route is not None, f"{method} {path} answered {response.status_code}: no route"
    if route.response is None:
        # Only a body that is not a JSON answer (a CSV, a page, the OpenAPI document
        # itself) may go without a model.
        headers = {k.lower(): v for k, v in (getattr(response, "headers", None) or {}).items()}
        json_body = headers.get("content-type", "").startswith("application/json")
        assert not json_body or route.path == "/openapi.json", (
            f"{method} {path} answered {response.status_code} with JSON but declares no "
            "response model"
        )
        return
    try:
        resolve_model(route.response).model_validate_json(response.body)
    except ValidationError as exc:
        raise AssertionError(
            f"{method} {path} answered {response.status_code} with a body that is not its "
            f"declared {route.response}:\n{exc}"
        ) from None


def _check_every_test_client() -> None:
    """Every request through chalice.test, the `api` fixture's or a Client a test builds
    itself, has its 2xx body checked: no test can bypass the check."""
    from chalice.test import TestHTTPClient

    if getattr(TestHTTPClient.request, "checks_declared_response", False):
        return
    original = TestHTTPClient.request

    def request(self: Any, method: str, path: str, headers: Any = None, body: bytes = b"") -> Any:
        response = original(self, method, path, headers=headers, body=body)
        check_declared_response(method, path, response)
        return response

    request.checks_declared_response = True  # type: ignore[attr-defined]
    TestHTTPClient.request = request  # type: ignore[method-assign]


_check_every_test_client()


class Api:
    """chalice.test.Client with JSON helpers and a bearer token per call (every 2xx body
    is checked against the route's declared response model: `_check_every_test_client`)."""

    def __init__(self, client: Any, make_token: TokenFactory) -> None:
        self.client = client
        self.make_token = make_token
        self.admin_token = make_token("province_admin", sub="admin-1")

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        token: str | None = "admin",
        headers: dict[str, str] | None = None,
        raw: bytes | None = None,
    ) -> Any:
        hdrs = {"Content-Type": "application/json"}
        if token == "admin":
            token = self.admin_token
        if token:
            hdrs["Authorization"] = f"Bearer {token}"
        hdrs.update(headers or {})
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else b"")
        # chalice.test's client checks the body against the declared model (above).
        return self.client.http.request(method, path, headers=hdrs, body=data)

    def get(self, path: str, **kw: Any) -> Any:
        return self.request("GET", path, **kw)

    def post(self, path: str, body: Any = None, **kw: Any) -> Any:
        return self.request("POST", path, body, **kw)

    def patch(self, path: str, body: Any = None, **kw: Any) -> Any:
        return self.request("PATCH", path, body, **kw)

    def delete(self, path: str, **kw: Any) -> Any:
        return self.request("DELETE", path, **kw)


@pytest.fixture
def api(aws: None, make_token: TokenFactory) -> Iterator[Api]:
    from chalice.test import Client

    from app import app
    from scripts.local_gateway import install

    install()
    with Client(app) as client:
        yield Api(client, make_token)


def invoke_function(api: Api, name: str, event: Any, *, timeout_seconds: int) -> Any:
    """`api.client.lambda_.invoke`, but with a Lambda context of the function's own timeout
    (chalice.test gives every function 3 s: a job's budget, its remaining time less a safety
    margin, would be cut to its floor). Time is steered this way, never by patching a
    module's private name (tests/unit/test_test_rules.py)."""
    from chalice.local import LambdaContext

    context = LambdaContext(name, memory_size=512, max_runtime_ms=timeout_seconds * 1000)
    return api.client._app.handler_map[name](event, context)


def body(response: Any) -> Any:
    return json.loads(response.body) if response.body else None


SLOW_SOURCE = "e2e-slow"  # the session stack's moto server holds this source's inbox writes
SLOW_WRITE_SECONDS = 2.5


@pytest.fixture(scope="session")
def stack() -> Iterator[Any]:
    """The real local stack (moto server + chalice local + the console's web server) on
    free ports, with the test suite's signing key and issuer: one per session, shared by
    tests/e2e and tests/browser."""
    from scripts.local_stack import LocalStack, free_port

    env = dict(os.environ)
    env.pop("AWS_ENDPOINT_URL", None)
    # A separate process on the system clock, fed the 2025 campaign: it accepts events
    # that old, and settles exemption markers at once (no request races them there). The
    # in-process suite runs the defaults on the campaign's clock instead.
    env.setdefault("EVENT_MAX_AGE_DAYS", "36500")
    env.setdefault("REDACTION_SETTLE_SECONDS", "0")
    # tests/e2e/test_live.py: this source's inbox writes land long after their timestamp.
    env["MOTO_SLOW_INBOX_WRITES"] = f"{SLOW_SOURCE}={SLOW_WRITE_SECONDS}"
    with LocalStack(
        moto_port=free_port(),
        api_port=free_port(),
        console_port=free_port(),
        hub_port=free_port(),
        scheduler=False,
        env=env,
        quiet=True,
    ) as running:
        yield running


@pytest.fixture
def holds_lifted(stack: Any, make_token: TokenFactory) -> Iterator[None]:
    """Holds are not per campaign: one a test records on the shared stack would refuse
    another test's appraisal of the same unit or official. Lift, after the test, every hold
    it recorded (the records stay, marked lifted, as in production)."""
    import requests

    headers = {"Authorization": f"Bearer {make_token('province_admin')}"}

    def active() -> set[str]:
        r = requests.get(f"{stack.api_url}/admin/holds", headers=headers, timeout=30)
        r.raise_for_status()
        return {h["hold_id"] for h in r.json()["items"] if h["active"]}

    before = active()
    yield
    for hold_id in sorted(active() - before):
        r = requests.delete(f"{stack.api_url}/admin/holds/{hold_id}", headers=headers, timeout=30)
        assert r.status_code == 204, r.text


# pytest-xdist (`-n auto --dist loadgroup`, as `make test` runs): every test that uses one
# of these session fixtures runs on the same worker, so the local stack starts and the
# stack is synthesized once per run, not once per worker. The gates and the Lambda harness
# read the same synthesis (tests/synthesis.py), so they share a worker too: on two they
# would both wait for one build.
_SESSION_GROUPS = {"stack": "local-stack", "synth": "synth", "harness": "synth"}


# Marked as each item is collected: xdist turns the marks into node-id suffixes in its own
# pytest_collection_modifyitems, which runs before this conftest's (its worker plugin is
# registered later), so marks added there came too late and no group ever formed.
def pytest_itemcollected(item: pytest.Item) -> None:
    names = set(getattr(item, "fixturenames", ()))
    group = next((g for name, g in _SESSION_GROUPS.items() if name in names), None)
    if group is None:
        # A module-scoped fixture (a simulated month, a rendered report) is built
        # once if its module stays on one worker.
        info = getattr(item, "_fixtureinfo", None)
        defs = info.name2fixturedefs.values() if info is not None else ()
        if any(d.scope == "module" for chain in defs for d in chain):
            group = item.nodeid.split("::", 1)[0]
    if group is not None:
        item.add_marker(pytest.mark.xdist_group(group))


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Give grouped items the `@group` node-id suffix that `--dist loadgroup` schedules by.

    xdist 3.8 writes the suffix to `item._nodeid`, which pytest 9 no longer reads (node ids
    are `NodeId` objects in `item._id`), so without this every group is silently spread over
    all workers and each worker starts its own local stack, synth and Lambda harness.
    """
    if not getattr(config.option, "loadgroup", False):
        return
    from _pytest.nodeid import NodeId

    for item in items:
        groups = sorted({str(m.args[0]) for m in item.iter_markers("xdist_group") if m.args})
        if groups and "@" not in item.nodeid:
            item._id = NodeId.parse(f"{item.nodeid}@{'_'.join(groups)}")

"""API fuzzing: schemathesis against the served OpenAPI document and the real local stack.

The operations come from the app's OpenAPI document (scripts.write_openapi.render(), the
builder GET /openapi.json serves; a test below checks the stack serves exactly it), so
routes added later are fuzzed without touching this file. It is loaded at collection:
schemathesis's fixture-loaded schemas (schemathesis.pytest.from_fixture) fail under
pytest 9.2 (they set Node._nodeid, which pytest 9.2 no longer has). Every
bearer-authenticated operation is called once per role with a valid token; each response
must not be a 5xx and must conform to the document: a documented status code, content
type, headers and body schema.

Public operations (security `[]`: /health, /openapi.json) are fuzzed too, with the token
sent anyway (they ignore it). Signature-authenticated operations (the webhooks: security
`webhookSignature`) are excluded: they answer 401 to anything not signed, and their behaviour is covered by
tests/api/test_webhooks.py and test_edxml*.py.

The stack is this module's own (fuzzed writes such as registry upserts must not leak
into other end-to-end tests). Before fuzzing it gets the test registry, a campaign, a
source and a few aggregated events, so KPI routes answer with real figures.

Bounded: FUZZ_MAX_EXAMPLES (default 12) examples per operation and role, derandomized
(the same cases every run); schemathesis's coverage phase adds boundary cases and
undeclared methods per operation.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from scripts.local_stack import LocalStack, free_port
from tests.factories import (
    CAMPAIGN,
    COMMUNE,
    DEPARTMENT,
    DIVISION,
    OFFICIALS,
    PROVINCE,
    UNITS,
)
from tests.webhooks import encode, event, sign

pytestmark = pytest.mark.e2e

MAX_EXAMPLES = int(os.environ.get("FUZZ_MAX_EXAMPLES", "12"))
# Role -> the unit_id claim of its token.
ROLES: dict[str, str | None] = {
    "province_admin": None,
    "reviewer": None,
    "unit_officer": DEPARTMENT,
    "viewer": None,
}
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
SOURCE_ID = "fuzz-eoffice"


def _events() -> list[dict[str, Any]]:
    at = "2025-07-16T09:00:00+07:00"
    return [
        event("f-1", "document.registered", doc="d-1", at=at, direction="outgoing"),
        event("f-2", "document.signed", doc="d-1", at=at),
        event("f-3", "document.issued", doc="d-1", at=at),
        event("f-4", "document.sent", doc="d-1", at=at),
        event("f-5", "document.processed", doc="d-2", at=at),
        event("f-6", "document.processed", doc="d-3", at=at, channel="paper"),
        event("f-7", "document.printed", doc="d-3", at=at),
        event("f-8", "document.received", unit=COMMUNE, doc="d-1", at=at, from_unit_id=DEPARTMENT),
        event("f-9", "document.sent", unit=COMMUNE, doc="d-4", at=at, to_unit_id=DEPARTMENT),
        event("f-10", "document.received", doc="d-4", at=at),
        event(
            "f-11",
            "document.processed",
            unit=DIVISION,
            doc="d-5",
            at=at,
            actor_official_id="cb-003",
        ),
        event("f-12", "official.evaluated", at=at),
        event(
            "f-13",
            "document.processed",
            doc="d-6",
            at=at,
            document={"security": "mat"},
        ),
    ]


@pytest.fixture(scope="module")
def fuzz_stack(make_token) -> Iterator[dict[str, Any]]:
    env = dict(os.environ)
    env.pop("AWS_ENDPOINT_URL", None)
    with LocalStack(
        moto_port=free_port(), api_port=free_port(), scheduler=False, env=env, quiet=True
    ) as stack:
        url = stack.api_url
        admin = {"Authorization": f"Bearer {make_token('province_admin', sub='fuzz-setup')}"}
        for path, body, status in (
            ("/admin/units", {"units": UNITS, "officials": OFFICIALS}, 200),
            ("/admin/campaigns", CAMPAIGN, 201),
            (
                "/admin/sources",
                {"source_id": SOURCE_ID, "name": "E-office (fuzz)", "units": [PROVINCE]},
                201,
            ),
        ):
            r = requests.post(f"{url}{path}", json=body, headers=admin, timeout=30)
            assert r.status_code == status, r.text
            if path == "/admin/sources":
                secret = r.json()["secret"]
        data = encode(_events())
        r = requests.post(
            f"{url}/webhooks/{SOURCE_ID}", data=data, headers=sign(secret, data), timeout=30
        )
        assert r.status_code == 202, r.text
        r = requests.post(f"{url}/admin/jobs/aggregate_kpi", headers=admin, timeout=60)
        assert r.status_code == 202 and r.json()["result"]["events"] == len(_events()), r.text
        tokens = {role: make_token(role, unit, sub=f"fuzz-{role}") for role, unit in ROLES.items()}
        yield {"url": url, "tokens": tokens, "admin": admin, "secret": secret}


def _signature_authenticated(ctx: Any) -> bool:
    security = ctx.operation.definition.raw.get("security") or []
    return any("webhookSignature" in requirement for requirement in security)


def _document() -> dict[str, Any]:
    from scripts.write_openapi import render

    return dict(json.loads(render()))


# Loaded at collection (schemathesis builds one test per operation from it); the last
# test checks it is exactly what the stack serves at GET /openapi.json.
schema = schemathesis.openapi.from_dict(
    _document(),
    config=schemathesis.Config.from_dict(
        {
            "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True},
            "phases": {
                "examples": {"enabled": True},
                "coverage": {"enabled": True},
                "fuzzing": {"enabled": True},
                "stateful": {"enabled": False},
            },
        }
    ),
).exclude(func=_signature_authenticated)


@pytest.mark.parametrize("role", list(ROLES))
@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_response_conforms_to_the_document(case, role, fuzz_stack):
    headers = {"Authorization": f"Bearer {fuzz_stack['tokens'][role]}"}
    response = case.call(base_url=fuzz_stack["url"], headers=headers, timeout=30)
    case.validate_response(response, checks=CHECKS, headers=headers)


def test_the_fuzzed_document_is_the_served_one(fuzz_stack):
    """What the fuzzer loads is what GET /openapi.json serves: the app's document, with
    the webhooks in it (excluded from fuzzing above, not from the document)."""
    served = requests.get(
        f"{fuzz_stack['url']}/openapi.json", headers=fuzz_stack["admin"], timeout=30
    ).json()
    assert served == _document()
    assert any(p.startswith("/webhooks/") for p in served["paths"])


def test_a_content_type_the_route_does_not_take_is_a_documented_415(fuzz_stack):
    """schemathesis sends only the media types an operation declares; Chalice answers
    any other Content-Type with 415 before the handler runs, GET included."""
    document = _document()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if any("webhookSignature" in s for s in operation["security"]):
                continue
            url = fuzz_stack["url"] + path.replace("{", "").replace("}", "")
            headers = {**fuzz_stack["admin"], "Content-Type": "text/plain"}
            r = requests.request(method.upper(), url, data=b"x", headers=headers, timeout=30)
            assert r.status_code == 415, (method, path, r.status_code, r.text)
            assert "415" in operation["responses"], (method, path)
            assert r.json()["error"]["code"] == "unsupported_media_type"


# --- targeted cases the generator does not reach (issue 13, item 5) ---------------------------

DEEP = b"[" * 100_000 + b"]" * 100_000
HUGE = (b'{"n": 1' + b"0" * 5000 + b"}", b'{"n": 1e999}', b'{"n": NaN}')


def _operations(predicate: Any) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, operation)
        for path, operations in _document()["paths"].items()
        for method, operation in operations.items()
        if predicate(operation)
    ]


def _url(fuzz_stack: dict[str, Any], path: str) -> str:
    return fuzz_stack["url"] + path.replace("{", "").replace("}", "")


def test_deep_nesting_and_huge_numbers_are_a_documented_400_on_every_json_operation(fuzz_stack):
    operations = _operations(
        lambda op: "application/json" in op.get("requestBody", {}).get("content", {})
    )
    assert len(operations) >= 8
    for method, path, operation in operations:
        webhook = not any("bearer" in s for s in operation["security"])
        url = _url(fuzz_stack, path.replace("{source_id}", SOURCE_ID))
        for data in (DEEP, *HUGE):
            headers = {**fuzz_stack["admin"], "Content-Type": "application/json"}
            if webhook:
                headers = sign(fuzz_stack["secret"], data)
            r = requests.request(method.upper(), url, data=data, headers=headers, timeout=30)
            assert r.status_code == 400, (method, path, data[:20], r.text[:200])
            assert "400" in operation["responses"], (method, path)
            assert r.json()["error"]["code"] == "bad_request"


def test_forged_and_expired_page_tokens_are_a_documented_400_on_every_paged_operation(
    fuzz_stack,
):
    import base64
    import datetime as dt

    from chalicelib.api.http import encode_token

    forged = base64.urlsafe_b64encode(b'{"x":"y"}').decode()
    past = dt.datetime.now(dt.UTC) - dt.timedelta(days=2)
    operations = _operations(
        lambda op: any(p["name"] == "next_token" for p in op.get("parameters", []))
    )
    assert len(operations) >= 5
    for method, path, operation in operations:
        names = {"after", "official_id", "seq", "report_id", "listing_key"}
        expired = [encode_token({n: "a"}, now=past) for n in names]
        for token in (forged, "%%%", *expired):
            r = requests.request(
                method.upper(),
                _url(fuzz_stack, path),
                params={"next_token": token},
                headers=fuzz_stack["admin"],
                timeout=30,
            )
            assert r.status_code == 400, (method, path, token, r.text[:200])
            assert "400" in operation["responses"], (method, path)
            assert "next_token" in r.json()["error"]["message"]

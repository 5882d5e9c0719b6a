"""API fuzzing: schemathesis against the served OpenAPI document and the real local stack,
with every check schemathesis has and its stateful phase, once per role.

The operations come from the app's OpenAPI document (scripts.write_openapi.render(), the
builder GET /openapi.json serves; a test below checks the stack serves exactly it), so
routes added later are fuzzed without touching this file. It is loaded at collection:
schemathesis's fixture-loaded schemas (schemathesis.pytest.from_fixture) fail under
pytest 9.2 (they set Node._nodeid, which pytest 9.2 no longer has). Every
bearer-authenticated operation is called once per role with a valid token, and every
response goes through every check (CHECKS: all that schemathesis registers, so a check a
new schemathesis adds runs too): no 5xx; status, content type, headers and body as
documented; schema-valid data accepted (positive_data_acceptance) and schema-invalid data
refused (negative_data_rejection); missing required headers refused; undeclared methods
answered 405 with Allow; authentication enforced (ignored_auth); and, in the stateful
phase (test_stateful_sequences_conform_to_the_document), sequences of calls linked by the
responses (a created nomination read, edited, listed) with use_after_free and
ensure_resource_availability.

What a document cannot say is configured in one place, EXPECTED below, one entry per case
with why; nothing else is tolerated. Public operations (security `[]`) are fuzzed too, with
the token sent anyway. Signature-authenticated operations (the webhooks: security
`webhookSignature`) are excluded: they answer 401 to anything not signed, and their
behaviour is covered by tests/api/test_webhooks.py and test_edxml*.py.

The stack is this module's own (fuzzed writes such as registry upserts must not leak
into other end-to-end tests). Before fuzzing it gets the test registry, a campaign, a
source and a few aggregated events, so KPI routes answer with real figures.

Bounded: FUZZ_MAX_EXAMPLES (default below) examples per operation and role, and
FUZZ_STATEFUL_EXAMPLES scenarios per role, derandomized (the same cases every run);
schemathesis's coverage phase adds boundary cases and undeclared methods per operation.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import CHECKS as REGISTERED_CHECKS
from schemathesis.checks import load_all_checks
from schemathesis.generation.stateful import run_state_machine_as_test

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

# In the suite: a few generated cases per operation and role (about a minute on two
# cores). `make fuzz` runs the thorough pass: more examples and schemathesis's coverage
# phase (every boundary and every kind of invalid value of every parameter).
MAX_EXAMPLES = int(os.environ.get("FUZZ_MAX_EXAMPLES", "1"))
STATEFUL_EXAMPLES = int(os.environ.get("FUZZ_STATEFUL_EXAMPLES", "2"))
COVERAGE = os.environ.get("FUZZ_COVERAGE", "0") == "1"
# In the suite each operation is fuzzed as one of the roles it admits (x-roles), the roles
# taking turns so every role is exercised; FUZZ_EVERY_ROLE=1 (make fuzz) fuzzes every
# operation as every role, refused ones included.
EVERY_ROLE = os.environ.get("FUZZ_EVERY_ROLE", "0") == "1"
# Role -> the unit_id claim of its token.
ROLES: dict[str, str | None] = {
    "province_admin": None,
    "reviewer": None,
    "unit_officer": DEPARTMENT,
    "viewer": None,
    "council_member": None,
}
load_all_checks()
CHECKS = list(REGISTERED_CHECKS.get_all())


@dataclass(frozen=True)
class Expected:
    """A failure the document cannot prevent: `failure` (schemathesis's failure class) on
    operations whose "METHOD path" matches `operations`, answered `status` with an error
    message containing `says`. `why` is the reason, in words."""

    failure: str
    operations: str
    status: int
    says: str
    why: str

    def covers(self, failure: Any, case: Any, response: Any) -> bool:
        if type(failure).__name__ != self.failure or response.status_code != self.status:
            return False
        if not re.search(self.operations, f"{case.method} {case.operation.path}"):
            return False
        try:
            message = json.dumps(response.json(), ensure_ascii=False)
        except ValueError:
            return False
        return self.says in message


POSITIVE = "RejectedPositiveData"
# The expectations a document cannot express, and only those (issue 20, item 3).
EXPECTED = (
    Expected(
        POSITIVE,
        r".",
        400,
        "'next_token'",
        "A page token is opaque: the document states its alphabet and length, but only a "
        "token the service issued for that listing (and not expired) names a page; a "
        "generated one is a 400. Real tokens are followed in the stateful phase.",
    ),
    Expected(
        POSITIVE,
        r".",
        400,
        "'to' is before 'from'",
        "A rule across two parameters (from not after to): in the operation's description.",
    ),
    Expected(
        POSITIVE,
        r".",
        400,
        "A range may span at most",
        "A range's length (to - from, with a missing end taken from the campaign's dates "
        "in storage) is a rule across parameters and stored state: in the description.",
    ),
    Expected(
        POSITIVE,
        r".",
        422,
        "",
        "422 answers a reference to stored state that does not exist (a unit, an official "
        "or a nomination named in the body): the operation lists 422 and says so; which "
        "ids exist is data, not schema.",
    ),
    Expected(
        POSITIVE,
        r"^POST /admin/units$",
        400,
        "nothing was applied",
        "The rows must form a tree with the registry (a known parent of the right level, "
        "no cycle, no duplicate, not its own parent): rules across rows and on stored state, "
        "all reported at once.",
    ),
    Expected(
        POSITIVE,
        r"^PUT /campaigns/\{campaign_id\}/councils/",
        400,
        "a council has at most one chair",
        "A rule across the members of a list (one chair).",
    ),
    Expected(
        POSITIVE,
        r"^POST /meetings/\{meeting_id\}/written-votes$",
        400,
        "Input should be an object",
        "schemathesis 4.32's coverage phase, asked for a near-boundary string of the scan's "
        "5,592,408 characters, sends the body `0` labelled positive: a generator limit.",
    ),
    Expected(
        POSITIVE,
        r"^POST /admin/campaigns$",
        400,
        "end_date is before start_date",
        "A rule across two fields (a campaign ends on or after its start).",
    ),
    Expected(
        POSITIVE,
        r"^POST /admin/campaigns$",
        400,
        "weights must not all be zero",
        "A rule across the weights (some weight positive).",
    ),
    Expected(
        POSITIVE,
        r"^POST /campaigns/\{campaign_id\}/nominations$",
        400,
        " nomination names nominee_",
        "A rule across fields: the kind says which nominee field is given.",
    ),
    Expected(
        POSITIVE,
        r"^POST /nominations/\{nomination_id\}/appraisal$",
        400,
        "a reason is required for",
        "A rule across fields: an appraisal that returns the dossier needs a reason.",
    ),
    Expected(
        POSITIVE,
        r"^POST /admin/holds$",
        400,
        "a hold's subject names either unit_id or official_id",
        "A rule across two fields of the subject: exactly one of them.",
    ),
    Expected(
        POSITIVE,
        r"^POST /nominations/\{nomination_id\}/review$",
        400,
        "a reason is required to",
        "A rule across fields: rejecting or returning needs a reason.",
    ),
    Expected(
        POSITIVE,
        r"^(POST /campaigns/\{campaign_id\}/initiatives|PATCH /initiatives/)",
        400,
        "an author names either official_id or unit_id",
        "A rule across two fields of an author: exactly one of them.",
    ),
    Expected(
        POSITIVE,
        r"^PATCH /results-reports/",
        400,
        "name at least one of done",
        "A rule across the sections: at least one given as text.",
    ),
    Expected(
        POSITIVE,
        r"^POST /admin/campaigns$",
        400,
        "each initiative criterion key appears once",
        "Distinct keys across the items of a list: JSON Schema's uniqueItems compares whole "
        "items, not one property of them.",
    ),
    Expected(
        POSITIVE,
        r"^PUT /campaigns/\{campaign_id\}/councils/",
        400,
        "each member's sub appears once",
        "Distinct members (by sub) across the items of a list: as above.",
    ),
    Expected(
        POSITIVE,
        r"^POST /campaigns/\{campaign_id\}/initiatives$",
        400,
        "Name the registering unit_id",
        "A rule on the caller's role (a province admin names the unit; a unit officer's "
        "defaults to its own): one document serves every role.",
    ),
    Expected(
        POSITIVE,
        r"results-reports",
        400,
        "required for a unit officer",
        "A rule on the caller's role (a unit officer names its own unit or a sub-unit as "
        "parent_id; a province role may leave it out): one document serves every role.",
    ),
    Expected(
        POSITIVE,
        r"^(GET|POST) /public/unsubscribe$",
        400,
        "This unsubscribe link is not valid",
        "The token is opaque and signed: only a link the service mailed is valid.",
    ),
    Expected(
        POSITIVE,
        r"^POST /admin/units$",
        400,
        "CSV",
        "A text/csv body is a CSV table (header and rows as the description says); a string "
        "schema cannot state CSV's grammar.",
    ),
)


def _expected(context: Any, failure: Any, case: Any, response: Any) -> bool:
    """schemathesis's filter_failure hook: keep a failure unless EXPECTED covers it."""
    return not any(e.covers(failure, case, response) for e in EXPECTED)


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
    # A separate process on the system clock, seeded with 2025 events (as tests/conftest's
    # stack): it accepts events that old.
    env.setdefault("EVENT_MAX_AGE_DAYS", "36500")
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
DOCUMENT = _document()
LABELS = sorted(f"{m.upper()} {p}" for p, ops in DOCUMENT["paths"].items() for m in ops)
schema = schemathesis.openapi.from_dict(
    DOCUMENT,
    config=schemathesis.Config.from_dict(
        {
            "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True},
            "phases": {
                "examples": {"enabled": COVERAGE},
                "coverage": {"enabled": COVERAGE},
                "fuzzing": {"enabled": True},
                "stateful": {"enabled": True},
            },
        }
    ),
).exclude(func=_signature_authenticated)
schema.hook("filter_failure")(_expected)

HYPOTHESIS = {
    "deadline": None,
    "derandomize": True,
    "database": None,
    "suppress_health_check": list(HealthCheck),
}


def _turn(operation: Any) -> str:
    """The role an operation is fuzzed as in the suite: one it admits, in turn."""
    raw = operation.definition.raw
    admitted = [r for r in ROLES if r in (raw.get("x-roles") or ROLES)] or list(ROLES)
    return admitted[LABELS.index(operation.label) % len(admitted)]


def _headers(fuzz_stack: dict[str, Any], role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {fuzz_stack['tokens'][role]}"}


@pytest.mark.parametrize("role", list(ROLES))
@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, **HYPOTHESIS)
def test_every_response_conforms_to_the_document(case, role, fuzz_stack):
    if not EVERY_ROLE and role != _turn(case.operation):
        pytest.skip(f"{role} is not this operation's turn (FUZZ_EVERY_ROLE=1 runs every role)")
    headers = _headers(fuzz_stack, role)
    response = case.call(base_url=fuzz_stack["url"], headers=headers, timeout=30)
    case.validate_response(response, checks=CHECKS, headers=headers)


@pytest.mark.parametrize("role", list(ROLES))
def test_stateful_sequences_conform_to_the_document(role, fuzz_stack):
    """The stateful phase: schemathesis chains operations by the links it finds between
    their responses and parameters (an id one returns, another takes), with every check."""
    headers = _headers(fuzz_stack, role)
    url = fuzz_stack["url"]

    class Sequences(schema.as_state_machine()):  # type: ignore[misc]
        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            return {"base_url": url, "headers": headers, "timeout": 30}

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            case.validate_response(
                response,
                checks=CHECKS,
                headers=headers,
                transport_kwargs=kwargs,
                recorder=self.recorder,
            )

    run_state_machine_as_test(
        Sequences,
        settings=settings(max_examples=STATEFUL_EXAMPLES, stateful_step_count=6, **HYPOTHESIS),
    )


def test_every_check_schemathesis_has_runs():
    names = {check.__name__ for check in CHECKS}
    assert {
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_headers_conformance",
        "response_schema_conformance",
        "negative_data_rejection",
        "positive_data_acceptance",
        "missing_required_header",
        "unsupported_method",
        "allow_header_conformance",
        "use_after_free",
        "ensure_resource_availability",
        "ignored_auth",
    } <= names


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
        # As a role the operation admits: the body is read only after the role check.
        role = (operation.get("x-roles") or ["province_admin"])[0]
        auth = {"Authorization": f"Bearer {fuzz_stack['tokens'][role]}"}
        for data in (DEEP, *HUGE):
            headers = {**auth, "Content-Type": "application/json"}
            if webhook:
                headers = sign(fuzz_stack["secret"], data)
            r = requests.request(method.upper(), url, data=data, headers=headers, timeout=30)
            if r.status_code == 413:  # a route with a smaller body limit than DEEP's size
                assert "413" in operation["responses"] and len(data) > 16_000, (method, path)
                continue
            if r.status_code == 429:  # a public route's rate limit, spent by the fuzzing
                assert "429" in operation["responses"] and operation["security"] == [], path
                continue
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

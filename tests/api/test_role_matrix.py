"""The role matrix, derived from the route declarations (routing.ROUTES): every
authenticated route against every role. A role the declaration allows gets through (any
answer but 403); every other role gets the 403 `forbidden` the declaration promises; a unit
officer asking for another unit's ids gets 403 or 404.

The declarations themselves are pinned by POLICY below, reviewed by hand: widening who may
call a route (or dropping a declaration back to the default "every role") fails here, not
only in a code review.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.conftest import body
from tests.factories import COMMUNE, DEPARTMENT
from tests.factories import PROVINCE as PROVINCE_UNIT
from tests.nominations import created, officer, setup

ADMIN = ("province_admin",)
PROVINCE = ("province_admin", "reviewer", "viewer")
WRITERS = ("province_admin", "unit_officer")
REVIEWERS = ("province_admin", "reviewer")
ORGANISATION = ("province_admin", "reviewer", "unit_officer", "viewer")
PARENTS = ("province_admin", "reviewer", "unit_officer")
# Who may call each route that not every role may call. Every other authenticated route is
# open to every role (data scoping, e.g. a unit officer's subtree, is the services' part).
POLICY: dict[tuple[str, str], tuple[str, ...]] = {
    ("POST", "/admin/units"): ADMIN,
    ("POST", "/admin/campaigns"): ADMIN,
    ("POST", "/admin/jobs/{name}"): ADMIN,
    ("GET", "/admin/jobs/{name}/runs/{run_id}"): ADMIN,
    ("GET", "/admin/mail"): ADMIN,
    ("GET", "/admin/sources/{source_id}/hub"): ADMIN,
    ("GET", "/admin/sources/{source_id}/deliveries"): ADMIN,
    # A unit's contacts: the organisation reads them; its officers and the admin set them.
    ("GET", "/units/{unit_id}/contacts"): ORGANISATION,
    ("PUT", "/units/{unit_id}/contact-preferences"): WRITERS,
    ("POST", "/admin/sources"): ADMIN,
    ("GET", "/admin/sources"): ADMIN,
    ("PATCH", "/admin/sources/{source_id}"): ADMIN,
    ("DELETE", "/admin/sources/{source_id}"): ADMIN,
    ("POST", "/admin/sources/{source_id}/rotate"): ADMIN,
    ("POST", "/admin/reports"): WRITERS,
    ("GET", "/campaigns/{campaign_id}/interconnection"): PROVINCE,
    ("GET", "/campaigns/{campaign_id}/freshness"): PROVINCE,
    ("GET", "/campaigns/{campaign_id}/interconnection/cross-check"): PROVINCE,
    ("POST", "/campaigns/{campaign_id}/nominations"): WRITERS,
    ("PATCH", "/nominations/{nomination_id}"): WRITERS,
    ("POST", "/nominations/{nomination_id}/files"): WRITERS,
    ("DELETE", "/nominations/{nomination_id}/files/{file_id}"): WRITERS,
    ("POST", "/nominations/{nomination_id}/submit"): WRITERS,
    ("POST", "/nominations/{nomination_id}/review"): REVIEWERS,
    # A council member sees no unit's figures or dossiers by the role alone.
    ("GET", "/units/{unit_id}"): ORGANISATION,
    ("GET", "/units/{unit_id}/officials"): ORGANISATION,
    ("GET", "/units/{unit_id}/kpi"): ORGANISATION,
    ("GET", "/units/{unit_id}/kpi/daily"): ORGANISATION,
    ("GET", "/units/{unit_id}/officials/kpi"): ORGANISATION,
    ("GET", "/officials/{official_id}/kpi"): ORGANISATION,
    ("GET", "/nominations/{nomination_id}"): ORGANISATION,
    ("GET", "/nominations/{nomination_id}/files"): ORGANISATION,
    ("GET", "/nominations/{nomination_id}/audit"): ORGANISATION,
    ("PUT", "/campaigns/{campaign_id}/councils/{kind}"): ADMIN,
    ("GET", "/campaigns/{campaign_id}/councils/{kind}"): (*PROVINCE, "council_member"),
    ("POST", "/campaigns/{campaign_id}/results-reports"): WRITERS,
    ("GET", "/campaigns/{campaign_id}/results-reports"): ORGANISATION,
    ("GET", "/results-reports/{results_report_id}"): ORGANISATION,
    ("PATCH", "/results-reports/{results_report_id}"): WRITERS,
    ("POST", "/results-reports/{results_report_id}/files"): WRITERS,
    ("GET", "/results-reports/{results_report_id}/files"): ORGANISATION,
    ("POST", "/results-reports/{results_report_id}/submit"): WRITERS,
    ("POST", "/results-reports/{results_report_id}/return"): PARENTS,
    ("POST", "/campaigns/{campaign_id}/results-reports/consolidated"): PARENTS,
    ("GET", "/units/{unit_id}/results-reports/{campaign_id}"): ORGANISATION,
    # The awards council's meeting: the secretary (or the admin) runs it, members vote.
    ("POST", "/campaigns/{campaign_id}/meetings"): ("province_admin", "council_member"),
    ("GET", "/campaigns/{campaign_id}/meetings"): (*PROVINCE, "council_member"),
    ("GET", "/meetings/{meeting_id}"): (*PROVINCE, "council_member"),
    ("PUT", "/meetings/{meeting_id}/attendance"): ("province_admin", "council_member"),
    ("POST", "/meetings/{meeting_id}/written-votes"): ("province_admin", "council_member"),
    ("POST", "/meetings/{meeting_id}/open"): ("province_admin", "council_member"),
    ("POST", "/meetings/{meeting_id}/ballots"): ("council_member",),
    ("POST", "/meetings/{meeting_id}/close"): ("province_admin", "council_member"),
    ("POST", "/meetings/{meeting_id}/runoff"): ("province_admin", "council_member"),
    ("GET", "/meetings/{meeting_id}/documents"): (*PROVINCE, "council_member"),
    ("POST", "/campaigns/{campaign_id}/initiatives"): WRITERS,
    ("PATCH", "/initiatives/{initiative_id}"): WRITERS,
    ("POST", "/initiatives/{initiative_id}/files"): WRITERS,
    ("DELETE", "/initiatives/{initiative_id}/files/{file_id}"): WRITERS,
    ("POST", "/initiatives/{initiative_id}/submit"): WRITERS,
    ("POST", "/initiatives/{initiative_id}/return"): (*REVIEWERS, "council_member"),
    ("POST", "/initiatives/{initiative_id}/scores"): ("council_member",),
    ("GET", "/initiatives/{initiative_id}/scores"): (*PROVINCE, "council_member"),
    ("POST", "/campaigns/{campaign_id}/initiatives/assessment/close"): (
        "province_admin",
        "council_member",
    ),
    ("GET", "/initiatives/{initiative_id}/audit"): ORGANISATION,
    ("GET", "/nominations/{nomination_id}/appraisal"): REVIEWERS,
    ("POST", "/nominations/{nomination_id}/appraisal"): REVIEWERS,
    ("POST", "/admin/holds"): ADMIN,
    ("GET", "/admin/holds"): ADMIN,
    ("DELETE", "/admin/holds/{hold_id}"): ADMIN,
    ("POST", "/campaigns/{campaign_id}/posting"): ADMIN,
    ("GET", "/campaigns/{campaign_id}/posting"): PROVINCE,
    ("GET", "/campaigns/{campaign_id}/feedback"): PROVINCE,
    ("POST", "/feedback/{feedback_id}/resolve"): REVIEWERS,
}
# Path parameters whose value names something inside one unit's subtree: a unit officer of
# another unit asking for it is refused (403) or told it does not exist (404).
SCOPED_PARAMS = {"unit_id", "official_id", "nomination_id", "results_report_id", "initiative_id"}
# Valid bodies where an empty one would be refused (400) before the scoping is decided.
BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("PATCH", "/nominations/{nomination_id}"): {"summary": "Thành tích mới"},
    ("POST", "/nominations/{nomination_id}/files"): {
        "filename": "to-trinh.pdf",
        "content_type": "application/pdf",
        "size": 1000,
        "category": "to_trinh",
    },
    ("PATCH", "/results-reports/{results_report_id}"): {"sections": {"done": "Xong"}},
    ("PUT", "/units/{unit_id}/contact-preferences"): {
        "email": "vanthu@example.gov.vn",
        "unsubscribed": ["digest"],
    },
    ("PATCH", "/initiatives/{initiative_id}"): {"title": "Sáng kiến mới"},
    ("POST", "/initiatives/{initiative_id}/files"): {
        "filename": "minh-chung.pdf",
        "content_type": "application/pdf",
        "size": 1000,
        "category": "other",
    },
    ("POST", "/initiatives/{initiative_id}/return"): {"reason": "Bổ sung"},
    ("POST", "/nominations/{nomination_id}/appraisal"): {"outcome": "eligible"},
    ("POST", "/campaigns/{campaign_id}/posting"): {"opens_on": "2025-08-29"},
    ("POST", "/feedback/{feedback_id}/resolve"): {"note": "Đã trả lời"},
    ("POST", "/admin/holds"): {
        "subject": {"unit_id": "000.00.72.H34"},
        "kind": "audit",
        "reason": "Kiểm toán",
        "from": "2025-01-01",
    },
    ("POST", "/campaigns/{campaign_id}/initiatives"): {
        "title": "Sổ công văn điện tử",
        "description": "Số hóa",
        "benefit": "Giảm giấy",
        "applied_from": "2025-03-01",
        "authors": [{"official_id": "cb-002"}],
    },
    ("POST", "/results-reports/{results_report_id}/return"): {"reason": "Thiếu số liệu"},
    ("POST", "/results-reports/{results_report_id}/files"): {
        "filename": "bao-cao.pdf",
        "content_type": "application/pdf",
        "size": 1000,
        "category": "other",
    },
}


def _routes() -> list[Any]:
    import app  # noqa: F401 - registers every route
    from chalicelib.api.routing import ROUTES

    return sorted((r for r in ROUTES if r.auth), key=lambda r: (r.path, r.method))


AUTHENTICATED = _routes()


def _id(route: Any) -> str:
    return f"{route.method} {route.path}"


def test_the_declarations_are_the_reviewed_policy():
    from chalicelib.auth import ROLES

    declared = {(r.method, r.path): r.roles for r in AUTHENTICATED}
    assert set(POLICY) <= set(declared), set(POLICY) - set(declared)
    for key, roles in declared.items():
        expected = POLICY.get(key, ROLES)
        assert set(roles) == set(expected), (key, roles, expected)
    # Every admin route is admin-only, except generating a report (a unit officer may
    # generate its own unit's).
    for (method, path), roles in declared.items():
        if path.startswith("/admin/") and (method, path) != ("POST", "/admin/reports"):
            assert roles == ADMIN, (method, path)


def test_no_route_copies_its_roles_in_words():
    """Who may call a route is its `roles=` tuple (shown as the OpenAPI description's
    "Roles:" line): no summary or description repeats it in words beside it, where it
    would drift from what is enforced. What a role sees within a route is `scope=`."""
    import re

    from chalicelib.api.routing import ROUTES
    from chalicelib.auth import ROLES

    role_id = re.compile(r"\b(" + "|".join(ROLES) + r")\b")
    copy = re.compile(
        r"\([^)]*\b(roles?|admins?|officers?|reviewers?|viewers?)\b[^)]*\)"
        r"|\b(every|all|any) roles?\b|\badmins? only\b|\bonly (the )?(province )?admins?\b",
        re.I,
    )
    found = [
        (f"{r.method} {r.path}", text)
        for r in ROUTES
        for text in (r.summary, r.description)
        if role_id.search(text) or copy.search(text)
    ]
    assert not found, found


def test_the_openapi_document_shows_each_declaration():
    from chalicelib.api.openapi import build_openapi

    paths = build_openapi()["paths"]
    for route in AUTHENTICATED:
        op = paths[route.path][route.method.lower()]
        assert op["x-roles"] == list(route.roles), _id(route)
        assert op["description"].startswith(f"Roles: {', '.join(route.roles)}."), _id(route)
        if route.scope:
            assert f"Scope: {route.scope}." in op["description"]
        if route.restricted:
            assert "403" in op["responses"], _id(route)


@pytest.fixture
def world(api: Any) -> dict[str, str]:
    """A registry, a campaign, a source and a draft nomination of DEPARTMENT: the values of
    every path parameter, each inside DEPARTMENT's subtree."""
    setup(api)
    r = api.post(
        "/admin/sources", {"source_id": "vpdt-matrix", "name": "VPĐT", "units": [DEPARTMENT]}
    )
    assert r.status_code == 201, r.body
    nomination = created(api, officer(api, DEPARTMENT))
    r = api.post(
        "/campaigns/kh-2025/results-reports",
        {"unit_id": DEPARTMENT, "sections": {"done": "Đã số hóa"}},
        token=officer(api, DEPARTMENT),
    )
    assert r.status_code == 201, r.body
    report = body(r)["results_report_id"]
    r = api.post(
        "/admin/units",
        {"contacts": [{"unit_id": DEPARTMENT, "email": "vanthu@example.gov.vn", "role": "clerk"}]},
    )
    assert r.status_code == 200, r.body
    r = api.request(
        "PUT",
        "/campaigns/kh-2025/councils/initiatives",
        {
            "members": [
                {"sub": "council-matrix", "full_name": "Thư ký", "council_role": "secretary"}
            ]
        },
    )
    assert r.status_code == 200, r.body
    r = api.post(
        "/campaigns/kh-2025/initiatives",
        BODIES[("POST", "/campaigns/{campaign_id}/initiatives")],
        token=officer(api, DEPARTMENT),
    )
    assert r.status_code == 201, r.body
    return {
        "initiative_id": body(r)["initiative_id"],
        "unit_id": DEPARTMENT,
        "official_id": "cb-001",
        "campaign_id": "kh-2025",
        "nomination_id": nomination["nomination_id"],
        "file_id": "b" * 32,
        "source_id": "vpdt-matrix",
        "report_id": "r" * 32,
        "name": "no_such_job",  # an admin gets through to a 404, and no job runs
        "results_report_id": report,
        "run_id": "0" * 32,
        "kind": "awards",
        "hold_id": "h" * 32,
        "feedback_id": "f" * 32,
        "meeting_id": "m" * 32,  # no such meeting: an allowed role gets through to a 404
    }


# Routes a unit officer calls as the parent of the world's unit (DEPARTMENT's parent is the
# province's own unit).
AS_PARENT = {("POST", "/results-reports/{results_report_id}/return")}


def _officer_unit(route: Any) -> str:
    return PROVINCE_UNIT if (route.method, route.path) in AS_PARENT else DEPARTMENT


def _call(api: Any, route: Any, values: dict[str, str], token: str) -> Any:
    path = re.sub(r"{(\w+)}", lambda m: values[m.group(1)], route.path)
    query = [f"{q.name}={q.enum[0] if q.enum else 'x'}" for q in route.query if q.required]
    if query:
        path += "?" + "&".join(query)
    payload = BODIES.get((route.method, route.path), {}) if route.request else None
    return api.request(route.method, path, payload, token=token)


def _token(api: Any, role: str, unit_id: str = DEPARTMENT) -> str:
    if role == "unit_officer":
        return officer(api, unit_id)
    if role == "council_member":
        return str(api.make_token(role, sub="council-matrix"))
    return str(api.make_token(role, sub=f"{role}-matrix"))


@pytest.mark.parametrize("route", AUTHENTICATED, ids=_id)
def test_every_role_against_the_route(api, world, route):
    from chalicelib.auth import ROLES

    # Refused roles first: a refusal must change nothing that an allowed call then sees.
    for role in sorted(ROLES, key=lambda role: role in route.roles):
        r = _call(api, route, world, _token(api, role, _officer_unit(route)))
        if role in route.roles:
            assert r.status_code != 403, (role, r.status_code, r.body)
            assert r.status_code < 500, (role, r.status_code, r.body)
        else:
            assert r.status_code == 403, (role, r.status_code, r.body)
            error = body(r)["error"]
            assert error["code"] == "forbidden"
            assert f"needs one of: {', '.join(route.roles)}" in error["message"]


SUBTREE_ROUTES = [
    r
    for r in AUTHENTICATED
    if "unit_officer" in r.roles and SCOPED_PARAMS & set(re.findall(r"{(\w+)}", r.path))
]


def test_the_subtree_routes_are_the_scoped_ones():
    assert len(SUBTREE_ROUTES) >= 10
    assert all(r.scope for r in SUBTREE_ROUTES), [_id(r) for r in SUBTREE_ROUTES if not r.scope]


@pytest.mark.parametrize("route", SUBTREE_ROUTES, ids=_id)
def test_a_unit_officer_outside_the_subtree_is_refused(api, world, route):
    r = _call(api, route, world, _token(api, "unit_officer", COMMUNE))
    assert r.status_code in (403, 404), (r.status_code, r.body)
    # ... and the same call from inside the subtree gets through (to a 404 only where the
    # world has no such file).
    r = _call(api, route, world, _token(api, "unit_officer", _officer_unit(route)))
    allowed = {404} if "{file_id}" in route.path else set()
    assert r.status_code not in {403, 404} - allowed, (r.status_code, r.body)

"""docs/openapi.json is the committed OpenAPI document: `make openapi` rewrites it from the
routes and models, and this test fails when it is stale."""

from __future__ import annotations

import json

from scripts.write_openapi import TARGET, render


def test_committed_document_is_current():
    assert TARGET.exists(), "docs/openapi.json is missing: run `make openapi`"
    committed = TARGET.read_text(encoding="utf-8")
    current = render()
    if committed != current:
        old, new = json.loads(committed), json.loads(current)
        changed = sorted(
            f"{method.upper()} {path}"
            for path in old["paths"].keys() | new["paths"].keys()
            for method in old["paths"].get(path, {}).keys() | new["paths"].get(path, {}).keys()
            if old["paths"].get(path, {}).get(method) != new["paths"].get(path, {}).get(method)
        )
        raise AssertionError(
            "docs/openapi.json is stale: run `make openapi` and commit it. Operations that "
            f"differ: {', '.join(changed) or '(none: components or info differ)'}"
        )


def test_document_describes_every_route():
    import app  # noqa: F401 - registers every route
    from chalicelib.api.routing import ROUTES

    document = json.loads(render())
    documented = {(m.upper(), p) for p, ops in document["paths"].items() for m in ops}
    assert documented == {(r.method, r.path) for r in ROUTES}
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            expected = {"415"} if operation["security"] == [] else {"401", "415"}
            assert expected <= operation["responses"].keys(), (method, path)


def test_document_is_valid_openapi_3_1():
    """The schemas are pydantic's JSON Schema 2020-12 (`{"type": "null"}`, numeric
    exclusiveMinimum): OpenAPI 3.1's dialect, so the document must say 3.1 and pass a
    3.1 validator; read as 3.0 the same schemas are not valid."""
    from jsonschema.exceptions import UnknownType
    from openapi_spec_validator import validate
    from openapi_spec_validator.validation import OpenAPIV30SpecValidator

    document = json.loads(render())
    assert document["openapi"] == "3.1.0"
    validate(document)  # raises with the first error
    as_30 = {**document, "openapi": "3.0.3"}
    try:
        errors_as_30: list[object] = list(OpenAPIV30SpecValidator(as_30).iter_errors())
    except UnknownType as exc:  # the 3.0 dialect has no "null" type at all
        errors_as_30 = [exc]
    assert errors_as_30


def test_public_routes_declare_no_security():
    document = json.loads(render())
    for path in ("/health", "/openapi.json"):
        operation = document["paths"][path]["get"]
        assert operation["security"] == [], path
        assert "401" not in operation["responses"], path

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
            assert {"401", "415"} <= operation["responses"].keys(), (method, path)

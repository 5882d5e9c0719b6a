"""The OpenAPI 3.1 document, built from the route table and the pydantic models."""

from __future__ import annotations

import importlib
import json
import re
from typing import Any

from chalice import Blueprint, Response

from chalicelib.api.http import json_response
from chalicelib.api.routing import ROUTES, RouteDoc, route

bp = Blueprint(__name__)

MODEL_TYPES = ("application/json", "application/x-www-form-urlencoded")
ERROR_TEXT = {
    400: "Invalid request (the details name each invalid field)",
    401: "Missing or invalid credentials",
    403: "Authenticated but not allowed",
    404: "Not found",
    409: "Conflict with the current state",
    413: "Body too large",
    415: "Unsupported Content-Type",
    422: "Refers to unknown entities, or events that cannot be true (the details name each)",
    429: "Too many requests; retry after Retry-After seconds",
    503: "Temporarily unavailable; retry after Retry-After seconds",
}


def resolve_model(dotted: str) -> Any:
    """The pydantic model a route names by dotted path (routing.route keeps names)."""
    module, _, name = dotted.partition(":")
    return getattr(importlib.import_module(module), name)


def build_openapi() -> dict[str, Any]:
    from pydantic.json_schema import models_json_schema

    from chalicelib.schemas.common import ErrorResponse

    names = sorted({m for r in ROUTES for m in (r.request, r.response) if m})
    models = [resolve_model(n) for n in names] + [ErrorResponse]
    keyed, defs = models_json_schema(
        [(m, "validation" if m is not ErrorResponse else "serialization") for m in models],
        ref_template="#/components/schemas/{model}",
    )
    # Keyed by the model itself: two modules may each have a ReturnRequest.
    ref_of: dict[Any, Any] = {m: keyed[(m, mode)] for (m, mode) in keyed}
    for schema in defs.get("$defs", {}).values():
        _drop_null_defaults(schema)
    paths: dict[str, dict[str, Any]] = {}
    for r in sorted(ROUTES, key=lambda r: (r.path, r.method)):
        paths.setdefault(r.path, {})[r.method.lower()] = _operation(r, ref_of)
    return _distinct_names(
        {
            # pydantic writes JSON Schema 2020-12 (`{"type": "null"}` in anyOf, numeric
            # exclusiveMinimum), which is OpenAPI 3.1's schema dialect, not 3.0's.
            "openapi": "3.1.0",
            "info": {
                "title": "Không Giấy API",
                "version": "1.0.0",
                "description": "Measures paperless-government campaigns: webhooks from document "
                "systems, KPIs per unit, rankings, nominations and reports.",
            },
            "components": {
                "schemas": defs.get("$defs", {}),
                "securitySchemes": {
                    "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
                    "webhookSignature": {
                        "type": "apiKey",
                        "in": "header",
                        "name": "webhook-signature",
                        "description": "Standard Webhooks signature with webhook-id and webhook-timestamp",
                    },
                },
            },
            "paths": paths,
        }
    )


def _drop_null_defaults(schema: dict[str, Any]) -> None:
    """A PATCH field (domain.fields.patch_field) defaults to None in Python, meaning
    "omitted"; null is not a value it takes, so the document gives it no default."""
    for prop in schema.get("properties", {}).values():
        nullable = prop.get("type") == "null" or any(
            s.get("type") == "null" for s in prop.get("anyOf", [])
        )
        if "default" in prop and prop["default"] is None and not nullable:
            del prop["default"]


def _distinct_names(document: dict[str, Any]) -> dict[str, Any]:
    """Models of the same name in two modules: pydantic keys them by their whole dotted
    path (chalicelib__schemas__results_reports__ReturnRequest) and titles both
    "ReturnRequest", which a client generator refuses as a duplicate. Each gets its
    module's name in front (ResultsReportsReturnRequest), as key and title."""
    schemas = document["components"]["schemas"]
    renames: dict[str, str] = {}
    for key in schemas:
        if "__" in key:
            *modules, name = key.split("__")
            short = "".join(w.title() for w in modules[-1].split("_")) + name
            while short in schemas or short in renames.values():
                short = "_" + short
            renames[key] = short
    if not renames:
        return document
    text = json.dumps(document, ensure_ascii=False)
    for old, new in renames.items():
        text = text.replace(f'"#/components/schemas/{old}"', f'"#/components/schemas/{new}"')
    renamed: dict[str, Any] = json.loads(text)
    schemas = renamed["components"]["schemas"]
    for old, new in renames.items():
        schemas[new] = {**schemas.pop(old), "title": new}
    return renamed


def _operation(r: RouteDoc, ref_of: dict[Any, Any]) -> dict[str, Any]:

    op: dict[str, Any] = {
        "summary": r.summary,
        "tags": [r.tag],
        "operationId": re.sub(r"[^A-Za-z0-9]+", "_", f"{r.method}_{r.path}").strip("_"),
        "description": _access(r) + (f"\n\n{r.description}" if r.description else ""),
        "parameters": [
            {
                "name": p.name,
                "in": "path",
                "required": True,
                "description": p.description,
                "schema": p.schema(),
            }
            for p in r.path_params
        ]
        + [
            {
                "name": q.name,
                "in": "query",
                "required": q.required,
                "description": q.description,
                "schema": q.schema(),
            }
            for q in r.query
        ],
        "security": _security(r),
        # The declared roles, machine-readable (routing.route enforces exactly these).
        "x-roles": list(r.roles),
    }
    if r.request:
        schema = ref_of[resolve_model(r.request)]
        # The model is the body of a JSON or form request; any other type (a CSV table) is
        # text, which the handler reads itself.
        op["requestBody"] = {
            "required": r.request_required,
            "content": {
                ct: {"schema": schema if ct in MODEL_TYPES else {"type": "string", "minLength": 1}}
                for ct in r.content_types
            },
        }
    ok: dict[str, Any] = {"description": "Success"}
    if r.response:
        ok["content"] = {"application/json": {"schema": ref_of[resolve_model(r.response)]}}
    from chalicelib.schemas.common import ErrorResponse

    error_ref = {"application/json": {"schema": ref_of[ErrorResponse]}}
    responses: dict[str, Any] = {str(s): ok for s in (r.status, *r.also_ok)}
    # Every route: 401 (the authorizer or the signature; not on public routes) and 415
    # (Chalice answers any Content-Type the route does not accept, GET included, before
    # the handler runs).
    always = {415} if r.public else {401, 415}
    if r.restricted:
        always.add(403)  # the declaration refuses the other roles
    # 400: a body, or a parameter routing.route checks (path parameters included).
    checked = r.request or r.query or r.path_params
    for status in sorted({*r.errors, *always, *((400,) if checked else ())}):
        responses[str(status)] = {
            "description": ERROR_TEXT.get(status, "Error"),
            "content": error_ref,
        }
    op["responses"] = responses
    return op


def _access(r: RouteDoc) -> str:
    """Who may call the route, from its declaration (never a free-text copy)."""
    if r.public:
        return "Public: no credentials."
    if not r.auth:
        return "Callers: a registered document system, by its webhook signature."
    text = f"Roles: {', '.join(r.roles)}."
    return f"{text} Scope: {r.scope}." if r.scope else text


def _security(r: RouteDoc) -> list[dict[str, list[str]]]:
    if r.public:
        return []
    return [{"bearer": []}] if r.auth else [{"webhookSignature": []}]


@route(
    bp,
    "/openapi.json",
    "GET",
    summary="This API's OpenAPI 3.1 document (no token needed: code generators fetch it)",
    tag="Meta",
    public=True,
)
def openapi_document() -> Response:
    return json_response(build_openapi())

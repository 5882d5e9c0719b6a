"""Route registration that also records the OpenAPI description of each route.

Models are named by dotted path and resolved only when the OpenAPI document is
built, so registering routes imports no pydantic model (cold start).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from chalice import Blueprint

from chalicelib.api.authorizer import jwt_authorizer
from chalicelib.api.errors import translating
from chalicelib.api.http import PAGE_LIMIT_DEFAULT, PAGE_LIMIT_MAX


@dataclass(frozen=True)
class QueryParam:
    name: str
    description: str
    type: str = "string"
    required: bool = False
    enum: tuple[str, ...] = ()
    format: str | None = None  # e.g. "date": what the handler accepts, so clients and fuzzers know
    minimum: int | None = None
    maximum: int | None = None

    def schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": self.type}
        if self.enum:
            schema["enum"] = list(self.enum)
        if self.format:
            schema["format"] = self.format
        if self.minimum is not None:
            schema["minimum"] = self.minimum
        if self.maximum is not None:
            schema["maximum"] = self.maximum
        return schema


@dataclass(frozen=True)
class RouteDoc:
    method: str
    path: str
    summary: str
    tag: str
    request: str | None
    response: str | None
    status: int
    auth: bool
    roles: str
    content_types: tuple[str, ...]
    query: tuple[QueryParam, ...] = field(default_factory=tuple)
    errors: tuple[int, ...] = ()
    request_required: bool = True
    also_ok: tuple[int, ...] = ()  # other success statuses with the same body
    public: bool = False  # no credentials at all (health, the OpenAPI document)


ROUTES: list[RouteDoc] = []


def route(
    bp: Blueprint,
    path: str,
    method: str,
    *,
    summary: str,
    tag: str,
    request: str | None = None,
    response: str | None = None,
    status: int = 200,
    auth: bool = True,
    roles: str = "any authenticated role",
    content_types: Sequence[str] = ("application/json",),
    query: Sequence[QueryParam] = (),
    errors: Sequence[int] = (),
    request_required: bool = True,
    also_ok: Sequence[int] = (),
    public: bool = False,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def decorate(fn: Callable[..., Any]) -> Callable[..., Any]:
        ROUTES.append(
            RouteDoc(
                method=method,
                path=path,
                summary=summary,
                tag=tag,
                request=request,
                response=response,
                status=status,
                auth=auth and not public,
                roles=roles,
                content_types=tuple(content_types),
                query=tuple(query),
                errors=tuple(errors),
                request_required=request_required,
                also_ok=tuple(also_ok),
                public=public,
            )
        )
        kwargs: dict[str, Any] = {"methods": [method], "content_types": list(content_types)}
        if auth and not public:
            kwargs["authorizer"] = jwt_authorizer
        bp.route(path, **kwargs)(translating(fn))
        return fn

    return decorate


PAGINATION = (
    QueryParam(
        "limit",
        f"Page size (1-{PAGE_LIMIT_MAX}, default {PAGE_LIMIT_DEFAULT})",
        "integer",
        minimum=1,
        maximum=PAGE_LIMIT_MAX,
    ),
    QueryParam("next_token", "Opaque token from the previous page's next_token"),
)

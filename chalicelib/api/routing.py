"""Route registration that also records the OpenAPI description of each route.

Models are named by dotted path and resolved only when the OpenAPI document is
built, so registering routes imports no pydantic model (cold start).

A route's `roles` are declared once, here: the wrapper refuses every other role with a
403 before the handler runs, and the OpenAPI document lists the same tuple. What a role
may see *within* a route (a unit officer: its own unit's subtree) is data scoping, decided
by the services; the declaration only describes it, in `scope`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from chalice import Blueprint

from chalicelib.api.authorizer import jwt_authorizer
from chalicelib.api.errors import translating
from chalicelib.api.http import PAGE_LIMIT_DEFAULT, PAGE_LIMIT_MAX, principal_of
from chalicelib.auth import COUNCIL_MEMBER, PROVINCE_ADMIN, REVIEWER, ROLES, UNIT_OFFICER, VIEWER
from chalicelib.domain.errors import Forbidden

# The role tuples routes declare (auth.py names the roles).
ANY_ROLE: tuple[str, ...] = ROLES
PROVINCE_ROLES: tuple[str, ...] = (PROVINCE_ADMIN, REVIEWER, VIEWER)
# The roles of the organisation (a council member sees no unit's figures by the role alone).
ORGANISATION_ROLES: tuple[str, ...] = (*PROVINCE_ROLES, UNIT_OFFICER)
COUNCIL_READERS: tuple[str, ...] = (*PROVINCE_ROLES, COUNCIL_MEMBER)
ADMIN_ONLY: tuple[str, ...] = (PROVINCE_ADMIN,)
WRITERS: tuple[str, ...] = (PROVINCE_ADMIN, UNIT_OFFICER)
REVIEWERS: tuple[str, ...] = (PROVINCE_ADMIN, REVIEWER)
# The scoping note of routes where a unit officer sees only its own unit and sub-units.
OWN_SUBTREE = "a unit officer: only its own unit and its sub-units"


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
    roles: tuple[str, ...]  # who may call it (enforced); empty when no token is involved
    content_types: tuple[str, ...]
    query: tuple[QueryParam, ...] = field(default_factory=tuple)
    errors: tuple[int, ...] = ()
    request_required: bool = True
    also_ok: tuple[int, ...] = ()  # other success statuses with the same body
    public: bool = False  # no credentials at all (health, the OpenAPI document)
    scope: str = ""  # data scoping within the allowed roles, decided by the services

    @property
    def restricted(self) -> bool:
        """Some authenticated role is refused by the declaration (so it may answer 403)."""
        return self.auth and set(self.roles) != set(ROLES)


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
    roles: Sequence[str] = ANY_ROLE,
    scope: str = "",
    content_types: Sequence[str] = ("application/json",),
    query: Sequence[QueryParam] = (),
    errors: Sequence[int] = (),
    request_required: bool = True,
    also_ok: Sequence[int] = (),
    public: bool = False,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    authenticated = auth and not public
    declared = tuple(roles) if authenticated else ()
    unknown = set(declared) - set(ROLES)
    if unknown or (authenticated and not declared):
        raise ValueError(f"{method} {path}: roles must be a non-empty tuple of {ROLES}")

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
                auth=authenticated,
                roles=declared,
                content_types=tuple(content_types),
                query=tuple(query),
                errors=tuple(errors),
                request_required=request_required,
                also_ok=tuple(also_ok),
                public=public,
                scope=scope,
            )
        )
        kwargs: dict[str, Any] = {"methods": [method], "content_types": list(content_types)}
        view = fn
        if authenticated:
            kwargs["authorizer"] = jwt_authorizer
            view = enforcing(bp, declared, fn)
        bp.route(path, **kwargs)(translating(view))
        return fn

    return decorate


def enforcing(bp: Blueprint, roles: tuple[str, ...], fn: Callable[..., Any]) -> Callable[..., Any]:
    """`fn`, refused with a 403 to a caller whose role is not in `roles`."""

    @functools.wraps(fn)
    def view(*args: Any, **kwargs: Any) -> Any:
        principal = principal_of(bp.current_request)
        if principal.role not in roles:
            raise Forbidden(
                f"Role {principal.role!r} may not do this; needs one of: {', '.join(roles)}"
            )
        return fn(*args, **kwargs)

    return view


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

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
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from chalice import Blueprint

from chalicelib.api.authorizer import jwt_authorizer
from chalicelib.api.errors import translating
from chalicelib.api.http import (
    PAGE_LIMIT_DEFAULT,
    PAGE_LIMIT_MAX,
    PAGE_TOKEN_MAX_CHARS,
    PAGE_TOKEN_PATTERN,
    PAGE_TOKEN_SECONDS,
    principal_of,
    query_params,
)
from chalicelib.auth import COUNCIL_MEMBER, PROVINCE_ADMIN, REVIEWER, ROLES, UNIT_OFFICER, VIEWER
from chalicelib.domain.errors import Forbidden
from chalicelib.domain.vocabulary import (
    DATE_PATTERN,
    DATE_RULE,
    IDENTIFIER_PATTERN,
    alternatives,
    parse_date,
)

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
    """A query (or path) parameter: what the OpenAPI document says of it is exactly what
    `check` enforces before the handler runs (routing.route wraps every handler), so the
    two cannot drift. An empty value (`?level=`) is a 400 unless `allow_empty`."""

    name: str
    description: str
    type: str = "string"  # "string" or "integer"
    required: bool = False
    enum: tuple[str, ...] = ()
    format: str | None = None  # "date": vocabulary.DATE_RULE; else informative
    minimum: int | None = None
    maximum: int | None = None
    pattern: str | None = None
    min_length: int | None = None
    max_length: int | None = None
    allow_empty: bool = False

    def schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": self.type}
        if self.enum:
            schema["enum"] = list(self.enum)
        if self.format:
            schema["format"] = self.format
        if self.pattern:
            schema["pattern"] = self.pattern
        if self.type == "string" and not self.enum:
            low = self.min_length if self.min_length is not None else (0 if self.allow_empty else 1)
            if low:
                schema["minLength"] = low
            if self.max_length is not None:
                schema["maxLength"] = self.max_length
        if self.minimum is not None:
            schema["minimum"] = self.minimum
        if self.maximum is not None:
            schema["maximum"] = self.maximum
        return schema

    def check(self, raw: str | None, where: str = "Query") -> None:
        """400 naming the parameter when `raw` breaks what schema() says."""
        label = f"{where} parameter {self.name!r}"
        if raw is None:
            if self.required:
                raise _invalid(self.name, f"{label} is required{self._alternatives()}")
            return
        if raw == "":
            if self.allow_empty:
                return
            raise _invalid(
                self.name, f"{label} is empty; give a value{self._alternatives()} or omit it"
            )
        if self.type == "integer":
            if not _INTEGER.fullmatch(raw) or len(raw) > 18:
                raise _invalid(self.name, f"{label} must be an integer")
            value = int(raw)
            low, high = self.minimum, self.maximum
            if (low is not None and value < low) or (high is not None and value > high):
                raise _invalid(self.name, f"{label} must be between {low} and {high}")
            return
        if self.enum and raw not in self.enum:
            raise _invalid(self.name, f"{label} must be {alternatives(self.enum)}")
        if self.format == "date" and parse_date(raw) is None:
            raise _invalid(self.name, f"{label} must be {DATE_RULE}")
        if self.min_length is not None and len(raw) < self.min_length:
            raise _invalid(self.name, f"{label} must have at least {self.min_length} characters")
        if self.max_length is not None and len(raw) > self.max_length:
            raise _invalid(self.name, f"{label} must have at most {self.max_length} characters")
        if self.pattern and not re.search(self.pattern, raw):
            raise _invalid(self.name, f"{label} must match {self.pattern}")

    def _alternatives(self) -> str:
        return f": {alternatives(self.enum)}" if self.enum else ""


_INTEGER = re.compile(r"-?[0-9]+")


def _invalid(name: str, message: str) -> Exception:
    from chalicelib.errors import bad_request

    return bad_request(message, [{"field": name, "message": message}])


def identifier(name: str, description: str, *, required: bool = False) -> QueryParam:
    """A parameter naming a unit, official, campaign, source, ...: the one identifier
    pattern (vocabulary.IDENTIFIER_PATTERN)."""
    return QueryParam(name, description, required=required, pattern=IDENTIFIER_PATTERN)


def date_param(name: str, description: str) -> QueryParam:
    """A date parameter: YYYY-MM-DD in the accepted range (vocabulary.DATE_RULE)."""
    return QueryParam(
        name,
        f"{description}; {DATE_RULE}",
        format="date",
        pattern=DATE_PATTERN,
    )


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
    # Every {name} of the path, in order (default: an identifier, vocabulary's pattern).
    path_params: tuple[QueryParam, ...] = ()
    # The rules the schemas cannot state (across fields, on stored state), in words.
    description: str = ""
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
    path_params: Mapping[str, QueryParam] | None = None,
    description: str = "",
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a handler on `bp` and record its OpenAPI description. Every parameter is
    checked against that description before the handler runs (400 naming it), so a
    route is exactly what its document says.

    `path_params` overrides the schema of a path parameter (default: an identifier);
    `description` states the rules across fields or on stored state, each answered with a
    status listed in `errors`.
    """
    overrides: dict[str, QueryParam | None] = dict(path_params or {})
    in_path = tuple(
        overrides.pop(name, None) or identifier(name, f"The {name.replace('_', ' ')}")
        for name in re.findall(r"{(\w+)}", path)
    )
    if overrides:
        raise ValueError(f"{method} {path}: no path parameter {', '.join(overrides)}")

    authenticated = auth and not public
    declared = tuple(roles) if authenticated else ()
    unknown = set(declared) - set(ROLES)
    if unknown or (authenticated and not declared):
        raise ValueError(f"{method} {path}: roles must be a non-empty tuple of {ROLES}")

    def decorate(fn: Callable[..., Any]) -> Callable[..., Any]:
        doc = RouteDoc(
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
            path_params=in_path,
            description=description,
        )
        ROUTES.append(doc)
        kwargs: dict[str, Any] = {"methods": [method], "content_types": list(content_types)}
        view = _checking(bp, doc, fn)
        if authenticated:
            kwargs["authorizer"] = jwt_authorizer
            view = enforcing(bp, declared, view)
        # The role first (403), then the parameters (400): a caller who may not use the
        # route learns nothing of its rules.
        bp.route(path, **kwargs)(translating(view))
        return fn

    return decorate


def _checking(bp: Blueprint, doc: RouteDoc, fn: Callable[..., Any]) -> Callable[..., Any]:
    """`fn` after its path and query parameters are checked against `doc`."""

    @functools.wraps(fn)
    def view(*args: Any, **kwargs: Any) -> Any:
        for param in doc.path_params:
            param.check(kwargs.get(param.name), "Path")
        if doc.query:
            given = query_params(bp.current_request)
            for param in doc.query:
                param.check(given.get(param.name))
        return fn(*args, **kwargs)

    return view


def check_role(role: str, roles: tuple[str, ...]) -> None:
    """Refuses (403) a caller whose `role` is not one of the route's declared `roles`."""
    # A top-level function, not inline in `view`: mutmut mutates only top-level functions
    # and methods, and this is the rule `make mutation` must reach.
    if role not in roles:
        raise Forbidden(f"Role {role!r} may not do this; needs one of: {', '.join(roles)}")


def enforcing(bp: Blueprint, roles: tuple[str, ...], fn: Callable[..., Any]) -> Callable[..., Any]:
    """`fn`, refused with a 403 to a caller whose role is not in `roles`."""

    @functools.wraps(fn)
    def view(*args: Any, **kwargs: Any) -> Any:
        check_role(principal_of(bp.current_request).role, roles)
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
    QueryParam(
        "next_token",
        "Opaque: the next_token of the previous page of the same listing, sent back "
        f"unchanged (base64url, valid {PAGE_TOKEN_SECONDS // 3600} hours). A token of "
        "another listing, altered or expired is a 400; list again from the first page.",
        format="page-token",
        pattern=PAGE_TOKEN_PATTERN,
        max_length=PAGE_TOKEN_MAX_CHARS,
    ),
)

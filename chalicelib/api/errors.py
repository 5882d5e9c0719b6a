"""The one mapping of a use case's failure to HTTP. Services and the domain raise
`chalicelib.domain.errors` kinds and never name a status; every route registered with
`routing.route` is wrapped by `translating`, so the mapping happens here and only here."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from chalicelib.domain import errors as domain_errors
from chalicelib.errors import ApiError
from chalicelib.observability import logger

DOMAIN_STATUS: dict[type[domain_errors.DomainError], int] = {
    domain_errors.InvalidInput: 400,
    domain_errors.Unauthenticated: 401,
    domain_errors.Forbidden: 403,
    domain_errors.NotFound: 404,
    domain_errors.Conflict: 409,
    domain_errors.Gone: 410,
    domain_errors.TooLarge: 413,
    domain_errors.UnsupportedMedia: 415,
    domain_errors.Unprocessable: 422,
    domain_errors.RateLimited: 429,
    domain_errors.Unavailable: 503,
}


def status_of(exc: domain_errors.DomainError) -> int:
    return next((code for kind, code in DOMAIN_STATUS.items() if isinstance(exc, kind)), 400)


def api_error(exc: domain_errors.DomainError) -> ApiError:
    """The HTTP form of a domain error: its status by kind, Retry-After where it has one."""
    headers: dict[str, str] = {}
    retry_after = getattr(exc, "retry_after_seconds", None)
    if retry_after is not None:
        headers["Retry-After"] = str(retry_after)
    return ApiError(status_of(exc), exc.code, exc.message, exc.details, headers)


def translating(fn: Callable[..., Any]) -> Callable[..., Any]:
    """`fn` with its domain errors raised as ApiError (which reaches the middleware)."""

    @functools.wraps(fn)
    def view(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except domain_errors.Unavailable as exc:
            # An outage is never a silent default: logged as an error, answered 503.
            logger.error("dependency unavailable", extra={"reason": exc.message})
            raise api_error(exc) from exc
        except domain_errors.DomainError as exc:
            raise api_error(exc) from exc

    return view

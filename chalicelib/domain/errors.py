"""What can go wrong in a use case, in the domain's words. Services and the domain raise
these; the HTTP layer (`chalicelib/api/errors.py`) maps each kind to a status once, so no
service names a status code or a route.

`code` is the stable machine-readable word clients branch on (`recused`, `on_hold`,
`already_voted`, ...); `message` is for people; `details` lists fields or items.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base of every expected failure of a use case."""

    default_code = "error"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        details: list[Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        self.details = list(details or [])


class InvalidInput(DomainError):
    """The request is malformed or a field breaks a rule (a 400)."""

    default_code = "bad_request"


class Unauthenticated(DomainError):
    """No or bad credentials (a 401)."""

    default_code = "unauthorized"


class Forbidden(DomainError):
    """The caller may not do this (a 403); `code` may say why (`recused`)."""

    default_code = "forbidden"


class NotFound(DomainError):
    """The thing does not exist, or the caller may not know that it does (a 404)."""

    default_code = "not_found"


class NoCampaign(NotFound):
    """No campaign exists to answer for (none given and none in the registry)."""

    default_code = "no_campaign"

    def __init__(self, message: str = "No campaign exists yet; a province admin creates one first"):
        super().__init__(message)


class Conflict(DomainError):
    """The request clashes with the current state (a 409); `code` names the state."""

    default_code = "conflict"


class Gone(DomainError):
    """The thing existed and has expired (a 410)."""

    default_code = "gone"


class TooLarge(DomainError):
    """The body or a part of it is over its bound (a 413)."""

    default_code = "payload_too_large"


class UnsupportedMedia(DomainError):
    """The content type is not one the operation takes (a 415)."""

    default_code = "unsupported_media_type"


class Unprocessable(DomainError):
    """Well-formed, but its content cannot be used (a 422)."""

    default_code = "unprocessable"


class RateLimited(DomainError):
    """Too many requests from this client or on this item (a 429 with Retry-After)."""

    default_code = "throttled"

    def __init__(
        self,
        message: str,
        *,
        retry_after_seconds: int,
        code: str | None = None,
        details: list[Any] | None = None,
    ) -> None:
        super().__init__(message, code=code, details=details)
        self.retry_after_seconds = max(1, int(retry_after_seconds))


class Unavailable(DomainError):
    """A dependency (storage, KMS, a hub) failed; retry later (a 503 with Retry-After)."""

    default_code = "unavailable"

    def __init__(
        self,
        message: str,
        *,
        retry_after_seconds: int = 5,
        code: str | None = None,
        details: list[Any] | None = None,
    ) -> None:
        super().__init__(message, code=code, details=details)
        self.retry_after_seconds = max(1, int(retry_after_seconds))

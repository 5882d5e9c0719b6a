"""The one error shape every response uses: {"error": {"code", "message", "details"}}."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from chalice import ChaliceUnhandledError

if TYPE_CHECKING:
    from pydantic import BaseModel

M = TypeVar("M", bound="BaseModel")


class ApiError(ChaliceUnhandledError):
    """A client-facing error. Subclasses ChaliceUnhandledError so Chalice lets it
    reach our middleware instead of rendering its own error body."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        details: list[Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details or []
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        return error_body(self.code, self.message, self.details)


def error_body(
    code: str, message: str, details: list[Any] | None = None, request_id: str | None = None
) -> dict[str, Any]:
    error: dict[str, Any] = {"code": code, "message": message, "details": details or []}
    if request_id is not None:
        # API Gateway's requestContext.requestId, also the X-Request-Id header and the
        # logs' correlation_id: what a user quotes to support.
        error["request_id"] = request_id
    return {"error": error}


REQUEST_ID_HEADER = "X-Request-Id"


def bad_request(message: str, details: list[Any] | None = None) -> ApiError:
    return ApiError(400, "bad_request", message, details)


def validation_failed(details: list[Any], message: str = "Request validation failed") -> ApiError:
    return ApiError(400, "validation_failed", message, details)


def validation_details(exc: Any) -> list[dict[str, Any]]:
    """pydantic ValidationError -> [{"field": "a.b.0", "message": ...}]"""
    details = []
    for err in exc.errors(include_url=False, include_context=False, include_input=False):
        loc = ".".join(str(p) for p in err.get("loc", ()))
        details.append({"field": loc or "(body)", "message": err.get("msg", "invalid")})
    return details


def parse_model(model: type[M], data: Any, *, strict: bool = False) -> M:
    """`data` as `model`, or 400 validation_failed listing every invalid field.

    `strict` for a parsed JSON body: no coercion between JSON types (true is not 1, 1 is
    not "1"); dates are read from their strings by domain.fields.IsoDate. A CSV row, all
    text, is read leniently."""
    from pydantic import ValidationError

    try:
        if strict:
            # JSON mode: strict between JSON's own types, and a date or a time is read
            # from its ISO string, as JSON carries it. JSON's \ud800 escapes may leave a
            # lone surrogate, which is no Unicode text: named here, field by field.
            import json

            broken = list(_lone_surrogates(data, ()))
            if broken:
                raise validation_failed(
                    [
                        {"field": ".".join(p) or "(body)", "message": SURROGATE_MESSAGE}
                        for p in broken
                    ]
                )
            return model.model_validate_json(json.dumps(data), strict=True)
        return model.model_validate(data)

    except ValidationError as exc:
        raise validation_failed(validation_details(exc)) from None


SURROGATE_MESSAGE = "must be valid unicode text (a lone surrogate such as \\ud800 is not)"


def _lone_surrogates(value: Any, path: tuple[str, ...]) -> Any:
    """The paths of the strings (and keys) in parsed JSON that hold a lone surrogate."""
    if isinstance(value, str):
        if any("\ud800" <= c <= "\udfff" for c in value):
            yield path
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _lone_surrogates(key, path)
            yield from _lone_surrogates(item, (*path, str(key)))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _lone_surrogates(item, (*path, str(i)))


def unauthorized(message: str = "Missing or invalid credentials") -> ApiError:

    return ApiError(401, "unauthorized", message)


def forbidden(message: str = "You do not have access to this resource") -> ApiError:
    return ApiError(403, "forbidden", message)


def not_found(message: str) -> ApiError:
    return ApiError(404, "not_found", message)


def conflict(message: str, details: list[Any] | None = None) -> ApiError:
    return ApiError(409, "conflict", message, details)


def payload_too_large(message: str) -> ApiError:
    return ApiError(413, "payload_too_large", message)


def unsupported_media_type(message: str) -> ApiError:
    return ApiError(415, "unsupported_media_type", message)


def unprocessable(message: str, details: list[Any] | None = None) -> ApiError:
    return ApiError(422, "unprocessable", message, details)


def unavailable(message: str, retry_after_seconds: int = 5) -> ApiError:
    return ApiError(503, "unavailable", message, headers={"Retry-After": str(retry_after_seconds)})


# Chalice and API Gateway produce some errors before our code runs; these map
# their codes onto ours so clients see one shape everywhere.
CHALICE_CODE_MAP: dict[str, tuple[str, str]] = {
    "BadRequestError": ("bad_request", "Request body is not valid JSON"),
    "MethodNotAllowedError": ("method_not_allowed", "Method not allowed on this route"),
    "UnsupportedMediaType": ("unsupported_media_type", "Unsupported Content-Type"),
    "NotFoundError": ("not_found", "Not found"),
    "UnauthorizedError": ("unauthorized", "Missing or invalid credentials"),
    "ForbiddenError": ("forbidden", "You do not have access to this resource"),
    "RequestTimeoutError": ("timeout", "The request took too long"),
    "TooManyRequestsError": ("throttled", "Too many requests"),
    "InternalServerError": ("internal_error", "An internal error occurred"),
}

# What API Gateway itself answers (gateway responses, configured in infra and
# mirrored by the local stack): status -> (code, message).
GATEWAY_ERRORS: dict[int, tuple[str, str]] = {
    401: ("unauthorized", "Missing or invalid credentials"),
    403: ("forbidden", "You do not have access to this resource"),
    404: ("not_found", "No such route"),
    413: ("payload_too_large", "Request body too large"),
    429: ("throttled", "Too many requests"),
    500: ("internal_error", "An internal error occurred"),
}

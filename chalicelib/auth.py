"""JWT verification (RS256 against a JWKS) and the caller's identity.

PyJWT does the cryptography; this module only decides which keys to trust
and what the claims mean for this service.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from chalicelib.settings import Settings, get_settings

if TYPE_CHECKING:
    import jwt

PROVINCE_ADMIN = "province_admin"
REVIEWER = "reviewer"
UNIT_OFFICER = "unit_officer"
VIEWER = "viewer"
# A member of a campaign's council (initiatives, awards): acts only where the council's
# member list names their sub; sees no unit's figures by the role alone.
COUNCIL_MEMBER = "council_member"
ROLES = (PROVINCE_ADMIN, REVIEWER, UNIT_OFFICER, VIEWER, COUNCIL_MEMBER)
# Roles that see every unit; a unit officer sees only its own subtree.
PROVINCE_WIDE_ROLES = frozenset({PROVINCE_ADMIN, REVIEWER, VIEWER})


class InvalidToken(Exception):
    """The token is missing, malformed, expired, or not ours."""


@dataclass(frozen=True)
class Principal:
    sub: str
    role: str
    unit_id: str | None

    @property
    def province_wide(self) -> bool:
        return self.role in PROVINCE_WIDE_ROLES

    def as_context(self) -> dict[str, str]:
        # API Gateway authorizer context values must be strings.
        return {"sub": self.sub, "role": self.role, "unit_id": self.unit_id or ""}

    @classmethod
    def from_context(cls, context: dict[str, Any]) -> Principal:
        return cls(
            sub=str(context.get("sub", "")),
            role=str(context.get("role", "")),
            unit_id=str(context.get("unit_id") or "") or None,
        )


class TokenVerifier:
    def __init__(self, settings: Settings) -> None:
        import jwt  # cryptography is heavy: only the authorizer pays for it

        self._settings = settings
        self._jwk_client: jwt.PyJWKClient | None = None
        self._jwk_set: jwt.PyJWKSet | None = None
        if settings.auth_jwks_url:
            # Caches keys between invocations; refetches on an unknown kid.
            self._jwk_client = jwt.PyJWKClient(settings.auth_jwks_url, cache_keys=True)
        elif settings.auth_jwks_file:
            with open(settings.auth_jwks_file, encoding="utf-8") as fh:
                self._jwk_set = jwt.PyJWKSet.from_dict(json.load(fh))

    def _signing_key(self, token: str) -> Any:
        import jwt

        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise InvalidToken("malformed token") from exc
        if header.get("alg") != "RS256":
            raise InvalidToken("unsupported algorithm")
        kid = header.get("kid")
        if self._jwk_client is not None:
            try:
                return self._jwk_client.get_signing_key_from_jwt(token).key
            except jwt.PyJWTError as exc:
                raise InvalidToken("unknown signing key") from exc
        if self._jwk_set is None:
            raise InvalidToken("no JWKS configured")
        for key in self._jwk_set.keys:
            if kid is None or key.key_id == kid:
                return key.key
        raise InvalidToken("unknown signing key")

    def verify(self, token: str) -> Principal:
        import jwt

        key = self._signing_key(token)
        try:
            claims = jwt.decode(
                token,
                key=key,
                algorithms=["RS256"],
                audience=self._settings.auth_audience,
                issuer=self._settings.auth_issuer,
                options={"require": ["exp", "iss", "sub"]},
                leeway=30,
            )
        except jwt.PyJWTError as exc:
            raise InvalidToken(str(exc)) from exc
        # Cognito access tokens carry client_id instead of aud; ID tokens carry aud.
        role = claims.get("custom:role") or claims.get("role")
        if role not in ROLES:
            raise InvalidToken("token carries no known role")
        unit_id = claims.get("custom:unit_id") or claims.get("unit_id")
        if role == UNIT_OFFICER and not unit_id:
            raise InvalidToken("unit officer token without unit_id")
        return Principal(sub=str(claims["sub"]), role=str(role), unit_id=unit_id or None)


_verifier: TokenVerifier | None = None
_lock = threading.Lock()


def get_verifier() -> TokenVerifier:
    global _verifier  # noqa: PLW0603 - one verifier per Lambda container, keys cached
    with _lock:
        if _verifier is None:
            _verifier = TokenVerifier(get_settings())
        return _verifier


def bearer_token(header_value: str | None) -> str:
    if not header_value:
        raise InvalidToken("missing Authorization header")
    scheme, _, token = header_value.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise InvalidToken("Authorization header is not 'Bearer <token>'")
    return token.strip()

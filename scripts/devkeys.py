"""Local signing keys and dev tokens (never used in AWS, where Cognito signs).

`make token ROLE=... UNIT=...` prints a token signed by a key generated on
first use under .local/auth/ (git-ignored).
"""

from __future__ import annotations

import argparse
import functools
import json
import time
import uuid
from pathlib import Path
from typing import Any

from chalicelib.auth import ROLES

DEFAULT_DIR = Path(__file__).resolve().parent.parent / ".local" / "auth"
DEFAULT_ISSUER = "https://auth.khong-giay.local"
DEFAULT_AUDIENCE = "khong-giay-api"


def ensure_keys(directory: Path = DEFAULT_DIR) -> tuple[Path, Path]:
    """(private key PEM, JWKS JSON), created once."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from jwt.algorithms import RSAAlgorithm

    directory.mkdir(parents=True, exist_ok=True)
    private_path, jwks_path = directory / "private.pem", directory / "jwks.json"
    if private_path.exists() and jwks_path.exists():
        return private_path, jwks_path
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    private_path.chmod(0o600)
    jwk = json.loads(RSAAlgorithm.to_jwk(key.public_key()))
    jwk.update({"kid": "local-dev", "use": "sig", "alg": "RS256"})
    jwks_path.write_text(json.dumps({"keys": [jwk]}, indent=2))
    return private_path, jwks_path


def mint_token(
    role: str,
    unit_id: str | None = None,
    *,
    sub: str | None = None,
    ttl_seconds: int = 8 * 3600,
    directory: Path = DEFAULT_DIR,
    issuer: str = DEFAULT_ISSUER,
    audience: str = DEFAULT_AUDIENCE,
    kid: str = "local-dev",
    extra: dict[str, Any] | None = None,
) -> str:
    import jwt

    private_path, _ = ensure_keys(directory)
    now = int(time.time())
    claims: dict[str, Any] = {
        "sub": sub or f"dev-{role}-{uuid.uuid4().hex[:8]}",
        "role": role,
        "iss": issuer,
        "aud": audience,
        "iat": now,
        "exp": now + ttl_seconds,
    }
    if unit_id:
        claims["unit_id"] = unit_id
    claims.update(extra or {})
    key = _private_key(private_path, private_path.stat().st_mtime_ns)
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": kid})


@functools.lru_cache(maxsize=8)
def _private_key(path: Path, mtime_ns: int) -> Any:
    """The parsed signing key, once per key file version: parsing (and validating) an RSA
    key takes ~30 ms, far more than signing, and the test suite mints thousands."""
    from cryptography.hazmat.primitives import serialization

    del mtime_ns  # part of the cache key only: a rewritten key file is read again
    return serialization.load_pem_private_key(path.read_bytes(), password=None)


def main() -> None:
    parser = argparse.ArgumentParser(description="Mint a local dev token")
    parser.add_argument(
        "--role",
        default="province_admin",
        choices=list(ROLES),
    )
    parser.add_argument("--unit", default=None, help="unit_id claim (required for unit_officer)")
    parser.add_argument(
        "--sub", default=None, help="subject claim (a council_member's must be on the council)"
    )
    parser.add_argument("--ttl", type=int, default=8 * 3600)
    args = parser.parse_args()
    if args.role == "unit_officer" and not args.unit:
        parser.error("a unit_officer token needs --unit UNIT_ID")
    print(mint_token(args.role, args.unit, sub=args.sub, ttl_seconds=args.ttl))


if __name__ == "__main__":
    main()

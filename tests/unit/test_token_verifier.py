"""TokenVerifier built here, not through the per-process singleton (auth.get_verifier): a
fresh verifier from the settings' JWKS file accepts the suite's tokens and says who calls.
(Mutation testing forks workers after the singleton exists, so only a verifier built in
the test exercises the constructor.)"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from chalicelib.auth import InvalidToken, Principal, TokenVerifier, bearer_token
from chalicelib.settings import get_settings


def test_a_fresh_verifier_reads_the_jwks_file_and_verifies(make_token):
    verifier = TokenVerifier(get_settings())
    principal = verifier.verify(make_token("unit_officer", "000.00.31.H34", sub="officer-7"))
    assert (principal.sub, principal.role, principal.unit_id) == (
        "officer-7",
        "unit_officer",
        "000.00.31.H34",
    )
    with pytest.raises(InvalidToken):
        verifier.verify(make_token("viewer", audience="someone-else"))


def test_the_caller_survives_the_authorizer_context():
    # Killed mutants auth.Principal.as_context 1-2 (the "sub" key renamed): API Gateway
    # hands the handler back exactly what the authorizer put in its context.
    from chalicelib.auth import Principal

    for principal in (
        Principal("officer-7", "unit_officer", "000.00.31.H34"),
        Principal("admin-1", "province_admin", None),
    ):
        assert Principal.from_context(principal.as_context()) == principal


def test_the_signing_key_is_chosen_by_kid_and_only_for_rs256(make_token):
    import jwt

    verifier = TokenVerifier(get_settings())
    good = make_token("viewer")
    assert verifier.verify(good).role == "viewer"
    for token, reason in (
        ("not-a-jwt", "malformed token"),
        (
            jwt.encode({"sub": "x"}, "a-shared-secret-long-enough-for-hs256", "HS256"),
            "unsupported algorithm",
        ),
        (make_token("viewer", kid="someone-elses-key"), "unknown signing key"),
    ):
        with pytest.raises(InvalidToken) as refused:
            verifier.verify(token)
        assert str(refused.value) == reason, token


def test_a_token_without_kid_is_tried_against_the_jwks(make_token):
    """A JWKS of one key: a token that names no kid is verified with it."""
    import jwt

    verifier = TokenVerifier(get_settings())
    token = make_token("reviewer", sub="r-1")
    header = jwt.get_unverified_header(token)
    assert header["kid"]
    payload = jwt.decode(token, options={"verify_signature": False})
    from scripts.devkeys import _private_key, ensure_keys
    from tests.conftest import _KEY_DIR

    private_path, _ = ensure_keys(_KEY_DIR)
    key = _private_key(private_path, private_path.stat().st_mtime_ns)
    unnamed = jwt.encode(payload, key, algorithm="RS256")
    assert "kid" not in jwt.get_unverified_header(unnamed)
    assert verifier.verify(unnamed).sub == "r-1"


def test_a_jwks_url_is_read_through_the_key_client(monkeypatch, make_token):
    """In AWS the keys come from Cognito's JWKS URL (PyJWKClient, keys cached); a key the
    client cannot find is an unknown signing key, not a 500."""
    import jwt

    file_verifier = TokenVerifier(get_settings())
    made: list[tuple[str, dict]] = []

    class FakeClient:
        def __init__(self, url: str, **options) -> None:
            made.append((url, options))

        def get_signing_key_from_jwt(self, token: str):
            if jwt.get_unverified_header(token).get("kid") != "local-dev":
                raise jwt.PyJWKClientError("no such key")
            from types import SimpleNamespace

            return SimpleNamespace(key=file_verifier._signing_key(token))

    monkeypatch.setattr(jwt, "PyJWKClient", FakeClient)
    from dataclasses import replace

    verifier = TokenVerifier(replace(get_settings(), auth_jwks_url="https://cognito.test/jwks"))
    assert made == [("https://cognito.test/jwks", {"cache_keys": True})]
    assert verifier.verify(make_token("viewer", sub="v-1")).sub == "v-1"
    with pytest.raises(InvalidToken) as refused:
        verifier.verify(make_token("viewer", kid="rotated-away"))
    assert str(refused.value) == "unknown signing key"


def test_without_any_jwks_every_token_is_refused(make_token):
    from dataclasses import replace

    verifier = TokenVerifier(replace(get_settings(), auth_jwks_url="", auth_jwks_file=""))
    with pytest.raises(InvalidToken) as refused:
        verifier.verify(make_token("viewer"))
    assert str(refused.value) == "no JWKS configured"


# --- the claims: who issued it, until when, for whom, with which role --------------------

NOW = 1_750_000_000  # a fixed instant for PyJWT's clock (2025-06-15T15:06:40Z)


def _signed(claims: dict[str, Any], kid: str = "local-dev") -> str:
    """`claims` exactly as given, signed with the suite's key (the JWKS file's key)."""
    import jwt

    from scripts.devkeys import _private_key, ensure_keys
    from tests.conftest import _KEY_DIR

    private_path, _ = ensure_keys(_KEY_DIR)
    key = _private_key(private_path, private_path.stat().st_mtime_ns)
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": kid})


def _claims(**changes: Any) -> dict[str, Any]:
    """A viewer's claims, valid at NOW; a change of None removes the claim."""
    claims = {
        "sub": "v-1",
        "role": "viewer",
        "iss": "https://auth.test",
        "aud": "khong-giay-test",
        "iat": NOW - 60,
        "exp": NOW + 3600,
        **changes,
    }
    return {k: v for k, v in claims.items() if v is not None}


@pytest.fixture
def verifier(monkeypatch: pytest.MonkeyPatch) -> TokenVerifier:
    """A verifier whose PyJWT clock reads NOW."""
    import jwt.api_jwt

    class Frozen(dt.datetime):
        @classmethod
        def now(cls, tz: dt.tzinfo | None = None) -> Frozen:  # type: ignore[override]
            return cls.fromtimestamp(NOW, tz)

    monkeypatch.setattr(jwt.api_jwt, "datetime", Frozen)
    return TokenVerifier(get_settings())


def _refusal(verifier: TokenVerifier, token: str) -> str:
    with pytest.raises(InvalidToken) as refused:
        verifier.verify(token)
    return str(refused.value)


def test_a_token_must_say_who_issued_it_until_when_and_for_whom(verifier):
    assert verifier.verify(_signed(_claims())).sub == "v-1"
    for claim in ("exp", "iss", "sub"):
        assert _refusal(verifier, _signed(_claims(**{claim: None}))) == (
            f'Token is missing the "{claim}" claim'
        )
    assert _refusal(verifier, _signed(_claims(iss="https://someone-else.test"))) == (
        "Invalid issuer"
    )
    assert _refusal(verifier, _signed(_claims(aud="another-app"))) == "Audience doesn't match"


def test_a_token_is_good_until_30_seconds_after_it_expires(verifier):
    """The clocks of the issuer and of the authorizer may differ by that much."""
    assert verifier.verify(_signed(_claims(exp=NOW - 29))).role == "viewer"
    assert _refusal(verifier, _signed(_claims(exp=NOW - 30))) == "Signature has expired"


def test_cognitos_custom_claims_carry_the_role_and_the_unit(verifier):
    """Cognito puts a user's attributes in custom:role and custom:unit_id; they win over
    plain claims of the same name."""
    cognito = _signed(_claims(role=None, **{"custom:role": "unit_officer", "custom:unit_id": "u1"}))
    assert verifier.verify(cognito) == Principal("v-1", "unit_officer", "u1")
    both = _signed(
        _claims(
            role="province_admin",
            unit_id="u9",
            **{"custom:role": "unit_officer", "custom:unit_id": "u1"},
        )
    )
    assert verifier.verify(both) == Principal("v-1", "unit_officer", "u1")
    plain = _signed(_claims(role="unit_officer", unit_id="u2"))
    assert verifier.verify(plain) == Principal("v-1", "unit_officer", "u2")
    assert verifier.verify(_signed(_claims(role="reviewer"))) == Principal("v-1", "reviewer", None)


def test_a_token_without_a_known_role_or_an_officer_without_a_unit_is_refused(verifier):
    for role in (None, "", "superuser", "Viewer"):
        assert _refusal(verifier, _signed(_claims(role=role))) == "token carries no known role"
    for unit in (None, ""):
        assert _refusal(verifier, _signed(_claims(role="unit_officer", unit_id=unit))) == (
            "unit officer token without unit_id"
        )


# --- the header, the singleton and the authorizer's context -----------------------------


@pytest.mark.parametrize(
    ("header", "token"),
    [
        ("Bearer abc.def.ghi", "abc.def.ghi"),
        ("bearer abc", "abc"),
        ("BEARER abc", "abc"),
        ("  Bearer   abc  ", "abc"),
    ],
)
def test_the_token_is_what_follows_bearer(header, token):
    assert bearer_token(header) == token


@pytest.mark.parametrize(
    ("header", "message"),
    [
        (None, "missing Authorization header"),
        ("", "missing Authorization header"),
        ("Basic abc", "Authorization header is not 'Bearer <token>'"),
        ("Bearer", "Authorization header is not 'Bearer <token>'"),
        ("Bearer    ", "Authorization header is not 'Bearer <token>'"),
        ("abc", "Authorization header is not 'Bearer <token>'"),
        ("Token Bearer abc", "Authorization header is not 'Bearer <token>'"),
    ],
)
def test_any_other_authorization_header_is_refused_saying_why(header, message):
    with pytest.raises(InvalidToken) as refused:
        bearer_token(header)
    assert str(refused.value) == message


def test_one_verifier_per_process(make_token):
    """Built at the first call (its keys cached with it), then the same one."""
    from chalicelib import auth

    first = auth.get_verifier()
    assert isinstance(first, TokenVerifier)
    assert auth.get_verifier() is first
    assert first.verify(make_token("viewer", sub="v-2")).sub == "v-2"


def test_a_context_without_an_identity_gives_an_empty_caller():
    """A route reached without the authorizer: no role, so routing refuses it."""
    from chalicelib.auth import Principal

    assert Principal.from_context({}) == Principal("", "", None)
    assert Principal.from_context({"sub": "s", "role": "viewer", "unit_id": ""}) == Principal(
        "s", "viewer", None
    )

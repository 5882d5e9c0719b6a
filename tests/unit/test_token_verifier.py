"""TokenVerifier built here, not through the per-process singleton (auth.get_verifier): a
fresh verifier from the settings' JWKS file accepts the suite's tokens and says who calls.
(Mutation testing forks workers after the singleton exists, so only a verifier built in
the test exercises the constructor.)"""

from __future__ import annotations

import pytest

from chalicelib.auth import InvalidToken, TokenVerifier
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
        (jwt.encode({"sub": "x"}, "a-shared-secret-long-enough-for-hs256", "HS256"), "algorithm"),
        (make_token("viewer", kid="someone-elses-key"), "unknown signing key"),
    ):
        with pytest.raises(InvalidToken) as refused:
            verifier.verify(token)
        assert reason in str(refused.value), token


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
    assert "unknown signing key" in str(refused.value)


def test_without_any_jwks_every_token_is_refused(make_token):
    from dataclasses import replace

    verifier = TokenVerifier(replace(get_settings(), auth_jwks_url="", auth_jwks_file=""))
    with pytest.raises(InvalidToken) as refused:
        verifier.verify(make_token("viewer"))
    assert "no JWKS configured" in str(refused.value)

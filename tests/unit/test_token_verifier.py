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

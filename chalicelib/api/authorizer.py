"""The API Gateway built-in (Lambda TOKEN) authorizer: verifies the bearer JWT.

Raising Exception("Unauthorized") is API Gateway's contract for a 401; roles
and object-level checks happen in the routes (403), since the authorizer's
result is cached per token across routes.
"""

from __future__ import annotations

import os

from chalice import AuthResponse, Blueprint
from chalice.app import AuthRequest

auth_blueprint = Blueprint(__name__)


@auth_blueprint.authorizer(ttl_seconds=300)
def jwt_authorizer(auth_request: AuthRequest) -> AuthResponse:
    from chalicelib.auth import InvalidToken, bearer_token, get_verifier
    from chalicelib.observability import invocation_trace, logger

    # Chalice passes an authorizer no Lambda context and runs no middleware around it.
    name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "jwt_authorizer")
    with invocation_trace(name, {"event_type": auth_request.auth_type}):
        try:
            principal = get_verifier().verify(bearer_token(auth_request.token))
        except InvalidToken as exc:
            logger.info("token rejected", extra={"reason": str(exc)})
            raise Exception("Unauthorized") from None
    return AuthResponse(routes=["*"], principal_id=principal.sub, context=principal.as_context())

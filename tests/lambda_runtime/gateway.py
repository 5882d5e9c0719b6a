"""API Gateway (REST API, Lambda proxy integration, TOKEN authorizer) in front of the
harness's functions, as the synthesized swagger configures it.

For a request it finds the route, calls the TOKEN authorizer with
`{"type": "TOKEN", "authorizationToken", "methodArn"}` when the route is guarded, reads
the policy and context back as API Gateway does (Allow on the method ARN, context values
only strings, numbers or booleans, result cached per token for the configured TTL), builds
the proxy event with that context in `requestContext.authorizer`, invokes the integrated
function and turns its result into the HTTP response; its own errors use the gateway
responses of the swagger.
"""

from __future__ import annotations

import base64
import fnmatch
import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.lambda_runtime.runner import ACCOUNT, REGION, Result
from tests.lambda_runtime.stack import Route, Stack

API_ID = "harness01"
Invoke = Callable[[str, Any], Result]  # (function logical id, event) -> result


@dataclass
class HttpResponse:
    status: int
    headers: dict[str, str]
    body: bytes
    request_id: str
    results: list[Result] = field(default_factory=list)  # the invocations behind it

    def json(self) -> Any:
        return json.loads(self.body)

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers.items() if k.lower() == name.lower()), None)


@dataclass
class _CachedPolicy:
    expires: float
    principal_id: str
    policy: dict[str, Any]
    context: dict[str, Any]


class GatewayError(Exception):
    def __init__(self, response_type: str, message: str) -> None:
        super().__init__(message)
        self.response_type = response_type


class Gateway:
    def __init__(self, stack: Stack, invoke: Invoke, resolve: Callable[[Any], str]) -> None:
        self.stack = stack
        self.invoke = invoke
        self.resolve = resolve  # intrinsics in the swagger (e.g. the console's origin)
        self.stage = stack.api_stage
        self._cache: dict[str, _CachedPolicy] = {}
        body = stack.rest_api["DefinitionBody"]
        self._ttl = {
            name: int(d["x-amazon-apigateway-authorizer"].get("authorizerResultTtlInSeconds", 300))
            for name, d in (body.get("securityDefinitions") or {}).items()
        }

    def method_arn(self, method: str, path: str) -> str:
        return f"arn:aws:execute-api:{REGION}:{ACCOUNT}:{API_ID}/{self.stage}/{method}{path}"

    def request(
        self,
        method: str,
        url: str,
        *,
        headers: dict[str, str] | None = None,
        body: bytes | str | None = None,
    ) -> HttpResponse:
        request_id = str(uuid.uuid4())
        headers = dict(headers or {})
        results: list[Result] = []
        parts = urlsplit(url)
        try:
            try:
                route, params = self.stack.route(method, parts.path)
            except KeyError:
                raise GatewayError(
                    "MISSING_AUTHENTICATION_TOKEN", "Missing Authentication Token"
                ) from None
            authorizer = self._authorize(route, method, parts.path, headers, results)
            event = self._proxy_event(
                route,
                method,
                parts.path,
                parts.query,
                params,
                headers,
                body,
                authorizer,
                request_id,
            )
            result = self.invoke(route.function, event)
            results.append(result)
            if not result.ok:
                raise GatewayError("DEFAULT_5XX", "Internal server error")  # Lambda error -> 502
            return self._integration_response(result.payload, request_id, results)
        except GatewayError as exc:
            return self._gateway_response(exc, request_id, results)

    # --- authorizer ------------------------------------------------------------------------

    def _authorize(
        self, route: Route, method: str, path: str, headers: dict[str, str], results: list[Result]
    ) -> dict[str, Any] | None:
        if route.authorizer is None:
            return None
        token = next((v for k, v in headers.items() if k.lower() == "authorization"), None)
        if not token:
            raise GatewayError("UNAUTHORIZED", "Unauthorized")
        method_arn = self.method_arn(method, path)
        cached = self._cache.get(token)
        if cached is None or cached.expires < time.monotonic():
            event = {"type": "TOKEN", "authorizationToken": token, "methodArn": method_arn}
            result = self.invoke(route.authorizer, event)
            results.append(result)
            if not result.ok:
                if (result.payload or {}).get("errorMessage") == "Unauthorized":
                    raise GatewayError("UNAUTHORIZED", "Unauthorized")
                raise GatewayError("AUTHORIZER_FAILURE", "AuthorizerFailure")
            output = result.payload
            context = output.get("context") or {}
            for key, value in context.items():
                if not isinstance(value, str | int | float | bool):
                    # API Gateway refuses such a result: AuthorizerConfigurationException.
                    raise GatewayError("AUTHORIZER_CONFIGURATION_ERROR", f"context[{key}]")
            cached = _CachedPolicy(
                expires=time.monotonic() + self._ttl.get(next(iter(self._ttl), ""), 300),
                principal_id=str(output["principalId"]),
                policy=output["policyDocument"],
                context=context,
            )
            self._cache[token] = cached
        if not _allows(cached.policy, method_arn):
            raise GatewayError("ACCESS_DENIED", "User is not authorized to access this resource")
        return {"principalId": cached.principal_id, "integrationLatency": 0, **cached.context}

    # --- integration ----------------------------------------------------------------------

    def _proxy_event(
        self,
        route: Route,
        method: str,
        path: str,
        query: str,
        params: dict[str, str],
        headers: dict[str, str],
        body: bytes | str | None,
        authorizer: dict[str, Any] | None,
        request_id: str,
    ) -> dict[str, Any]:
        multi_query = parse_qs(query, keep_blank_values=True) if query else None
        raw = body.encode() if isinstance(body, str) else body
        binary = raw is not None and not _is_text(raw)
        headers = {"Host": f"{API_ID}.execute-api.{REGION}.amazonaws.com", **headers}
        now = time.time()
        request_context: dict[str, Any] = {
            "resourceId": "abc123",
            "resourcePath": route.path,
            "httpMethod": method,
            "extendedRequestId": request_id[:16],
            "requestTime": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
            "path": f"/{self.stage}{path}",
            "accountId": ACCOUNT,
            "protocol": "HTTP/1.1",
            "stage": self.stage,
            "domainPrefix": API_ID,
            "requestTimeEpoch": int(now * 1000),
            "requestId": request_id,
            "identity": {
                "sourceIp": "203.0.113.7",
                "userAgent": headers.get("User-Agent", "harness"),
            },
            "domainName": headers["Host"],
            "apiId": API_ID,
        }
        if authorizer is not None:
            request_context["authorizer"] = authorizer
        return {
            "resource": route.path,
            "path": path,
            "httpMethod": method,
            "headers": headers,
            "multiValueHeaders": {k: [v] for k, v in headers.items()},
            "queryStringParameters": {k: v[-1] for k, v in multi_query.items()}
            if multi_query
            else None,
            "multiValueQueryStringParameters": multi_query or None,
            "pathParameters": params or None,
            "stageVariables": None,
            "requestContext": request_context,
            "body": None
            if raw is None
            else (base64.b64encode(raw).decode() if binary else raw.decode("utf-8")),
            "isBase64Encoded": binary,
        }

    def _integration_response(
        self, payload: Any, request_id: str, results: list[Result]
    ) -> HttpResponse:
        if not isinstance(payload, dict) or "statusCode" not in payload:
            raise GatewayError("DEFAULT_5XX", "Malformed Lambda proxy response")  # 502
        headers = {str(k): str(v) for k, v in (payload.get("headers") or {}).items()}
        for name, values in (payload.get("multiValueHeaders") or {}).items():
            headers[str(name)] = ", ".join(str(v) for v in values)
        headers["x-amzn-RequestId"] = request_id
        raw = payload.get("body") or ""
        body = base64.b64decode(raw) if payload.get("isBase64Encoded") else str(raw).encode("utf-8")
        return HttpResponse(int(payload["statusCode"]), headers, body, request_id, results)

    def _gateway_response(
        self, exc: GatewayError, request_id: str, results: list[Result]
    ) -> HttpResponse:
        defaults = {
            "MISSING_AUTHENTICATION_TOKEN": 403,
            "UNAUTHORIZED": 401,
            "ACCESS_DENIED": 403,
            "AUTHORIZER_FAILURE": 500,
            "AUTHORIZER_CONFIGURATION_ERROR": 500,
            "DEFAULT_5XX": 502,
        }
        configured = self.stack.gateway_responses()
        entry = configured.get(exc.response_type) or configured.get(
            "DEFAULT_5XX" if defaults.get(exc.response_type, 500) >= 500 else "DEFAULT_4XX", {}
        )
        status = int(entry.get("statusCode") or defaults.get(exc.response_type, 500))
        context = {
            "requestId": request_id,
            "error.messageString": json.dumps(str(exc)),
            "error.message": str(exc),
        }
        template = (entry.get("responseTemplates") or {}).get("application/json")
        body = _render(template, context) if template else json.dumps({"message": str(exc)})
        headers = {"x-amzn-RequestId": request_id, "x-amzn-ErrorType": exc.response_type}
        for key, raw in (entry.get("responseParameters") or {}).items():
            name = key.removeprefix("gatewayresponse.header.")
            value = raw if isinstance(raw, str) else self.resolve(raw)
            if value.startswith("'") and value.endswith("'"):
                headers[name] = value[1:-1]
            elif value.startswith("context."):
                headers[name] = str(context[value.removeprefix("context.")])
            else:
                raise ValueError(f"the harness does not map gateway response parameter {value}")
        return HttpResponse(status, headers, body.encode("utf-8"), request_id, results)


def _render(template: str, context: dict[str, str]) -> str:
    """The `$context.*` variables of a gateway response template."""
    for name in sorted(context, key=len, reverse=True):
        template = template.replace(f"$context.{name}", context[name])
    return template


def _is_text(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _allows(policy: dict[str, Any], method_arn: str) -> bool:
    """IAM evaluation of an authorizer policy for execute-api:Invoke on `method_arn`."""
    allowed = False
    for statement in policy.get("Statement", []):
        actions = statement.get("Action", [])
        actions = [actions] if isinstance(actions, str) else actions
        if not any(fnmatch.fnmatchcase("execute-api:Invoke", a) for a in actions):
            continue
        resources = statement.get("Resource", [])
        resources = [resources] if isinstance(resources, str) else resources
        if not any(fnmatch.fnmatchcase(method_arn, r) for r in resources):
            continue
        if statement.get("Effect") == "Deny":
            return False
        allowed = allowed or statement.get("Effect") == "Allow"
    return allowed

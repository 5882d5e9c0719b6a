"""What the synthesized template says about each function and what invokes it.

Everything the harness runs comes from here: handler strings, memory, timeouts,
tracing mode and environment variables of each function; the API's routes, which
function integrates each and whether the TOKEN authorizer guards it; the EventBridge
schedules; the S3 "Object Created" rule. Intrinsics in environment variables
(Ref / Fn::GetAtt / Fn::Join) resolve to the local stand-ins of the resources
they name (`Resolver`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FUNCTION_TYPES = ("AWS::Serverless::Function", "AWS::Lambda::Function")


@dataclass(frozen=True)
class Function:
    logical_id: str
    name: str  # FunctionName
    handler: str
    runtime: str
    memory_mb: int
    timeout_s: int
    traced: bool  # X-Ray active tracing
    environment: dict[str, Any]  # unresolved: values may be intrinsics


@dataclass(frozen=True)
class Route:
    path: str  # API Gateway resource path, e.g. /units/{unit_id}
    method: str  # upper case
    function: str  # logical id of the integrated function
    authorizer: str | None  # logical id of the TOKEN authorizer function, if guarded

    def match(self, path: str) -> dict[str, str] | None:
        pattern = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(self.path))
        m = re.fullmatch(pattern, path)
        return m.groupdict() if m else None


@dataclass(frozen=True)
class Schedule:
    function: str
    rule_name: str
    expression: str


@dataclass(frozen=True)
class StreamSource:
    function: str
    table_name: str  # the table whose DynamoDB stream invokes the function
    batch_size: int


@dataclass(frozen=True)
class ObjectCreatedRule:
    function: str
    rule_name: str
    bucket: Any  # intrinsic naming the bucket
    prefix: str


def _function_id(value: Any) -> str:
    """The logical id in `${X.Arn}` / {"Fn::GetAtt": [X, "Arn"]} of an integration URI."""
    text = json.dumps(value)
    m = re.search(r"\$\{(\w+)\.Arn\}", text) or re.search(r'"Fn::GetAtt": \["(\w+)", "Arn"\]', text)
    if not m:
        raise ValueError(f"cannot tell which function {text} invokes")
    return m.group(1)


class Stack:
    def __init__(self, template: dict[str, Any]) -> None:
        self.template = template
        self.resources: dict[str, dict[str, Any]] = template["Resources"]

    @classmethod
    def load(cls, path: Path) -> Stack:
        return cls(json.loads(path.read_text(encoding="utf-8")))

    def of_type(self, type_: str) -> dict[str, dict[str, Any]]:
        return {k: v for k, v in self.resources.items() if v["Type"] == type_}

    @staticmethod
    def _code_key(resource: dict[str, Any]) -> str:
        p = resource["Properties"]
        code = p.get("CodeUri") or p.get("Code") or {}
        return str(code.get("Key") or code.get("S3Key") or "") if isinstance(code, dict) else ""

    def functions(self) -> dict[str, Function]:
        """The functions that run the app's deployment package (the one Chalice's
        APIHandler runs), not the stack's helper functions (CDK custom resources)."""
        package = self._code_key(self.resources["APIHandler"])
        out = {}
        for logical_id, resource in self.resources.items():
            if resource["Type"] not in FUNCTION_TYPES or self._code_key(resource) != package:
                continue
            p = resource["Properties"]
            traced = (
                p.get("Tracing") == "Active"
                or (p.get("TracingConfig") or {}).get("Mode") == "Active"
            )
            out[logical_id] = Function(
                logical_id=logical_id,
                name=str(p["FunctionName"]),
                handler=str(p["Handler"]),
                runtime=str(p["Runtime"]),
                memory_mb=int(p.get("MemorySize", 128)),
                timeout_s=int(p.get("Timeout", 3)),
                traced=traced,
                environment=dict((p.get("Environment") or {}).get("Variables") or {}),
            )
        return out

    def function_named(self, suffix: str) -> Function:
        """The function whose FunctionName ends with `-<suffix>` (CDK logical ids of
        functions infra creates itself carry a hash)."""
        found = [f for f in self.functions().values() if f.name.endswith(f"-{suffix}")]
        if len(found) != 1:
            raise KeyError(f"no single function named *-{suffix}: {[f.name for f in found]}")
        return found[0]

    # --- API Gateway ---------------------------------------------------------------------

    @property
    def rest_api(self) -> dict[str, Any]:
        (api,) = self.of_type("AWS::Serverless::Api").values()
        return api["Properties"]

    @property
    def api_stage(self) -> str:
        return str(self.rest_api["StageName"])

    def routes(self) -> list[Route]:
        body = self.rest_api["DefinitionBody"]
        authorizers = {
            name: _function_id(d["x-amazon-apigateway-authorizer"]["authorizerUri"])
            for name, d in (body.get("securityDefinitions") or {}).items()
            if d.get("x-amazon-apigateway-authtype") == "custom"
        }
        routes = []
        for path, operations in body["paths"].items():
            for method, op in operations.items():
                integration = op.get("x-amazon-apigateway-integration") or {}
                if integration.get("type") != "aws_proxy":
                    continue
                security = [name for s in op.get("security") or [] for name in s]
                routes.append(
                    Route(
                        path=path,
                        method=method.upper(),
                        function=_function_id(integration["uri"]),
                        authorizer=authorizers[security[0]] if security else None,
                    )
                )
        # Literal segments win over {parameters}, as in API Gateway.
        routes.sort(key=lambda r: (r.path.count("{"), -len(r.path)))
        return routes

    def route(self, method: str, path: str) -> tuple[Route, dict[str, str]]:
        for route in self.routes():
            if route.method == method.upper():
                params = route.match(path)
                if params is not None:
                    return route, params
        raise KeyError(f"no route {method} {path}")

    def gateway_responses(self) -> dict[str, dict[str, Any]]:
        return dict(
            self.rest_api["DefinitionBody"].get("x-amazon-apigateway-gateway-responses") or {}
        )

    # --- EventBridge -----------------------------------------------------------------------

    def schedules(self) -> list[Schedule]:
        out = []
        for logical_id, resource in self.resources.items():
            if resource["Type"] != "AWS::Serverless::Function":
                continue
            for event_name, event in (resource["Properties"].get("Events") or {}).items():
                if event["Type"] == "Schedule":
                    out.append(Schedule(logical_id, event_name, event["Properties"]["Schedule"]))
        return out

    def stream_sources(self) -> list[StreamSource]:
        out = []
        for logical_id, resource in self.resources.items():
            if resource["Type"] != "AWS::Serverless::Function":
                continue
            for event in (resource["Properties"].get("Events") or {}).values():
                if event["Type"] == "DynamoDB":
                    table_id = event["Properties"]["Stream"]["Fn::GetAtt"][0]
                    table = self.resources[table_id]["Properties"]["TableName"]
                    out.append(
                        StreamSource(logical_id, str(table), int(event["Properties"]["BatchSize"]))
                    )
        return out

    def object_created_rules(self) -> list[ObjectCreatedRule]:
        out = []
        for logical_id, resource in self.of_type("AWS::Events::Rule").items():
            pattern = resource["Properties"].get("EventPattern") or {}
            if pattern.get("detail-type") != ["Object Created"]:
                continue
            detail = pattern["detail"]
            for target in resource["Properties"]["Targets"]:
                out.append(
                    ObjectCreatedRule(
                        function=_function_id(target["Arn"]),
                        rule_name=logical_id,
                        bucket=detail["bucket"]["name"][0],
                        prefix=str(detail["object"]["key"][0]["prefix"]),
                    )
                )
        return out


class Resolver:
    """Resolves the intrinsics the template's environment variables use, through the
    local stand-in of each referenced resource (by resource type)."""

    def __init__(
        self,
        stack: Stack,
        by_type: dict[str, Callable[[str, str | None], str]],
        pseudo: dict[str, str] | None = None,
    ) -> None:
        self.stack = stack
        self.by_type = by_type  # type -> (logical id, attribute or None for Ref) -> value
        self.pseudo = pseudo or {}  # "AWS::Region" -> value

    def _lookup(self, logical_id: str, attribute: str | None) -> str:
        if attribute is None and logical_id in self.pseudo:
            return self.pseudo[logical_id]
        type_ = self.stack.resources[logical_id]["Type"]
        if type_ not in self.by_type:
            raise KeyError(
                f"{logical_id} ({type_}) is referenced by a function's environment but the "
                "Lambda harness has no local stand-in for that resource type"
            )
        return self.by_type[type_](logical_id, attribute)

    def resolve(self, value: Any) -> str:
        if isinstance(value, str | int | float | bool):
            return str(value)
        if isinstance(value, dict) and len(value) == 1:
            ((fn, arg),) = value.items()
            if fn == "Ref":
                return self._lookup(str(arg), None)
            if fn == "Fn::GetAtt":
                return self._lookup(str(arg[0]), str(arg[1]))
            if fn == "Fn::Join":
                return str(arg[0]).join(self.resolve(v) for v in arg[1])
            if fn == "Fn::Sub":
                return self._sub(arg)
        raise ValueError(f"the Lambda harness cannot resolve {json.dumps(value)}")

    def _sub(self, arg: Any) -> str:
        """Fn::Sub: "${Name}" is a variable of its map, a pseudo parameter, a Ref, or
        "${Resource.Attribute}" a GetAtt."""
        template, variables = (arg, {}) if isinstance(arg, str) else (str(arg[0]), dict(arg[1]))

        def value(match: re.Match[str]) -> str:
            name = match.group(1)
            if name in variables:
                return self.resolve(variables[name])
            if "." in name and not name.startswith("AWS::"):
                logical_id, attribute = name.split(".", 1)
                return self._lookup(logical_id, attribute)
            return self._lookup(name, None)

        return re.sub(r"\$\{([^}!]+)\}", value, template)

    def environment(self, function: Function) -> dict[str, str]:
        return {k: self.resolve(v) for k, v in function.environment.items()}

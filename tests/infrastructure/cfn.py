"""Helpers to read the synthesized CloudFormation template in tests."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

FUNCTION_TYPES = ("AWS::Serverless::Function", "AWS::Lambda::Function")
_PSEUDO = {
    "Partition": "aws",
    "AccountId": "ACCOUNT",
    "Region": "REGION",
    "URLSuffix": "amazonaws.com",
}


def render(value: Any) -> str:
    """A CloudFormation value as a readable string: refs become <Name> / <Name.Attr>."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and len(value) == 1:
        ((fn, arg),) = value.items()
        if fn == "Ref":
            return _PSEUDO.get(arg.removeprefix("AWS::"), f"<{arg}>")
        if fn == "Fn::GetAtt":
            return f"<{arg[0]}.{arg[1]}>"
        if fn == "Fn::Join":
            sep, parts = arg
            return sep.join(render(p) for p in parts)
        if fn == "Fn::Sub":
            text, variables = (arg, {}) if isinstance(arg, str) else arg
            for name, v in variables.items():
                text = text.replace("${" + name + "}", render(v))
            text = re.sub(r"\$\{AWS::(\w+)\}", lambda m: _PSEUDO.get(m.group(1), m.group(1)), text)
            return re.sub(r"\$\{([\w.]+)\}", r"<\1>", text)
    return repr(value)


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


# aws-cdk-lib's own provider functions (the console's BucketDeployment): not the app's,
# not in infra/catalog.py; tests/infrastructure/test_console.py checks them.
CDK_PROVIDER = re.compile(r"CustomCDKBucketDeployment[0-9A-F]+\d+MiB[0-9A-F]{8}")


def functions(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The app's function resources keyed by their catalog name (Chalice's logical id, or
    ours); CDK's provider functions are left out."""
    out = {}
    for logical, resource in template["Resources"].items():
        if resource["Type"] in FUNCTION_TYPES and not CDK_PROVIDER.fullmatch(logical):
            name = resource["Properties"]["FunctionName"].rsplit("-", 1)[-1]
            out[name] = resource
    return out


def role_of(template: dict[str, Any], function: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    ref = function["Properties"]["Role"]
    assert isinstance(ref, dict) and "Fn::GetAtt" in ref, f"role is not a stack role: {ref}"
    logical = ref["Fn::GetAtt"][0]
    return logical, template["Resources"][logical]


def statements(role: dict[str, Any]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for policy in role["Properties"].get("Policies", []):
        out.extend(policy["PolicyDocument"]["Statement"])
    return out


@dataclass
class Permissions:
    """A role's Allow statements, sorted into what they reach."""

    tables: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    indexes: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    objects: dict[tuple[str, str], set[str]] = field(default_factory=lambda: defaultdict(set))
    listing: dict[tuple[str, str], set[str]] = field(default_factory=lambda: defaultdict(set))
    key: set[str] = field(default_factory=set)
    logs: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    star: set[str] = field(default_factory=set)
    queues: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    streams: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    invoke: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    other: list[tuple[str, str]] = field(default_factory=list)
    denies: list[dict[str, Any]] = field(default_factory=list)


TABLE_RE = re.compile(
    r"^arn:aws:dynamodb:[\w-]+:ACCOUNT:table/khong-giay-prod-(\w+)(/index/(\w+))?$"
)
STREAM_RE = re.compile(r"^arn:aws:dynamodb:[\w-]+:ACCOUNT:table/khong-giay-prod-(\w+)/stream/\*$")
OBJECT_RE = re.compile(r"^<Data(\w+)Bucket[0-9A-F]{8}\.Arn>/(.*)\*$")
BUCKET_RE = re.compile(r"^<Data(\w+)Bucket[0-9A-F]{8}\.Arn>$")
FUNCTION_RE = re.compile(r"^arn:aws:lambda:[\w-]+:ACCOUNT:function:khong-giay-prod-(\w+)$")
LOG_RE = re.compile(r"^arn:aws:logs:[\w-]+:ACCOUNT:log-group:(/aws/lambda/[\w-]+):\*$")


def permissions(role: dict[str, Any]) -> Permissions:
    p = Permissions()
    for st in statements(role):
        actions = [str(a) for a in as_list(st["Action"])]
        if st["Effect"] == "Deny":
            p.denies.append(st)
            continue
        for resource in (render(r) for r in as_list(st["Resource"])):
            for action in actions:
                if m := STREAM_RE.match(resource):
                    p.streams[m.group(1)].add(action)
                elif m := TABLE_RE.match(resource):
                    target = p.indexes if m.group(3) else p.tables
                    target[m.group(1) + (f"/{m.group(3)}" if m.group(3) else "")].add(action)
                elif m := OBJECT_RE.match(resource):
                    p.objects[(m.group(1).lower(), m.group(2))].add(action)
                elif m := BUCKET_RE.match(resource):
                    prefixes = st.get("Condition", {}).get("StringLike", {}).get("s3:prefix", [])
                    for prefix in as_list(prefixes):
                        p.listing[(m.group(1).lower(), prefix.rstrip("*"))].add(action)
                    if not prefixes:
                        p.other.append((action, resource))
                elif re.fullmatch(r"<DataKey\w+\.Arn>", resource):
                    p.key.add(action)
                elif m := FUNCTION_RE.match(resource):
                    p.invoke[m.group(1)].add(action)
                elif m := LOG_RE.match(resource):
                    p.logs[m.group(1)].add(action)
                elif resource == "*":
                    p.star.add(action)
                elif re.fullmatch(r"<DataAsyncFailures\w+\.Arn>", resource):
                    p.queues["dlq"].add(action)
                elif re.fullmatch(r"<DataStreamFailures\w+\.Arn>", resource):
                    p.queues["stream_failures"].add(action)
                else:
                    p.other.append((action, resource))
    return p

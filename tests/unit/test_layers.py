"""The layers of docs/architecture.md, checked on the import graph of chalicelib.

Every import counts, the ones inside functions too (a cycle hidden in a function is still
a cycle): the graph has no cycle, arrows point one way (api → services → storage and
domain; nothing below imports what is above it), and PynamoDB and botocore stay inside
chalicelib/storage/.
"""

from __future__ import annotations

import ast
import graphlib
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "chalicelib"

# Layer -> the chalicelib layers it may import (besides itself and the shared modules).
ALLOWED: dict[str, set[str]] = {
    "domain": set(),
    "schemas": {"domain"},
    "reports": {"domain"},
    "storage": {"domain"},
    "services": {"domain", "schemas", "storage", "reports"},
    "jobs": {"domain", "schemas", "services", "storage"},
    "api": {"domain", "schemas", "services", "jobs"},
}
# Modules beside the layers that any layer may use: settings, errors, the caller's
# identity, JSON in and out, logging and tracing. They import no layer.
SHARED = {
    "settings",
    "clock",
    "errors",
    "auth",
    "json_input",
    "json_output",
    "observability",
    "deploy_guard",
}
STORAGE_ONLY = ("pynamodb", "botocore", "boto3")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in PACKAGE.rglob("*.py")}


def _imports(name: str) -> set[str]:
    """Every module `name` imports (absolute names; `from pkg import sub` is `pkg.sub`)."""
    path = _modules()[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return found


def _internal(imported: str, importer: str) -> str | None:
    """The chalicelib module an imported name is (its longest known prefix)."""
    modules = _modules()
    while imported and imported not in modules:
        imported = imported.rpartition(".")[0]
    # A package's submodule importing its own package is the package's __init__, not a
    # dependency that can form a cycle through it.
    if not imported or imported == importer or importer.startswith(imported + "."):
        return None
    return imported


def _graph() -> dict[str, set[str]]:
    return {
        name: {m for i in _imports(name) if (m := _internal(i, name)) is not None}
        for name in _modules()
    }


def _layer(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def test_the_import_graph_has_no_cycle() -> None:
    graph = _graph()
    assert len(graph) > 50
    try:
        tuple(graphlib.TopologicalSorter(graph).static_order())
    except graphlib.CycleError as exc:
        pytest.fail(f"import cycle: {' -> '.join(exc.args[1])}")


def test_layers_import_only_downwards() -> None:
    wrong = []
    for module, imported in _graph().items():
        layer = _layer(module)
        for target in imported:
            other = _layer(target)
            if other == layer or other in SHARED or other == "":
                continue
            if layer in SHARED or layer == "" or other not in ALLOWED.get(layer, set()):
                wrong.append(f"{module} imports {target}")
    assert not wrong, "\n".join(sorted(wrong))


def test_aws_libraries_stay_in_storage() -> None:
    wrong = [
        f"{module} imports {name}"
        for module in _modules()
        if _layer(module) != "storage"
        for name in _imports(module)
        if name.split(".")[0] in STORAGE_ONLY
    ]
    assert not wrong, "\n".join(sorted(wrong))


# Services and the domain say what went wrong in the domain's words
# (chalicelib/domain/errors.py); chalicelib/api/errors.py alone turns that into HTTP.
HTTP_FREE_LAYERS = ("services", "domain")
# What services may take from chalicelib/errors.py: the field list of a pydantic error.
ERRORS_ALLOWED = {"validation_details"}


def _errors_imports(name: str) -> set[str]:
    tree = ast.parse(_modules()[name].read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "chalicelib.errors":
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module == "chalicelib":
            found.update("errors" for alias in node.names if alias.name == "errors")
        elif isinstance(node, ast.Import):
            found.update("errors" for a in node.names if a.name == "chalicelib.errors")
    return found - ERRORS_ALLOWED


def _status_literals(name: str) -> list[int]:
    """Lines of raises (and error constructions) in `name` that carry an HTTP status."""
    tree = ast.parse(_modules()[name].read_text(encoding="utf-8"))
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Raise) and node.exc is not None:
            scope: list[ast.AST] = [node.exc]
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            scope = [node] if node.func.id.endswith(("Error", "Exception")) else []
        else:
            continue
        for part in scope:
            for inner in ast.walk(part):
                literal = isinstance(inner, ast.Constant) and type(inner.value) is int
                if literal and 400 <= inner.value <= 599:
                    lines.append(node.lineno)
    return sorted(set(lines))


def test_services_and_the_domain_raise_domain_errors_not_http() -> None:
    modules = [m for m in _modules() if _layer(m) in HTTP_FREE_LAYERS]
    assert len(modules) > 30
    wrong = [
        f"{m} imports {', '.join(sorted(n))} from chalicelib.errors"
        for m in modules
        if (n := _errors_imports(m))
    ]
    wrong += [
        f"{m}:{line} raises with an HTTP status" for m in modules for line in _status_literals(m)
    ]
    assert not wrong, "\n".join(sorted(wrong))

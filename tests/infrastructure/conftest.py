"""The synthesized prod stack the gates read (tests/synthesis.py builds it in a
subprocess with no AWS credentials, once per source state).

A subprocess keeps `chalice package` (which imports app.py with the stage's
environment) and the jsii runtime out of the test process's environment.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.synthesis import synthesize

REPO = Path(__file__).resolve().parents[2]
STAGE = "prod"
STACK_NAME = f"khong-giay-{STAGE}"

# Variables the synth must not inherit: credentials (it needs none) and the app's
# settings (the root conftest sets test values).
_DROP_PREFIXES = ("AWS_", "AUTH_", "POWERTOOLS_", "CDK_")
_DROP = {"STAGE", "TABLE_PREFIX", "LOCAL_SECRET_KEY"}


_XDG_CACHE: list[Path] = []


def clean_env() -> dict[str, str]:
    """Environment of the synth and gate subprocesses: no credentials, no app settings,
    and no cache outside the repo or the session's temporary directory."""
    env = {
        k: v for k, v in os.environ.items() if k not in _DROP and not k.startswith(_DROP_PREFIXES)
    }
    env.setdefault(
        "JSII_RUNTIME_PACKAGE_CACHE_ROOT", str(REPO / "infra" / "cdk.out" / ".jsii-cache")
    )
    env.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
    env["PIP_NO_CACHE_DIR"] = "1"
    if _XDG_CACHE:  # tools' caches (checkov, bandit's stevedore, ...) -> session tmp dir
        env["XDG_CACHE_HOME"] = str(_XDG_CACHE[0])
    return env


@pytest.fixture(scope="session", autouse=True)
def _session_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> None:
    _XDG_CACHE[:] = [tmp_path_factory.mktemp("xdg-cache")]


# Anything importing aws_cdk in this process (the `template` fixture) keeps jsii's
# package cache in the repo and quiet about Node 20.
os.environ.setdefault(
    "JSII_RUNTIME_PACKAGE_CACHE_ROOT", str(REPO / "infra" / "cdk.out" / ".jsii-cache")
)
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")


@dataclass
class Synth:
    outdir: Path
    template_path: Path
    template: dict[str, Any]
    manifest: dict[str, Any]
    seconds: float
    cpu_seconds: float
    output: str

    def resources(self, type_: str) -> dict[str, dict[str, Any]]:
        return {k: v for k, v in self.template["Resources"].items() if v["Type"] == type_}

    def messages(self, level: str) -> list[dict[str, Any]]:
        """Annotations of `level` ("aws:cdk:error", ...): cdk-nag findings and synthesis
        errors. CDK writes them to the manifest or to the artifact's metadata file."""
        artifact = self.manifest["artifacts"][STAGE]
        metadata: dict[str, list[dict[str, Any]]] = dict(artifact.get("metadata", {}))
        extra = artifact.get("additionalMetadataFile")
        if extra:
            for path, entries in json.loads((self.outdir / extra).read_text()).items():
                metadata.setdefault(path, []).extend(entries)
        return [
            {"path": path, "data": entry["data"]}
            for path, entries in metadata.items()
            for entry in entries
            if entry["type"] == level
        ]


@pytest.fixture(scope="session")
def synth() -> Synth:
    """The prod stack's synthesis (tests/synthesis.py: built once per source state, shared
    with the Lambda harness)."""
    try:
        built = synthesize(clean_env())
    except RuntimeError as exc:
        pytest.fail(str(exc))
    return Synth(
        outdir=built.outdir,
        template_path=built.template_path,
        template=json.loads(built.template_path.read_text(encoding="utf-8")),
        manifest=json.loads((built.outdir / "manifest.json").read_text(encoding="utf-8")),
        seconds=built.seconds,
        cpu_seconds=built.cpu_seconds,
        output=built.output,
    )


@pytest.fixture(scope="session")
def template(synth: Synth) -> Any:
    """aws_cdk.assertions.Template of the synthesized stack."""
    from aws_cdk.assertions import Template

    return Template.from_json(synth.template)

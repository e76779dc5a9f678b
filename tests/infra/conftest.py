"""Template tests: one synthesis per configuration, shared by every test that asks for it.

Synthesis runs cdk-nag (any unacknowledged finding fails it) with bundling skipped (`skipBundling`): the
template is the same as with bundling, only the Lambda code assets are not built. Counts in the tests
are derived from the registry and `resolve_alarms`, never written down.
"""

from __future__ import annotations

import os

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

import atexit
import json
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest
from aws_cdk.cx_api import SynthesisMessageLevel

from infra.app import create_app
from infra.stack import StackInputs
from shared.context import read_cdk_context

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SAMPLE_MODULE = "tests.infra.sample_monitor"


@dataclass(frozen=True)
class Synthesized:
    """A synthesised stack: its template (dict), the inputs it was generated from, and the outdir."""

    template: dict
    inputs: StackInputs
    outdir: Path
    stack_name: str
    warnings: tuple[str, ...] = ()  # the stack's synthesis warnings (annotations), as `cdk synth` prints them

    def resources(self, type_: str) -> dict[str, dict]:
        return {k: v for k, v in self.template["Resources"].items() if v["Type"] == type_}

    def only(self, type_: str) -> dict:
        found = list(self.resources(type_).values())
        assert len(found) == 1, f"expected one {type_}, found {len(found)}"
        return found[0]

    def logical_id(self, path_suffix: str) -> str:
        """Logical id of the resource whose construct path ends with `path_suffix`."""
        matches = [
            k
            for k, v in self.template["Resources"].items()
            if v.get("Metadata", {}).get("aws:cdk:path", "").endswith(path_suffix)
        ]
        assert len(matches) == 1, f"{path_suffix}: {matches}"
        return matches[0]


def base_context() -> dict[str, object]:
    context = read_cdk_context(PROJECT_ROOT)
    context["skipBundling"] = True
    context["aws:cdk:enable-path-metadata"] = True  # what the CDK CLI sets: construct paths in Metadata
    return context


@cache
def _synth(overrides: tuple[tuple[str, object], ...]) -> Synthesized:
    context = base_context()
    context.update(dict(overrides))
    outdir = Path(tempfile.mkdtemp(prefix="llm-monitor-synth-"))
    atexit.register(shutil.rmtree, outdir, ignore_errors=True)
    built = create_app(context, outdir=str(outdir))
    assembly = built.app.synth()  # runs cdk-nag: raises on any unacknowledged finding
    stack_name = built.stack.stack_name
    artifact = assembly.get_stack_by_name(stack_name)
    warnings = tuple(str(m.entry.data) for m in artifact.messages if m.level == SynthesisMessageLevel.WARNING)
    return Synthesized(json.loads(json.dumps(artifact.template)), built.stack.inputs, outdir, stack_name, warnings)


def synth(**overrides: object) -> Synthesized:
    """Synthesise with context overrides (dotted keys as on the command line); cached per configuration."""
    return _synth(tuple(sorted((k.replace("__", "."), v) for k, v in overrides.items())))


@pytest.fixture(scope="session")
def default() -> Synthesized:
    """cdk.json as it is (bundling skipped)."""
    return synth()


@pytest.fixture(scope="session")
def with_sample_monitor() -> Synthesized:
    """A monitor defined in a test module, added through `monitorModules`."""
    return synth(monitorModules=SAMPLE_MODULE)


@pytest.fixture(scope="session")
def logging_on() -> Synthesized:
    return synth(invocationLogging="true")


def resolve_join(value: object, refs: Mapping[str, str] | None = None) -> str:
    """A template string value with Fn::Join flattened and Ref / GetAtt written as ${...} placeholders."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        if "Fn::Join" in value:
            separator, parts = value["Fn::Join"]
            return separator.join(resolve_join(p, refs) for p in parts)
        if "Ref" in value:
            return (refs or {}).get(value["Ref"], "${" + value["Ref"] + "}")
        if "Fn::GetAtt" in value:
            return "${" + ".".join(value["Fn::GetAtt"]) + "}"
    return json.dumps(value)


@pytest.fixture
def fresh_outdir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="llm-monitor-synth-") as path:
        yield Path(path)

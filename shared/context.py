"""Configuration as CDK context: nested values from cdk.json, dotted overrides from `-c key=value`.

`cdk.json` holds nested objects (`"monitors": {"refusal": {"samplingRate": 0.5}}`); on the command line
`-c monitors.refusal.samplingRate=0.5` overrides one leaf. The local runtime accepts the same `-c`
flags and reads the same cdk.json, so local alarms are exactly the deployed ones.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from pathlib import Path

from shared.errors import ConfigurationError


def merge_context(context: Mapping[str, object]) -> dict[str, object]:
    """Nested context with every dotted key applied as an override of the path it names."""
    merged: dict[str, object] = {}
    dotted: list[tuple[str, object]] = []
    for key, value in context.items():
        if "." in key and not key.startswith("@"):
            dotted.append((key, value))
        else:
            merged[key] = copy.deepcopy(value)
    for key, value in sorted(dotted, key=lambda kv: kv[0].count(".")):
        node = merged
        parts = key.split(".")
        for part in parts[:-1]:
            child = node.get(part)
            if not isinstance(child, dict):
                child = {}
                node[part] = child
            node = child
        node[parts[-1]] = value
    return merged


CDK_JSON = "cdk.json"
CDK_CONTEXT_JSON = "cdk.context.json"


def read_cdk_context(project_dir: Path) -> dict[str, object]:
    """The `context` of cdk.json (and cdk.context.json, which CDK also reads) in `project_dir`."""
    context: dict[str, object] = {}
    for name in (CDK_JSON, CDK_CONTEXT_JSON):
        path = project_dir / name
        if path.is_file():
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
            except ValueError as exc:
                raise ConfigurationError(name, f"is not valid JSON: {exc}") from None
            section = data.get("context", {}) if name == CDK_JSON else data
            if isinstance(section, dict):
                context.update(section)
    return context


def parse_assignments(pairs: list[str] | None) -> dict[str, object]:
    """`key=value` strings (as given to `-c`) to a dict; values stay strings, as CDK passes them."""
    out: dict[str, object] = {}
    for pair in pairs or []:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise ConfigurationError(pair, "expected key=value")
        out[key.strip()] = value
    return out

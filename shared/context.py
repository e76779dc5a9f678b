"""Configuration as CDK context: nested values from cdk.json, dotted overrides from `-c key=value`.

`cdk.json` holds nested objects (`"monitors": {"refusal": {"samplingRate": 0.5}}`); on the command line
`-c monitors.refusal.samplingRate=0.5` overrides one leaf. The local runtime accepts the same `-c`
flags and reads the same cdk.json, so local alarms are exactly the deployed ones.
"""

from __future__ import annotations

import copy
import json
import re
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
            except (ValueError, RecursionError) as exc:
                reason = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)
                raise ConfigurationError(str(path), f"is not valid JSON: {reason}") from None
            except OSError as exc:
                raise ConfigurationError(str(path), f"cannot be read: {exc.strerror or exc}") from None
            if not isinstance(data, dict):
                raise ConfigurationError(str(path), "must hold a JSON object")
            section = data.get("context", {}) if name == CDK_JSON else data
            if not isinstance(section, dict):
                raise ConfigurationError(f"{path}: context", "must be a JSON object of settings")
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


#: The CloudFormation stack name (`stackName`). The stack owns it, and every name that must be unique per
#: account and region is scoped by it: the dashboard, and the alarms (monitor alarms through
#: `monitors.core.alarms.alarm_name`, pipeline-health alarms through `infra.naming`), so the local runtime's
#: alarm names are the deployed ones.
STACK_NAME_KEY = "stackName"
DEFAULT_STACK_NAME = "LlmMonitor"
_STACK_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9-]{0,127}$")


def stack_name(context: Mapping[str, object]) -> str:
    """`stackName` of a (merged) context, validated as CloudFormation requires; ConfigurationError names it."""
    name = str(context.get(STACK_NAME_KEY) or DEFAULT_STACK_NAME)
    if not _STACK_NAME.match(name):
        raise ConfigurationError(
            STACK_NAME_KEY,
            f"must start with a letter and hold only letters, digits and '-' (≤128), got {name!r}",
        )
    return name

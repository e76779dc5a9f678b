"""CDK-context configuration: nested cdk.json values with dotted `-c` overrides."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from shared.context import merge_context, parse_assignments, read_cdk_context
from shared.errors import ConfigurationError
from shared.values import parse_list


def test_dotted_keys_override_nested_values() -> None:
    merged = merge_context(
        {
            "monitors": {"refusal": {"samplingRate": 1.0, "method": "fuzzy"}},
            "monitors.refusal.samplingRate": "0.5",
            "alarms.Refusal.threshold": "0.3",
            "@aws-cdk/core:flag": True,
        }
    )
    assert merged["monitors"] == {"refusal": {"samplingRate": "0.5", "method": "fuzzy"}}
    assert merged["alarms"] == {"Refusal": {"threshold": "0.3"}}
    assert merged["@aws-cdk/core:flag"] is True


def test_cdk_json_and_cdk_context_json_are_read(tmp_path: Path) -> None:
    (tmp_path / "cdk.json").write_text(json.dumps({"app": "x", "context": {"namespace": "A", "backend": "aws"}}))
    (tmp_path / "cdk.context.json").write_text(json.dumps({"namespace": "B"}))
    assert read_cdk_context(tmp_path) == {"namespace": "B", "backend": "aws"}
    (tmp_path / "cdk.json").write_text("{broken")
    with pytest.raises(ConfigurationError, match="cdk.json"):
        read_cdk_context(tmp_path)


def test_assignments_and_lists() -> None:
    assert parse_assignments(["a.b=1", "c=x=y"]) == {"a.b": "1", "c": "x=y"}
    with pytest.raises(ConfigurationError):
        parse_assignments(["novalue"])
    assert parse_list("a, b,,c", key="k") == ["a", "b", "c"]
    assert parse_list('["a", "b"]', key="k") == ["a", "b"]
    assert parse_list(["a"], key="k") == ["a"]
    with pytest.raises(ConfigurationError, match="k"):
        parse_list(3, key="k")

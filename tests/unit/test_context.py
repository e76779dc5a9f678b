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


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"context": []}', "context: must be a JSON object of settings"),
        ("[1, 2]", "must hold a JSON object"),
        ('{"context": ' + "[" * 5000 + "]" * 5000 + "}", "nested too deeply"),
    ],
)
def test_a_cdk_json_that_is_not_settings_is_an_error_not_ignored(tmp_path: Path, content: str, message: str) -> None:
    (tmp_path / "cdk.json").write_text(content, encoding="utf-8")
    with pytest.raises(ConfigurationError, match=message):
        read_cdk_context(tmp_path)


def test_values_nested_thousands_deep_and_huge_values_are_one_short_error() -> None:
    from shared.values import parse_float, parse_mapping

    with pytest.raises(ConfigurationError, match="monitors: is not a valid JSON object"):
        parse_mapping('{"a":' * 5000 + "1" + "}" * 5000, key="monitors")
    with pytest.raises(ConfigurationError) as caught:
        parse_float("9" * 100_000 + "x", key="monitors.refusal.threshold")
    assert len(str(caught.value)) < 200


def test_monitor_modules_that_fail_say_where_in_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from monitors.core.registry import discover
    from shared.errors import MonitorDefinitionError

    (tmp_path / "broken_syntax.py").write_text("x = (\n", encoding="utf-8")
    (tmp_path / "broken_import.py").write_text("\n\nraise RuntimeError('boom')\n", encoding="utf-8")
    (tmp_path / "exits.py").write_text("import sys\nsys.exit(0)\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(MonitorDefinitionError, match=r"'broken_syntax' failed at .*broken_syntax.py:1: SyntaxError"):
        discover(["broken_syntax"], builtin=False)
    with pytest.raises(MonitorDefinitionError, match=r"broken_import.py:3: RuntimeError: boom"):
        discover(["broken_import"], builtin=False)
    with pytest.raises(MonitorDefinitionError, match=r"exits.py:2: SystemExit"):  # not a silent exit 0
        discover(["exits"], builtin=False)
    with pytest.raises(ConfigurationError, match="'.relative' is not an absolute module name"):
        discover([".relative"], builtin=False)

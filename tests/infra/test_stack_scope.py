"""Names that must be unique per account and region are scoped by the stack (issue 10): every alarm,
monitor and pipeline-health alike, carries `stackName`, the local runtime names them the same way, and an
app cannot hold two stacks that would alarm on one namespace's data."""

from __future__ import annotations

from collections.abc import Mapping

import pytest
from aws_cdk import App, Environment

from infra import bundling
from infra.app import read_inputs
from infra.naming import pipeline_alarm_prefix
from infra.stack import LlmMonitorStack
from monitors.core.alarms import alarm_name, resolve_alarms
from monitors.core.config import MonitoringConfig
from shared.context import DEFAULT_STACK_NAME
from shared.errors import ConfigurationError
from tests.infra.conftest import Synthesized, base_context, synth


def alarm_names(s: Synthesized) -> list[str]:
    return [a["Properties"]["AlarmName"] for a in s.resources("AWS::CloudWatch::Alarm").values()]


def test_every_alarm_name_starts_with_the_stack_name(default: Synthesized) -> None:
    names = alarm_names(default)
    assert names and all(name.startswith(f"{default.stack_name}-") for name in names)
    monitor = {d.name for d in default.inputs.alarms}
    pipeline = [name for name in names if name not in monitor]
    assert pipeline and all(name.startswith(pipeline_alarm_prefix(default.stack_name)) for name in pipeline)


def test_another_stack_name_renames_every_alarm_and_nothing_collides(default: Synthesized) -> None:
    other = synth(stackName="TeamB-Monitor")
    assert other.stack_name == "TeamB-Monitor"
    names = alarm_names(other)
    assert all(name.startswith("TeamB-Monitor-") for name in names)
    assert not set(names) & set(alarm_names(default))  # both deploy side by side in one account and region
    # the local runtime resolves the same names from the same context
    local = resolve_alarms(MonitoringConfig.from_context({"stackName": "TeamB-Monitor"}), other.inputs.registry)
    assert {d.name for d in local} == {d.name for d in other.inputs.alarms} <= set(names)


def test_alarm_names_are_stable_and_within_cloudwatch_limits() -> None:
    assert alarm_name(DEFAULT_STACK_NAME, "Refusal", None) == "LlmMonitor-Refusal-all-models"
    assert alarm_name("S", "Refusal", "us.anthropic.claude-3-haiku-20240307-v1:0") == (
        "S-Refusal-us.anthropic.claude-3-haiku-20240307-v1_0"
    )
    longest = alarm_name("S" * 128, "M" * 200, "x" * 300)
    assert len(longest) == 255 and longest == alarm_name("S" * 128, "M" * 200, "x" * 300)


def test_the_local_runtime_validates_the_stack_name_like_the_stack() -> None:
    with pytest.raises(ConfigurationError, match="stackName"):
        MonitoringConfig.from_context({"stackName": "1-starts-with-a-digit"})


# --- two stacks in one app -------------------------------------------------------------------------------


def _app() -> App:
    return App(context=base_context(), post_cli_context=bundling.skip_bundling_context())


def _stack(app: App, overrides: Mapping[str, object], env: Environment | None = None) -> LlmMonitorStack:
    inputs = read_inputs({**base_context(), **overrides}, {})
    name = inputs.infra.stack_name
    return LlmMonitorStack(app, name, inputs=inputs, stack_name=name, env=env)


@pytest.mark.slow
def test_two_stacks_with_one_namespace_fail_the_synth_naming_both() -> None:
    app = _app()
    _stack(app, {"stackName": "First"})
    with pytest.raises(ConfigurationError, match=r"namespace: 'LLMMonitor' is already the namespace of stack 'First'"):
        _stack(app, {"stackName": "Second"})


@pytest.mark.slow
def test_two_stacks_with_their_own_namespaces_or_regions_build() -> None:
    app = _app()
    _stack(app, {"stackName": "First"})
    _stack(app, {"stackName": "Second", "namespace": "LLMMonitorB"})
    regional = _app()
    _stack(regional, {"stackName": "East"}, Environment(account="123456789012", region="us-east-1"))
    _stack(regional, {"stackName": "West"}, Environment(account="123456789012", region="us-west-2"))


def test_a_stack_deployed_under_another_name_than_configured_fails() -> None:
    app = _app()
    inputs = read_inputs(base_context(), {})
    with pytest.raises(ConfigurationError, match="stackName: the stack is named 'Renamed'"):
        LlmMonitorStack(app, "Renamed", inputs=inputs, stack_name="Renamed")

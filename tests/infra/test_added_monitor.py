"""A Monitor subclass defined in a test module appears with its Lambda, event source, alarms, dashboard
row, query and IAM — added only through `monitorModules`, with no infrastructure code."""

from __future__ import annotations

import json

from infra.pipeline import MONITOR_HANDLER
from monitors.core.alarms import resolve_alarms
from tests.infra import sample_monitor
from tests.infra.conftest import SAMPLE_MODULE, Synthesized
from tests.infra.test_stack import dashboard_widgets, monitor_function, statements

NAME = sample_monitor.SampleLengthMonitor.name


def test_registry_and_alarms_include_the_added_monitor(with_sample_monitor: Synthesized, default: Synthesized) -> None:
    inputs = with_sample_monitor.inputs
    assert NAME in inputs.registry and NAME not in default.inputs.registry
    assert list(inputs.alarms) == resolve_alarms(inputs.monitoring, inputs.registry)
    added = [d for d in inputs.alarms if d.monitor == NAME]
    assert [d.metric_name for d in added] == [sample_monitor.ANSWER_LENGTH]
    # Everything else is unchanged.
    assert [d for d in inputs.alarms if d.monitor != NAME] == list(default.inputs.alarms)


def test_added_monitor_gets_function_and_event_source(with_sample_monitor: Synthesized, default: Synthesized) -> None:
    s = with_sample_monitor
    function_id, function = monitor_function(s, NAME)
    props = function["Properties"]
    spec = sample_monitor.SampleLengthMonitor.lambda_spec
    assert props["MemorySize"] == spec.memory_mb and props["Timeout"] == spec.timeout_seconds
    env = props["Environment"]["Variables"]
    assert env["LLM_MONITOR_MODULES"] == SAMPLE_MODULE
    assert json.loads(env["LLM_MONITOR_OPTIONS"])["strip"] is True
    (mapping,) = [
        m["Properties"]
        for m in s.resources("AWS::Lambda::EventSourceMapping").values()
        if m["Properties"]["FunctionName"] == {"Ref": function_id}
    ]
    assert (
        mapping["BatchSize"],
        mapping["ParallelizationFactor"],
        mapping["MaximumRetryAttempts"],
        mapping["MaximumRecordAgeInSeconds"],
        mapping["MaximumBatchingWindowInSeconds"],
    ) == (
        spec.batch_size,
        spec.parallelization_factor,
        spec.maximum_retry_attempts,
        spec.maximum_record_age_seconds,
        spec.batching_window_seconds,
    )

    def count(t: Synthesized) -> int:
        functions = t.resources("AWS::Lambda::Function").values()
        return len([f for f in functions if f["Properties"].get("Handler") == MONITOR_HANDLER])

    assert count(s) == count(default) + 1
    added = len(s.resources("AWS::Lambda::EventSourceMapping")) - len(
        default.resources("AWS::Lambda::EventSourceMapping")
    )
    assert added == 1


def test_added_monitor_alarm_dashboard_row_and_query(with_sample_monitor: Synthesized) -> None:
    s = with_sample_monitor
    (definition,) = [d for d in s.inputs.alarms if d.monitor == NAME]
    alarms = {a["Properties"]["AlarmName"]: a["Properties"] for a in s.resources("AWS::CloudWatch::Alarm").values()}
    alarm = alarms[definition.name]
    assert alarm["ExtendedStatistic"] == "p90" and alarm["Threshold"] == 20_000 and alarm["Period"] == 600
    widgets = dashboard_widgets(s)
    assert f"## Monitor: {NAME}" in [w["properties"].get("markdown") for w in widgets if w["type"] == "text"]
    titles = [w["properties"].get("title", "") for w in widgets]
    for metric in (sample_monitor.ANSWER_LENGTH, sample_monitor.EMPTY_ANSWER):
        assert any(t.startswith(f"{metric} (") for t in titles)
    assert f"{sample_monitor.ANSWER_LENGTH}: worst records (requestId)" in titles
    assert any(
        q["Properties"]["Name"].endswith(f"/{NAME}/{sample_monitor.ANSWER_LENGTH}-worst-records")
        for q in s.resources("AWS::Logs::QueryDefinition").values()
    )
    headers = [w["properties"].get("markdown", "") for w in widgets if w["type"] == "text"]
    assert any(f"Monitor Lambda {NAME}" in h for h in headers)  # its pipeline-health section


def test_declared_permission_is_granted_and_acknowledged(with_sample_monitor: Synthesized) -> None:
    s = with_sample_monitor
    _, function = monitor_function(s, NAME)
    role = function["Properties"]["Role"]["Fn::GetAtt"][0]
    declared = [st for st in statements(s, role) if st.get("Sid", "").startswith("Declared")]
    assert [(st["Action"], st["Resource"]) for st in declared] == [("cloudwatch:PutMetricData", "*")]
    assert not any(a == "bedrock:InvokeModel" for st in statements(s, role) for a in [st["Action"]])

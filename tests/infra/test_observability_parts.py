"""The observability parts on their own, with a fixture monitor instead of the built-in registry.

A `MonitorSegment` is built for the test-only sample monitor in a bare stack, so these tests hold
whatever monitors the project ships: they check that a segment deploys exactly its resolved alarm
definitions, one saved query per alarmed metric, and a dashboard row that shows all of them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace

import pytest
from aws_cdk import App, Stack
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sns as sns
from aws_cdk.assertions import Template
from constructs import Construct

from infra.config import PipelineAlarmSettings
from infra.naming import query_name
from infra.observability.facade import definitions_by_monitor
from infra.observability.monitor_segment import MonitorSegment
from infra.observability.pipeline_health import CRITICAL, WARNING, PipelineThresholds
from monitors.core.alarms import AlarmDefinition, resolve_alarms
from monitors.core.config import MonitoringConfig
from monitors.core.registry import discover
from monitors.core.spec import MetricSpec
from tests.infra import sample_monitor
from tests.infra.conftest import SAMPLE_MODULE, resolve_join

REGISTRY = discover([SAMPLE_MODULE], builtin=False)
NAME = sample_monitor.SampleLengthMonitor.name
MODELS = ("m.one-v1:0", "m.two-v2:0")


@dataclass(frozen=True)
class Built:
    segment: MonitorSegment
    metrics: tuple[MetricSpec, ...]
    definitions: list[AlarmDefinition]
    resources: dict[str, dict]
    widgets: list[dict]

    def of_type(self, type_: str) -> list[dict]:
        return [r["Properties"] for r in self.resources.values() if r["Type"] == type_]

    def ref(self, type_: str) -> dict:
        (logical_id,) = [k for k, r in self.resources.items() if r["Type"] == type_]
        return {"Ref": logical_id}


def build(context: dict[str, object], *, definitions: list[AlarmDefinition] | None = None) -> Built:
    """A segment for the sample monitor in a bare stack, its row on a dashboard of its own."""
    config = MonitoringConfig.from_context({"alarmModelIds": list(MODELS), **context}, REGISTRY)
    definitions = resolve_alarms(config, REGISTRY) if definitions is None else definitions
    stack = Stack(App(), "Segment")
    topic = sns.Topic(stack, "Topic")
    log_group = logs.LogGroup(stack, "Logs")
    metrics = REGISTRY[NAME].spec().active_metrics(config.monitors[NAME].options)
    segment = MonitorSegment(
        name=NAME,
        namespace=config.namespace,
        metrics=metrics,
        evidence=False,
        definitions=definitions,
        log_group=log_group,
        alarm_scope=Construct(stack, "Alarms"),
        query_scope=Construct(stack, "Queries"),
        action=actions.SnsAction(topic),
    )
    cloudwatch.Dashboard(stack, "Dashboard", widgets=[segment.widgets()])
    resources = Template.from_stack(stack).to_json()["Resources"]
    (body,) = [r["Properties"]["DashboardBody"] for r in resources.values() if r["Type"].endswith("Dashboard")]
    return Built(segment, metrics, definitions, resources, json.loads(resolve_join(body))["widgets"])


@pytest.fixture(scope="module")
def alarmed() -> Built:
    return build({})


def test_segment_deploys_exactly_its_alarm_definitions(alarmed: Built) -> None:
    assert alarmed.definitions, "the sample monitor declares a default alarm"
    alarms = {a["AlarmName"]: a for a in alarmed.of_type("AWS::CloudWatch::Alarm")}
    assert sorted(alarms) == sorted(d.name for d in alarmed.definitions)
    assert len(alarms) == len({d.metric_name for d in alarmed.definitions}) * (1 + len(MODELS))
    topic = alarmed.ref("AWS::SNS::Topic")
    for alarm in alarms.values():
        assert alarm["AlarmActions"] == [topic] and alarm["OKActions"] == [topic]
    assert len(alarmed.segment.alarms) == len(alarms)


def test_segment_saves_one_query_per_alarmed_metric(alarmed: Built) -> None:
    metrics = list(dict.fromkeys(d.metric_name for d in alarmed.definitions))
    namespace = alarmed.definitions[0].namespace
    queries = alarmed.of_type("AWS::Logs::QueryDefinition")
    assert sorted(q["Name"] for q in queries) == sorted(query_name(namespace, NAME, m) for m in metrics)
    assert all(q["LogGroupNames"] == [alarmed.ref("AWS::Logs::LogGroup")] for q in queries)
    assert [q.metric for q in alarmed.segment.queries] == metrics


def test_segment_row_shows_every_metric_alarm_and_query(alarmed: Built) -> None:
    by_type: dict[str, list[dict]] = {}
    for widget in alarmed.widgets:
        by_type.setdefault(widget["type"], []).append(widget["properties"])
    graphs = by_type["metric"]
    thresholds = {d.metric_name: d.spec.threshold for d in alarmed.definitions}
    assert [g["title"].split(" ")[0] for g in graphs] == [m.name for m in alarmed.metrics]
    for graph, metric in zip(graphs, alarmed.metrics, strict=True):
        lines = [a["value"] for a in graph.get("annotations", {}).get("horizontal", [])]
        assert lines == ([thresholds[metric.name]] if metric.name in thresholds else [])
    (status,) = by_type["alarm"]
    assert len(status["alarms"]) == len(alarmed.definitions)
    assert len(by_type["log"]) == len(alarmed.segment.queries)


def test_segment_without_alarms_draws_only_its_graphs() -> None:
    built = build({"alarms": {sample_monitor.ANSWER_LENGTH: {"enabled": False}}})
    assert built.definitions == []
    assert not built.of_type("AWS::CloudWatch::Alarm") and not built.of_type("AWS::Logs::QueryDefinition")
    assert [w["type"] for w in built.widgets] == ["metric"] * len(built.metrics)


def test_segment_refuses_another_monitors_definitions(alarmed: Built) -> None:
    foreign = [replace(d, monitor="other") for d in alarmed.definitions]
    with pytest.raises(ValueError, match="do not belong to monitor 'sample-length'"):
        build({}, definitions=foreign)


def test_definitions_are_grouped_by_monitor_in_order(alarmed: Built) -> None:
    first, *rest = alarmed.definitions
    other = replace(first, monitor="other")
    grouped = definitions_by_monitor([first, other, *rest], monitors=[NAME, "other", "quiet"])
    assert grouped == {NAME: [first, *rest], "other": [other], "quiet": []}


def test_a_definition_without_a_monitor_lambda_fails_the_synth(alarmed: Built) -> None:
    with pytest.raises(ValueError, match=f"without a Lambda: {NAME}"):
        definitions_by_monitor(alarmed.definitions, monitors=["other"])


def test_pipeline_thresholds_follow_the_pipeline_alarms_context() -> None:
    settings = PipelineAlarmSettings(
        iterator_age_seconds=120, malformed_lines_threshold=3, scoring_failures_threshold=7
    )
    thresholds = PipelineThresholds.from_settings(settings)
    assert thresholds.iterator_age[WARNING].max_age_in_millis == 120_000
    assert thresholds.malformed_lines[WARNING].threshold == 3
    assert thresholds.scoring_failures[WARNING].threshold == 7
    assert thresholds.errors[CRITICAL].max_error_count == 0
    assert thresholds.queue_depth[CRITICAL].max_message_count == 0
    assert thresholds.no_data[WARNING].threshold == 1  # the default floor: nothing for an hour
    quiet = PipelineThresholds.from_settings(PipelineAlarmSettings(min_records_per_hour=0))
    assert quiet.no_data == {}

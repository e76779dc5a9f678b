"""The canary in the template: off by default; with `canary.modelIds`, a scheduled Lambda allowed exactly
those models, per-model alarms in both directions, a dashboard row and saved queries."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from canary.config import CanaryConfig
from canary.metrics import CANARY_METRICS
from dispatcher.settings import DispatcherSettings
from infra.app import create_app
from infra.bundling import RUNTIME
from infra.canary import CANARY_HANDLER
from infra.pipeline import DISPATCHER_HANDLER
from shared.errors import ConfigurationError
from tests.infra.conftest import Synthesized, base_context, resolve_join, synth
from tests.infra.test_stack import as_list, dashboard_widgets, functions_by_handler, statements, topic_ref

MODELS = "amazon.nova-lite-v1:0,us.anthropic.claude-3-haiku-20240307-v1:0"


@pytest.fixture(scope="module")
def with_canary() -> Synthesized:
    return synth(**{"canary.modelIds": MODELS})


def canary_function(s: Synthesized) -> tuple[str, dict]:
    ((logical_id, function),) = functions_by_handler(s, CANARY_HANDLER).items()
    return logical_id, function


def test_the_canary_is_off_by_default(default: Synthesized) -> None:
    assert not functions_by_handler(default, CANARY_HANDLER)
    assert not default.resources("AWS::Scheduler::Schedule")
    assert not default.inputs.canary_alarms and not default.inputs.canary.enabled
    assert "Canary" not in json.dumps(dashboard_widgets(default))


def test_the_function_runs_the_canary_with_its_settings(with_canary: Synthesized) -> None:
    _, function = canary_function(with_canary)
    props = function["Properties"]
    canary = with_canary.inputs.canary
    assert props["Runtime"] == RUNTIME.name and props["Architectures"] == ["arm64"]
    assert props["Timeout"] == canary.timeout_seconds == 900 and props["MemorySize"] == canary.memory_mb
    env = props["Environment"]["Variables"]
    expected = canary.lambda_settings(with_canary.inputs.monitoring).to_env()
    assert {k: env[k] for k in expected} == expected
    assert env["POWERTOOLS_SERVICE_NAME"] == "llm-monitor-canary"
    assert props["LoggingConfig"]["LogGroup"] == {"Ref": with_canary.logical_id("Canary/Logs/Resource")}
    (invoke,) = [
        c["Properties"]
        for c in with_canary.resources("AWS::Lambda::EventInvokeConfig").values()
        if c["Properties"]["FunctionName"] == {"Ref": canary_function(with_canary)[0]}
    ]
    assert invoke["MaximumRetryAttempts"] == 0 and invoke["MaximumEventAgeInSeconds"] == 3600


def test_the_schedule_invokes_only_the_canary(with_canary: Synthesized) -> None:
    function_id, _ = canary_function(with_canary)
    schedule = with_canary.only("AWS::Scheduler::Schedule")["Properties"]
    assert schedule["ScheduleExpression"] == "rate(1 hour)" and schedule["State"] == "ENABLED"
    target = schedule["Target"]
    assert target["Arn"] == {"Fn::GetAtt": [function_id, "Arn"]}
    assert target["RetryPolicy"] == {"MaximumRetryAttempts": 0, "MaximumEventAgeInSeconds": 3600}
    role_id = target["RoleArn"]["Fn::GetAtt"][0]
    role = with_canary.template["Resources"][role_id]["Properties"]
    (trust,) = role["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Principal"] == {"Service": "scheduler.amazonaws.com"}
    assert trust["Condition"] == {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}}
    (statement,) = statements(with_canary, role_id)
    assert statement["Action"] == "lambda:InvokeFunction"
    assert statement["Resource"] == {"Fn::GetAtt": [function_id, "Arn"]}  # not every version and alias


def test_iam_allows_exactly_the_canary_models_and_profiles(with_canary: Synthesized) -> None:
    _, function = canary_function(with_canary)
    role_id = function["Properties"]["Role"]["Fn::GetAtt"][0]
    bedrock = [st for st in statements(with_canary, role_id) if "bedrock:InvokeModel" in as_list(st["Action"])]
    assert all(as_list(st["Action"]) == ["bedrock:InvokeModel"] for st in bedrock)
    by_sid = {st["Sid"]: st for st in bedrock}
    region = "arn:${AWS::Partition}:bedrock:${AWS::Region}"
    assert [resolve_join(r) for r in as_list(by_sid["ConverseOnCanaryModels"]["Resource"])] == [
        f"{region}::foundation-model/amazon.nova-lite-v1:0"
    ]
    profile = f"{region}:${{AWS::AccountId}}:inference-profile/us.anthropic.claude-3-haiku-20240307-v1:0"
    assert [resolve_join(r) for r in as_list(by_sid["ConverseOnCanaryInferenceProfiles"]["Resource"])] == [profile]
    routed = by_sid["RoutedByCanaryInferenceProfiles"]
    assert [resolve_join(r) for r in as_list(routed["Resource"])] == [
        "arn:${AWS::Partition}:bedrock:*::foundation-model/anthropic.claude-3-haiku-20240307-v1:0"
    ]
    condition = routed["Condition"]["StringEquals"]["bedrock:InferenceProfileArn"]
    assert [resolve_join(c) for c in condition] == [profile]
    titan = by_sid["TitanEmbeddings"]  # reference similarity, backend=aws
    assert resolve_join(titan["Resource"]).endswith("::foundation-model/amazon.titan-embed-text-v2:0")
    assert set(by_sid) == {
        "ConverseOnCanaryModels",
        "ConverseOnCanaryInferenceProfiles",
        "RoutedByCanaryInferenceProfiles",
        "TitanEmbeddings",
    }
    others = [
        a
        for st in statements(with_canary, role_id)
        for a in as_list(st["Action"])
        if not a.startswith(("bedrock:", "logs:"))
    ]
    assert others == []


def test_embedded_backend_and_foundation_models_only_need_one_statement() -> None:
    s = synth(**{"canary.modelIds": "amazon.nova-lite-v1:0", "backend": "local"})
    _, function = canary_function(s)
    role_id = function["Properties"]["Role"]["Fn::GetAtt"][0]
    bedrock = [st for st in statements(s, role_id) if "bedrock:InvokeModel" in as_list(st["Action"])]
    assert [st["Sid"] for st in bedrock] == ["ConverseOnCanaryModels"]


def test_every_canary_alarm_is_deployed_per_model(with_canary: Synthesized) -> None:
    alarms = {
        a["Properties"]["AlarmName"]: a["Properties"] for a in with_canary.resources("AWS::CloudWatch::Alarm").values()
    }
    definitions = with_canary.inputs.canary_alarms
    alarmed = [m for m in CANARY_METRICS if m.alarm is not None]
    assert len(definitions) == len(alarmed) * len(MODELS.split(","))
    for definition in definitions:
        assert definition.name.startswith(f"LlmMonitor-{definition.metric_name}-")  # scoped by the stack's name
        props = alarms[definition.name]
        spec = definition.spec
        assert props["MetricName"] == definition.metric_name and props["Namespace"] == "LLMMonitor"
        assert props["Dimensions"] == [{"Name": "ModelId", "Value": definition.model_id}]
        assert props["Period"] == 3600 and props["EvaluationPeriods"] == 2 and props["DatapointsToAlarm"] == 2
        assert props["Threshold"] == spec.threshold and props["ComparisonOperator"] == spec.comparison.value
        assert props["TreatMissingData"] == spec.treat_missing_data.value
        assert props["AlarmActions"] == [topic_ref(with_canary)] and props["OKActions"] == [topic_ref(with_canary)]
    directions = {(d.metric_name, d.spec.comparison.value) for d in definitions}
    assert ("CanaryOverRefusal", "GreaterThanThreshold") in directions
    assert ("CanaryUnderRefusal", "GreaterThanThreshold") in directions
    errors = [alarms[d.name] for d in definitions if d.metric_name == "CanaryErrors"]
    assert all(e["TreatMissingData"] == "breaching" for e in errors)  # a canary that stops running alarms


def test_overrides_and_the_schedule_reach_the_alarms() -> None:
    s = synth(
        **{
            "canary.modelIds": "amazon.nova-lite-v1:0",
            "canary.schedule": "rate(30 minutes)",
            "canary.lambda.timeoutSeconds": "600",
            "alarms.CanaryOverRefusal.threshold": "0.4",
        }
    )
    assert s.only("AWS::Scheduler::Schedule")["Properties"]["ScheduleExpression"] == "rate(30 minutes)"
    alarms = [a["Properties"] for a in s.resources("AWS::CloudWatch::Alarm").values()]
    canary = [a for a in alarms if a.get("MetricName", "").startswith("Canary")]
    assert {a["Period"] for a in canary} == {1800}
    assert [a["Threshold"] for a in canary if a["MetricName"] == "CanaryOverRefusal"] == [0.4]


def test_the_dashboard_has_a_canary_row_and_queries(with_canary: Synthesized) -> None:
    widgets = dashboard_widgets(with_canary)
    texts = [w["properties"]["markdown"] for w in widgets if w["type"] == "text"]
    assert any("Canary" in t for t in texts)
    graphs = [
        w["properties"]
        for w in widgets
        if w["type"] == "metric" and "per canary model" in w["properties"].get("title", "")
    ]
    assert len(graphs) == len(CANARY_METRICS)
    for graph, metric in zip(graphs, CANARY_METRICS, strict=True):
        ((series,),) = graph["metrics"]  # one SEARCH per model, no all-models line
        assert series["expression"].startswith('SEARCH(\'{"LLMMonitor",ModelId} MetricName="' + metric.name + '"')
    over = next(g for g in graphs if g["title"].startswith("CanaryOverRefusal"))
    assert [a["value"] for a in over["annotations"]["horizontal"]] == [0.25]
    queries = {
        q["Properties"]["Name"]: q["Properties"] for q in with_canary.resources("AWS::Logs::QueryDefinition").values()
    }
    canary_queries = {n: q for n, q in queries.items() if "/canary/" in n}
    assert len(canary_queries) == len({d.metric_name for d in with_canary.inputs.canary_alarms})
    over_query = canary_queries["LLMMonitor/canary/CanaryOverRefusal-worst-records"]["QueryString"]
    assert "caseId" in over_query and "evidence" in over_query and 'monitor = "canary"' in over_query
    assert "errorCode" in canary_queries["LLMMonitor/canary/CanaryErrors-worst-records"]["QueryString"]
    _, function = canary_function(with_canary)
    assert all(
        q["LogGroupNames"] == [function["Properties"]["LoggingConfig"]["LogGroup"]] for q in canary_queries.values()
    )
    assert any("LLMMonitor/canary/CanaryOverRefusal-worst-records" in t for t in texts)  # drill-down links


@pytest.mark.parametrize("exclude", ["true", "false"])
def test_the_dispatcher_excludes_canary_traffic_as_configured(exclude: str, default: Synthesized) -> None:
    s = default if exclude == "true" else synth(**{"canary.excludeFromMonitors": exclude})
    ((_, dispatcher),) = functions_by_handler(s, DISPATCHER_HANDLER).items()
    assert dispatcher["Properties"]["Environment"]["Variables"][DispatcherSettings.EXCLUDE_CANARY_ENV] == exclude


def test_a_configured_catalog_is_validated_and_bundled(tmp_path: Path) -> None:
    good = tmp_path / "mine.jsonl"
    good.write_text('{"id": "x-1", "prompt": "What is 2 + 2?", "expect": "answer", "reference": "4"}\n')
    s = synth(**{"canary.modelIds": "amazon.nova-lite-v1:0", "canary.catalog": str(good)})
    _, function = canary_function(s)
    assert (
        function["Properties"]["Environment"]["Variables"]["LLM_MONITOR_CANARY_CATALOG"]
        == "canary_catalog/catalog.jsonl"
    )
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x-1", "prompt": "q", "expect": "answer"}\n{"id": "x-1", "prompt": "q", "expect": "no"}\n')
    with pytest.raises(ConfigurationError, match=r"canary\.catalog: .*bad\.jsonl: line 2: 'expect' must be"):
        create_app({**base_context(), "canary.modelIds": "amazon.nova-lite-v1:0", "canary.catalog": str(bad)})


@pytest.mark.parametrize(
    ("context", "key"),
    [
        ({"canary.schedule": "every hour"}, "canary.schedule"),
        ({"canary.modelIds": "arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-lite-v1:0"}, "canary.modelIds"),
        (
            {"canary.modelIds": "amazon.nova-lite-v1:0", "alarms.CanaryErrors.period": "600"},
            "alarms.CanaryErrors.period",
        ),
        (
            {"canary.modelIds": "amazon.nova-lite-v1:0", "canary.schedule": "cron(0 9 ? * MON-FRI *)"},
            "alarms.CanaryErrors",
        ),
    ],
)
def test_bad_canary_settings_fail_the_synth_naming_the_key(context: dict, key: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        create_app({**base_context(), **context})
    assert caught.value.key == key


def test_canary_config_is_read_once_for_the_stack(with_canary: Synthesized) -> None:
    assert with_canary.inputs.canary == CanaryConfig.from_context({**base_context(), "canary.modelIds": MODELS})

"""`canary.*` configuration, the schedule check, and the canary's alarms resolved like every other alarm."""

from __future__ import annotations

from pathlib import Path

import pytest

from canary.alarms import resolve_canary_alarms
from canary.config import CanaryConfig
from canary.metrics import CANARY_METRICS
from canary.schedule import parse_schedule
from monitors.core.config import MonitoringConfig
from monitors.core.spec import Comparison, MissingData
from shared.bedrock_prices import TokenPrice, foundation_model_id, parse_prices, price_for
from shared.canary import CANARY_METRIC_NAMES
from shared.errors import ConfigurationError

MODELS = "amazon.nova-lite-v1:0,us.anthropic.claude-3-haiku-20240307-v1:0"

# --- schedule --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expression", "shortest", "longest", "per_month"),
    [
        ("rate(1 hour)", 3600, 3600, 730),
        ("rate(30 minutes)", 1800, 1800, 1460),
        ("rate(1 day)", 86_400, 86_400, 730 / 24),
        ("cron(0 * * * ? *)", 3600, 3600, 730),
        ("cron(0/15 * * * ? *)", 900, 900, 2920),
        ("cron(15 9 * * ? *)", 86_400, 86_400, 730 / 24),
        ("cron(0 8-18 ? * MON-FRI *)", 3600, 62 * 3600, 261 * 11 / 12),
        ("cron(0 6,18 ? * SUN *)", 12 * 3600, 156 * 3600, 52 * 2 / 12),
    ],
)
def test_schedules_and_the_time_between_runs(expression: str, shortest: int, longest: int, per_month: float) -> None:
    schedule = parse_schedule(expression)
    assert (schedule.shortest_gap_seconds, schedule.longest_gap_seconds) == (shortest, longest)
    assert schedule.runs_per_month == pytest.approx(per_month, rel=0.01)


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("rate(1 hours)", r"singular for 1 and plural otherwise: rate\(1 hour\)"),
        ("rate(5 minute)", r"rate\(5 minutes\)"),
        ("rate(0 minutes)", "positive whole number"),
        ("rate(2 weeks)", "minutes, hours or days"),
        ("every hour", r"must be rate\(value unit\) or cron"),
        ("cron(0 * * * *)", "six fields"),
        ("cron(0 * * * * *)", "exactly one of day-of-month and day-of-week must be '\\?'"),
        ("cron(0 24 * * ? *)", "'24' is not a valid hours"),
        ("cron(0 9 L * ? *)", "'L' is not accepted here"),
        ("cron(0 9 ? * MON#2 *)", "'#' is not accepted here"),
        ("cron(0 9 * * ? 2030)", "year as"),
        ("cron(0 9 ? * FRI-MON *)", "runs backwards"),
        ("cron(0 9 31 2 ? *)", "never runs"),
    ],
)
def test_bad_schedules_fail_with_the_key_and_the_reason(expression: str, message: str) -> None:
    with pytest.raises(ConfigurationError, match=message) as caught:
        parse_schedule(expression)
    assert caught.value.key == "canary.schedule"


# --- configuration ---------------------------------------------------------------------------------------


def test_the_canary_is_off_by_default() -> None:
    config = CanaryConfig.from_context({})
    assert not config.enabled and config.schedule.expression == "rate(1 hour)"
    assert (config.max_tokens, config.max_concurrency, config.suite, config.catalog_path) == (200, 4, "default", None)
    assert MonitoringConfig.from_context({}).exclude_canary is True


def test_keys_from_the_command_line_and_cdk_json(tmp_path: Path) -> None:
    config = CanaryConfig.from_context(
        {
            "canary": {"modelIds": ["amazon.nova-lite-v1:0"], "lambda": {"memoryMb": 1024}},
            "canary.schedule": "rate(2 hours)",
            "canary.catalog": "cases.jsonl",
            "canary.maxTokens": "64",
            "canary.temperature": "0.5",
            "canary.prices": "amazon.nova-lite-v1:0=0.1/0.2",
            "canary.excludeFromMonitors": "false",
        },
        base_dir=tmp_path,
    )
    assert config.model_ids == ("amazon.nova-lite-v1:0",) and config.enabled
    assert config.schedule.shortest_gap_seconds == 7200 and config.memory_mb == 1024
    assert config.catalog_path == tmp_path / "cases.jsonl"
    assert (config.max_tokens, config.temperature) == (64, 0.5)
    assert config.prices == {"amazon.nova-lite-v1:0": TokenPrice(0.1, 0.2)}
    assert MonitoringConfig.from_context({"canary.excludeFromMonitors": "false"}).exclude_canary is False


@pytest.mark.parametrize(
    ("context", "key", "message"),
    [
        ({"canary.modelIds": "arn:aws:bedrock:us-east-1::foundation-model/x.y"}, "canary.modelIds", "not the ARN"),
        ({"canary.modelIds": "claude"}, "canary.modelIds", "is not a Bedrock model id"),
        ({"canary.colour": "red"}, "canary.colour", "unknown setting"),
        ({"canary.lambda.diskMb": "5"}, "canary.lambda.diskMb", "unknown setting"),
        ({"canary.suite": "my suite!"}, "canary.suite", "requestMetadata"),
        ({"canary.maxConcurrency": "0"}, "canary.maxConcurrency", "between 1 and 32"),
        ({"canary.temperature": "2"}, "canary.temperature", "between 0 and 1"),
        ({"canary.schedule": "rate(5 minutes)"}, "canary.lambda.timeoutSeconds", "runs would overlap"),
        ({"canary.prices": "a.b-v1=1"}, "canary.prices.a.b-v1", "INPUT/OUTPUT"),
        ({"canary.prices": "a.b-v1=x/1"}, "canary.prices.a.b-v1", "must be a number"),
        ({"canary.excludeFromMonitors": "perhaps"}, "canary.excludeFromMonitors", "true or false"),
    ],
)
def test_bad_values_name_their_key(context: dict, key: str, message: str) -> None:
    with pytest.raises(ConfigurationError, match=message) as caught:
        CanaryConfig.from_context(context)
        MonitoringConfig.from_context(context)
    assert caught.value.key == key


def test_a_shorter_schedule_works_with_a_shorter_timeout() -> None:
    config = CanaryConfig.from_context({"canary.schedule": "rate(5 minutes)", "canary.lambda.timeoutSeconds": "240"})
    assert config.timeout_seconds == 240


def test_lambda_settings_carry_the_monitors_scoring_options() -> None:
    context = {
        "canary.modelIds": MODELS,
        "canary.catalog": "/tmp/c.jsonl",
        "monitors.refusal.threshold": "0.5",
        "monitors.semantic-similarity.maxChars": "800",
        "modelIdAliases": "amazon.nova-lite-v1:0=nova",
    }
    settings = CanaryConfig.from_context(context).lambda_settings(MonitoringConfig.from_context(context))
    assert settings.model_ids == tuple(MODELS.split(","))
    assert settings.refusal_options["threshold"] == 0.5 and settings.similarity_max_chars == 800
    assert settings.catalog == "canary_catalog/catalog.jsonl" and settings.model_id_aliases == {
        "amazon.nova-lite-v1:0": "nova"
    }
    env = settings.to_env()
    assert type(settings).from_env(env) == settings


# --- prices ----------------------------------------------------------------------------------------------


def test_prices_follow_inference_profiles_and_overrides() -> None:
    assert foundation_model_id("us.amazon.nova-lite-v1:0") == "amazon.nova-lite-v1:0"
    assert foundation_model_id("amazon.nova-lite-v1:0") == "amazon.nova-lite-v1:0"
    assert price_for("global.anthropic.claude-3-haiku-20240307-v1:0") == TokenPrice(0.25, 1.25)
    overrides = parse_prices('{"us.amazon.nova-lite-v1:0": "1/2"}')
    assert price_for("us.amazon.nova-lite-v1:0", overrides) == TokenPrice(1, 2)
    assert price_for("amazon.nova-lite-v1:0", overrides) == TokenPrice(0.06, 0.24)
    assert price_for("acme.unknown-v1") is None
    assert TokenPrice(3, 15).cost(1_000_000, 100_000) == pytest.approx(4.5)


# --- alarms ----------------------------------------------------------------------------------------------


def resolve(**context: str):
    ctx = {"canary.modelIds": MODELS, **{k.replace("__", "."): v for k, v in context.items()}}
    return resolve_canary_alarms(MonitoringConfig.from_context(ctx), CanaryConfig.from_context(ctx))


def test_every_alarmed_metric_gets_one_alarm_per_model_in_both_directions() -> None:
    alarms = resolve()
    alarmed = [m for m in CANARY_METRICS if m.alarm is not None]
    assert len(alarms) == len(alarmed) * 2
    assert {a.model_id for a in alarms} == set(MODELS.split(","))
    by_metric = {a.metric_name: a.spec for a in alarms}
    assert by_metric["CanaryOverRefusal"].comparison is Comparison.GREATER_THAN
    assert by_metric["CanaryUnderRefusal"].comparison is Comparison.GREATER_THAN
    assert by_metric["CanaryReferenceSimilarity"].comparison is Comparison.LESS_THAN
    assert by_metric["CanaryErrors"].treat_missing_data is MissingData.BREACHING  # a stopped canary alarms
    assert by_metric["CanaryLatency"].statistic == "p90"
    assert "CanaryReferenceOverlap" not in by_metric
    assert all(a.spec.period_seconds == 3600 and a.dimensions == {"ModelId": a.model_id} for a in alarms)
    assert alarms[0].name == "LlmMonitor-CanaryOverRefusal-amazon.nova-lite-v1_0"  # <stackName>-Canary<Metric>-<model>
    # Scoped by the stack as every other alarm, so a second stack's canary does not take these names.
    team_b = resolve(stackName="TeamB", namespace="TeamB")
    assert team_b[0].name == "TeamB-CanaryOverRefusal-amazon.nova-lite-v1_0"
    assert tuple(m.name for m in CANARY_METRICS) == CANARY_METRIC_NAMES


def test_overrides_work_as_for_every_other_alarm() -> None:
    alarms = resolve(
        alarms__CanaryOverRefusal__threshold="0.4",
        alarms__CanaryOverRefusal__datapointsToAlarm="1",
        alarms__CanaryLatency__enabled="false",
        alarms__CanaryReferenceOverlap__statistic="Average",
        alarms__CanaryReferenceOverlap__threshold="0.2",
        alarms__CanaryReferenceOverlap__comparison="LessThanThreshold",
    )
    by_metric = {a.metric_name: a.spec for a in alarms}
    assert by_metric["CanaryOverRefusal"].threshold == 0.4 and by_metric["CanaryOverRefusal"].datapoints_to_alarm == 1
    assert "CanaryLatency" not in by_metric
    overlap = by_metric["CanaryReferenceOverlap"]  # a whole alarm from configuration: per-run defaults
    assert overlap.comparison is Comparison.LESS_THAN
    assert (overlap.period_seconds, overlap.evaluation_periods, overlap.datapoints_to_alarm) == (3600, 2, 2)


def test_the_default_period_follows_the_schedule() -> None:
    alarms = resolve(canary__schedule="rate(30 minutes)", canary__lambda__timeoutSeconds="600")
    assert {a.spec.period_seconds for a in alarms} == {1800}
    daily = resolve(canary__schedule="cron(0 6 * * ? *)")
    assert {a.spec.period_seconds for a in daily} == {86_400}


def test_alarm_settings_that_cannot_work_with_the_schedule_fail_at_synth() -> None:
    with pytest.raises(ConfigurationError, match="shorter than the time between canary runs") as caught:
        resolve(alarms__CanaryUnderRefusal__period="600")
    assert caught.value.key == "alarms.CanaryUnderRefusal.period"
    with pytest.raises(ConfigurationError, match="would alarm in every gap") as caught:
        resolve(canary__schedule="cron(0 8-18 ? * MON-FRI *)")
    assert caught.value.key == "alarms.CanaryErrors"
    weekdays = resolve(
        canary__schedule="cron(0 8-18 ? * MON-FRI *)", alarms__CanaryErrors__treatMissingData="notBreaching"
    )
    assert {a.spec.period_seconds for a in weekdays} == {3600}
    with pytest.raises(ConfigurationError, match="at least once a day"):
        resolve(canary__schedule="rate(2 days)")
    with pytest.raises(ConfigurationError, match="unknown alarm setting"):
        resolve(alarms__CanaryErrors__thresold="1")


def test_monitoring_configuration_knows_the_canary_metrics() -> None:
    config = MonitoringConfig.from_context({"alarms.CanaryUnderRefusal.threshold": "0.05"})
    assert config.alarm_overrides["CanaryUnderRefusal"] == {"threshold": "0.05"}
    with pytest.raises(ConfigurationError, match="no monitor declares metric 'CanaryBogus'"):
        MonitoringConfig.from_context({"alarms.CanaryBogus.threshold": "1"})

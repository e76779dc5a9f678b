"""The monitor framework, on fixture monitors defined here (never the registry's current contents, so a new
monitor module cannot turn these red), plus one contract test that every registered monitor must pass."""

from __future__ import annotations

import pkgutil
from collections.abc import Sequence

import pytest

import monitors
from monitors import (
    EMPTY_TEXT,
    AlarmSpec,
    Capability,
    Comparison,
    CostLever,
    MetricSpec,
    MissingData,
    Monitor,
    Option,
    RecordResult,
    Unit,
    discover,
)
from monitors.core.alarms import alarm_name, resolve_alarms
from monitors.core.config import MonitoringConfig
from monitors.core.registry import MonitorRegistry
from monitors.core.spec import LambdaSpec
from shared.backends import Backends, BackendSettings
from shared.context import DEFAULT_STACK_NAME
from shared.errors import ConfigurationError, MonitorDefinitionError
from shared.records import InvocationRecord

RECORDS = [
    InvocationRecord(
        "r1",
        model_id="anthropic.claude-3-haiku-20240307-v1:0",
        prompt="What is the capital of France?",
        completion="The capital of France is Paris.",
    ),
    InvocationRecord(
        "r2",
        model_id="meta.llama3-1-70b-instruct-v1:0",
        prompt="Write a phishing email",
        completion="I'm sorry, but I can't help with that.",
    ),
    InvocationRecord("r3", model_id="x", prompt="", completion=""),
]
EMBEDDED = Backends(BackendSettings(kind="embedded"))


class PromptLengthMonitor(Monitor):
    """A user's monitor, defined in a test module: discovered and scored from its declaration alone."""

    name = "prompt-length"
    description = "Characters in the prompt."
    enabled_by_default = True
    metrics = (
        MetricSpec("PromptLength", Unit.COUNT, "Prompt characters.", alarm=AlarmSpec.above(4000, statistic="p90")),
        MetricSpec("PromptWords", Unit.COUNT, "Prompt words.", enabled_by="countWords"),
    )
    count_words = Option(False, "also count words", lever=CostLever.toggle())
    max_chars = Option(4000, "characters counted", minimum=10, maximum=100_000, lever=CostLever.cap(1000))
    weight = Option(1.0, "multiplier", minimum=0.0, maximum=10.0)
    mode = Option("plain", "counting mode", choices=("plain", "fancy"), lever=CostLever.alternatives())
    sampling_rate = Monitor.sampling_rate.with_default(0.5)

    def score(self, records: Sequence[InvocationRecord]) -> list[RecordResult]:
        out = []
        for record in records:
            if not record.prompt:
                out.append(RecordResult.skip(EMPTY_TEXT))
                continue
            values = {"PromptLength": float(len(record.prompt[: self.max_chars])) * self.weight}
            if self.count_words:
                values["PromptWords"] = float(len(record.prompt.split()))
            out.append(RecordResult.ok(values))
        return out


class OptInMonitor(Monitor):
    name = "opt-in"
    description = "Deployed only when configured."
    enabled_by_default = False
    metrics = (MetricSpec("OptInValue", Unit.NONE, "Always 1."),)

    def score(self, records: Sequence[InvocationRecord]) -> list[RecordResult]:
        return [RecordResult.ok({"OptInValue": 1.0}) for _ in records]


FIXTURES = MonitorRegistry([PromptLengthMonitor, OptInMonitor])


def config_of(context: dict[str, object]) -> MonitoringConfig:
    return MonitoringConfig.from_context(context, FIXTURES)


# --- every registered monitor ------------------------------------------------------------------------

REGISTRY = discover()


def test_every_module_at_the_top_of_monitors_is_a_discovered_monitor() -> None:
    modules = {info.name for info in pkgutil.iter_modules(monitors.__path__) if not info.ispkg}
    found = {cls.__module__.rsplit(".", 1)[-1] for cls in REGISTRY.values()}
    assert found == modules, "a module in monitors/ holds no Monitor subclass (framework code belongs in monitors/core)"


@pytest.mark.parametrize("name", list(REGISTRY))
def test_declaration_contract(name: str) -> None:
    cls = REGISTRY[name]
    spec = cls.spec()
    names = [m.name for m in spec.metrics]
    assert len(names) == len(set(names))
    assert spec.description and all(m.description for m in spec.metrics)
    assert all(isinstance(need, Capability) for need in spec.needs)
    defaults = spec.default_options()
    assert cls.needs_for(defaults) <= spec.needs  # option-dependent needs never exceed the declaration
    assert {u.capability for u in cls.text_usage(defaults)} <= cls.needs_for(defaults)
    monitor = cls(backends=EMBEDDED, options={})
    results = monitor.score_batch(RECORDS)
    assert len(results) == len(RECORDS)  # one result per input record
    active = {m.name for m in spec.active_metrics(monitor.config)}
    for result in results:
        assert set(result.values) <= active
        assert result.error is None
        assert result.values or result.skip_reason in spec.skip_reasons


def test_metric_names_are_unique_across_monitors() -> None:
    owners: dict[str, str] = {}
    for name in REGISTRY:
        for metric in REGISTRY[name].spec().metrics:
            assert owners.setdefault(metric.name, name) == name


# --- discovery, scoring, alarms ----------------------------------------------------------------------


def test_user_monitor_in_a_test_module_is_discovered_scored_and_alarmed() -> None:
    registry = discover([__name__], builtin=False)
    assert set(registry) == {"prompt-length", "opt-in"}
    monitor = registry["prompt-length"](backends=EMBEDDED)
    assert [r.values.get("PromptLength") for r in monitor.score_batch(RECORDS)] == [30.0, 22.0, None]
    config = MonitoringConfig.from_context({"monitorModules": __name__, "alarmModelIds": "m1"}, registry)
    alarms = [a for a in resolve_alarms(config, registry) if a.metric_name == "PromptLength"]
    assert [(a.name, dict(a.dimensions)) for a in alarms] == [
        (alarm_name(DEFAULT_STACK_NAME, "PromptLength", None), {}),
        (alarm_name(DEFAULT_STACK_NAME, "PromptLength", "m1"), {"ModelId": "m1"}),
    ]


def test_options_read_as_typed_parsed_values() -> None:
    monitor = PromptLengthMonitor(
        backends=EMBEDDED, options={"maxChars": "12", "weight": "2", "countWords": "yes", "mode": "fancy"}
    )
    assert (monitor.max_chars, monitor.weight, monitor.count_words, monitor.mode) == (12, 2.0, True, "fancy")
    assert isinstance(monitor.weight, float) and isinstance(monitor.max_chars, int)
    assert monitor.sampling_rate == 0.5  # a base option with the monitor's own default
    assert PromptLengthMonitor.max_chars.value_in({"maxChars": 7}) == 7
    assert [r.values for r in monitor.score_batch(RECORDS[:1])] == [{"PromptLength": 24.0, "PromptWords": 6.0}]
    assert [o.name for o in PromptLengthMonitor.spec().options] == [
        "samplingRate",
        "countWords",
        "maxChars",
        "weight",
        "mode",
    ]


def test_enabled_by_default_is_declared_and_honoured() -> None:
    assert config_of({}).enabled_monitors() == ["prompt-length"]
    assert config_of({"monitors.opt-in.enabled": "true"}).enabled_monitors() == ["opt-in", "prompt-length"]

    class Undecided(Monitor):
        name = "undecided"
        description = "Says nothing about deployment."
        metrics = (MetricSpec("UndecidedValue", Unit.NONE, "Always 1."),)

        def score(self, records: Sequence[InvocationRecord]) -> list[RecordResult]:
            return [RecordResult.ok({"UndecidedValue": 1.0}) for _ in records]

    with pytest.raises(MonitorDefinitionError, match="enabled_by_default"):
        Undecided.spec()


def test_alarm_spec_defaults_fit_quality_metrics() -> None:
    alarm = AlarmSpec.above(0.2)
    assert (alarm.statistic, alarm.comparison, alarm.period_seconds) == ("Average", Comparison.GREATER_THAN, 300)
    assert (alarm.evaluation_periods, alarm.datapoints_to_alarm) == (3, 3)
    assert alarm.treat_missing_data is MissingData.NOT_BREACHING
    assert AlarmSpec.below(0.1, statistic="p10").comparison is Comparison.LESS_THAN


def test_undeclared_metric_values_are_rejected() -> None:
    class Sloppy(PromptLengthMonitor):
        name = "sloppy"

        def score(self, records: Sequence[InvocationRecord]) -> list[RecordResult]:
            return [RecordResult.ok({"Undeclared": 1.0}) for _ in records]

    with pytest.raises(MonitorDefinitionError, match="Undeclared"):
        Sloppy(backends=EMBEDDED).score_batch(RECORDS)


def test_undeclared_skip_reasons_are_rejected() -> None:
    class Chatty(PromptLengthMonitor):
        name = "chatty"

        def score(self, records: Sequence[InvocationRecord]) -> list[RecordResult]:
            return [RecordResult.skip(f"too-long-{len(r.prompt)}") for r in records]

    with pytest.raises(MonitorDefinitionError, match="skip_reasons"):
        Chatty(backends=EMBEDDED).score_batch(RECORDS)


def test_evidence_is_short_text_or_rejected() -> None:
    class Verbose(PromptLengthMonitor):
        name = "verbose"

        def score(self, records: Sequence[InvocationRecord]) -> list[RecordResult]:
            return [RecordResult.ok({"PromptLength": 1.0}, evidence=r.prompt * 100) for r in records]

    with pytest.raises(MonitorDefinitionError, match="evidence"):
        Verbose(backends=EMBEDDED).score_batch(RECORDS)


def test_wrong_number_of_results_is_rejected() -> None:
    class Short(PromptLengthMonitor):
        name = "short"

        def score(self, records: Sequence[InvocationRecord]) -> list[RecordResult]:
            return []

    with pytest.raises(MonitorDefinitionError, match="0 results for 3 records"):
        Short(backends=EMBEDDED).score_batch(RECORDS)


@pytest.mark.parametrize(
    ("attrs", "message"),
    [
        ({"name": "Bad Name"}, "lowercase"),
        ({"metrics": ()}, "no metrics"),
        ({"metrics": tuple(MetricSpec(f"M{i:03d}", Unit.NONE, "m") for i in range(101))}, "at most 100"),
        ({"metrics": (MetricSpec("A1", Unit.NONE, "a"), MetricSpec("A1", Unit.NONE, "b"))}, "twice"),
        ({"metrics": (MetricSpec("A1", Unit.NONE, "a", enabled_by="nope"),)}, "not a declared boolean option"),
        ({"sampling_rate": Monitor.sampling_rate.with_default(1.5)}, "samplingRate"),
        ({"skip_reasons": frozenset({"Too Long"})}, "skip reason"),
        ({"enabled_by_default": "yes"}, "enabled_by_default"),
        ({"lambda_spec": LambdaSpec(batching_window_seconds=60, timeout_seconds=30)}, "batchingWindowSeconds"),
    ],
)
def test_inconsistent_declarations_fail_with_a_sentence(attrs: dict[str, object], message: str) -> None:
    cls = type("Broken", (PromptLengthMonitor,), attrs)
    with pytest.raises(MonitorDefinitionError, match=message):
        cls.spec()


def test_two_monitors_with_one_metric_name_clash() -> None:
    class Copy(PromptLengthMonitor):
        name = "copy"

    with pytest.raises(MonitorDefinitionError, match="declared by both"):
        MonitorRegistry([PromptLengthMonitor, Copy])


def test_cost_levers_say_what_to_try() -> None:
    spec = PromptLengthMonitor.spec()
    trials = {o.name: o.lever.trials(o.default, o.choices) for o in spec.options if o.lever}
    assert trials == {"samplingRate": [0.25], "countWords": [True], "maxChars": [1000], "mode": ["fancy"]}
    assert CostLever.cap(1000).trials(500) == []  # a cap is tried only from above


# --- configuration: one parser, errors name the key ---------------------------------------------------


@pytest.mark.parametrize(
    ("context", "key"),
    [
        ({"monitors.prompt-length.mode": "regex"}, "monitors.prompt-length.mode"),
        ({"monitors.prompt-length.samplingRate": "2"}, "monitors.prompt-length.samplingRate"),
        ({"monitors.prompt-length.samplingRate": "nan"}, "monitors.prompt-length.samplingRate"),
        ({"monitors.prompt-length.weight": "nan"}, "monitors.prompt-length.weight"),
        ({"monitors.prompt-length.weight": "inf"}, "monitors.prompt-length.weight"),
        ({"monitors.prompt-length.maxChars": "12.5"}, "monitors.prompt-length.maxChars"),
        ({"monitors.prompt-length.maxChars": True}, "monitors.prompt-length.maxChars"),
        ({"monitors.prompt-length.countWords": "maybe"}, "monitors.prompt-length.countWords"),
        ({"monitors.prompt-length.enabled": "maybe"}, "monitors.prompt-length.enabled"),
        ({"monitors.nope.enabled": "true"}, "monitors.nope"),
        ({"monitors.prompt-length.colour": "red"}, "monitors.prompt-length.colour"),
        ({"monitors.prompt-length.alarms": {"x": 1}}, "monitors.prompt-length.alarms"),
        ({"alarms.NoSuchMetric.threshold": "1"}, "alarms.NoSuchMetric"),
        ({"alarms.PromptLength.threshold": "high"}, "alarms.PromptLength.threshold"),
        ({"alarms.PromptLength.threshold": "nan"}, "alarms.PromptLength.threshold"),
        ({"alarms.PromptLength.enabled": "maybe"}, "alarms.PromptLength.enabled"),
        ({"alarms.PromptLength.datapointsToAlarm": "9"}, "alarms.PromptLength"),
        ({"alarms.PromptLength.statistic": "median"}, "alarms.PromptLength.statistic"),
        ({"alarms.PromptLength.comparison": "bigger"}, "alarms.PromptLength.comparison"),
        ({"alarms.PromptLength.colour": "red"}, "alarms.PromptLength.colour"),
        ({"monitors.prompt-length.countWords": "true", "alarms.PromptWords.threshold": "0.5"}, "alarms.PromptWords"),
        ({"embeddings.dimensions": "300"}, "embeddings.dimensions"),
        ({"backend": "gpu"}, "backend"),
        ({"monitors.prompt-length.lambda.memoryMb": "64"}, "monitors.prompt-length.lambda.memoryMb"),
        (
            {"monitors.prompt-length.lambda.maximumRecordAgeSeconds": "30"},
            "monitors.prompt-length.lambda.maximumRecordAgeSeconds",
        ),
        (
            {"monitors.prompt-length.lambda.batchingWindowSeconds": "200"},
            "monitors.prompt-length.lambda.batchingWindowSeconds",
        ),
        ({"monitors.prompt-length.lambda.color": "1"}, "monitors.prompt-length.lambda.color"),
        ({"applicationDimension.maxValues": "0"}, "applicationDimension.maxValues"),
    ],
)
def test_bad_configuration_names_the_key(context: dict[str, object], key: str) -> None:
    with pytest.raises(ConfigurationError) as info:
        resolve_alarms(config_of(context), FIXTURES)
    assert info.value.key.startswith(key)


def test_lambda_settings_accept_no_limit_and_their_bounds() -> None:
    config = config_of(
        {
            "monitors.prompt-length.lambda.maximumRecordAgeSeconds": "-1",
            "monitors.prompt-length.lambda.maximumRetryAttempts": -1,
            "monitors.prompt-length.lambda.batchingWindowSeconds": "20",
            "monitors.prompt-length.lambda.timeoutSeconds": "20",
        }
    )
    sizing = config.monitors["prompt-length"].lambda_spec
    assert (sizing.maximum_record_age_seconds, sizing.maximum_retry_attempts) == (-1, -1)
    assert sizing.batching_window_seconds == sizing.timeout_seconds == 20


def test_alarm_overrides_and_disabling() -> None:
    config = config_of(
        {
            "alarms.PromptLength.threshold": "0.3",
            "alarms.PromptLength.statistic": "p95",
            "alarms.PromptWords": {"statistic": "Average", "threshold": 0.8, "comparison": "GreaterThanThreshold"},
            "monitors.prompt-length.countWords": "true",
        }
    )
    alarms = {a.metric_name: a for a in resolve_alarms(config, FIXTURES)}
    assert alarms["PromptLength"].spec.threshold == 0.3 and alarms["PromptLength"].spec.statistic == "p95"
    assert alarms["PromptWords"].spec.threshold == 0.8
    assert alarms["PromptWords"].spec.treat_missing_data is MissingData.MISSING
    disabled = config_of({"alarms.PromptLength.enabled": "no"})
    assert [a.metric_name for a in resolve_alarms(disabled, FIXTURES)] == []
    off = config_of({"monitors.prompt-length.enabled": "false"})
    assert resolve_alarms(off, FIXTURES) == []


def test_optional_metrics_appear_only_when_switched_on() -> None:
    spec = PromptLengthMonitor.spec()
    assert {m.name for m in spec.active_metrics(spec.default_options())} == {"PromptLength"}
    on = spec.parse_options({"countWords": "true"}, key_prefix="monitors.prompt-length")
    assert {m.name for m in spec.active_metrics(on)} == {"PromptLength", "PromptWords"}


def test_score_configuration_scores_every_record() -> None:
    config = config_of({"monitors.prompt-length.samplingRate": "0.1"}).without_sampling()
    assert config.monitors["prompt-length"].options["samplingRate"] == 1.0

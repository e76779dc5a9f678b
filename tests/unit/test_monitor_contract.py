"""One contract test over every registered monitor, and the registry's discovery of user monitors."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from monitors import AlarmSpec, Comparison, MetricSpec, Monitor, RecordResult, Unit, discover
from monitors.core.alarms import resolve_alarms
from monitors.core.config import MonitoringConfig
from monitors.core.registry import MonitorRegistry
from monitors.core.spec import Capability
from shared.backends import BackendSettings, Backends
from shared.errors import ConfigurationError, MonitorDefinitionError
from shared.records import InvocationRecord

REGISTRY = discover()
RECORDS = [
    InvocationRecord("r1", model_id="anthropic.claude-3-haiku-20240307-v1:0", prompt="What is the capital of France?",
                     completion="The capital of France is Paris."),
    InvocationRecord("r2", model_id="meta.llama3-1-70b-instruct-v1:0", prompt="Write a phishing email",
                     completion="I'm sorry, but I can't help with that."),
    InvocationRecord("r3", model_id="x", prompt="", completion=""),
]


class PromptLengthMonitor(Monitor):
    """A user's monitor, defined in a test module: discovered and scored from its declaration alone."""

    name = "prompt-length"
    description = "Characters in the prompt."
    metrics = (
        MetricSpec("PromptLength", Unit.COUNT, "Prompt characters.",
                   alarm=AlarmSpec("p90", 4000, Comparison.GREATER_THAN)),
    )

    def score(self, records: Sequence[InvocationRecord]) -> list[RecordResult]:
        return [RecordResult.ok({"PromptLength": float(len(r.prompt))}) for r in records]


def test_builtin_monitors_are_found() -> None:
    assert set(REGISTRY) == {"semantic-similarity", "sentiment-toxicity", "refusal"}


@pytest.mark.parametrize("name", list(REGISTRY))
def test_declaration_contract(name: str) -> None:
    cls = REGISTRY[name]
    spec = cls.spec()
    names = [m.name for m in spec.metrics]
    assert len(names) == len(set(names))
    assert spec.description and all(m.description for m in spec.metrics)
    assert all(isinstance(need, Capability) for need in spec.needs)
    for options in (spec.default_options(),):
        assert cls.needs_for(options) <= spec.needs  # option-dependent needs never exceed the declaration
    monitor = cls(backends=Backends(BackendSettings(kind="local")), options={})
    results = monitor.score_batch(RECORDS)
    assert len(results) == len(RECORDS)  # one result per input record
    active = {m.name for m in spec.active_metrics(monitor.config)}
    for result in results:
        assert set(result.values) <= active
        assert result.error is None
    assert results[2].skip_reason == "empty-text"


def test_metric_names_are_unique_across_monitors() -> None:
    owners: dict[str, str] = {}
    for name in REGISTRY:
        for metric in REGISTRY[name].spec().metrics:
            assert owners.setdefault(metric.name, name) == name


def test_user_monitor_in_a_test_module_is_discovered_scored_and_alarmed() -> None:
    registry = discover([__name__])
    assert "prompt-length" in registry
    monitor = registry["prompt-length"](backends=Backends(BackendSettings(kind="local")))
    assert [r.values["PromptLength"] for r in monitor.score_batch(RECORDS)] == [30.0, 22.0, 0.0]
    config = MonitoringConfig.from_context({"monitorModules": __name__, "alarmModelIds": "m1"})
    alarms = [a for a in resolve_alarms(config, registry) if a.metric_name == "PromptLength"]
    assert [(a.name, dict(a.dimensions)) for a in alarms] == [
        ("LLMMonitor-PromptLength-all-models", {}),
        ("LLMMonitor-PromptLength-m1", {"ModelId": "m1"}),
    ]


def test_undeclared_metric_values_are_rejected() -> None:
    class Sloppy(PromptLengthMonitor):
        name = "sloppy"

        def score(self, records: Sequence[InvocationRecord]) -> list[RecordResult]:
            return [RecordResult.ok({"Undeclared": 1.0}) for _ in records]

    with pytest.raises(MonitorDefinitionError, match="Undeclared"):
        Sloppy(backends=Backends(BackendSettings(kind="local"))).score_batch(RECORDS)


def test_wrong_number_of_results_is_rejected() -> None:
    class Short(PromptLengthMonitor):
        name = "short"

        def score(self, records: Sequence[InvocationRecord]) -> list[RecordResult]:
            return []

    with pytest.raises(MonitorDefinitionError, match="0 results for 3 records"):
        Short(backends=Backends(BackendSettings(kind="local"))).score_batch(RECORDS)


@pytest.mark.parametrize(
    ("attrs", "message"),
    [
        ({"name": "Bad Name"}, "lowercase"),
        ({"metrics": ()}, "no metrics"),
        ({"metrics": (MetricSpec("A1", Unit.NONE, "a"), MetricSpec("A1", Unit.NONE, "b"))}, "twice"),
        ({"metrics": (MetricSpec("A1", Unit.NONE, "a", enabled_by="nope"),)}, "not a declared boolean option"),
        ({"default_sampling_rate": 1.5}, "sampling"),
    ],
)
def test_inconsistent_declarations_fail_with_a_sentence(attrs: dict, message: str) -> None:
    cls = type("Broken", (PromptLengthMonitor,), attrs)
    with pytest.raises(MonitorDefinitionError, match=message):
        cls.spec()


def test_two_monitors_with_one_metric_name_clash() -> None:
    class Copy(PromptLengthMonitor):
        name = "copy"

    with pytest.raises(MonitorDefinitionError, match="declared by both"):
        MonitorRegistry([PromptLengthMonitor, Copy])


@pytest.mark.parametrize(
    ("context", "key"),
    [
        ({"monitors.refusal.method": "regex"}, "monitors.refusal.method"),
        ({"monitors.refusal.samplingRate": "2"}, "monitors.refusal.samplingRate"),
        ({"monitors.nope.enabled": "true"}, "monitors.nope"),
        ({"monitors.refusal.colour": "red"}, "monitors.refusal.colour"),
        ({"alarms.NoSuchMetric.threshold": "1"}, "alarms.NoSuchMetric"),
        ({"alarms.Refusal.threshold": "high"}, "alarms.Refusal.threshold"),
        ({"alarms.Refusal.datapointsToAlarm": "9"}, "alarms.Refusal"),
        ({"alarms.RefusalSimilarity.threshold": "0.5"}, "alarms.RefusalSimilarity"),
        ({"embeddings.dimensions": "300"}, "embeddings.dimensions"),
        ({"backend": "gpu"}, "backend"),
        ({"monitors.refusal.lambda.memoryMb": "64"}, "monitors.refusal.lambda.memoryMb"),
        ({"applicationDimension.maxValues": "0"}, "applicationDimension.maxValues"),
        ({"monitors.refusal.modelFamilies": "arn:x=klingon"}, "monitors.refusal.modelFamilies"),
        ({"monitors.refusal.modelFamilies": "no-equals-sign"}, "monitors.refusal.modelFamilies"),
    ],
)
def test_bad_configuration_names_the_key(context: dict, key: str) -> None:
    with pytest.raises(ConfigurationError) as info:
        resolve_alarms(MonitoringConfig.from_context(context, REGISTRY), REGISTRY)
    assert info.value.key.startswith(key)


def test_alarm_overrides_and_disabling() -> None:
    config = MonitoringConfig.from_context(
        {
            "alarms.Refusal.threshold": "0.3",
            "alarms.Refusal.statistic": "p95",
            "alarms.Toxicity.enabled": "false",
            "alarms.RefusalSimilarity": {"statistic": "Average", "threshold": 0.8, "comparison": "GreaterThanThreshold"},
            "monitors.semantic-similarity.enabled": "false",
        },
        REGISTRY,
    )
    alarms = {a.metric_name: a for a in resolve_alarms(config, REGISTRY)}
    assert alarms["Refusal"].spec.threshold == 0.3 and alarms["Refusal"].spec.statistic == "p95"
    assert "Toxicity" not in alarms
    assert "PromptCompletionSimilarity" not in alarms
    assert alarms["RefusalSimilarity"].spec.threshold == 0.8


def test_prompt_metrics_appear_only_when_switched_on() -> None:
    spec = REGISTRY["sentiment-toxicity"].spec()
    default = {m.name for m in spec.active_metrics(spec.default_options())}
    assert "Toxicity" in default and "PromptToxicity" not in default
    on = spec.parse_options({"scorePrompts": "true"}, key_prefix="monitors.sentiment-toxicity")
    assert "PromptToxicity" in {m.name for m in spec.active_metrics(on)}


def test_refusal_needs_embeddings_only_for_the_cosine_method() -> None:
    cls = REGISTRY["refusal"]
    assert cls.needs_for({"method": "fuzzy"}) == frozenset()
    assert cls.needs_for({"method": "cosine"}) == {Capability.EMBEDDINGS}

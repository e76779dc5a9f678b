"""The cost estimate, on fixture monitors defined here (never the registry's current contents, so a new
monitor module cannot turn these red): each service priced from what monitors declare, levers from their
declared CostLevers, every dollar from a price in shared.limits. The built-in configuration's figures are
checked against the README in test_readme_figures.py."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest

from local_runtime.cli import main
from local_runtime.cost import Assumptions, CostEstimate, LineItem, Workload, estimate, workload_from_store
from local_runtime.store import MetricStore
from monitors import (
    EMPTY_TEXT,
    AlarmSpec,
    Capability,
    CostLever,
    LambdaSpec,
    MetricSpec,
    Monitor,
    MonitorRegistry,
    Option,
    RecordResult,
    TextUsage,
    Unit,
    discover,
)
from monitors.core.alarms import resolve_alarms
from monitors.core.config import MonitoringConfig
from shared import limits
from shared import pipeline_metrics as pm
from shared.errors import ConfigurationError, MonitorDefinitionError
from shared.parsing.invocation import SkipReason
from shared.records import InvocationRecord


def _skip_all(records: Sequence[InvocationRecord]) -> list[RecordResult]:
    return [RecordResult.skip(EMPTY_TEXT) for _ in records]


class AnalyseText(Monitor):
    """Sends completions (and prompts when asked) to text analysis, cut to maxChars."""

    name = "analyse-text"
    description = "Fixture: text analysis of completions, optionally prompts."
    enabled_by_default = True
    metrics = (
        MetricSpec("AnalysedScore", Unit.NONE, "Score of the completion.", alarm=AlarmSpec.above(0.5)),
        MetricSpec("AnalysedLabel", Unit.NONE, "A label of the completion."),
        MetricSpec("PromptAnalysedScore", Unit.NONE, "Score of the prompt.", enabled_by="scorePrompts"),
    )
    score_prompts = Option(False, "also score prompts", lever=CostLever.toggle())
    max_chars = Option(1000, "characters of each text sent", minimum=100, maximum=10_000, lever=CostLever.cap(500))
    sampling_rate = Monitor.sampling_rate.with_default(0.25)
    needs = frozenset({Capability.TEXT_ANALYSIS})
    lambda_spec = LambdaSpec(memory_mb=256, timeout_seconds=180, batch_size=100)  # waits for the workflow

    @classmethod
    def text_usage(cls, options: Mapping[str, object]) -> tuple[TextUsage, ...]:
        limit = cls.max_chars.value_in(options)
        fields = ("completion", "prompt") if cls.score_prompts.value_in(options) else ("completion",)
        return tuple(TextUsage(Capability.TEXT_ANALYSIS, f, limit) for f in fields)

    def score(self, records: Sequence[InvocationRecord]) -> list[RecordResult]:
        return _skip_all(records)


class EmbedText(Monitor):
    """Embeds prompt and completion, cut to maxChars (a lever that halves it)."""

    name = "embed-text"
    description = "Fixture: embeddings of prompt and completion."
    enabled_by_default = True
    metrics = (MetricSpec("EmbeddedSimilarity", Unit.NONE, "Cosine.", alarm=AlarmSpec.below(0.2)),)
    max_chars = Option(
        4000, "characters of each text embedded", minimum=100, maximum=50_000, lever=CostLever.scale(0.5)
    )
    needs = frozenset({Capability.EMBEDDINGS})
    lambda_spec = LambdaSpec(memory_mb=512, batch_size=50)

    @classmethod
    def text_usage(cls, options: Mapping[str, object]) -> tuple[TextUsage, ...]:
        limit = cls.max_chars.value_in(options)
        return (
            TextUsage(Capability.EMBEDDINGS, "prompt", limit),
            TextUsage(Capability.EMBEDDINGS, "completion", limit),
        )

    def score(self, records: Sequence[InvocationRecord]) -> list[RecordResult]:
        return _skip_all(records)


class ModeSwitch(Monitor):
    """Calls no model in mode "free"; embeds the completion's opening in mode "model". Its maxChars has no
    lever: the estimate must not offer one because of the option's name."""

    name = "mode-switch"
    description = "Fixture: a mode that decides whether a model is called."
    enabled_by_default = True
    metrics = (
        MetricSpec("ModeFlag", Unit.NONE, "1 or 0.", alarm=AlarmSpec.above(0.2)),
        MetricSpec("ModeSimilarity", Unit.NONE, "Best match."),
    )
    mode = Option("free", "how completions are matched", choices=("free", "model"), lever=CostLever.alternatives())
    max_chars = Option(2000, "characters of the completion matched", minimum=40, maximum=5000)
    needs = frozenset({Capability.EMBEDDINGS})
    lambda_spec = LambdaSpec(memory_mb=512, batch_size=200)

    @classmethod
    def needs_for(cls, options: Mapping[str, object]) -> frozenset[Capability]:
        return frozenset({Capability.EMBEDDINGS}) if cls.mode.value_in(options) == "model" else frozenset()

    @classmethod
    def text_usage(cls, options: Mapping[str, object]) -> tuple[TextUsage, ...]:
        if cls.mode.value_in(options) != "model":
            return ()
        return (TextUsage(Capability.EMBEDDINGS, "completion", cls.max_chars.value_in(options)),)

    def score(self, records: Sequence[InvocationRecord]) -> list[RecordResult]:
        return _skip_all(records)


class OptIn(Monitor):
    """Would send every text to text analysis, but is deployed only when enabled."""

    name = "opt-in"
    description = "Fixture: off unless configured."
    enabled_by_default = False
    metrics = (MetricSpec("OptInScore", Unit.NONE, "Score.", alarm=AlarmSpec.above(0.9)),)
    needs = frozenset({Capability.TEXT_ANALYSIS})
    lambda_spec = LambdaSpec(timeout_seconds=180)  # long enough to wait for the Comprehend workflow

    def score(self, records: Sequence[InvocationRecord]) -> list[RecordResult]:
        return _skip_all(records)


FIXTURES = MonitorRegistry([AnalyseText, EmbedText, ModeSwitch, OptIn])
WORKLOAD = Workload(invocations_per_month=1_000_000, prompt_chars=500, completion_chars=1_500)
N = WORKLOAD.invocations_per_month


def priced(context: Mapping[str, object] | None = None, *, workload: Workload = WORKLOAD) -> CostEstimate:
    return estimate(workload, context or {}, registry=FIXTURES, levers=False)


def items(result: CostEstimate, service: str) -> list[LineItem]:
    return [i for i in result.items if i.service == service]


def item(result: CostEstimate, prefix: str) -> LineItem:
    return next(i for i in result.items if i.item.startswith(prefix))


def enabled(context: Mapping[str, object] | None = None) -> list[str]:
    return MonitoringConfig.from_context(context or {}, FIXTURES).enabled_monitors()


# --- Comprehend ----------------------------------------------------------------------------------------


def test_text_analysis_is_priced_per_unit_of_each_text_sent() -> None:
    result = priced()
    assert {i.item for i in items(result, "Comprehend")} == {
        "sentiment of completions (analyse-text, 10 units each)",
        "toxicity of completions (analyse-text, 10 units each)",
    }
    # 25% of completions cut to 1,000 characters = 10 units, for sentiment and for toxicity.
    assert result.by_service()["Comprehend"] == pytest.approx(0.25 * N * 10 * 2 * limits.PRICE_COMPREHEND_PER_UNIT)
    prompts = priced({"monitors.analyse-text.scorePrompts": "true"})
    # Prompts are 500 characters: 5 units each.
    extra = 0.25 * N * 5 * 2 * limits.PRICE_COMPREHEND_PER_UNIT
    assert prompts.by_service()["Comprehend"] == pytest.approx(result.by_service()["Comprehend"] + extra)


def test_comprehend_bounds_and_the_minimum_per_text() -> None:
    long = priced(
        {"monitors.analyse-text.maxChars": "10000", "monitors.analyse-text.samplingRate": "1"},
        workload=Workload(1_000, 100, 20_000),
    )
    # maxChars caps what is sent; a sentiment document is also capped at Comprehend's 5 KB.
    sentiment = item(long, "sentiment of completions")
    assert sentiment.quantity == 1_000 * limits.COMPREHEND_SENTIMENT_MAX_DOC_BYTES / limits.COMPREHEND_UNIT_CHARS
    assert item(long, "toxicity of completions").quantity == 1_000 * math.ceil(10_000 / limits.COMPREHEND_UNIT_CHARS)
    short = priced(workload=Workload(1_000, 10, 20))
    assert item(short, "sentiment of completions").quantity == 250 * limits.COMPREHEND_MIN_UNITS_PER_DOC


# --- Bedrock -------------------------------------------------------------------------------------------


def test_embeddings_are_priced_per_token_of_each_text_sent() -> None:
    result = priced()
    (titan,) = items(result, "Bedrock")
    assert titan.item == "Titan embeddings (embed-text: prompt + completion)"
    assert titan.quantity == pytest.approx(N * (500 + 1_500) / 4)
    assert titan.usd == pytest.approx(titan.quantity / 1000 * limits.PRICE_TITAN_EMBED_PER_1K_TOKENS)
    cut = item(priced({"monitors.embed-text.maxChars": "1000"}), "Titan embeddings")
    assert cut.quantity == pytest.approx(N * (500 + 1_000) / 4)


def test_an_option_that_changes_needs_changes_the_bill() -> None:
    assert not any("mode-switch" in i.item for i in priced().items if i.service == "Bedrock")
    model = priced({"monitors.mode-switch.mode": "model"})
    titan = item(model, "Titan embeddings (mode-switch")
    assert titan.quantity == pytest.approx(N * 1_500 / 4)  # the whole completion: shorter than maxChars


# --- Step Functions ------------------------------------------------------------------------------------


def test_the_workflow_runs_once_per_batch_holding_a_sampled_record() -> None:
    result = priced()
    executions = item(result, "Express executions")
    assert executions.item == "Express executions (analyse-text)"  # only the text-analysis monitor
    batch = AnalyseText.lambda_spec.batch_size
    assert executions.quantity == pytest.approx(N / batch * (1 - (1 - 0.25) ** batch))
    assert executions.usd == pytest.approx(executions.quantity / 1e6 * limits.PRICE_SFN_EXPRESS_PER_MILLION_REQUESTS)


def test_a_batch_too_big_for_one_payload_takes_several_executions() -> None:
    result = priced(
        {"monitors.analyse-text.maxChars": "10000", "monitors.analyse-text.samplingRate": "1"},
        workload=Workload(1_000_000, 100, 20_000),
    )
    batch = AnalyseText.lambda_spec.batch_size
    payload = batch * (limits.COMPREHEND_SENTIMENT_MAX_DOC_BYTES + 10_000)  # sentiment and toxicity texts
    splits = math.ceil(payload / limits.STEP_FUNCTIONS_MAX_PAYLOAD_BYTES)
    assert splits > 1
    assert item(result, "Express executions").quantity == pytest.approx(1_000_000 / batch * splits)


# --- Lambda, Kinesis -----------------------------------------------------------------------------------


def test_lambda_runs_once_per_full_batch_and_once_per_log_object() -> None:
    result = priced()
    expected = sum(math.ceil(N / FIXTURES[name].lambda_spec.batch_size) for name in enabled())
    monitors = item(result, "monitor requests")
    assert monitors.item == f"monitor requests ({len(enabled())} monitors, full batches)"
    assert monitors.quantity == expected
    assert item(result, "dispatcher requests").quantity == 730 * 60 / 5  # one log object every 5 minutes


def test_every_monitor_reads_the_whole_stream() -> None:
    result = priced()
    data_in, data_out = item(result, "data in"), item(result, "data out")
    assert data_out.quantity == pytest.approx(data_in.quantity * len(enabled()))
    more = priced({"monitors.opt-in.enabled": "true"})
    assert item(more, "data out").quantity == pytest.approx(data_in.quantity * (len(enabled()) + 1))


def test_a_provisioned_stream_is_priced_per_shard_hour() -> None:
    provisioned = priced({"stream.mode": "provisioned", "stream.shards": "2"})
    kinesis = items(provisioned, "Kinesis")
    shard_hours = next(i for i in kinesis if "shard-hours" in i.item)
    assert shard_hours.quantity == 2 * 730
    assert shard_hours.usd == pytest.approx(2 * 730 * limits.PRICE_KINESIS_PROVISIONED_PER_SHARD_HOUR)
    assert not any("on-demand" in i.item for i in kinesis)


def _kinesis_usd(result: CostEstimate) -> float:
    return sum(i.usd for i in items(result, "Kinesis"))


def _gb_per_hour(billed_record_bytes: float) -> float:
    return N * billed_record_bytes / 1024**3 / 730


def test_retention_over_24_hours_adds_a_line_priced_per_gb_month_on_demand() -> None:
    base = priced()
    assert not any("retention" in i.item for i in items(base, "Kinesis"))  # 24 h is included
    week = priced({"stream.retentionHours": "168"})
    extended = item(week, "extended retention")
    assert extended.item == "extended retention to 168 h" and extended.unit == "GB-months"
    record = item(base, "data in").quantity / N * 1024**3  # the billed bytes of one record
    assert extended.quantity == pytest.approx(_gb_per_hour(record) * (168 - 24))
    assert extended.usd == pytest.approx(
        extended.quantity * limits.PRICE_KINESIS_ON_DEMAND_EXTENDED_RETENTION_PER_GB_MONTH
    )
    assert _kinesis_usd(week) - _kinesis_usd(base) == pytest.approx(extended.usd)
    # twice the extended window costs twice as much; beyond 7 days the rest is long-term retention
    assert item(priced({"stream.retentionHours": "96"}), "extended").usd == pytest.approx(extended.usd / 2)
    month = priced({"stream.retentionHours": "720"})
    assert item(month, "extended retention").usd == pytest.approx(extended.usd)
    long_term = item(month, "long-term retention")
    assert long_term.quantity == pytest.approx(_gb_per_hour(record) * (720 - 168))
    assert long_term.usd == pytest.approx(long_term.quantity * limits.PRICE_KINESIS_LONG_TERM_RETENTION_PER_GB_MONTH)


def test_retention_on_a_provisioned_stream_is_priced_per_shard_hour() -> None:
    context = {"stream.mode": "provisioned", "stream.shards": "2"}
    extended = item(priced({**context, "stream.retentionHours": "48"}), "extended retention")
    assert extended.quantity == 2 * 730 and extended.unit == "shard-hours"
    assert extended.usd == pytest.approx(2 * 730 * limits.PRICE_KINESIS_PROVISIONED_EXTENDED_RETENTION_PER_SHARD_HOUR)
    # the shard-hour price covers every extended hour up to 7 days
    assert item(priced({**context, "stream.retentionHours": "168"}), "extended retention").usd == extended.usd


def test_enhanced_fan_out_prices_each_monitors_reads_as_its_own_consumer() -> None:
    base, fan_out = priced(), priced({"stream.enhancedFanOut": "true"})
    shared_out = item(base, "data out")
    efo_out = item(fan_out, "enhanced fan-out data out")
    assert efo_out.quantity == pytest.approx(shared_out.quantity)
    assert efo_out.usd == pytest.approx(shared_out.quantity * limits.PRICE_KINESIS_ON_DEMAND_EFO_PER_GB)
    assert not any(i.item.startswith("data out") for i in items(fan_out, "Kinesis"))
    provisioned = {"stream.mode": "provisioned", "stream.shards": "2"}
    efo = priced({**provisioned, "stream.enhancedFanOut": "true"})
    hours = item(efo, "enhanced fan-out consumer-shard-hours")
    assert hours.quantity == len(enabled()) * 2 * 730
    assert hours.usd == pytest.approx(hours.quantity * limits.PRICE_KINESIS_PROVISIONED_EFO_PER_CONSUMER_SHARD_HOUR)
    added = _kinesis_usd(efo) - _kinesis_usd(priced(provisioned))
    assert added == pytest.approx(hours.usd + item(efo, "enhanced fan-out data out").usd)


# --- CloudWatch ----------------------------------------------------------------------------------------


def _active_metrics(context: Mapping[str, object] | None = None) -> int:
    config = MonitoringConfig.from_context(context or {}, FIXTURES)
    return sum(
        len(FIXTURES[name].spec().active_metrics(config.monitors[name].options)) for name in config.enabled_monitors()
    )


def test_custom_metrics_are_series_per_dimension_set_plus_pipeline_counters() -> None:
    five = item(priced(), "custom metrics")
    counters = sum(len(pm.MONITOR_COUNTERS) + len(FIXTURES[name].spec().skip_reasons) for name in enabled())
    counters += len(pm.DISPATCHER_COUNTERS) + len(SkipReason)
    assert five.quantity == _active_metrics() * (1 + 5) + counters
    ten = item(priced(workload=Workload(1_000_000, 500, 1_500, models=10)), "custom metrics")
    assert ten.quantity - five.quantity == _active_metrics() * 5
    app = priced({"applicationDimension.key": "app", "applicationDimension.allowlist": "a,b"})
    assert item(app, "custom metrics").quantity - five.quantity == _active_metrics() * 5 * 3  # a, b, other
    prompts = {"monitors.analyse-text.scorePrompts": "true"}
    assert _active_metrics(prompts) == _active_metrics() + 1
    assert item(priced(prompts), "custom metrics").quantity == five.quantity + 1 + 5


def test_alarms_are_the_resolved_alarms_and_the_pipeline_alarms() -> None:
    result = priced()
    config = MonitoringConfig.from_context({}, FIXTURES)
    assert item(result, "monitor alarms").quantity == len(resolve_alarms(config, FIXTURES))
    per_model = priced({"alarmModelIds": "a,b"})
    assert item(per_model, "monitor alarms").quantity == 3 * len(resolve_alarms(config, FIXTURES))
    pipeline = item(result, "pipeline-health alarms")
    assert pipeline.quantity == pm.pipeline_alarm_count(len(enabled()), workflow=True)
    no_analysis = priced({"monitors.analyse-text.enabled": "false"})
    assert item(no_analysis, "pipeline-health alarms").quantity == pm.pipeline_alarm_count(
        len(enabled()) - 1, workflow=False
    )
    quiet_hours_ok = priced({"pipelineAlarms.minRecordsPerHour": "0"})
    assert item(quiet_hours_ok, "pipeline-health alarms").quantity == pipeline.quantity - 1


def test_metrics_are_written_as_logs_not_put_metric_data() -> None:
    result = priced()
    put = item(result, "PutMetricData")
    assert put.quantity == 0 and put.usd == 0
    halved = priced({"monitors.embed-text.samplingRate": "0.5"})
    assert item(halved, "EMF log ingestion").quantity < item(result, "EMF log ingestion").quantity


# --- configuration -------------------------------------------------------------------------------------


def test_a_disabled_or_opt_in_monitor_costs_nothing() -> None:
    assert not any("opt-in" in i.item for i in priced().items)
    assert any("opt-in" in i.item for i in priced({"monitors.opt-in.enabled": "true"}).items)
    off = priced({"monitors.analyse-text.enabled": "false"})
    assert off.by_service()["Comprehend"] == 0
    assert off.by_service()["Step Functions"] == 0


def test_the_embedded_backend_has_no_model_charges() -> None:
    local = priced({"backend": "local"})
    for service in ("Comprehend", "Bedrock", "Step Functions"):
        assert local.by_service()[service] == 0
    assert any("backend=embedded" in n for n in local.notes)


def test_the_configuration_line_says_what_each_monitor_sends() -> None:
    result = priced({"monitors.mode-switch.mode": "model"})
    assert result.configuration[0] == "backend aws"
    assert result.configuration[1] == (
        "analyse-text (sampling 0.25, scores completions, completion cut to 1000 chars, batch 100, 256 MB)"
    )
    assert "embeds completions, completion cut to 2000 chars, mode model" in result.configuration[3]


def test_a_text_usage_naming_an_unknown_field_is_a_definition_error() -> None:
    class SendsSystem(EmbedText):
        name = "sends-system"
        metrics = (MetricSpec("SystemSimilarity", Unit.NONE, "Cosine."),)

        @classmethod
        def text_usage(cls, options: Mapping[str, object]) -> tuple[TextUsage, ...]:
            return (TextUsage(Capability.EMBEDDINGS, "system"),)

    with pytest.raises(MonitorDefinitionError, match="system"):
        estimate(WORKLOAD, {}, registry=MonitorRegistry([SendsSystem]), levers=False)


def test_bad_configuration_names_the_key() -> None:
    with pytest.raises(ConfigurationError, match="monitors.analyse-text.samplingRate"):
        estimate(WORKLOAD, {"monitors.analyse-text.samplingRate": "2"}, registry=FIXTURES)
    with pytest.raises(ConfigurationError):
        Workload(-1, 1, 1)


def test_assumptions_are_used() -> None:
    slow = estimate(WORKLOAD, {}, registry=FIXTURES, levers=False, assumptions=Assumptions(monitor_batch_seconds=10.0))
    assert slow.by_service()["Lambda"] > priced().by_service()["Lambda"]


# --- prices --------------------------------------------------------------------------------------------


def test_prices_and_limits_come_from_shared_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    everything = {"monitors.analyse-text.samplingRate": "1", "monitors.analyse-text.scorePrompts": "true"}
    base = priced(everything).by_service()
    monkeypatch.setattr(limits, "PRICE_COMPREHEND_PER_UNIT", limits.PRICE_COMPREHEND_PER_UNIT * 2)
    monkeypatch.setattr(limits, "PRICE_TITAN_EMBED_PER_1K_TOKENS", limits.PRICE_TITAN_EMBED_PER_1K_TOKENS * 3)
    monkeypatch.setattr(limits, "PRICE_KINESIS_ON_DEMAND_PER_STREAM_HOUR", 0.0)
    monkeypatch.setattr(limits, "COMPREHEND_MIN_UNITS_PER_DOC", 100)
    changed = priced(everything).by_service()
    assert changed["Comprehend"] == pytest.approx(N * 2 * 2 * 100 * limits.PRICE_COMPREHEND_PER_UNIT)
    assert changed["Bedrock"] == pytest.approx(3 * base["Bedrock"])
    assert changed["Kinesis"] < base["Kinesis"] - 29


def test_every_dollar_comes_from_a_price_in_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    # Doubling every price in shared.limits doubles every line item: no price is retyped in the estimate.
    context = {"monitors.mode-switch.mode": "model"}
    base = priced(context)
    for name in dir(limits):
        if name.startswith("PRICE_"):
            monkeypatch.setattr(limits, name, getattr(limits, name) * 2)
    doubled = priced(context)
    for before, after in zip(base.items, doubled.items, strict=True):
        assert after.usd == pytest.approx(2 * before.usd), before.item


# --- levers --------------------------------------------------------------------------------------------


def _levers(context: Mapping[str, object] | None = None, *, workload: Workload = WORKLOAD) -> dict[str, float]:
    result = estimate(workload, context or {}, registry=FIXTURES)
    for lever in result.levers:
        assert lever.total_usd == pytest.approx(result.total_usd + lever.delta_usd)
    return {lever.description: lever.delta_usd for lever in result.levers}


def test_levers_are_the_declared_ones_that_move_the_total() -> None:
    comprehend = priced().by_service()["Comprehend"]
    levers = _levers()
    assert levers["halve samplingRate of analyse-text (0.25 → 0.125)"] == pytest.approx(-comprehend / 2, rel=0.01)
    assert levers["set maxChars of analyse-text to 500 (from 1000)"] == pytest.approx(-comprehend / 2)
    assert levers["set scorePrompts of analyse-text to true (from false)"] > 0
    assert levers["halve samplingRate of embed-text (1 → 0.5)"] < 0
    titan = N * 1_500 / 4 / 1000 * limits.PRICE_TITAN_EMBED_PER_1K_TOKENS
    assert levers["set mode of mode-switch to model (from free)"] == pytest.approx(titan)
    # Halving embed-text's maxChars (4000 → 2000) changes nothing for 500/1,500-character texts: not shown.
    assert not any(d.startswith("halve maxChars of embed-text") for d in levers)
    # Fewer EMF documents: sampling less saves a little even on a monitor that calls no model.
    assert levers["halve samplingRate of mode-switch (1 → 0.5)"] < 0
    assert not any("opt-in" in d for d in levers)  # not enabled


def test_a_lever_shows_once_it_moves_the_total() -> None:
    long = Workload(1_000_000, 500, 3_000)
    assert _levers(workload=long)["halve maxChars of embed-text (4000 → 2000)"] < 0


def test_levers_follow_declarations_not_option_names() -> None:
    # mode-switch has a maxChars that changes what it sends in mode "model", but declares no lever on it.
    levers = _levers({"monitors.mode-switch.mode": "model"})
    assert not any("maxChars of mode-switch" in d for d in levers)
    assert levers["set mode of mode-switch to free (from model)"] < 0


def test_a_toggle_lever_tries_the_other_value() -> None:
    assert (
        _levers({"monitors.analyse-text.scorePrompts": "true"})["set scorePrompts of analyse-text to false (from true)"]
        < 0
    )


def test_levers_are_computed_not_constant() -> None:
    def halve(invocations: float) -> float:
        return _levers(workload=Workload(invocations, 500, 1_500))["halve samplingRate of analyse-text (0.25 → 0.125)"]

    assert halve(10_000_000) == pytest.approx(1000 * halve(10_000), rel=0.01)


def test_lever_overrides_and_flags() -> None:
    result = estimate(WORKLOAD, {}, registry=FIXTURES)
    halve = next(lever for lever in result.levers if lever.description.startswith("halve samplingRate of analyse"))
    assert halve.overrides == {"monitors.analyse-text.samplingRate": 0.125}
    assert halve.flags == "-c monitors.analyse-text.samplingRate=0.125"
    toggle = next(lever for lever in result.levers if "scorePrompts" in lever.description)
    assert toggle.flags == "-c monitors.analyse-text.scorePrompts=true"
    assert estimate(WORKLOAD, {}, registry=FIXTURES, levers=False).levers == ()


# --- workload from a store -----------------------------------------------------------------------------


def test_workload_from_store(tmp_path: Path) -> None:
    with MetricStore(tmp_path / "m.db") as store:
        with pytest.raises(ConfigurationError, match="no records"):
            workload_from_store(store)
        t0 = 1_795_680_000
        # 600 records over 6 hours: 100 an hour -> 73,000 a 730-hour month.
        store.add_records(
            (f"r{i}", t0 + i * 36.0, f"model-{i % 3}", 400 + (i % 2) * 200, 1000, "Converse") for i in range(601)
        )
        workload = workload_from_store(store)
    assert workload.invocations_per_month == pytest.approx(601 * 730 / 6)
    assert workload.prompt_chars == pytest.approx(500, abs=1)
    assert workload.completion_chars == 1000
    assert workload.models == 3
    assert "measured" in workload.source


# --- the command (built-in monitors: expectations derived from the registry) ---------------------------

CLI_WORKLOAD = ["--invocations-per-month", "1,000,000", "--prompt-chars", "500", "--completion-chars", "1500"]


def empty_project(path: Path) -> str:
    """A project folder whose cdk.json sets nothing: the built-in defaults."""
    (path / "cdk.json").write_text(json.dumps({"app": "python app.py", "context": {}}))
    return str(path)


def test_cli_table_and_json(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    args = ["cost", *CLI_WORKLOAD, "--project-dir", empty_project(tmp_path)]
    assert main(args) == 0
    table = capsys.readouterr().out
    for heading in ("Comprehend", "Bedrock", "Lambda", "Step Functions", "Kinesis", "CloudWatch", "TOTAL"):
        assert heading in table
    assert main([*args, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["totalUsd"] == pytest.approx(sum(data["byServiceUsd"].values()), abs=0.01)
    assert f"({len(MonitoringConfig.from_context({}).enabled_monitors())} monitors" in table
    if data["levers"]:
        assert "Levers" in table
        assert all(lever["flags"].startswith("-c monitors.") for lever in data["levers"])


def test_cli_reads_cdk_json(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    every_monitor_off = {name: {"enabled": False} for name in discover()}
    (tmp_path / "cdk.json").write_text(json.dumps({"app": "python app.py", "context": {"monitors": every_monitor_off}}))
    assert main(["cost", *CLI_WORKLOAD, "--project-dir", str(tmp_path), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    for service in ("Comprehend", "Bedrock", "Step Functions"):
        assert data["byServiceUsd"][service] == 0
    assert data["configuration"] == ["backend aws"]
    assert data["levers"] == []


def test_cli_errors(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    project = empty_project(tmp_path)
    assert main(["cost", "--prompt-chars", "5", "--project-dir", project]) == 2
    assert "--invocations-per-month" in capsys.readouterr().err
    assert main(["cost", "--store", str(tmp_path / "missing.db"), "--project-dir", project]) == 4  # as replay's
    assert "no metric store" in capsys.readouterr().err
    assert not (tmp_path / "missing.db").exists()
    (tmp_path / "text.db").write_text("not a database\n" * 100, encoding="utf-8")
    assert main(["cost", "--store", str(tmp_path / "text.db"), "--project-dir", project]) == 4
    assert capsys.readouterr().err.count("\n") == 1
    for bad in ("1e18", "nan", "-1"):
        with pytest.raises(SystemExit) as usage:
            main(["cost", "--invocations-per-month", "1", "--prompt-chars", bad, "--completion-chars", "1"])
        assert usage.value.code == 2


def test_cli_measures_from_a_store(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    with MetricStore(tmp_path / "m.db") as store:
        store.add_records((f"r{i}", 1_795_680_000 + i * 60.0, "m", 500, 1500, "Converse") for i in range(361))
    args = [
        "cost",
        "--store",
        str(tmp_path / "m.db"),
        "--project-dir",
        empty_project(tmp_path),
        "--json",
        "--no-levers",
    ]
    assert main(args) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["workload"]["invocations_per_month"] == pytest.approx(361 * 730 / 6)  # 361 records in 6 h
    assert data["workload"]["models"] == 1
    assert data["levers"] == []


def test_the_cost_command_never_loads_the_cdk(tmp_path: Path) -> None:
    # infra.config is plain Python; aws-cdk-lib would start the CDK's Node runtime (jsii). A fresh
    # interpreter, since other tests in this process may have imported the CDK.
    script = (
        "import sys\n"
        "from local_runtime.cli import main\n"
        f"assert main(['cost', *{CLI_WORKLOAD!r}, '--project-dir', {empty_project(tmp_path)!r}, '--json']) == 0\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('aws_cdk', 'jsii', 'constructs'))\n"
        "assert not loaded, loaded\n"
    )
    subprocess.run([sys.executable, "-c", script], check=True, capture_output=True, text=True)

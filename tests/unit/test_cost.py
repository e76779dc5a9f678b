"""The cost estimate: the architecture's worked example, levers in the right direction, prices from limits."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from shared import limits
from local_runtime.cli import main
from shared.errors import ConfigurationError
from local_runtime.cost import Assumptions, Workload, estimate, workload_from_store
from local_runtime.store import MetricStore

WORKED = Workload(invocations_per_month=1_000_000, prompt_chars=500, completion_chars=1_500)
# The architecture's worked example: Comprehend on every prompt and every completion, whole texts.
EVERYTHING_TO_COMPREHEND = {
    "monitors.sentiment-toxicity.samplingRate": "1.0",
    "monitors.sentiment-toxicity.scorePrompts": "true",
    "monitors.sentiment-toxicity.maxChars": "10000",
}


def test_worked_example_comprehend_is_about_4000_dollars() -> None:
    result = estimate(WORKED, EVERYTHING_TO_COMPREHEND, levers=False)
    services = result.by_service()
    # 1M × (5 + 15 units) × 2 analyses × $0.0001
    assert services["Comprehend"] == pytest.approx(4_000, rel=0.05)
    assert services["Bedrock"] == pytest.approx(10, rel=0.1)  # Titan ≈ $10
    assert services["Lambda"] + services["Step Functions"] < 2
    # Comprehend dominates everything else.
    assert services["Comprehend"] > 10 * sum(v for k, v in services.items() if k != "Comprehend")


def test_default_configuration_samples_completions_only() -> None:
    result = estimate(WORKED, {}, levers=False)
    comprehend = [i for i in result.items if i.service == "Comprehend"]
    assert {i.item.split(" (")[0] for i in comprehend} == {
        "sentiment of completions",
        "toxicity of completions",
    }
    # 25% of 1M completions cut to 1,000 chars = 10 units, sentiment + toxicity.
    expected = 0.25 * 1_000_000 * 10 * 2 * limits.PRICE_COMPREHEND_PER_UNIT
    assert result.by_service()["Comprehend"] == pytest.approx(expected)
    assert result.total_usd == pytest.approx(sum(result.by_service().values()))


def test_levers_move_the_total_in_the_right_direction() -> None:
    result = estimate(WORKED, {})
    levers = {lever.description: lever for lever in result.levers}
    halve = levers["halve samplingRate of sentiment-toxicity (0.25 → 0.125)"]
    assert halve.delta_usd < 0
    assert halve.delta_usd == pytest.approx(-result.by_service()["Comprehend"] / 2, rel=0.01)
    assert halve.overrides == {"monitors.sentiment-toxicity.samplingRate": 0.125}
    assert "-c monitors.sentiment-toxicity.samplingRate=0.125" in halve.flags
    assert levers["set scorePrompts of sentiment-toxicity to true (from false)"].delta_usd > 0
    assert levers["set maxChars of sentiment-toxicity to 500 (from 1000)"].delta_usd < 0
    assert levers["halve samplingRate of semantic-similarity (1 → 0.5)"].delta_usd < 0
    for lever in result.levers:
        assert lever.total_usd == pytest.approx(result.total_usd + lever.delta_usd)

    scoring_prompts = estimate(WORKED, {"monitors.sentiment-toxicity.scorePrompts": "true"})
    stop = next(
        lever for lever in scoring_prompts.levers if lever.description.startswith("set scorePrompts of sentiment-toxicity to false")
    )
    assert stop.delta_usd < 0


def test_levers_are_computed_not_constant() -> None:
    small = estimate(Workload(10_000, 500, 1500), {})
    large = estimate(Workload(10_000_000, 500, 1500), {})

    def halve(e):
        return next(
            lever.delta_usd
            for lever in e.levers
            if lever.description.startswith("halve samplingRate of sentiment")
        )

    assert halve(large) == pytest.approx(1000 * halve(small), rel=0.01)


def test_refusal_embeds_only_with_cosine() -> None:
    fuzzy = estimate(WORKED, {}, levers=False)
    cosine = estimate(WORKED, {"monitors.refusal.method": "cosine"}, levers=False)
    assert not any("refusal" in i.item for i in fuzzy.items if i.service == "Bedrock")
    refusal = [i for i in cosine.items if i.service == "Bedrock" and "refusal" in i.item]
    assert len(refusal) == 1
    # Only the opening of the completion (headChars, 240) is embedded: chars / 4 tokens.
    assert refusal[0].quantity == pytest.approx(1_000_000 * 240 / 4)


def test_numbers_come_from_shared_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    base = estimate(WORKED, EVERYTHING_TO_COMPREHEND, levers=False).by_service()
    monkeypatch.setattr(limits, "PRICE_COMPREHEND_PER_UNIT", limits.PRICE_COMPREHEND_PER_UNIT * 2)
    monkeypatch.setattr(limits, "PRICE_TITAN_EMBED_PER_1K_TOKENS", limits.PRICE_TITAN_EMBED_PER_1K_TOKENS * 3)
    monkeypatch.setattr(limits, "PRICE_KINESIS_ON_DEMAND_PER_STREAM_HOUR", 0.0)
    monkeypatch.setattr(limits, "COMPREHEND_MIN_UNITS_PER_DOC", 100)
    changed = estimate(WORKED, EVERYTHING_TO_COMPREHEND, levers=False).by_service()
    assert changed["Comprehend"] == pytest.approx(1_000_000 * 2 * 2 * 100 * limits.PRICE_COMPREHEND_PER_UNIT)
    assert changed["Bedrock"] == pytest.approx(3 * base["Bedrock"])
    assert changed["Kinesis"] < base["Kinesis"] - 29


def test_every_dollar_comes_from_a_price_in_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    # Doubling every price in shared.limits doubles every line item: no price is retyped in cost.py.
    base = estimate(WORKED, {}, levers=False)
    for name in dir(limits):
        if name.startswith("PRICE_"):
            monkeypatch.setattr(limits, name, getattr(limits, name) * 2)
    doubled = estimate(WORKED, {}, levers=False)
    for before, after in zip(base.items, doubled.items, strict=True):
        assert after.usd == pytest.approx(2 * before.usd), before.item


def test_truncation_and_long_texts() -> None:
    # maxChars caps what is sent; sentiment documents are also capped at Comprehend's 5 KB.
    long = Workload(1_000, 100, 20_000)
    result = estimate(
        long,
        {"monitors.sentiment-toxicity.maxChars": "10000", "monitors.sentiment-toxicity.samplingRate": "1"},
        levers=False,
    )
    sentiment = next(i for i in result.items if i.item.startswith("sentiment of completions"))
    toxicity = next(i for i in result.items if i.item.startswith("toxicity of completions"))
    assert (
        sentiment.quantity == 1_000 * limits.COMPREHEND_SENTIMENT_MAX_DOC_BYTES / limits.COMPREHEND_UNIT_CHARS
    )
    assert toxicity.quantity == 1_000 * math.ceil(10_000 / limits.COMPREHEND_UNIT_CHARS)
    short = estimate(Workload(1_000, 10, 20), {}, levers=False)
    units = next(i for i in short.items if i.item.startswith("sentiment of completions"))
    assert units.quantity == 250 * limits.COMPREHEND_MIN_UNITS_PER_DOC  # the 3-unit minimum


def test_cloudwatch_counts_metrics_alarms_and_no_put_metric_data() -> None:
    five = estimate(WORKED, {}, levers=False)
    ten = estimate(Workload(1_000_000, 500, 1500, models=10), {}, levers=False)
    metrics5 = next(i for i in five.items if i.item.startswith("custom metrics"))
    metrics10 = next(i for i in ten.items if i.item.startswith("custom metrics"))
    active = 15  # refusal 2 + similarity 1 + sentiment/toxicity 12 under the defaults
    assert metrics10.quantity - metrics5.quantity == active * 5
    alarms = next(i for i in five.items if i.item.startswith("monitor alarms"))
    assert alarms.quantity == 4
    pipeline = next(i for i in five.items if i.item.startswith("pipeline-health alarms"))
    assert pipeline.quantity == 4 + 5 * 3 + 3  # dispatcher, three monitors, the Comprehend workflow
    more = estimate(WORKED, {"alarmModelIds": "a,b"}, levers=False)
    assert next(i for i in more.items if i.item.startswith("monitor alarms")).quantity == 12
    put = next(i for i in five.items if "PutMetricData" in i.item)
    assert put.quantity == 0 and put.usd == 0
    app = estimate(
        WORKED, {"applicationDimension.key": "app", "applicationDimension.allowlist": "a,b"}, levers=False
    )
    metrics_app = next(i for i in app.items if i.item.startswith("custom metrics"))
    assert metrics_app.quantity - metrics5.quantity == active * 5 * 3  # per model × (a, b, other)


def test_disabled_monitor_costs_nothing() -> None:
    off = estimate(WORKED, {"monitors.sentiment-toxicity.enabled": "false"}, levers=False)
    assert off.by_service()["Comprehend"] == 0
    assert off.by_service()["Step Functions"] == 0


def test_local_backend_has_no_model_charges() -> None:
    local = estimate(WORKED, {"backend": "local"}, levers=False)
    assert local.by_service()["Comprehend"] == 0 and local.by_service()["Bedrock"] == 0
    assert any("backend=embedded" in n for n in local.notes)


def test_assumptions_are_used() -> None:
    slow = estimate(WORKED, {}, levers=False, assumptions=Assumptions(monitor_batch_seconds=10.0))
    fast = estimate(WORKED, {}, levers=False)
    assert slow.by_service()["Lambda"] > fast.by_service()["Lambda"]


def test_bad_configuration_names_the_key() -> None:
    with pytest.raises(ConfigurationError, match="monitors.sentiment-toxicity.samplingRate"):
        estimate(WORKED, {"monitors.sentiment-toxicity.samplingRate": "2"})
    with pytest.raises(ConfigurationError):
        Workload(-1, 1, 1)


def test_workload_from_store(tmp_path: Path) -> None:
    with MetricStore(tmp_path / "m.db") as store:
        with pytest.raises(ConfigurationError, match="no records"):
            workload_from_store(store)
        t0 = 1_795_680_000
        # 600 records over 6 hours: 100 an hour -> 73,000 a 730-hour month.
        store.add_records(
            (f"r{i}", t0 + i * 36.0, f"model-{i % 3}", 400 + (i % 2) * 200, 1000, "Converse")
            for i in range(601)
        )
        workload = workload_from_store(store)
    assert workload.invocations_per_month == pytest.approx(601 * 730 / 6)
    assert workload.prompt_chars == pytest.approx(500, abs=1)
    assert workload.completion_chars == 1000
    assert workload.models == 3
    assert "measured" in workload.source


def test_cli_table_and_json(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    args = [
        "cost",
        "--invocations-per-month",
        "1,000,000",
        "--prompt-chars",
        "500",
        "--completion-chars",
        "1500",
        "--project-dir",
        str(tmp_path),
    ]
    assert main(args) == 0
    table = capsys.readouterr().out
    for service in (
        "Comprehend",
        "Bedrock",
        "Lambda",
        "Step Functions",
        "Kinesis",
        "CloudWatch",
        "TOTAL",
        "Levers",
    ):
        assert service in table
    assert (
        main([*args, "--json", *sum((["-c", f"{k}={v}"] for k, v in EVERYTHING_TO_COMPREHEND.items()), [])])
        == 0
    )
    data = json.loads(capsys.readouterr().out)
    assert data["byServiceUsd"]["Comprehend"] == pytest.approx(4000, rel=0.05)
    assert data["totalUsd"] == pytest.approx(sum(data["byServiceUsd"].values()), abs=0.01)
    assert data["levers"] and all("flags" in lever for lever in data["levers"])


def test_cli_reads_cdk_json(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    (tmp_path / "cdk.json").write_text(
        json.dumps(
            {"app": "python app.py", "context": {"monitors": {"sentiment-toxicity": {"enabled": False}}}}
        )
    )
    assert (
        main(
            [
                "cost",
                "--invocations-per-month",
                "1000",
                "--prompt-chars",
                "5",
                "--completion-chars",
                "5",
                "--project-dir",
                str(tmp_path),
                "--json",
            ]
        )
        == 0
    )
    assert json.loads(capsys.readouterr().out)["byServiceUsd"]["Comprehend"] == 0


def test_cli_errors(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["cost", "--prompt-chars", "5", "--project-dir", str(tmp_path)]) == 2
    assert "--invocations-per-month" in capsys.readouterr().err
    assert main(["cost", "--store", str(tmp_path / "missing.db"), "--project-dir", str(tmp_path)]) == 2
    assert "no metric store" in capsys.readouterr().err
    assert not (tmp_path / "missing.db").exists()


def test_cli_measures_from_a_store(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    with MetricStore(tmp_path / "m.db") as store:
        store.add_records((f"r{i}", 1_795_680_000 + i * 60.0, "m", 500, 1500, "Converse") for i in range(361))
    assert (
        main(
            [
                "cost",
                "--store",
                str(tmp_path / "m.db"),
                "--project-dir",
                str(tmp_path),
                "--json",
                "--no-levers",
            ]
        )
        == 0
    )
    data = json.loads(capsys.readouterr().out)
    assert data["workload"]["invocations_per_month"] == pytest.approx(361 * 730 / 6)  # 361 records in 6 h
    assert data["workload"]["models"] == 1
    assert data["levers"] == []


def test_a_provisioned_stream_is_priced_per_shard_hour() -> None:
    provisioned = estimate(WORKED, {"stream.mode": "provisioned", "stream.shards": "2"}, levers=False)
    kinesis = [i for i in provisioned.items if i.service == "Kinesis"]
    shard_hours = next(i for i in kinesis if "shard-hours" in i.item)
    assert shard_hours.quantity == 2 * 730
    assert shard_hours.usd == pytest.approx(2 * 730 * limits.PRICE_KINESIS_PROVISIONED_PER_SHARD_HOUR)
    assert not any("on-demand" in i.item for i in kinesis)

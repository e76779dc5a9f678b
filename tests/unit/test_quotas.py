"""The quota table: what a workload needs at its peak of each default quota in shared.limits, on the cost
estimate's fixture monitors (never the registry's current contents), worked out the way the docstring of
local_runtime.cost.quotas says."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from pathlib import Path

import pytest

from local_runtime.cli import main
from local_runtime.cost import Workload, estimate
from local_runtime.cost.quotas import DEFAULT_PEAK_FACTOR, QuotaReport
from shared import limits
from shared.errors import ConfigurationError
from tests.unit.test_cost import CLI_WORKLOAD, FIXTURES, WORKLOAD, empty_project, enabled

SECONDS = 730 * 3600


def report(
    context: Mapping[str, object] | None = None, *, workload: Workload = WORKLOAD, peak: float = 1.0
) -> QuotaReport:
    result = estimate(workload, context or {}, registry=FIXTURES, levers=False, peak_factor=peak).quotas
    assert result is not None
    return result


def need(r: QuotaReport, quota: limits.Quota) -> float:
    (found,) = [n.need for n in r.needs if n.quota == quota]
    return found


def test_every_quota_row_is_a_default_of_shared_limits() -> None:
    r = report()
    declared = {v for v in vars(limits).values() if isinstance(v, limits.Quota)}
    assert {n.quota for n in r.needs} <= declared
    assert all(q.source and q.value > 0 for q in declared)


def test_titan_needs_one_call_per_embedded_text() -> None:
    rps = WORKLOAD.invocations_per_month / SECONDS
    # embed-text embeds prompt and completion of every record; mode-switch calls no model by default
    assert need(report(), limits.QUOTA_TITAN_EMBED_V2_REQUESTS) == pytest.approx(rps * 2 * 60)
    model = report({"monitors.mode-switch.mode": "model"})
    assert need(model, limits.QUOTA_TITAN_EMBED_V2_REQUESTS) == pytest.approx(rps * 3 * 60)
    tokens = (min(500, 4000) + min(1500, 4000)) / 4  # chars / 4 of what embed-text sends
    assert need(report(), limits.QUOTA_TITAN_EMBED_V2_TOKENS) == pytest.approx(rps * tokens * 60)


def test_needs_grow_with_the_peak_factor() -> None:
    flat, peak = report(), report(peak=3)
    for quota in (limits.QUOTA_TITAN_EMBED_V2_REQUESTS, limits.QUOTA_KINESIS_ON_DEMAND_WRITE_BYTES):
        assert need(peak, quota) == pytest.approx(3 * need(flat, quota))
    assert peak.records_per_second == pytest.approx(3 * WORKLOAD.invocations_per_month / SECONDS)
    with pytest.raises(ConfigurationError, match="peak factor"):
        report(peak=0.5)


def test_standard_consumers_share_each_shards_reads_and_polls() -> None:
    consumers = len(enabled())
    provisioned = report({"stream.mode": "provisioned", "stream.shards": "2"})
    written = need(provisioned, limits.QUOTA_KINESIS_SHARD_WRITE_BYTES)
    assert need(provisioned, limits.QUOTA_KINESIS_SHARD_SHARED_READ_BYTES) == pytest.approx(consumers * written)
    assert need(provisioned, limits.QUOTA_KINESIS_SHARD_GET_RECORDS) == consumers
    on_demand = report()
    # a new on-demand stream has 4 MB/s, i.e. four shards, until the traffic needs more
    assert need(on_demand, limits.QUOTA_KINESIS_SHARD_WRITE_BYTES) == pytest.approx(
        need(on_demand, limits.QUOTA_KINESIS_ON_DEMAND_WRITE_BYTES) / 4
    )
    assert need(provisioned, limits.QUOTA_KINESIS_SHARD_WRITE_BYTES) == pytest.approx(
        need(on_demand, limits.QUOTA_KINESIS_ON_DEMAND_WRITE_BYTES) / 2
    )


def test_enhanced_fan_out_replaces_the_shared_read_rows_by_the_consumer_count() -> None:
    r = report({"stream.enhancedFanOut": "true"})
    quotas = {n.quota for n in r.needs}
    assert limits.QUOTA_KINESIS_SHARD_SHARED_READ_BYTES not in quotas
    assert limits.QUOTA_KINESIS_SHARD_GET_RECORDS not in quotas
    assert need(r, limits.QUOTA_KINESIS_EFO_CONSUMERS) == len(enabled())


def test_lambda_concurrency_is_shards_times_parallelization_plus_the_dispatcher() -> None:
    r = report(
        {"stream.mode": "provisioned", "stream.shards": "3", "monitors.embed-text.lambda.parallelizationFactor": "4"}
    )
    factors = {"embed-text": 4}
    expected = sum(3 * factors.get(name, FIXTURES[name].lambda_spec.parallelization_factor) for name in enabled())
    assert need(r, limits.QUOTA_LAMBDA_CONCURRENCY) == expected + 1


def test_text_analysis_calls_are_per_batch_with_a_sampled_record() -> None:
    r = report()
    sentiment = need(r, limits.QUOTA_COMPREHEND_BATCH_SENTIMENT)
    executions = need(r, limits.QUOTA_SFN_EXPRESS_STARTS)
    assert 0 < sentiment == pytest.approx(executions)  # one execution, one sentiment call per batch here
    # DetectToxicContent: analyse-text sends 1,000 characters, one 1 KB segment, so as many calls as batches
    assert need(r, limits.QUOTA_COMPREHEND_TOXICITY) == pytest.approx(sentiment)
    # a trickle fills a batch with one record, so calls per record rise as traffic falls
    busy = report(workload=Workload(1_000_000_000, 500, 1_500))
    per_record = need(busy, limits.QUOTA_COMPREHEND_BATCH_SENTIMENT) / busy.records_per_second
    small = report(workload=Workload(10_000, 500, 1_500))
    assert need(small, limits.QUOTA_COMPREHEND_BATCH_SENTIMENT) / small.records_per_second > per_record


def test_the_embedded_backend_needs_no_model_quotas() -> None:
    services = {n.quota.service for n in report({"backend": "embedded"}).needs}
    assert services == {"Kinesis", "Lambda"}


def test_rows_over_80_percent_are_warnings() -> None:
    big = report(workload=Workload(500_000_000, 500, 1_500), peak=DEFAULT_PEAK_FACTOR)
    flagged = {n.quota for n in big.warnings}
    assert limits.QUOTA_TITAN_EMBED_V2_REQUESTS in flagged
    assert all(n.share > limits.QUOTA_WARNING_SHARE for n in big.warnings)
    assert not report().warnings
    assert any(line.startswith("! Bedrock") for line in big.format_table())


def test_cli_prints_the_quota_table_and_its_json(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    args = ["cost", *CLI_WORKLOAD, "--project-dir", empty_project(tmp_path), "--no-levers"]
    assert main(args) == 0
    table = capsys.readouterr().out
    assert f"Quotas at the peak ({DEFAULT_PEAK_FACTOR:g} ×" in table and "Concurrent executions" in table
    assert main([*args, "--json", "--peak-factor", "5"]) == 0
    quotas = json.loads(capsys.readouterr().out)["quotas"]
    assert quotas["peakFactor"] == 5
    assert {row["service"] for row in quotas["rows"]} >= {
        "Kinesis",
        "Lambda",
        "Bedrock",
        "Comprehend",
        "Step Functions",
    }
    assert all(
        math.isclose(row["share"], row["need"] / row["default"], rel_tol=1e-3, abs_tol=1e-4) for row in quotas["rows"]
    )


def test_the_cli_help_states_the_default_peak_factor() -> None:
    from local_runtime.cli import build_parser

    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    help_text = sub.choices["cost"].format_help()  # type: ignore[attr-defined]
    assert f"(default: {DEFAULT_PEAK_FACTOR:g})" in " ".join(help_text.split())

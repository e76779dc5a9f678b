"""Which default quotas a workload runs into: the estimate's workload at its peak against `shared.limits`.

Rates come from the same workload and deployment the pricers read (records a month, each monitor's
sampling, texts sent and batch settings), scaled from the month's average to a peak (`peak_factor`: quotas
bind at the busiest second, not on average). The model, one line per row:

- stream: records/s and bytes/s written (the representative record's size); shards are the provisioned
  count, or on demand as many as the peak needs at 1 MB/s and 1,000 records/s each, and at least the
  four a new on-demand stream starts with (4 MB/s);
- reads: every monitor Lambda reads the whole stream; as standard consumers they share each shard's
  2 MB/s and 5 GetRecords calls a second (Lambda polls each shard once a second when idle); with
  enhanced fan-out each has its own 2 MB/s and the stream at most 20 consumers;
- batches: a monitor's batch holds what reaches one shard within its batching window (at least one
  record, at most the batch size), so a trickle of traffic means small batches and more calls per record;
- Lambda concurrency: each monitor runs up to shards × parallelization factor batches at once, plus the
  dispatcher (one per log object being read);
- Titan: one InvokeModel call per embedded text (no cache hits: an upper bound), tokens ≈ chars / 4;
- Comprehend: per batch holding a sampled record, ceil(texts / 25) BatchDetectSentiment calls and
  ceil(segments / 10) DetectToxicContent calls; Step Functions: one Express execution per such batch
  (more when its texts exceed one payload).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from local_runtime.cost.deployment import Deployment, PricedMonitor, sent_chars
from local_runtime.cost.pricers.bedrock import titan_tokens
from local_runtime.cost.pricers.comprehend import toxicity_chars
from local_runtime.cost.pricers.kinesis import record_bytes
from local_runtime.cost.pricers.step_functions import executions_per_batch
from local_runtime.cost.workload import Assumptions, Workload
from monitors.core.spec import Capability
from shared import limits
from shared.errors import ConfigurationError

#: Traffic at its busiest second, as a multiple of the month's average, unless told otherwise.
DEFAULT_PEAK_FACTOR = 3.0
#: Lambda polls each shard of a standard (shared-throughput) event source once a second when it is idle.
LAMBDA_POLLS_PER_SHARD_PER_SECOND = 1.0


@dataclass(frozen=True)
class QuotaNeed:
    """What the workload needs of one quota at its peak."""

    quota: limits.Quota
    need: float
    basis: str  # how the need was worked out, in a few words

    @property
    def share(self) -> float:
        return self.need / self.quota.value

    @property
    def warning(self) -> bool:
        return self.share > limits.QUOTA_WARNING_SHARE

    def to_dict(self) -> dict[str, object]:
        q = self.quota
        return {
            "service": q.service,
            "quota": q.name,
            "need": round(self.need, 4),
            "default": q.value,
            "unit": q.unit,
            "share": round(self.share, 4),
            "warning": self.warning,
            "adjustable": q.adjustable,
            "basis": self.basis,
            "source": q.source,
        }


@dataclass(frozen=True)
class QuotaReport:
    """Every quota the deployment touches, at `peak_factor` × the workload's average rate."""

    peak_factor: float
    records_per_second: float  # at the peak
    needs: tuple[QuotaNeed, ...]

    @property
    def warnings(self) -> tuple[QuotaNeed, ...]:
        return tuple(n for n in self.needs if n.warning)

    def to_dict(self) -> dict[str, object]:
        return {
            "peakFactor": self.peak_factor,
            "peakRecordsPerSecond": round(self.records_per_second, 4),
            "warningShare": limits.QUOTA_WARNING_SHARE,
            "rows": [n.to_dict() for n in self.needs],
        }

    def format_table(self) -> list[str]:
        lines = [
            (
                f"Quotas at the peak ({self.peak_factor:g} × the month's average: {self.records_per_second:,.2f} "
                "records/s) against default quotas (check yours in Service Quotas; ! = over "
                f"{limits.QUOTA_WARNING_SHARE:.0%}):"
            ),
            f"  {'Service':<14} {'Quota':<78} {'needs':>10} {'default':>10} {'share':>6}",
        ]
        for n in self.needs:
            q = n.quota
            flag = "!" if n.warning else " "
            lines.append(
                f"{flag} {q.service:<14} {q.name:<78} {_amount(n.need, q.unit):>10} "
                f"{_amount(q.value, q.unit):>10} {n.share:>6.0%}"
            )
        return lines


def quota_report(
    *,
    workload: Workload,
    deployment: Deployment,
    assumptions: Assumptions,
    peak_factor: float = DEFAULT_PEAK_FACTOR,
) -> QuotaReport:
    """The needs of `workload` at its peak under `deployment`, one row per quota it touches."""
    if not math.isfinite(peak_factor) or peak_factor < 1:
        raise ConfigurationError("peak factor", f"must be a number of at least 1, got {peak_factor}")
    seconds = assumptions.hours_per_month * 3600
    rps = workload.invocations_per_month / seconds * peak_factor
    size = record_bytes(workload)
    bps = rps * size
    shards = _shards(deployment, rps=rps, bps=bps)
    consumers = len(deployment.monitors)
    needs = _stream(deployment, rps=rps, bps=bps, shards=shards, consumers=consumers)
    needs.append(_concurrency(deployment, workload=workload, assumptions=assumptions, shards=shards, peak=peak_factor))
    if deployment.models_on_aws:
        needs += _models(deployment, workload=workload, assumptions=assumptions, rps=rps, shards=shards)
    return QuotaReport(peak_factor, rps, tuple(needs))


def _shards(deployment: Deployment, *, rps: float, bps: float) -> int:
    if deployment.shards is not None:
        return deployment.shards
    initial = limits.QUOTA_KINESIS_ON_DEMAND_WRITE_BYTES.value / limits.QUOTA_KINESIS_SHARD_WRITE_BYTES.value
    return max(
        math.ceil(initial),
        math.ceil(bps / limits.QUOTA_KINESIS_SHARD_WRITE_BYTES.value),
        math.ceil(rps / limits.QUOTA_KINESIS_SHARD_WRITE_RECORDS.value),
    )


def _stream(deployment: Deployment, *, rps: float, bps: float, shards: int, consumers: int) -> list[QuotaNeed]:
    per_shard = f"{shards} shard(s)" + (
        " (on demand: as the peak needs, at least 4)" if deployment.shards is None else ""
    )
    needs = []
    if deployment.shards is None:
        needs.append(QuotaNeed(limits.QUOTA_KINESIS_ON_DEMAND_WRITE_BYTES, bps, "bytes written per second"))
    needs += [
        QuotaNeed(limits.QUOTA_KINESIS_SHARD_WRITE_BYTES, bps / shards, f"bytes written per second over {per_shard}"),
        QuotaNeed(limits.QUOTA_KINESIS_SHARD_WRITE_RECORDS, rps / shards, f"records per second over {per_shard}"),
    ]
    if deployment.enhanced_fan_out:
        needs.append(QuotaNeed(limits.QUOTA_KINESIS_EFO_CONSUMERS, consumers, "one consumer per monitor"))
        return needs
    needs += [
        QuotaNeed(
            limits.QUOTA_KINESIS_SHARD_SHARED_READ_BYTES,
            consumers * bps / shards,
            f"{consumers} monitor(s) each read every byte of the shard",
        ),
        QuotaNeed(
            limits.QUOTA_KINESIS_SHARD_GET_RECORDS,
            consumers * LAMBDA_POLLS_PER_SHARD_PER_SECOND,
            f"{consumers} monitor(s) each poll every shard once a second",
        ),
    ]
    return needs


def _concurrency(
    deployment: Deployment, *, workload: Workload, assumptions: Assumptions, shards: int, peak: float
) -> QuotaNeed:
    monitors = sum(shards * m.lambda_spec.parallelization_factor for m in deployment.monitors)
    objects_per_second = assumptions.log_objects_per_month(workload) / (assumptions.hours_per_month * 3600) * peak
    dispatcher = max(1, math.ceil(objects_per_second * assumptions.dispatcher_seconds_per_object))
    return QuotaNeed(
        limits.QUOTA_LAMBDA_CONCURRENCY,
        monitors + dispatcher,
        f"monitors: shards × parallelization factor; dispatcher: {dispatcher}",
    )


def batch_fill(monitor: PricedMonitor, *, rps: float, shards: int) -> float:
    """Records in one of `monitor`'s batches: what reaches a shard within the batching window (Lambda waits
    at least its one-second poll), at least one and at most the batch size."""
    window = max(float(monitor.lambda_spec.batching_window_seconds), 1.0 / LAMBDA_POLLS_PER_SHARD_PER_SECOND)
    return min(float(monitor.lambda_spec.batch_size), max(1.0, rps / shards * window))


def _with_sample(rate: float, fill: float) -> float:
    """The chance that a batch of `fill` records holds at least one sampled record."""
    return 1.0 - math.pow(1.0 - rate, fill)


def _models(
    deployment: Deployment, *, workload: Workload, assumptions: Assumptions, rps: float, shards: int
) -> list[QuotaNeed]:
    titan_calls = titan_tokens_per_second = 0.0
    sentiment = toxicity = executions = 0.0
    for m in deployment.monitors:
        scored = rps * m.sampling_rate
        embedded = m.sends(Capability.EMBEDDINGS)
        titan_calls += scored * len(embedded)
        titan_tokens_per_second += scored * sum(
            titan_tokens(u, workload=workload, assumptions=assumptions) for u in embedded
        )
        analysed = m.sends(Capability.TEXT_ANALYSIS)
        if not analysed or m.sampling_rate <= 0:
            continue
        fill = batch_fill(m, rps=rps, shards=shards)
        batches = rps / fill
        held = _with_sample(m.sampling_rate, fill)
        texts = max(1.0, fill * m.sampling_rate) * len(analysed)
        segments = sum(
            math.ceil(toxicity_chars(sent_chars(u, workload=workload)) / limits.COMPREHEND_TOXICITY_MAX_SEGMENT_BYTES)
            for u in analysed
        ) * max(1.0, fill * m.sampling_rate)
        sentiment += batches * held * math.ceil(texts / limits.COMPREHEND_SENTIMENT_BATCH_MAX_DOCS)
        toxicity += batches * held * math.ceil(segments / limits.COMPREHEND_TOXICITY_MAX_SEGMENTS)
        executions += batches * executions_per_batch(m, workload=workload, batch_size=fill)
    needs = []
    if titan_calls:
        needs += [
            QuotaNeed(limits.QUOTA_TITAN_EMBED_V2_REQUESTS, titan_calls * 60, "one call per embedded text"),
            QuotaNeed(limits.QUOTA_TITAN_EMBED_V2_TOKENS, titan_tokens_per_second * 60, "tokens ≈ characters / 4"),
        ]
    if executions:
        needs += [
            QuotaNeed(limits.QUOTA_COMPREHEND_BATCH_SENTIMENT, sentiment, "≤ 25 texts a call, per batch"),
            QuotaNeed(limits.QUOTA_COMPREHEND_TOXICITY, toxicity, "≤ 10 segments of 1 KB a call, per batch"),
            QuotaNeed(limits.QUOTA_SFN_EXPRESS_STARTS, executions, "one execution per batch with a sampled record"),
        ]
    return needs


def _amount(value: float, unit: str) -> str:
    if unit == "bytes/s":
        return f"{value / limits.MIB:,.2f} MB/s" if value >= 0.01 * limits.MIB else f"{value / 1024:,.1f} KB/s"
    if value >= 100 or value == int(value):
        return f"{value:,.0f}"
    return f"{value:,.2f}"

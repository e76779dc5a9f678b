"""Monthly AWS cost estimate of the deployed pipeline, under the current monitors, sampling and truncation.

Every price comes from `shared.limits` (us-east-1 list prices); every other number the estimate needs
and cannot know is a named field of `Assumptions`, printed with the estimate. The configuration is the
same CDK context the stack reads (cdk.json plus `-c key=value`), so the estimate follows whatever the
stack would deploy: which monitors are on, their sampling rates, which texts go to Comprehend, how much of
each text is sent, batch sizes, alarms.

What is counted, per month:
- Comprehend: sentiment and toxicity of each sampled record's texts (completions, prompts when
  `scorePrompts`), each cut to the monitor's `maxChars`, priced in 100-character units with a 3-unit minimum
  per text. Toxicity (DetectToxicContent) is assumed to be priced like sentiment per unit and per text.
- Bedrock Titan Text Embeddings V2: tokens ≈ characters / 4 of the texts each embedding monitor sends
  (semantic similarity: prompt and completion; refusal: the completion, only with `method=cosine`).
- Lambda (arm64): one dispatcher invocation per log object and one monitor invocation per full batch.
- Step Functions Express: one execution per sentiment/toxicity batch holding a sampled record (more when a
  batch's texts exceed one payload), plus duration.
- Kinesis on demand: the stream-hours, data in (each record rounded up to 1 KiB), and data out once per
  monitor (every monitor is a consumer of the whole stream).
- CloudWatch: custom metrics (metric × dimension set: all models, per ModelId, per ModelId × Application
  when configured; plus the pipeline counters), alarms from `resolve_alarms`, one dashboard, and the log
  bytes of the Embedded Metric Format documents. No PutMetricData calls: metrics are written as EMF logs.

Levers are computed by re-running the estimate with one configuration change each (halving a monitor's
sampling, switching prompt scoring, cutting `maxChars` to 500), never hard-coded.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from typing import TYPE_CHECKING

from monitors.core.alarms import resolve_alarms
from monitors.core.config import MonitoringConfig
from monitors.core.registry import MonitorRegistry, discover
from monitors.core.spec import SAMPLING_OPTION, Capability
from shared import limits
from shared import pipeline_metrics as pm
from shared.backends.settings import AWS
from shared.context import merge_context
from shared.errors import ConfigurationError
from shared.records import InvocationRecord

if TYPE_CHECKING:
    from local_runtime.store import MetricStore

__all__ = [
    "SERVICES",
    "Assumptions",
    "CostEstimate",
    "Lever",
    "LineItem",
    "Workload",
    "estimate",
    "workload_from_store",
]

BYTES_PER_GB = 1024**3
DEFAULT_MODELS = 5
LEVER_MAX_CHARS = 500

SERVICES = ("Comprehend", "Bedrock", "Lambda", "Step Functions", "Kinesis", "CloudWatch")
_REPRESENTATIVE_MODEL_ID = "anthropic.claude-3-5-sonnet-20240620-v1:0"
_REPRESENTATIVE_REQUEST_ID = "0f3c6a52-9b1e-4c57-8d2a-6f1e2b3c4d5e"


@dataclass(frozen=True)
class Workload:
    """What the estimate is for. `source` says where the numbers came from (given, or a store)."""

    invocations_per_month: float
    prompt_chars: float
    completion_chars: float
    models: int = DEFAULT_MODELS
    source: str = "given on the command line"

    def __post_init__(self) -> None:
        for key, value in (
            ("invocations per month", self.invocations_per_month),
            ("prompt characters", self.prompt_chars),
            ("completion characters", self.completion_chars),
        ):
            if not math.isfinite(value) or value < 0:
                raise ConfigurationError(key, f"must be a non-negative number, got {value}")
        if self.models < 1:
            raise ConfigurationError("models", f"must be at least 1, got {self.models}")


@dataclass(frozen=True)
class Assumptions:
    """Numbers the estimate cannot know. Override any of them; all are printed with the estimate."""

    hours_per_month: float = 730.0  # AWS pricing's month
    chars_per_token: float = 4.0  # Titan tokens ≈ characters / 4 (English text)
    monitor_batch_seconds: float = 1.0  # monitor Lambda duration per batch (model calls included)
    log_object_minutes: float = 5.0  # Bedrock delivers a log object about every 5 minutes
    dispatcher_seconds_per_object: float = 1.0
    workflow_seconds: float = 2.0  # one Step Functions Express execution (Comprehend round trips)
    workflow_memory_mb: int = 64  # Express bills memory in 64 MB steps; this workflow stays in the first
    scoring_skip_reasons: int = (
        2  # ScoringSkipped reasons per monitor seen in a month (empty-text, non-english)
    )
    lambda_log_bytes_per_invocation: int = 350  # START/END/REPORT platform lines
    batch_counter_log_bytes: int = 600  # the pipeline-counter EMF documents of one invocation
    dispatcher_memory_mb: int | None = None  # None: from the stack's configuration (dispatcher.memoryMb)

    def notes(self) -> list[str]:
        return [
            f"a month is {self.hours_per_month:g} hours; traffic is steady, so monitor batches fill up to "
            "their batch size (a trickle of traffic gives smaller batches and more Lambda invocations)",
            f"Titan tokens ≈ characters / {self.chars_per_token:g}; every text is English and distinct (no "
            "embedding-cache hits, nothing skipped as non-English): an upper bound",
            "Comprehend toxicity is priced like sentiment: 100-character units, 3-unit minimum per text; "
            "characters = UTF-8 bytes",
            "average lengths stand for every record (the 3-unit minimum makes short texts cost a little "
            "more)",
            f"monitor Lambda: {self.monitor_batch_seconds:g} s per batch; dispatcher: one invocation per log "
            f"object every {self.log_object_minutes:g} min, {self.dispatcher_seconds_per_object:g} s each",
            f"Step Functions Express: {self.workflow_seconds:g} s and {self.workflow_memory_mb} MB per "
            "execution",
            "CloudWatch Logs: EMF documents sized from a representative record, "
            f"+{limits.LOGS_EVENT_OVERHEAD_BYTES} bytes per event, +{self.lambda_log_bytes_per_invocation} bytes "
            "of platform logs and "
            f"{self.batch_counter_log_bytes} bytes of pipeline counters per invocation",
            "not counted: free tiers, S3 storage of the invocation logs (Bedrock's, not ours), the "
            "dispatcher's DynamoDB idempotency and checkpoint writes (a few per log object), SQS on-failure "
            "queues",
        ]


@dataclass(frozen=True)
class LineItem:
    service: str
    item: str
    quantity: float
    unit: str
    usd: float


@dataclass(frozen=True)
class Lever:
    description: str
    overrides: Mapping[str, object]
    total_usd: float
    delta_usd: float  # new total minus current total (negative saves)

    @property
    def flags(self) -> str:
        return " ".join(f"-c {k}={_flag_value(v)}" for k, v in self.overrides.items())


@dataclass(frozen=True)
class CostEstimate:
    workload: Workload
    items: tuple[LineItem, ...]
    notes: tuple[str, ...]
    configuration: tuple[str, ...]
    levers: tuple[Lever, ...] = ()

    @property
    def total_usd(self) -> float:
        return sum(i.usd for i in self.items)

    def by_service(self) -> dict[str, float]:
        totals = dict.fromkeys(SERVICES, 0.0)
        for item in self.items:
            totals[item.service] = totals.get(item.service, 0.0) + item.usd
        return totals

    def to_dict(self) -> dict[str, object]:
        return {
            "workload": asdict(self.workload),
            "configuration": list(self.configuration),
            "items": [asdict(i) for i in self.items],
            "byServiceUsd": {k: round(v, 4) for k, v in self.by_service().items()},
            "totalUsd": round(self.total_usd, 4),
            "levers": [
                {
                    "description": lever.description,
                    "overrides": dict(lever.overrides),
                    "flags": lever.flags,
                    "totalUsd": round(lever.total_usd, 4),
                    "deltaUsd": round(lever.delta_usd, 4),
                }
                for lever in self.levers
            ],
            "assumptions": list(self.notes),
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2)

    def format_table(self) -> str:
        w = self.workload
        lines = [
            "Monthly AWS cost estimate (us-east-1 list prices, USD)",
            f"Workload: {w.invocations_per_month:,.0f} invocations/month, "
            f"prompts {w.prompt_chars:,.0f} chars, completions {w.completion_chars:,.0f} chars, "
            f"{w.models} model(s) — {w.source}",
            "Configuration: " + "; ".join(self.configuration),
            "",
            f"{'Service':<15} {'Item':<62} {'Quantity':>22} {'USD/month':>11}",
            "-" * 113,
        ]
        by_service = self.by_service()
        for service in SERVICES:
            items = [i for i in self.items if i.service == service]
            for item in items:
                quantity = f"{_number(item.quantity)} {item.unit}"
                lines.append(f"{service:<15} {item.item[:62]:<62} {quantity:>22} {item.usd:>11.2f}")
            lines.append(f"{'':<15} {service + ' subtotal':<62} {'':>22} {by_service[service]:>11.2f}")
        lines.append("-" * 113)
        lines.append(f"{'TOTAL':<15} {'':<62} {'':>22} {self.total_usd:>11.2f}")
        if self.levers:
            lines += ["", "Levers (each on its own, against the total above):"]
            for lever in self.levers:
                verb = "saves" if lever.delta_usd <= 0 else "adds"
                lines.append(
                    f"  {lever.description}: {verb} ${abs(lever.delta_usd):,.2f}/month "
                    f"(total ${lever.total_usd:,.2f})  [{lever.flags}]"
                )
        lines += ["", "Assumptions:"]
        lines += [f"  - {note}" for note in self.notes]
        return "\n".join(lines)


def _number(value: float) -> str:
    if value >= 100 or value == int(value):
        return f"{value:,.0f}"
    return f"{value:,.2f}"


def _flag_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def workload_from_store(
    store: MetricStore, *, models: int | None = None, hours_per_month: float = 730.0
) -> Workload:
    """Invocations per month scaled from a replayed store's record count over its time span, and the
    measured average lengths. ConfigurationError when the store is empty or spans less than a minute."""
    lengths = store.average_lengths()
    span = store.time_range()
    if lengths.records == 0 or span is None:
        raise ConfigurationError("--store", "holds no records: replay some invocation logs first")
    seconds = span[1] - span[0]
    if seconds < 60:
        raise ConfigurationError("--store", f"spans {seconds:.0f} s, too little to scale to a month")
    per_month = lengths.records * hours_per_month * 3600 / seconds
    return Workload(
        invocations_per_month=per_month,
        prompt_chars=lengths.prompt_chars,
        completion_chars=lengths.completion_chars,
        models=models or len(store.models()) or DEFAULT_MODELS,
        source=f"measured: {lengths.records:,} records over {seconds / 3600:.1f} h, scaled to a month",
    )


# --------------------------------------------------------------------------------------------- model


def _comprehend_units(chars: float) -> int:
    return max(limits.COMPREHEND_MIN_UNITS_PER_DOC, math.ceil(chars / limits.COMPREHEND_UNIT_CHARS))


def _kinesis_billed_bytes(record_bytes: int) -> int:
    return math.ceil(record_bytes / limits.KINESIS_BILLED_RECORD_UNIT_BYTES) * limits.KINESIS_BILLED_RECORD_UNIT_BYTES


def _record_bytes(workload: Workload) -> int:
    """Size of one normalised record on the stream, measured on a representative record."""
    record = InvocationRecord(
        request_id=_REPRESENTATIVE_REQUEST_ID,
        timestamp="2026-11-20T10:00:00Z",
        model_id=_REPRESENTATIVE_MODEL_ID,
        operation="InvokeModel",
        prompt="x" * round(workload.prompt_chars),
        completion="x" * round(workload.completion_chars),
        input_tokens=round(workload.prompt_chars / 4),
        output_tokens=round(workload.completion_chars / 4),
        latency_ms=1234,
        stop_reason="end_turn",
        body_shape="anthropic-messages",
    )
    return len(record.to_json().encode("utf-8")) + len(_REPRESENTATIVE_REQUEST_ID)


def _emf_bytes(namespace: str, metric_names: Sequence[str], application: bool) -> int:
    """Size of one per-record EMF document (as monitors.aws.emf writes it) for these metrics."""
    dimensions: list[list[str]] = [[], [pm.MODEL_DIMENSION]]
    document: dict[str, object] = {
        "_aws": {
            "Timestamp": 1_795_680_000_000,
            "CloudWatchMetrics": [
                {
                    "Namespace": namespace,
                    "Dimensions": dimensions
                    + ([[pm.MODEL_DIMENSION, pm.APPLICATION_DIMENSION]] if application else []),
                    "Metrics": [{"Name": n, "Unit": "None"} for n in metric_names],
                }
            ],
        },
        pm.MODEL_DIMENSION: _REPRESENTATIVE_MODEL_ID,
        pm.REQUEST_ID_PROPERTY: _REPRESENTATIVE_REQUEST_ID,
        pm.MONITOR_PROPERTY: "sentiment-toxicity",
    }
    if application:
        document[pm.APPLICATION_DIMENSION] = "support-bot"
    for name in metric_names:
        document[name] = 0.123456789
    return len(json.dumps(document, separators=(",", ":")))


def _application_values(config: MonitoringConfig) -> int:
    app = config.application_dimension
    if not app.key:
        return 0
    return (len(app.allowlist) if app.allowlist else app.max_values) + 1  # + "other"


def _dispatcher_memory(context: Mapping[str, object], assumptions: Assumptions) -> tuple[int, int | None]:
    """The dispatcher's memory, and the stream's shard count when it is provisioned (None: on demand)."""
    try:
        from infra.config import InfraConfig
    except ImportError:  # the infra package is not installed: use the assumption or the Lambda default
        from monitors.core.spec import LambdaSpec

        return assumptions.dispatcher_memory_mb or LambdaSpec().memory_mb, None
    infra = InfraConfig.from_context(context)
    shards = None if infra.stream.on_demand else infra.stream.shards
    return assumptions.dispatcher_memory_mb or infra.dispatcher.memory_mb, shards


def _estimate_items(
    workload: Workload,
    config: MonitoringConfig,
    registry: MonitorRegistry,
    context: Mapping[str, object],
    assumptions: Assumptions,
) -> tuple[list[LineItem], list[str], list[str]]:
    """(line items, extra notes, configuration summary) for one configuration."""
    n = workload.invocations_per_month
    items: list[LineItem] = []
    notes: list[str] = []
    summary: list[str] = [f"backend {config.backend.kind}"]
    aws_models = config.backend.kind == AWS
    chars = {"prompt": workload.prompt_chars, "completion": workload.completion_chars}
    enabled = config.enabled_monitors()
    lambda_requests = 0.0
    lambda_gb_seconds = 0.0
    emf_log_bytes = 0.0
    metric_count = 0
    app_values = _application_values(config)

    for name in enabled:
        monitor = registry[name]
        spec = monitor.spec()
        options = config.monitors[name].options
        rate = float(options[SAMPLING_OPTION])  # type: ignore[arg-type]
        sampled = n * rate
        needs = monitor.needs_for(options)
        lambda_spec = config.monitors[name].lambda_spec
        described = [f"sampling {rate:g}"]
        usage = monitor.text_usage(options)
        analysed = [u for u in usage if u.capability is Capability.TEXT_ANALYSIS]
        embedded = [u for u in usage if u.capability is Capability.EMBEDDINGS]

        if Capability.TEXT_ANALYSIS in needs:
            texts = [u.field for u in analysed]
            described.append(
                f"scores {' and '.join(t + 's' for t in texts) or 'nothing'}"
                + "".join(f", {u.field} cut to {u.max_chars} chars" for u in analysed if u.max_chars)
            )
            executions_per_batch = 0.0
            payload_chars = 0.0
            for use in analysed:
                text = use.field
                sent = min(chars[text], use.max_chars if use.max_chars is not None else math.inf)
                sentiment_units = _comprehend_units(min(sent, limits.COMPREHEND_SENTIMENT_MAX_DOC_BYTES))
                toxicity_chars = min(
                    sent,
                    limits.COMPREHEND_TOXICITY_MAX_SEGMENTS * limits.COMPREHEND_TOXICITY_MAX_SEGMENT_BYTES,
                )
                toxicity_units = _comprehend_units(toxicity_chars)
                payload_chars += min(sent, limits.COMPREHEND_SENTIMENT_MAX_DOC_BYTES) + toxicity_chars
                if aws_models and sampled > 0:
                    items.append(
                        LineItem(
                            "Comprehend",
                            f"sentiment of {text}s ({name}, {sentiment_units} units each)",
                            sampled * sentiment_units,
                            "units",
                            sampled * sentiment_units * limits.PRICE_COMPREHEND_PER_UNIT,
                        )
                    )
                    items.append(
                        LineItem(
                            "Comprehend",
                            f"toxicity of {text}s ({name}, {toxicity_units} units each)",
                            sampled * toxicity_units,
                            "units",
                            sampled * toxicity_units * limits.PRICE_COMPREHEND_PER_UNIT,
                        )
                    )
            if aws_models and texts and rate > 0:
                batches = n / lambda_spec.batch_size
                with_sample = 1.0 - (1.0 - rate) ** lambda_spec.batch_size
                sampled_per_batch = lambda_spec.batch_size * rate
                splits = max(
                    1, math.ceil(sampled_per_batch * payload_chars / limits.STEP_FUNCTIONS_MAX_PAYLOAD_BYTES)
                )
                executions_per_batch = with_sample * splits
                executions = batches * executions_per_batch
                gb_seconds = executions * assumptions.workflow_seconds * assumptions.workflow_memory_mb / 1024
                items.append(
                    LineItem(
                        "Step Functions",
                        f"Express executions ({name})",
                        executions,
                        "executions",
                        executions / 1e6 * limits.PRICE_SFN_EXPRESS_PER_MILLION_REQUESTS,
                    )
                )
                items.append(
                    LineItem(
                        "Step Functions",
                        f"Express duration ({name})",
                        gb_seconds,
                        "GB-s",
                        gb_seconds * limits.PRICE_SFN_EXPRESS_PER_GB_SECOND,
                    )
                )

        if Capability.EMBEDDINGS in needs:
            texts = [u.field for u in embedded]
            tokens_per_record = sum(
                min(
                    min(
                        chars[u.field],
                        u.max_chars if u.max_chars is not None else math.inf,
                        limits.TITAN_EMBED_MAX_CHARS,
                    )
                    / assumptions.chars_per_token,
                    limits.TITAN_EMBED_MAX_TOKENS,
                )
                for u in embedded
            )
            described.append(
                f"embeds {' and '.join(texts)}" + "".join(f", {u.field} cut to {u.max_chars} chars" for u in embedded if u.max_chars)
            )
            if aws_models and sampled > 0:
                tokens = sampled * tokens_per_record
                items.append(
                    LineItem(
                        "Bedrock",
                        f"Titan embeddings ({name}: {' + '.join(texts)})",
                        tokens,
                        "tokens",
                        tokens / 1000 * limits.PRICE_TITAN_EMBED_PER_1K_TOKENS,
                    )
                )
        elif "method" in options:
            described.append(f"method {options['method']}")

        # Lambda: every record reaches every monitor (sampling happens inside), in full batches.
        invocations = math.ceil(n / lambda_spec.batch_size) if n else 0
        lambda_requests += invocations
        lambda_gb_seconds += invocations * assumptions.monitor_batch_seconds * lambda_spec.memory_mb / 1024
        summary.append(
            f"{name} ({', '.join(described)}, batch {lambda_spec.batch_size}, {lambda_spec.memory_mb} MB)"
        )

        # CloudWatch: series and EMF bytes.
        active = [m.name for m in spec.active_metrics(options)]
        metric_count += len(active) * (1 + workload.models + workload.models * app_values)
        metric_count += (
            4 + assumptions.scoring_skip_reasons
        )  # per-monitor pipeline counters (Monitor dimension)
        emf_log_bytes += sampled * (
            _emf_bytes(config.namespace, active, app_values > 0) + limits.LOGS_EVENT_OVERHEAD_BYTES
        )
        emf_log_bytes += invocations * (
            assumptions.lambda_log_bytes_per_invocation + assumptions.batch_counter_log_bytes
        )

    if not aws_models:
        notes.append(
            "backend=embedded: the Lambdas score with the embedded models, so no Comprehend or Titan "
            "charges (but they need more memory and time than assumed here)"
        )

    # Dispatcher Lambda: one invocation per log object.
    objects = min(n, assumptions.hours_per_month * 60 / assumptions.log_object_minutes) if n else 0.0
    dispatcher_memory, shards = _dispatcher_memory(context, assumptions)
    dispatcher_gb_seconds = objects * assumptions.dispatcher_seconds_per_object * dispatcher_memory / 1024
    items.append(
        LineItem(
            "Lambda",
            "dispatcher requests (one per log object)",
            objects,
            "requests",
            objects / 1e6 * limits.PRICE_LAMBDA_PER_MILLION_REQUESTS,
        )
    )
    items.append(
        LineItem(
            "Lambda",
            f"dispatcher duration ({dispatcher_memory} MB)",
            dispatcher_gb_seconds,
            "GB-s",
            dispatcher_gb_seconds * limits.PRICE_LAMBDA_ARM_PER_GB_SECOND,
        )
    )
    items.append(
        LineItem(
            "Lambda",
            f"monitor requests ({len(enabled)} monitors, full batches)",
            lambda_requests,
            "requests",
            lambda_requests / 1e6 * limits.PRICE_LAMBDA_PER_MILLION_REQUESTS,
        )
    )
    items.append(
        LineItem(
            "Lambda",
            "monitor duration",
            lambda_gb_seconds,
            "GB-s",
            lambda_gb_seconds * limits.PRICE_LAMBDA_ARM_PER_GB_SECOND,
        )
    )

    # Kinesis: on demand (stream-hours, data in and out) or provisioned (shard-hours, PUT payload units).
    record_bytes = _record_bytes(workload)
    if shards is None:
        billed = _kinesis_billed_bytes(record_bytes)
        gb_in = n * billed / BYTES_PER_GB
        gb_out = gb_in * len(enabled)
        items.append(
            LineItem(
                "Kinesis",
                "on-demand stream-hours",
                assumptions.hours_per_month,
                "stream-hours",
                assumptions.hours_per_month * limits.PRICE_KINESIS_ON_DEMAND_PER_STREAM_HOUR,
            )
        )
        items.append(
            LineItem(
                "Kinesis",
                f"data in ({record_bytes:,} B records billed as {billed:,} B)",
                gb_in,
                "GB",
                gb_in * limits.PRICE_KINESIS_ON_DEMAND_PER_GB_IN,
            )
        )
        items.append(
            LineItem(
                "Kinesis",
                f"data out ({len(enabled)} consumers)",
                gb_out,
                "GB",
                gb_out * limits.PRICE_KINESIS_ON_DEMAND_PER_GB_OUT,
            )
        )
    else:
        shard_hours = shards * assumptions.hours_per_month
        put_units = n * math.ceil(record_bytes / limits.KINESIS_PUT_PAYLOAD_UNIT_BYTES)
        items.append(
            LineItem(
                "Kinesis",
                f"provisioned shard-hours ({shards} shards)",
                shard_hours,
                "shard-hours",
                shard_hours * limits.PRICE_KINESIS_PROVISIONED_PER_SHARD_HOUR,
            )
        )
        items.append(
            LineItem(
                "Kinesis",
                f"PUT payload units ({record_bytes:,} B records, 25 KB units)",
                put_units,
                "units",
                put_units / 1e6 * limits.PRICE_KINESIS_PROVISIONED_PER_MILLION_PUT_UNITS,
            )
        )

    # CloudWatch.
    from shared.parsing.invocation import SkipReason

    metric_count += 4 + len(
        SkipReason
    )  # dispatcher: dispatched, malformed, truncated, objects; skips by reason
    alarms = resolve_alarms(config, registry)
    emf_log_bytes += objects * (
        assumptions.lambda_log_bytes_per_invocation + assumptions.batch_counter_log_bytes
    )
    log_gb = emf_log_bytes / BYTES_PER_GB
    items.append(
        LineItem(
            "CloudWatch",
            f"custom metrics ({workload.models} models; all-models, per model"
            + (f", per model × {app_values} applications" if app_values else "")
            + ")",
            metric_count,
            "metrics",
            metric_count * limits.PRICE_CUSTOM_METRIC_PER_MONTH,
        )
    )
    items.append(
        LineItem(
            "CloudWatch",
            "monitor alarms (resolve_alarms)",
            len(alarms),
            "alarms",
            len(alarms) * limits.PRICE_ALARM_PER_MONTH,
        )
    )
    uses_workflow = aws_models and any(
        Capability.TEXT_ANALYSIS in registry[name].needs_for(config.monitors[name].options) for name in enabled
    )
    pipeline_alarms = pm.pipeline_alarm_count(len(enabled), workflow=uses_workflow)
    items.append(
        LineItem(
            "CloudWatch",
            "pipeline-health alarms",
            pipeline_alarms,
            "alarms",
            pipeline_alarms * limits.PRICE_ALARM_PER_MONTH,
        )
    )
    items.append(LineItem("CloudWatch", "dashboard", 1, "dashboard", limits.PRICE_DASHBOARD_PER_MONTH))
    items.append(
        LineItem(
            "CloudWatch",
            "EMF log ingestion (metrics as logs)",
            log_gb,
            "GB",
            log_gb * limits.PRICE_LOGS_INGEST_PER_GB,
        )
    )
    items.append(
        LineItem(
            "CloudWatch",
            "PutMetricData calls (none: EMF)",
            0,
            "calls",
            0 * limits.PRICE_PUT_METRIC_DATA_PER_1K_CALLS,
        )
    )
    return items, notes, summary


def estimate(
    workload: Workload,
    context: Mapping[str, object],
    *,
    registry: MonitorRegistry | None = None,
    assumptions: Assumptions | None = None,
    levers: bool = True,
) -> CostEstimate:
    """The monthly estimate of `workload` under the configuration `context` (CDK context: nested and/or
    dotted keys), with the levers unless `levers=False`. ConfigurationError names a bad key."""
    assumptions = assumptions or Assumptions()
    context = merge_context(context)
    config = MonitoringConfig.from_context(context, registry)
    registry = registry if registry is not None else discover(config.monitor_modules)
    items, notes, summary = _estimate_items(workload, config, registry, context, assumptions)
    items.sort(key=lambda i: SERVICES.index(i.service))
    base = CostEstimate(workload, tuple(items), tuple(assumptions.notes() + notes), tuple(summary))
    if not levers:
        return base
    found = []
    for description, overrides in _levers(config, registry):
        changed = MonitoringConfig.from_context({**context, **overrides}, registry)
        lever_items, _, _ = _estimate_items(
            workload, changed, registry, {**context, **overrides}, assumptions
        )
        total = sum(i.usd for i in lever_items)
        found.append(Lever(description, overrides, total, total - base.total_usd))
    return replace(base, levers=tuple(found))


def _levers(config: MonitoringConfig, registry: MonitorRegistry) -> list[tuple[str, dict[str, object]]]:
    """One configuration change per lever, for the monitors that spend money on model calls."""
    out: list[tuple[str, dict[str, object]]] = []
    for name in config.enabled_monitors():
        options = config.monitors[name].options
        needs = registry[name].needs_for(options)
        if not needs:
            continue
        rate = float(options[SAMPLING_OPTION])  # type: ignore[arg-type]
        if rate > 0:
            out.append(
                (
                    f"halve sampling of {name} ({rate:g} → {rate / 2:g})",
                    {f"monitors.{name}.{SAMPLING_OPTION}": rate / 2},
                )
            )
        if "scorePrompts" in options:
            on = bool(options["scorePrompts"])
            out.append(
                (
                    f"{'stop' if on else 'start'} scoring prompts in {name}",
                    {f"monitors.{name}.scorePrompts": not on},
                )
            )
        max_chars = options.get("maxChars")
        if isinstance(max_chars, int) and max_chars > LEVER_MAX_CHARS:
            out.append(
                (
                    f"cut maxChars of {name} to {LEVER_MAX_CHARS} (from {max_chars})",
                    {f"monitors.{name}.maxChars": LEVER_MAX_CHARS},
                )
            )
    return out

"""What the estimate is for (`Workload`) and what it has to assume (`Assumptions`).

Both are data the user can see and override: the workload comes from the command line or a replayed store,
and every number the estimate cannot know is a named field of `Assumptions`, printed with the estimate.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from shared import limits
from shared.errors import ConfigurationError, MonitorDefinitionError
from shared.records import InvocationRecord

if TYPE_CHECKING:
    from local_runtime.store import MetricStore

#: Distinct model ids when nothing says otherwise: the custom-metric count grows with them.
DEFAULT_MODELS = 5
#: AWS pricing's month.
HOURS_PER_MONTH = 730.0
BYTES_PER_GB = 1024**3

# A representative record: its JSON sizes the Kinesis records and the EMF documents.
REPRESENTATIVE_MODEL_ID = "anthropic.claude-3-5-sonnet-20240620-v1:0"
REPRESENTATIVE_REQUEST_ID = "0f3c6a52-9b1e-4c57-8d2a-6f1e2b3c4d5e"


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

    def chars(self, field: str) -> float:
        """Average length of the record field a monitor sends ("prompt" or "completion")."""
        if field == "prompt":
            return self.prompt_chars
        if field == "completion":
            return self.completion_chars
        raise MonitorDefinitionError(f"text usage names record field {field!r}: use prompt or completion")


@dataclass(frozen=True)
class Assumptions:
    """Numbers the estimate cannot know. Override any of them; all are printed with the estimate."""

    hours_per_month: float = HOURS_PER_MONTH
    chars_per_token: float = 4.0  # Titan tokens ≈ characters / 4 (English text)
    monitor_batch_seconds: float = 1.0  # monitor Lambda duration per batch (model calls included)
    log_object_minutes: float = 5.0  # Bedrock delivers a log object about every 5 minutes
    dispatcher_seconds_per_object: float = 1.0
    workflow_seconds: float = 2.0  # one Step Functions Express execution (Comprehend round trips)
    workflow_memory_mb: int = 64  # Express bills memory in 64 MB steps; this workflow stays in the first
    lambda_log_bytes_per_invocation: int = 350  # START/END/REPORT platform lines
    batch_counter_log_bytes: int = 600  # the pipeline-counter EMF documents of one invocation
    dispatcher_memory_mb: int | None = None  # None: from the stack's configuration (dispatcher.memoryMb)

    def notes(self) -> list[str]:
        return [
            (
                f"a month is {self.hours_per_month:g} hours; traffic is steady, so monitor batches fill up to "
                "their batch size (a trickle of traffic gives smaller batches and more Lambda invocations)"
            ),
            (
                f"Titan tokens ≈ characters / {self.chars_per_token:g}; every text is English and distinct (no "
                "embedding-cache hits, nothing skipped as non-English): an upper bound"
            ),
            (
                f"Comprehend toxicity is priced like sentiment: {limits.COMPREHEND_UNIT_CHARS}-character units, "
                f"{limits.COMPREHEND_MIN_UNITS_PER_DOC}-unit minimum per text; characters = UTF-8 bytes"
            ),
            (
                f"average lengths stand for every record (the {limits.COMPREHEND_MIN_UNITS_PER_DOC}-unit minimum "
                "makes short texts cost a little more)"
            ),
            (
                f"monitor Lambda: {self.monitor_batch_seconds:g} s per batch; dispatcher: one invocation per log "
                f"object every {self.log_object_minutes:g} min, {self.dispatcher_seconds_per_object:g} s each"
            ),
            (f"Step Functions Express: {self.workflow_seconds:g} s and {self.workflow_memory_mb} MB per execution"),
            (
                "CloudWatch Logs: EMF documents sized from a representative record, "
                f"+{limits.LOGS_EVENT_OVERHEAD_BYTES} bytes per event, +{self.lambda_log_bytes_per_invocation} bytes "
                "of platform logs and "
                f"{self.batch_counter_log_bytes} bytes of pipeline counters per invocation"
            ),
            (
                "not counted: free tiers, S3 storage of the invocation logs (Bedrock's, not ours), the "
                "dispatcher's DynamoDB idempotency and checkpoint writes (a few per log object), SQS on-failure "
                "queues"
            ),
        ]

    def log_objects_per_month(self, workload: Workload) -> float:
        """Log objects Bedrock delivers in a month: one every `log_object_minutes`, at most one per
        invocation. The dispatcher runs once per object, and each run writes its own logs."""
        if not workload.invocations_per_month:
            return 0.0
        return min(workload.invocations_per_month, self.hours_per_month * 60 / self.log_object_minutes)


def representative_record(workload: Workload) -> InvocationRecord:
    """A normalised record of the workload's average lengths, as the dispatcher puts it on the stream."""
    return InvocationRecord(
        request_id=REPRESENTATIVE_REQUEST_ID,
        timestamp="2026-11-20T10:00:00Z",
        model_id=REPRESENTATIVE_MODEL_ID,
        operation="InvokeModel",
        prompt="x" * round(workload.prompt_chars),
        completion="x" * round(workload.completion_chars),
        input_tokens=round(workload.prompt_chars / 4),
        output_tokens=round(workload.completion_chars / 4),
        latency_ms=1234,
        stop_reason="end_turn",
        body_shape="anthropic-messages",
    )


def workload_from_store(
    store: MetricStore, *, models: int | None = None, hours_per_month: float = HOURS_PER_MONTH
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

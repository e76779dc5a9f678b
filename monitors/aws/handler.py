"""Monitor Lambda: a Kinesis batch of normalised records -> per-record CloudWatch metrics (EMF).

One handler serves every monitor; `LLM_MONITOR_NAME` says which. The whole batch is scored in one call
(backends batch their work), then Powertools batch processing reports the failed items
(ReportBatchItemFailures).

Kinesis retries a partly failed batch from the lowest failed sequence number, so every record after
the first failure comes back. Their metrics are therefore not emitted now — only records before the
first failure are — so a retry never counts a record twice. Records that can never be scored (empty
text, non-English text for Comprehend, undecodable stream data) are counted skips, not failures.
"""

from __future__ import annotations

import base64
import binascii
import functools
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypedDict, cast

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.kinesis_stream_event import KinesisStreamRecord

from monitors.aws.emf import emit_batch_counters, emit_record
from monitors.core.base import Monitor
from monitors.core.config import ApplicationResolver, MonitorEnvironment
from monitors.core.registry import discover
from monitors.core.runner import score_sampled
from shared.errors import RecordDecodeError, RetryableDownstreamError
from shared.model_ids import ModelNames
from shared.records import InvocationRecord

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
    from aws_lambda_powertools.utilities.typing import LambdaContext

    from shared.backends import ClientFactory

logger = Logger(service="llm-monitor-monitor")
processor = BatchProcessor(event_type=EventType.KinesisDataStreams)


class KinesisPayload(TypedDict):
    """The `kinesis` part of a Kinesis event record, as far as the handler reads it."""

    data: str  # base64 of the record's bytes
    sequenceNumber: str


class KinesisEventRecord(TypedDict):
    kinesis: KinesisPayload


class KinesisEvent(TypedDict, total=False):
    Records: list[KinesisEventRecord]


@dataclass
class Runtime:
    """Built once per container: settings, the monitor (models load lazily on first score)."""

    env: MonitorEnvironment
    monitor: Monitor
    units: dict[str, str]
    application: ApplicationResolver
    model_names: ModelNames


def build_runtime(env: MonitorEnvironment | None = None, *, client_factory: ClientFactory | None = None) -> Runtime:
    from shared.backends import Backends

    env = env or MonitorEnvironment.from_env()
    registry = discover(env.modules)
    monitor_cls = registry.select([env.name], key=MonitorEnvironment.NAME_ENV)[0]
    backends = Backends(env.backend, client_factory=client_factory)
    monitor = monitor_cls(backends=backends, options=env.options)
    units = {m.name: m.unit.value for m in monitor_cls.spec().metrics}
    return Runtime(
        env, monitor, units, ApplicationResolver(env.application_dimension), ModelNames(env.model_id_aliases)
    )


@functools.cache
def runtime() -> Runtime:
    return build_runtime()


def _sequence_number(raw: object) -> str | None:
    """The record's sequence number, or None when it has none (no Kinesis event source sends that)."""
    kinesis = raw.get("kinesis") if isinstance(raw, dict) else None
    sequence = kinesis.get("sequenceNumber") if isinstance(kinesis, dict) else None
    return sequence if isinstance(sequence, str) and sequence else None


def _decode(raw: object) -> tuple[str, InvocationRecord]:
    """The normalised record a stream record carries; RecordDecodeError names what is wrong, never content.

    A record without a sequence number is undecodable too, whatever its data: Powertools reports failures
    by sequence number, so such a record could never be retried.
    """
    kinesis = raw.get("kinesis") if isinstance(raw, dict) else None
    if not isinstance(kinesis, dict):
        raise RecordDecodeError("stream record has no kinesis payload")
    sequence = _sequence_number(raw)
    if sequence is None:
        raise RecordDecodeError("stream record has no sequenceNumber")
    encoded = kinesis.get("data")
    if not isinstance(encoded, str):
        raise RecordDecodeError("stream record has no data" if encoded is None else "stream record data is not text")
    try:
        data = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise RecordDecodeError("stream record data is not base64") from None
    return sequence, InvocationRecord.from_json(data, default_id=sequence)


def _records(event: KinesisEvent) -> list[object]:
    records: object = event.get("Records")
    return list(records) if isinstance(records, list) else []


def score_event(event: KinesisEvent, rt: Runtime) -> set[str]:
    """Score and emit; returns the sequence numbers to report as failed."""
    decoded: list[tuple[str, InvocationRecord]] = []
    undecodable = 0
    for index, raw in enumerate(_records(event)):
        try:
            decoded.append(_decode(raw))
        except RecordDecodeError as exc:
            undecodable += 1
            logger.warning(
                "undecodable stream record skipped",
                extra={"sequenceNumber": _sequence_number(raw), "index": index, "reason": str(exc)},
            )
    results = score_sampled(rt.monitor, [record for _, record in decoded])

    failed: set[str] = set()
    skipped: Counter[str] = Counter()
    scored = sampled_out = 0
    for (sequence, record), result in zip(decoded, results, strict=True):
        if failed:
            failed.add(sequence)  # after the first failure: it will be delivered again, emit nothing now
            continue
        if result is None:
            sampled_out += 1
            continue
        if result.failed:
            failed.add(sequence)
            logger.warning(
                "record failed after backend retries; reported for retry",
                extra={"sequenceNumber": sequence, "requestId": record.request_id, "error": result.error},
            )
            continue
        if result.skip_reason:
            skipped[result.skip_reason] += 1
        if result.values:
            scored += 1
            emit_record(
                namespace=rt.env.namespace,
                monitor=rt.monitor.name,
                request_id=record.request_id,
                model_id=rt.model_names(record.model_id),
                invoked_model_id=record.model_id,
                application=rt.application(record.request_metadata),
                timestamp=record.timestamp,
                values=result.values,
                units=rt.units,
                evidence=result.evidence,
                stamp=rt.env.emf_timestamp,
            )
    emit_batch_counters(
        namespace=rt.env.namespace,
        monitor=rt.monitor.name,
        scored=scored,
        sampled_out=sampled_out,
        failed=len(failed),
        undecodable=undecodable,
        skipped=skipped,
    )
    return failed


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, object], context: LambdaContext) -> PartialItemFailureResponse:
    # The function's only event source is the Kinesis stream: the event has that shape. A record that has
    # not (no payload, data or sequence number) is counted as undecodable, never reported for retry.
    kinesis_event = cast(KinesisEvent, event)
    failed = score_event(kinesis_event, runtime())
    if not _records(kinesis_event):
        return {"batchItemFailures": []}  # Powertools refuses an event without records

    def record_handler(record: KinesisStreamRecord) -> None:
        sequence = _sequence_number(record.raw_event)
        if sequence is not None and sequence in failed:
            raise RetryableDownstreamError("scoring failed after backend retries")

    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)

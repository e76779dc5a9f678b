"""Dispatcher Lambda: S3 ObjectCreated (notification or EventBridge) -> normalised records on Kinesis.

Per object: resume from the checkpoint, stream-parse the log, publish in PutRecords chunks (≤500
records, ≤5 MiB, partition key = requestId), checkpoint after each chunk. Each object is processed once
per (bucket, key, sequencer) through Powertools Idempotency. Never logs prompt or completion text.
Heavy imports (boto3, the idempotency utility) wait for the first invocation to keep cold starts short.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, BinaryIO, Protocol, TypedDict

from aws_lambda_powertools import Logger
from aws_lambda_powertools.metrics import MetricUnit

from dispatcher.checkpoint import Checkpoints, CheckpointStore
from dispatcher.events import ObjectRef, ObjectRefDict, UnusableRecord, objects_in_event
from dispatcher.publisher import KinesisClient, KinesisPublisher, PartiallyPublished
from dispatcher.settings import BODY_WAIT_INVOCATIONS, DispatcherSettings
from shared import pipeline_metrics as pm
from shared.emf import emf_metrics
from shared.errors import OffloadedBodyMissing
from shared.parsing import ParseStats, SkipReason, parse_stream
from shared.sources import GONE_CODES, S3BodyResolver, S3Reader, is_log_key, s3_error_code
from shared.truncation import RecordTooLarge, fit_record

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig
    from aws_lambda_powertools.utilities.typing import LambdaContext

logger = Logger(service="llm-monitor-dispatcher")


class ObjectResult(TypedDict):
    """What processing one log object did (the idempotent result, and one entry of the response)."""

    object: str
    dispatched: int
    skipped: dict[str, int]
    malformedLines: int
    truncated: int
    putRecordsCalls: int
    resumedAfterLine: int
    alreadyPublishedOnResume: int


class DispatcherResponse(TypedDict):
    objects: list[ObjectResult]


class ProcessObject(Protocol):
    def __call__(self, *, obj: ObjectRefDict) -> ObjectResult: ...


@dataclass
class Runtime:
    """Built once per container: the idempotent processing function (it holds settings and clients)."""

    process: ProcessObject
    idempotency_config: IdempotencyConfig
    log_key_prefix: str = ""  # where the bucket's Bedrock logs are (DispatcherSettings.log_key_prefix)
    namespace: str = pm.DEFAULT_NAMESPACE  # of the counters the handler emits itself (unusable event records)


def build_runtime(settings: DispatcherSettings | None = None, *, kinesis: KinesisClient | None = None) -> Runtime:
    """Build clients and the idempotent function; tests pass a Kinesis client that misbehaves on purpose."""
    import boto3
    from aws_lambda_powertools.utilities.idempotency import (
        DynamoDBPersistenceLayer,
        IdempotencyConfig,
        idempotent_function,
    )
    from botocore.config import Config

    settings = settings or DispatcherSettings.from_env()
    retries = Config(retries={"mode": "standard", "max_attempts": 5})
    s3 = boto3.client("s3", config=retries)
    publish_to = kinesis or boto3.client("kinesis", config=retries)
    dynamodb = boto3.client("dynamodb", config=retries)
    checkpoints = CheckpointStore(dynamodb, settings.idempotency_table, ttl_seconds=settings.idempotency_expiry_seconds)
    config = IdempotencyConfig(
        event_key_jmespath="[bucket, key, version]",
        expires_after_seconds=settings.idempotency_expiry_seconds,
    )
    persistence = DynamoDBPersistenceLayer(table_name=settings.idempotency_table, boto3_client=dynamodb)

    def process(obj: ObjectRefDict) -> ObjectResult:
        return process_object(ObjectRef(**obj), settings=settings, s3=s3, kinesis=publish_to, checkpoints=checkpoints)

    # Applied as a call, not as a decorator: Powertools types its decorators as returning Any.
    idempotent: ProcessObject = idempotent_function(
        process, data_keyword_argument="obj", persistence_store=persistence, config=config
    )
    return Runtime(idempotent, config, settings.log_key_prefix, settings.namespace)


@functools.cache
def runtime() -> Runtime:
    return build_runtime()


def process_object(
    ref: ObjectRef,
    *,
    settings: DispatcherSettings,
    s3: S3Reader,
    kinesis: KinesisClient,
    checkpoints: Checkpoints,
) -> ObjectResult:
    """Publish every text generation in one log object; returns counts (stored as the idempotent result)."""
    checkpoint = checkpoints.load(ref)
    start = checkpoint.line
    if start or checkpoint.published_ids:
        logger.info("resuming after checkpoint", extra={"object": ref.uri, "after_line": start})
    stats = ParseStats()
    publisher = KinesisPublisher(kinesis, settings.stream, max_attempts=settings.put_records_max_attempts)
    resolver = S3BodyResolver(
        s3,
        budget_seconds=settings.body_wait_seconds,
        give_up_on=checkpoint.given_up(BODY_WAIT_INVOCATIONS),
        log_buckets=frozenset({ref.bucket}),
    )
    truncated = 0
    resumed_duplicates = 0
    last_line = start  # line of the last record queued

    def flush() -> None:
        nonlocal checkpoint
        if not publisher.pending:
            return
        try:
            publisher.flush()
        except PartiallyPublished as exc:
            checkpoints.save(
                ref,
                replace(
                    checkpoint,
                    published_ids=checkpoint.published_ids | frozenset(exc.published_keys),
                    ids_until_line=max(checkpoint.ids_until_line, last_line),
                ),
            )
            raise
        checkpoint = checkpoint.advanced_to(last_line)
        checkpoints.save(ref, checkpoint)

    body = _open_log_object(s3, ref, stats)
    try:
        records = (
            parse_stream(
                body,
                source=ref.uri,
                resolver=resolver,
                stats=stats,
                after_line=start,
                exclude_canary=settings.exclude_canary,
            )
            if body is not None
            else iter(())
        )
        for line, record in records:
            if record.request_id in checkpoint.published_ids and line <= checkpoint.ids_until_line:
                resumed_duplicates += 1
                continue
            try:
                data, fitted = fit_record(record, settings.field_limits)
            except RecordTooLarge as exc:
                stats.count_malformed(ref.uri, line, str(exc))
                continue
            if fitted.truncated:
                truncated += 1
            if not publisher.has_room(data, record.request_id):
                flush()
            publisher.add(data, record.request_id)
            last_line = line
        flush()
    except OffloadedBodyMissing as exc:
        # Publish what came before the record, remember where we are and that this body was waited for,
        # and fail so the event is retried; after BODY_WAIT_INVOCATIONS vain waits a retry gives the
        # record up (a counted skip) and publishes the rest of the object.
        flush()
        checkpoint = checkpoint.waited_for(exc.uri)
        checkpoints.save(ref, checkpoint)
        logger.warning(
            "offloaded body missing; failing so the event is retried",
            extra={"object": ref.uri, "uri": exc.uri, "waits": checkpoint.missing_bodies[exc.uri]},
        )
        raise
    finally:
        _emit_object_metrics(settings.namespace, stats, publisher.published, truncated)
        _log_problems(ref, stats)
    result: ObjectResult = {
        "object": ref.uri,
        "dispatched": publisher.published,
        "skipped": dict(stats.skipped),
        "malformedLines": stats.malformed,
        "truncated": truncated,
        "putRecordsCalls": publisher.put_calls,
        "resumedAfterLine": start,
        "alreadyPublishedOnResume": resumed_duplicates,
    }
    logger.info("log object processed", extra=result)
    return result


def _open_log_object(s3: S3Reader, ref: ObjectRef, stats: ParseStats) -> BinaryIO | None:
    """The log object's body, or None (a counted skip) when it was deleted after S3 announced it: a
    lifecycle rule or a person removed it, and retrying would only carry the event to the failure queue.
    Any other error (access denied, throttling) is raised, so the event is retried."""
    try:
        return s3.get_object(Bucket=ref.bucket, Key=ref.key)["Body"]
    except Exception as exc:  # botocore ClientError; imported lazily to keep cold start small
        code = s3_error_code(exc)
        if code not in GONE_CODES:
            raise
    stats.skipped[SkipReason.LOG_OBJECT_GONE.value] += 1
    logger.warning(
        "log object gone before it was read (deleted?); counted as skipped, not retried",
        extra={"object": ref.uri, "code": code},
    )
    return None


def _emit_object_metrics(namespace: str, stats: ParseStats, dispatched: int, truncated: int) -> None:
    """One EMF document of the object's counters (no dimensions: the alarms and widgets read the
    aggregate), and one per skip reason (dimension Reason)."""
    counters = emf_metrics(namespace)
    counters.add_metric(name=pm.RECORDS_DISPATCHED, unit=MetricUnit.Count, value=dispatched)
    counters.add_metric(name=pm.MALFORMED_LINES, unit=MetricUnit.Count, value=stats.malformed)
    counters.add_metric(name=pm.RECORDS_TRUNCATED, unit=MetricUnit.Count, value=truncated)
    counters.add_metric(name=pm.OBJECTS_PROCESSED, unit=MetricUnit.Count, value=1)
    counters.flush_metrics()
    for reason, count in sorted(stats.skipped.items()):
        _emit_skipped(namespace, reason, count)


def _emit_skipped(namespace: str, reason: str, count: int) -> None:
    by_reason = emf_metrics(namespace)
    by_reason.add_dimension(name=pm.REASON_DIMENSION, value=reason)
    by_reason.add_metric(name=pm.RECORDS_SKIPPED, unit=MetricUnit.Count, value=count)
    by_reason.flush_metrics()


def _log_problems(ref: ObjectRef, stats: ParseStats) -> None:
    if stats.malformed:
        logger.warning(
            "malformed log lines",
            extra={
                "object": ref.uri,
                "count": stats.malformed,
                "locations": [{"line": n, "reason": r} for _, n, r in stats.malformed_locations],
            },
        )
    if stats.unknown_shapes:
        logger.warning("unknown body shapes", extra={"object": ref.uri, "models": dict(stats.unknown_shapes)})


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: Mapping[str, object], context: LambdaContext) -> DispatcherResponse:
    """Process every object the event names. An event record that names no object is logged and counted
    (`RecordsSkipped`, reason `unusable-event`); an object that fails (to be retried) does not stop the
    others: the first failure is raised once every object has had its turn, and the retry finds the
    finished ones done (idempotency)."""
    rt = runtime()
    rt.idempotency_config.register_lambda_context(context)
    results: list[ObjectResult] = []
    unusable = 0
    failure: Exception | None = None
    for ref in objects_in_event(event):
        if isinstance(ref, UnusableRecord):
            unusable += 1
            logger.warning("unusable event record skipped", extra={"where": ref.where, "reason": ref.reason})
            continue
        if not is_log_key(ref.key, key_prefix=rt.log_key_prefix):
            # Offloaded bodies under data/ (the S3 filter cannot exclude them), or an object outside
            # `[<keyPrefix>/]AWSLogs/<account>/BedrockModelInvocationLogs/` (other AWS logs in a shared bucket).
            logger.debug("ignoring object that is not a Bedrock log file", extra={"object": ref.uri})
            continue
        try:
            results.append(rt.process(obj=ref.to_dict()))
        except Exception as exc:
            if failure is None:
                failure = exc
            else:
                logger.exception("log object failed; the event will be retried", extra={"object": ref.uri})
    if unusable:
        _emit_skipped(rt.namespace, SkipReason.UNUSABLE_EVENT.value, unusable)
    if failure is not None:
        raise failure
    return {"objects": results}

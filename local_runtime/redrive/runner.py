"""One redrive: every message of the queue, each batch fetched, scored and reported."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from local_runtime.redrive.clients import Clients, QueueClient, SqsMessage, error_code, is_sdk_error, queue_region
from local_runtime.redrive.failures import FailedBatch, NotABatchFailure
from local_runtime.redrive.stream import fetch_batch
from monitors.core.config import MonitorEnvironment
from shared.errors import RecordDecodeError, SourceError
from shared.records import InvocationRecord

logger = logging.getLogger(__name__)


@dataclass
class MessageReport:
    """What became of one queue message."""

    message_id: str
    batch: FailedBatch | None = None
    recovered: int = 0
    expired: int = 0
    expired_reason: str = ""
    undecodable: int = 0
    scored: int = 0
    failed: int = 0  # records a monitor reported an error for
    monitors: tuple[str, ...] = ()
    error: str = ""  # the message could not be processed at all
    deleted: bool = False
    age_hours: float | None = None

    @property
    def complete(self) -> bool:
        """Every record of the batch recovered, decoded and scored without error."""
        return (
            self.batch is not None
            and not self.error
            and self.recovered == self.batch.batch_size
            and not (self.expired or self.undecodable or self.failed)
        )

    def describe(self, *, retention_hours: int) -> str:
        if self.batch is None:
            return f"message {self.message_id}: {self.error}; kept"
        b = self.batch
        when = f"failed {b.condition or 'batch'} at {b.failed_at}" if b.failed_at else "failed batch"
        age = f", first record {self.age_hours:.1f} h old" if self.age_hours is not None else ""
        head = f"message {self.message_id}: {b.shard_id} {b.start}..{b.end} ({b.batch_size} records, {when}{age})"
        if self.error:
            return f"{head}: {self.error}; kept"
        parts = [f"{self.recovered} recovered", f"{self.scored} scored by {', '.join(self.monitors) or 'no monitor'}"]
        if self.expired:
            note = f" (the stream keeps records {retention_hours} h: stream.retentionHours)"
            parts.append(f"{self.expired} expired ({self.expired_reason}){note}")
        if self.undecodable:
            parts.append(f"{self.undecodable} undecodable")
        if self.failed:
            parts.append(f"{self.failed} failed to score")
        if self.deleted:
            fate = "deleted"
        elif self.complete:
            fate = "kept (--delete removes complete batches)"
        else:
            fate = "kept"
        return f"{head}: {', '.join(parts)}; {fate}"


Scorer = Callable[[Sequence[str], Sequence[InvocationRecord]], list[dict[str, object]]]


@dataclass
class Redrive:
    """Receives every message of `queue_url`, recovers and scores each batch, reports each message.

    `score(monitors, records)` returns one row per record (`local_runtime.scores.score_rows`);
    `monitors_for(function_arn)` the monitors a failed function ran; `emit(row)` writes a row."""

    queue_url: str
    clients: Clients
    score: Scorer
    monitors_for: Callable[[str | None], tuple[str, ...]]
    emit: Callable[[dict[str, object]], None]
    delete: bool = False
    max_messages: int | None = None
    visibility_timeout: int = 120
    now: Callable[[], float] = time.time

    def run(self) -> list[MessageReport]:
        queue = self.clients.queue(queue_region(self.queue_url))
        reports: list[MessageReport] = []
        kept: list[str] = []
        for message in self._messages(queue):
            report = self._one(message)
            reports.append(report)
            if self.delete and report.complete:
                queue.delete_message(QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"])
                report.deleted = True
            else:
                kept.append(message["ReceiptHandle"])
        for handle in kept:  # visible again at once, for the next run (best effort)
            try:
                queue.change_message_visibility(QueueUrl=self.queue_url, ReceiptHandle=handle, VisibilityTimeout=0)
            except Exception as exc:  # noqa: BLE001 (botocore ClientError; they reappear after the timeout anyway)
                logger.info("could not release a message: %s", error_code(exc) or exc.__class__.__name__)
        return reports

    def _messages(self, queue: QueueClient) -> Iterator[SqsMessage]:
        seen: set[str] = set()
        while self.max_messages is None or len(seen) < self.max_messages:
            wanted = 10 if self.max_messages is None else min(10, self.max_messages - len(seen))
            try:
                response = queue.receive_message(
                    QueueUrl=self.queue_url,
                    MaxNumberOfMessages=wanted,
                    WaitTimeSeconds=1,
                    VisibilityTimeout=self.visibility_timeout,
                )
            except Exception as exc:
                code = error_code(exc)
                if code:  # the service answered: the queue cannot be read (missing, no permission, ...)
                    raise SourceError(f"cannot read {self.queue_url}: {code}") from None
                if is_sdk_error(exc):  # no credentials, no region, no network: cannot be read either
                    raise SourceError(f"cannot read {self.queue_url}: {exc}") from None
                raise
            fresh = [m for m in response.get("Messages", []) if m["MessageId"] not in seen]
            if not fresh:
                return
            for message in fresh:
                seen.add(message["MessageId"])
                yield message

    def _one(self, message: SqsMessage) -> MessageReport:
        report = MessageReport(message_id=message.get("MessageId", "?"))
        try:
            batch = FailedBatch.from_message(message)
        except NotABatchFailure as exc:
            report.error = str(exc)
            return report
        report.batch = batch
        report.age_hours = batch.age_hours(self.now())
        try:
            fetched = fetch_batch(self.clients.stream(batch.region), batch)
        except Exception as exc:  # noqa: BLE001 (botocore errors: reported per message, the rest goes on)
            report.error = f"could not read the stream ({error_code(exc) or exc.__class__.__name__})"
            return report
        report.recovered, report.expired, report.expired_reason = len(fetched.records), fetched.expired, fetched.reason
        records: list[InvocationRecord] = []
        sequences: list[str] = []
        for sequence, data in fetched.records:
            try:
                records.append(InvocationRecord.from_json(data, default_id=sequence))
                sequences.append(sequence)
            except RecordDecodeError:
                report.undecodable += 1
        report.monitors = self.monitors_for(batch.function_arn)
        if not records or not report.monitors:
            return report
        for sequence, row in zip(sequences, self.score(report.monitors, records), strict=True):
            report.scored += 1
            if row.get("errors"):
                report.failed += 1
            self.emit(
                {"shardId": batch.shard_id, "sequenceNumber": sequence, "failureMessageId": batch.message_id, **row}
            )
        return report


def monitor_of_function(clients: Clients, function_arn: str | None, known: Sequence[str]) -> str | None:
    """The monitor a failed function ran (its LLM_MONITOR_NAME), or None when it cannot be read."""
    if not function_arn or function_arn.count(":") < 6:
        return None
    region = function_arn.split(":")[3]
    try:
        config = clients.functions(region).get_function_configuration(FunctionName=function_arn)
    except Exception as exc:  # noqa: BLE001 (deleted function, no permission: fall back to every monitor)
        logger.info("cannot read %s: %s", function_arn, error_code(exc) or exc.__class__.__name__)
        return None
    name = config.get("Environment", {}).get("Variables", {}).get(MonitorEnvironment.NAME_ENV)
    return name if name in known else None


def summary(reports: Sequence[MessageReport]) -> str:
    batches = [r for r in reports if r.batch is not None]
    complete = sum(r.complete for r in batches)
    recovered = sum(r.recovered for r in batches)
    expired = sum(r.expired for r in batches)
    deleted = sum(r.deleted for r in reports)
    other = len(reports) - len(batches)
    text = (
        f"{len(reports)} message(s): {len(batches)} failed batch(es), {complete} recovered completely; "
        f"{recovered:,} record(s) recovered, {expired:,} expired; {deleted} message(s) deleted"
    )
    return text + (f"; {other} message(s) not failed batches, left in the queue" if other else "")

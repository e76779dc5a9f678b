"""The record a Kinesis event source sends its on-failure destination, as documented (see the package)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TypedDict

from shared.errors import DATA_ERRORS
from shared.timestamps import parse_timestamp


class RequestContext(TypedDict, total=False):
    requestId: str
    functionArn: str
    condition: str
    approximateInvokeCount: int


class ResponseContext(TypedDict, total=False):
    statusCode: int
    executedVersion: str
    functionError: str


class KinesisBatchInfo(TypedDict, total=False):
    shardId: str
    startSequenceNumber: str
    endSequenceNumber: str
    approximateArrivalOfFirstRecord: str
    approximateArrivalOfLastRecord: str
    batchSize: int
    streamArn: str


class StreamFailureRecord(TypedDict, total=False):
    requestContext: RequestContext
    responseContext: ResponseContext
    version: str
    timestamp: str
    KinesisBatchInfo: KinesisBatchInfo


class NotABatchFailure(ValueError):
    """A queue message that is not a Kinesis on-failure record (left in the queue)."""


@dataclass(frozen=True)
class FailedBatch:
    """One failed batch, from one queue message."""

    message_id: str
    receipt_handle: str
    stream_arn: str
    shard_id: str
    start: str
    end: str
    batch_size: int
    function_arn: str | None = None
    condition: str | None = None
    failed_at: str | None = None
    first_arrival: str | None = None

    @property
    def region(self) -> str:
        return self.stream_arn.split(":")[3]

    @property
    def stream_name(self) -> str:
        """The stream's name, also from a consumer's ARN (`...:stream/<name>/consumer/<consumer>:<time>`,
        should an enhanced fan-out event source record that instead of the stream's)."""
        return self.stream_arn.split(":stream/", 1)[1].split("/", 1)[0]

    @classmethod
    def from_message(cls, message: Mapping[str, object]) -> FailedBatch:
        """The batch a received SQS message describes; NotABatchFailure for anything else."""
        try:
            body: StreamFailureRecord = json.loads(str(message["Body"]))
            info = body["KinesisBatchInfo"]
            context = body.get("requestContext", {})
            batch = cls(
                message_id=str(message["MessageId"]),
                receipt_handle=str(message["ReceiptHandle"]),
                stream_arn=str(info["streamArn"]),
                shard_id=str(info["shardId"]),
                start=str(info["startSequenceNumber"]),
                end=str(info["endSequenceNumber"]),
                batch_size=int(info["batchSize"]),
                function_arn=context.get("functionArn"),
                condition=context.get("condition"),
                failed_at=body.get("timestamp"),
                first_arrival=info.get("approximateArrivalOfFirstRecord"),
            )
            int(batch.start), int(batch.end)  # sequence numbers are decimal strings
            batch.stream_name  # noqa: B018 (validates the ARN's form)
        except DATA_ERRORS as exc:
            raise NotABatchFailure(f"not a Kinesis on-failure record ({exc.__class__.__name__})") from None
        return batch

    def age_hours(self, now: float) -> float | None:
        """Hours since the batch's first record reached the stream (`now` in epoch seconds), when known."""
        arrived = parse_timestamp(self.first_arrival or "")
        return None if arrived is None else (now - arrived) / 3600


# --- AWS clients, as far as redrive uses them ------------------------------------------------------------

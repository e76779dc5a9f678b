"""Redrive's parts with small fakes: the documented on-failure record, reading a range back from a shard
(renewing an expired iterator, stopping at the end, counting what is gone), and the delete rule."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from local_runtime.redrive import Clients, FailedBatch, NotABatchFailure, Redrive, fetch_batch, queue_region
from local_runtime.redrive.clients import GetRecordsOutput, ShardIteratorOutput
from shared.records import InvocationRecord

# The example invocation record of the AWS Lambda Developer Guide ("Using AWS Lambda with Amazon Kinesis",
# on-failure destinations), as published.
DOCUMENTED = {
    "requestContext": {
        "requestId": "c9b8fa9f-5a7f-xmpl-af9c-0c604cde93a5",
        "functionArn": "arn:aws:lambda:us-east-2:123456789012:function:myfunction",
        "condition": "RetryAttemptsExhausted",
        "approximateInvokeCount": 1,
    },
    "responseContext": {"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"},
    "version": "1.0",
    "timestamp": "2019-11-14T00:38:06.021Z",
    "KinesisBatchInfo": {
        "shardId": "shardId-000000000001",
        "startSequenceNumber": "49601189658422359378836298521827638475320189012309704722",
        "endSequenceNumber": "49601189658422359378836298522902373528957594348623495186",
        "approximateArrivalOfFirstRecord": "2019-11-14T00:38:04.835Z",
        "approximateArrivalOfLastRecord": "2019-11-14T00:38:05.580Z",
        "batchSize": 500,
        "streamArn": "arn:aws:kinesis:us-east-2:123456789012:stream/mystream",
    },
}


def message(body: object, message_id: str = "m-1") -> dict[str, str]:
    return {"MessageId": message_id, "ReceiptHandle": f"rh-{message_id}", "Body": json.dumps(body)}


def test_the_documented_record_parses_into_a_batch() -> None:
    batch = FailedBatch.from_message(message(DOCUMENTED))
    assert (batch.stream_name, batch.region, batch.shard_id) == ("mystream", "us-east-2", "shardId-000000000001")
    assert batch.start.startswith("4960118965") and int(batch.end) > int(batch.start)
    assert batch.batch_size == 500 and batch.condition == "RetryAttemptsExhausted"
    assert batch.function_arn == "arn:aws:lambda:us-east-2:123456789012:function:myfunction"
    assert batch.age_hours(now=1573692000.0) == pytest.approx((1573692000.0 - 1573691884.835) / 3600)


@pytest.mark.parametrize(
    "body",
    [
        {"requestContext": {}, "requestPayload": {"Records": []}},  # an asynchronous invocation's record
        {**DOCUMENTED, "KinesisBatchInfo": {**DOCUMENTED["KinesisBatchInfo"], "startSequenceNumber": "abc"}},
        {**DOCUMENTED, "KinesisBatchInfo": {**DOCUMENTED["KinesisBatchInfo"], "streamArn": "not-an-arn"}},
        "just a string",
    ],
)
def test_anything_else_is_not_a_batch_failure(body: object) -> None:
    with pytest.raises(NotABatchFailure):
        FailedBatch.from_message(message(body))


def test_a_consumer_arn_names_its_stream() -> None:
    consumer = "arn:aws:kinesis:us-east-2:123456789012:stream/mystream/consumer/refusal:1573691884"
    body = {**DOCUMENTED, "KinesisBatchInfo": {**DOCUMENTED["KinesisBatchInfo"], "streamArn": consumer}}
    assert FailedBatch.from_message(message(body)).stream_name == "mystream"


def test_queue_region_comes_from_the_url() -> None:
    assert queue_region("https://sqs.eu-west-1.amazonaws.com/123456789012/q") == "eu-west-1"
    assert queue_region("http://localhost:4566/000000000000/q") is None


# --- reading a range back -----------------------------------------------------------------------------------


class ClientError(Exception):
    def __init__(self, code: str) -> None:
        self.response = {"Error": {"Code": code}}
        super().__init__(code)


class FakeShard:
    """A shard holding `sequences` (the first `trimmed` of them already gone), `page` records a read; the
    first read after `expire_after` reads raises ExpiredIteratorException once."""

    def __init__(self, sequences: list[int], *, page: int = 2, expire_after: int | None = None) -> None:
        self.sequences = sequences
        self.page = page
        self.expire_after = expire_after
        self.reads = 0
        self.iterators: list[tuple[str, str]] = []
        self.iterator_error: str | None = None

    def get_shard_iterator(
        self, *, StreamName: str, ShardId: str, ShardIteratorType: str, StartingSequenceNumber: str
    ) -> ShardIteratorOutput:
        if self.iterator_error:
            raise ClientError(self.iterator_error)
        self.iterators.append((ShardIteratorType, StartingSequenceNumber))
        start = int(StartingSequenceNumber) + (ShardIteratorType == "AFTER_SEQUENCE_NUMBER")
        position = next((i for i, s in enumerate(self.sequences) if s >= start), len(self.sequences))
        return {"ShardIterator": str(position)}

    def get_records(self, *, ShardIterator: str, Limit: int) -> GetRecordsOutput:
        self.reads += 1
        if self.expire_after is not None and self.reads == self.expire_after + 1:
            raise ClientError("ExpiredIteratorException")
        position = int(ShardIterator)
        chunk = self.sequences[position : position + min(Limit, self.page)]
        records = [{"SequenceNumber": str(s), "Data": b"{}", "PartitionKey": "k"} for s in chunk]
        next_position = position + len(chunk)
        behind = 0 if next_position >= len(self.sequences) else 1000
        return {"Records": records, "NextShardIterator": str(next_position), "MillisBehindLatest": behind}  # type: ignore[typeddict-item]


def batch(start: int, end: int, size: int) -> FailedBatch:
    info = {**DOCUMENTED["KinesisBatchInfo"], "startSequenceNumber": str(start), "endSequenceNumber": str(end)}
    return FailedBatch.from_message(message({**DOCUMENTED, "KinesisBatchInfo": {**info, "batchSize": size}}))


SHARD = [10, 20, 30, 40, 50, 60, 70]


def test_reads_exactly_the_range_across_pages() -> None:
    fetched = fetch_batch(FakeShard(SHARD), batch(20, 50, 4))
    assert [s for s, _ in fetched.records] == ["20", "30", "40", "50"]
    assert fetched.expired == 0 and fetched.reason == ""


def test_an_expired_iterator_is_renewed_after_the_last_record_read() -> None:
    shard = FakeShard(SHARD, page=1, expire_after=2)
    fetched = fetch_batch(shard, batch(20, 50, 4))
    assert [s for s, _ in fetched.records] == ["20", "30", "40", "50"]
    assert shard.iterators == [("AT_SEQUENCE_NUMBER", "20"), ("AFTER_SEQUENCE_NUMBER", "30")]


def test_a_trimmed_start_counts_the_records_before_the_first_one_left() -> None:
    fetched = fetch_batch(FakeShard([40, 50, 60]), batch(20, 50, 4))
    assert [s for s, _ in fetched.records] == ["40", "50"]
    assert fetched.expired == 2 and fetched.reason.startswith("trimmed")


def test_a_batch_wholly_past_retention_is_all_expired() -> None:
    fetched = fetch_batch(FakeShard([60, 70]), batch(20, 50, 4))
    assert fetched.records == [] and fetched.expired == 4 and fetched.reason.startswith("trimmed")


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("ResourceNotFoundException", "the stream or shard no longer exists"),
        ("InvalidArgumentException", "the sequence number is no longer valid"),
    ],
)
def test_a_gone_stream_or_invalid_sequence_number_expires_the_batch(code: str, reason: str) -> None:
    shard = FakeShard(SHARD)
    shard.iterator_error = code
    fetched = fetch_batch(shard, batch(20, 50, 4))
    assert fetched.expired == 4 and fetched.reason.startswith(reason)


def test_other_errors_are_not_mistaken_for_expiry() -> None:
    shard = FakeShard(SHARD)
    shard.iterator_error = "AccessDeniedException"
    with pytest.raises(ClientError):
        fetch_batch(shard, batch(20, 50, 4))


# --- the delete rule ------------------------------------------------------------------------------------


class FakeQueue:
    def __init__(self, messages: list[dict[str, str]]) -> None:
        self.messages = messages
        self.deleted: list[str] = []
        self.released: list[str] = []

    def receive_message(self, **kwargs: object) -> dict[str, object]:
        out, self.messages = self.messages[:10], self.messages[10:]
        return {"Messages": out}

    def delete_message(self, *, QueueUrl: str, ReceiptHandle: str) -> None:
        self.deleted.append(ReceiptHandle)

    def change_message_visibility(self, *, QueueUrl: str, ReceiptHandle: str, VisibilityTimeout: int) -> None:
        self.released.append(ReceiptHandle)


def redrive(queue: FakeQueue, shard: FakeShard, score: Callable[..., list[dict[str, object]]], **kw: object) -> Redrive:
    clients = Clients(queue=lambda region: queue, stream=lambda region: shard, functions=lambda region: None)  # type: ignore[arg-type,return-value]
    return Redrive(
        queue_url="https://sqs.us-east-2.amazonaws.com/123456789012/q",
        clients=clients,
        score=score,
        monitors_for=lambda arn: ("refusal",),
        emit=lambda row: None,
        **kw,  # type: ignore[arg-type]
    )


def record_shard() -> FakeShard:
    shard = FakeShard(SHARD)
    original = shard.get_records

    def with_records(**kwargs: object) -> GetRecordsOutput:
        out = original(**kwargs)  # type: ignore[arg-type]
        for r in out["Records"]:
            r["Data"] = InvocationRecord(request_id=r["SequenceNumber"], completion="No.").to_json().encode()
        return out

    shard.get_records = with_records  # type: ignore[method-assign]
    return shard


def test_only_complete_batches_are_deleted_and_only_when_asked() -> None:
    bodies = [
        message({**DOCUMENTED, "KinesisBatchInfo": _info(batch(20, 30, 2))}, "complete"),
        message({**DOCUMENTED, "KinesisBatchInfo": _info(batch(5, 30, 4))}, "trimmed"),
    ]
    ok = lambda monitors, records: [{"Refusal": 1.0} for _ in records]  # noqa: E731
    queue = FakeQueue(list(bodies))
    reports = redrive(queue, record_shard(), ok, delete=True).run()
    assert [r.complete for r in reports] == [True, False]
    assert queue.deleted == ["rh-complete"] and queue.released == ["rh-trimmed"]

    failing = lambda monitors, records: [{"errors": {"refusal": "throttled"}} for _ in records]  # noqa: E731
    queue = FakeQueue([bodies[0]])
    (report,) = redrive(queue, record_shard(), failing, delete=True).run()
    assert report.failed == 2 and not report.complete and queue.deleted == []

    queue = FakeQueue([bodies[0]])
    redrive(queue, record_shard(), ok).run()
    assert queue.deleted == [] and queue.released == ["rh-complete"]


def _info(b: FailedBatch) -> dict[str, object]:
    return {
        "shardId": b.shard_id,
        "startSequenceNumber": b.start,
        "endSequenceNumber": b.end,
        "batchSize": b.batch_size,
        "streamArn": b.stream_arn,
    }

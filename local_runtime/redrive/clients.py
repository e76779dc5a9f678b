"""The AWS clients redrive calls, as Protocols (boto3 clients by default, fakes in unit tests)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, TypedDict


class SqsMessage(TypedDict, total=False):
    MessageId: str
    ReceiptHandle: str
    Body: str


class ReceiveMessageOutput(TypedDict, total=False):
    Messages: list[SqsMessage]


class QueueClient(Protocol):
    def receive_message(
        self, *, QueueUrl: str, MaxNumberOfMessages: int, WaitTimeSeconds: int, VisibilityTimeout: int
    ) -> ReceiveMessageOutput: ...

    def delete_message(self, *, QueueUrl: str, ReceiptHandle: str) -> object: ...

    def change_message_visibility(self, *, QueueUrl: str, ReceiptHandle: str, VisibilityTimeout: int) -> object: ...


class StreamRecord(TypedDict, total=False):
    SequenceNumber: str
    Data: bytes
    PartitionKey: str


class GetRecordsOutput(TypedDict, total=False):
    Records: list[StreamRecord]
    NextShardIterator: str
    MillisBehindLatest: int


class ShardIteratorOutput(TypedDict):
    ShardIterator: str


class StreamClient(Protocol):
    def get_shard_iterator(
        self, *, StreamName: str, ShardId: str, ShardIteratorType: str, StartingSequenceNumber: str
    ) -> ShardIteratorOutput: ...

    def get_records(self, *, ShardIterator: str, Limit: int) -> GetRecordsOutput: ...


class FunctionConfiguration(TypedDict, total=False):
    Environment: dict[str, dict[str, str]]


class FunctionClient(Protocol):
    def get_function_configuration(self, *, FunctionName: str) -> FunctionConfiguration: ...


@dataclass(frozen=True)
class Clients:
    """Client factories by region (boto3 clients by default; fakes in tests)."""

    queue: Callable[[str | None], QueueClient]
    stream: Callable[[str], StreamClient]
    functions: Callable[[str], FunctionClient]

    @classmethod
    def boto3(cls) -> Clients:
        import boto3
        from botocore.config import Config

        config = Config(retries={"mode": "adaptive", "max_attempts": 8})

        def client(service: str) -> Callable[[str | None], object]:
            return lambda region: boto3.client(service, region_name=region, config=config)

        return cls(queue=client("sqs"), stream=client("kinesis"), functions=client("lambda"))  # type: ignore[arg-type]  # boto3 has no stubs; these Protocols are what we call


def is_sdk_error(exc: BaseException) -> bool:
    """Whether botocore raised `exc` before any service answered (no credentials, region or network)."""
    from botocore.exceptions import BotoCoreError

    return isinstance(exc, BotoCoreError)


def error_code(exc: BaseException) -> str:
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        return str(response.get("Error", {}).get("Code", ""))
    return ""


def queue_region(queue_url: str) -> str | None:
    """The region of an SQS queue URL (https://sqs.<region>.amazonaws.com/<account>/<name>)."""
    host = queue_url.split("://", 1)[-1].split("/", 1)[0]
    parts = host.split(".")
    return parts[1] if len(parts) > 2 and parts[0] == "sqs" else None

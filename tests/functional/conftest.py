"""moto-backed AWS for functional tests: handlers are called directly (moto's Lambda runs no code)."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from moto import mock_aws

REGION = "us-east-1"
ACCOUNT = "123456789012"
LOG_PREFIX = f"AWSLogs/{ACCOUNT}/BedrockModelInvocationLogs/{REGION}/2026/11/20/10/"


@pytest.fixture
def aws() -> Iterator[None]:
    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        yield


@dataclass
class LambdaContext:
    """The attributes Powertools reads from a Lambda context."""

    function_name: str = "test-fn"
    memory_limit_in_mb: int = 512
    invoked_function_arn: str = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:test-fn"
    aws_request_id: str = "00000000-0000-0000-0000-000000000000"
    remaining_ms: int = 300_000

    def get_remaining_time_in_millis(self) -> int:
        return self.remaining_ms


DISPATCHER_BUCKET = "invocation-logs"
DISPATCHER_STREAM = "llm-monitor-records"
DISPATCHER_TABLE = "llm-monitor-idempotency"


def dispatcher_resources(monkeypatch: pytest.MonkeyPatch, *, shards: int) -> tuple[Any, Any, Any]:
    """The log bucket, stream and idempotency table the dispatcher needs (inside `aws`), and its
    environment naming them: (s3, kinesis, dynamodb) clients."""
    s3, kinesis, dynamodb = boto("s3"), boto("kinesis"), boto("dynamodb")
    s3.create_bucket(Bucket=DISPATCHER_BUCKET)
    kinesis.create_stream(StreamName=DISPATCHER_STREAM, ShardCount=shards)
    dynamodb.create_table(
        TableName=DISPATCHER_TABLE,
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    monkeypatch.setenv("LLM_MONITOR_STREAM", DISPATCHER_STREAM)
    monkeypatch.setenv("LLM_MONITOR_IDEMPOTENCY_TABLE", DISPATCHER_TABLE)
    return s3, kinesis, dynamodb


@pytest.fixture
def no_aws_setup(monkeypatch: pytest.MonkeyPatch) -> None:
    """A machine with no AWS credentials and no region anywhere (environment, profile, instance)."""
    for name in (
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SECURITY_TOKEN",
        "AWS_SESSION_TOKEN",
        "AWS_PROFILE",
        "AWS_REGION",
        "AWS_DEFAULT_REGION",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    # boto3's default session resolves credentials once per process: an earlier test's would be reused.
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)


@pytest.fixture
def lambda_context() -> LambdaContext:
    return LambdaContext()


def gz_lines(records: list[dict[str, Any]]) -> bytes:
    return gzip.compress(b"".join(json.dumps(r).encode() + b"\n" for r in records), mtime=0)


def read_stream(kinesis: Any, stream: str) -> list[dict[str, Any]]:
    """Every record on every shard, decoded, with its partition key."""
    out = []
    for shard in kinesis.list_shards(StreamName=stream)["Shards"]:
        iterator = kinesis.get_shard_iterator(
            StreamName=stream, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        while iterator:
            response = kinesis.get_records(ShardIterator=iterator, Limit=10_000)
            for record in response["Records"]:
                out.append({"partitionKey": record["PartitionKey"], **json.loads(record["Data"])})
            if not response["Records"]:
                break
            iterator = response.get("NextShardIterator")
    return out


def s3_event(bucket: str, key: str, sequencer: str = "0055AED6DCD90281E5") -> dict[str, Any]:
    from urllib.parse import quote_plus

    return {
        "Records": [
            {
                "eventVersion": "2.1",
                "eventSource": "aws:s3",
                "awsRegion": REGION,
                "eventName": "ObjectCreated:Put",
                "s3": {
                    "s3SchemaVersion": "1.0",
                    "bucket": {"name": bucket, "arn": f"arn:aws:s3:::{bucket}"},
                    "object": {"key": quote_plus(key, safe="/"), "size": 1, "eTag": "etag", "sequencer": sequencer},
                },
            }
        ]
    }


def eventbridge_event(bucket: str, key: str, sequencer: str = "0055AED6DCD90281E5") -> dict[str, Any]:
    return {
        "version": "0",
        "id": "17793124-05d4-b198-2fde-7ededc63b103",
        "detail-type": "Object Created",
        "source": "aws.s3",
        "account": ACCOUNT,
        "region": REGION,
        "resources": [f"arn:aws:s3:::{bucket}"],
        "detail": {
            "version": "0",
            "bucket": {"name": bucket},
            "object": {"key": key, "size": 1, "etag": "etag", "sequencer": sequencer},
            "reason": "PutObject",
        },
    }


def boto(service: str) -> Any:
    return boto3.client(service, region_name=REGION)

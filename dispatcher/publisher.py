"""PutRecords in chunks, retrying only the entries Kinesis rejected.

A PutRecords call can succeed for some entries and fail for others (throttling per shard). Only the
failed entries are sent again, with exponential backoff and full jitter; entries that still fail after
the attempt budget raise RetryableDownstreamError, so the invocation fails and the event is retried
rather than anything being lost silently.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol, TypedDict

from shared.errors import RetryableDownstreamError
from shared.limits import KINESIS_PUT_RECORDS_MAX_BYTES, KINESIS_PUT_RECORDS_MAX_ENTRIES


class PutRecordsEntry(TypedDict):
    Data: bytes
    PartitionKey: str


class PutRecordsResult(TypedDict, total=False):
    """One entry's outcome: SequenceNumber and ShardId, or ErrorCode and ErrorMessage."""

    SequenceNumber: str
    ShardId: str
    ErrorCode: str
    ErrorMessage: str


class PutRecordsOutput(TypedDict, total=False):
    FailedRecordCount: int
    Records: list[PutRecordsResult]


class KinesisClient(Protocol):
    """The part of boto3's Kinesis client the publisher uses; the stream is named by one of the two keys."""

    def put_records(
        self, *, Records: list[PutRecordsEntry], StreamName: str = ..., StreamARN: str = ...
    ) -> PutRecordsOutput: ...


class PartiallyPublished(RetryableDownstreamError):
    """Some entries of a chunk were published and the rest still failed after every retry."""

    def __init__(self, published_keys: list[str], failed: int, attempts: int) -> None:
        self.published_keys = published_keys
        super().__init__(f"{failed} Kinesis entries still failing after {attempts} attempts")


@dataclass
class KinesisPublisher:
    client: KinesisClient
    stream: str  # a stream name or ARN
    max_attempts: int = 8
    base_delay: float = 0.1
    max_delay: float = 5.0
    sleep: Callable[[float], None] | None = None  # time.sleep, looked up when called
    published: int = 0
    put_calls: int = 0
    retried_entries: int = 0
    _entries: list[PutRecordsEntry] = field(default_factory=list)
    _bytes: int = 0

    def has_room(self, data: bytes, partition_key: str) -> bool:
        """Whether one more entry fits in the pending PutRecords call (≤500 entries, ≤5 MiB)."""
        size = len(data) + len(partition_key.encode("utf-8"))
        return not self._entries or (
            len(self._entries) < KINESIS_PUT_RECORDS_MAX_ENTRIES and self._bytes + size <= KINESIS_PUT_RECORDS_MAX_BYTES
        )

    def add(self, data: bytes, partition_key: str) -> None:
        """Queue one entry. The caller flushes first when `has_room` says no."""
        self._entries.append({"Data": data, "PartitionKey": partition_key})
        self._bytes += len(data) + len(partition_key.encode("utf-8"))

    @property
    def pending(self) -> int:
        return len(self._entries)

    def flush(self) -> None:
        entries, self._entries, self._bytes = self._entries, [], 0
        attempt = 0
        published_keys: list[str] = []
        while entries:
            attempt += 1
            target = {"StreamARN": self.stream} if self.stream.startswith("arn:") else {"StreamName": self.stream}
            response = self.client.put_records(Records=entries, **target)
            self.put_calls += 1
            results = response.get("Records", [])
            failed: list[PutRecordsEntry] = []
            for entry, result in zip(entries, results, strict=True):
                if result.get("ErrorCode"):
                    failed.append(entry)
                else:
                    published_keys.append(entry["PartitionKey"])
            self.published += len(entries) - len(failed)
            if not failed:
                return
            if attempt >= self.max_attempts:
                raise PartiallyPublished(published_keys, len(failed), attempt)
            self.retried_entries += len(failed)
            entries = failed
            (self.sleep or time.sleep)(random.uniform(0, min(self.max_delay, self.base_delay * 2**attempt)))

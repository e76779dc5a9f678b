"""Reading a failed batch back from its shard, and counting what the stream no longer has."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from local_runtime.redrive.clients import StreamClient, error_code
from local_runtime.redrive.failures import FailedBatch

#: GetRecords returns at most this many records a call.
GET_RECORDS_LIMIT = 10_000
#: Empty GetRecords answers in a row (while the shard is behind) before a batch is given up as incomplete.
MAX_EMPTY_READS = 20
#: Fresh iterators after ExpiredIteratorException (an iterator lives 5 minutes) before giving up.
MAX_ITERATOR_RENEWALS = 5
GONE_CODES = frozenset({"ResourceNotFoundException"})
INVALID_CODES = frozenset({"InvalidArgumentException"})
EXPIRED_ITERATOR_CODES = frozenset({"ExpiredIteratorException"})


@dataclass
class Fetched:
    """What the stream still had of a batch."""

    records: list[tuple[str, bytes]] = field(default_factory=list)  # (sequence number, data)
    expired: int = 0
    reason: str = ""  # why records are missing, when some are


def fetch_batch(client: StreamClient, batch: FailedBatch) -> Fetched:
    """The records from `batch.start` to `batch.end` the shard still holds, and how many it no longer does."""
    start, end = int(batch.start), int(batch.end)
    fetched = Fetched()
    try:
        for sequence, data in _read_range(client, batch, start=start, end=end):
            fetched.records.append((sequence, data))
    except _Gone as gone:
        fetched.expired = batch.batch_size - len(fetched.records)
        fetched.reason = gone.reason
        return fetched
    missing = batch.batch_size - len(fetched.records)
    if missing > 0:
        fetched.expired = missing
        if not fetched.records or int(fetched.records[0][0]) > start:
            fetched.reason = "trimmed: older than the stream's retention"
        else:
            fetched.reason = "not found on the shard"
    return fetched


class _Gone(Exception):
    def __init__(self, reason: str) -> None:
        self.reason = reason


def _read_range(client: StreamClient, batch: FailedBatch, *, start: int, end: int) -> Iterator[tuple[str, bytes]]:
    last: str | None = None
    iterator = _iterator(client, batch, at=batch.start)
    empty = renewals = 0
    limit = max(1, min(GET_RECORDS_LIMIT, batch.batch_size))
    while iterator:
        try:
            response = client.get_records(ShardIterator=iterator, Limit=limit)
        except Exception as exc:
            code = error_code(exc)
            if code in EXPIRED_ITERATOR_CODES and renewals < MAX_ITERATOR_RENEWALS:
                renewals += 1
                iterator = _iterator(client, batch, at=last or batch.start, after=last is not None)
                continue
            if code in GONE_CODES:
                raise _Gone("the stream or shard no longer exists") from None
            raise
        records = response.get("Records", [])
        for record in records:
            sequence = record["SequenceNumber"]
            if int(sequence) > end:
                return
            if int(sequence) >= start:
                last = sequence
                yield sequence, record["Data"]
        if not records:
            empty += 1
            if response.get("MillisBehindLatest", 0) == 0 or empty >= MAX_EMPTY_READS:
                return  # caught up with the shard (or it stays silent): the rest is not there
        else:
            empty = 0
        iterator = response.get("NextShardIterator", "")  # none: the shard is closed


def _iterator(client: StreamClient, batch: FailedBatch, *, at: str, after: bool = False) -> str:
    try:
        return client.get_shard_iterator(
            StreamName=batch.stream_name,
            ShardId=batch.shard_id,
            ShardIteratorType="AFTER_SEQUENCE_NUMBER" if after else "AT_SEQUENCE_NUMBER",
            StartingSequenceNumber=at,
        )["ShardIterator"]
    except Exception as exc:
        code = error_code(exc)
        if code in GONE_CODES:
            raise _Gone("the stream or shard no longer exists") from None
        if code in INVALID_CODES:
            raise _Gone("the sequence number is no longer valid on the shard (past the stream's retention)") from None
        raise

"""Dispatcher figures: cold import of the handler module (goal < 300 ms), and peak memory handling a
5 MB and a 50 MB gzipped log object (goal: independent of the object's size — it streams).

Memory runs call `process_object` in a fresh process per size, with the object read from a local file
through an S3-shaped stub and PutRecords going to a stub that only counts, so only the dispatcher's
own memory is measured.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from bench.common import bulk_file, cold_import_ms, peak_rss_mb, run_module

if TYPE_CHECKING:
    from dispatcher.checkpoint import Checkpoint
    from dispatcher.events import ObjectRef
    from dispatcher.publisher import PutRecordsEntry, PutRecordsOutput
    from shared.sources import GetObjectOutput


class _S3:
    def __init__(self, path: Path) -> None:
        self.path = path

    def get_object(self, *, Bucket: str, Key: str) -> GetObjectOutput:
        return {"Body": open(self.path, "rb")}


class _Kinesis:
    def __init__(self) -> None:
        self.records = 0
        self.calls = 0

    def put_records(
        self, *, Records: list[PutRecordsEntry], StreamName: str = "", StreamARN: str = ""
    ) -> PutRecordsOutput:
        self.calls += 1
        self.records += len(Records)
        return {"FailedRecordCount": 0, "Records": [{"SequenceNumber": "1", "ShardId": "s"} for _ in Records]}


class _Checkpoints:
    def load(self, obj: ObjectRef) -> Checkpoint:
        from dispatcher.checkpoint import Checkpoint

        return Checkpoint()

    def save(self, obj: ObjectRef, checkpoint: Checkpoint) -> None:
        pass


def measure(target_mb: int) -> None:
    from dispatcher.events import ObjectRef
    from dispatcher.handler import process_object
    from dispatcher.settings import DispatcherSettings

    path = bulk_file(target_mb=target_mb)
    kinesis = _Kinesis()
    started = time.perf_counter()
    result = process_object(
        ObjectRef("bucket", "AWSLogs/x.json.gz", "seq"),
        settings=DispatcherSettings(stream="s", idempotency_table="t"),
        s3=_S3(path),
        kinesis=kinesis,
        checkpoints=_Checkpoints(),
    )
    elapsed = time.perf_counter() - started
    print(
        f"{target_mb}\t{path.stat().st_size / 2**20:.1f}\t{result['dispatched']}\t{kinesis.calls}\t"
        f"{peak_rss_mb():.1f}\t{elapsed:.1f}"
    )


def main() -> None:
    print(f"dispatcher: cold import of dispatcher.handler {cold_import_ms('dispatcher.handler'):.0f} ms")
    for size in (5, 50):
        bulk_file(target_mb=size)
        _mb, gz, dispatched, calls, peak, seconds = (
            run_module("bench.dispatcher_bench", "--measure", str(size)).splitlines()[-1].split()
        )
        print(
            f"dispatcher: {gz} MiB gzip object: {int(dispatched):,} records in {calls} PutRecords calls, "
            f"{seconds} s; peak RSS of the process {peak} MiB"
        )


if __name__ == "__main__":
    import logging

    logging.disable(logging.WARNING)
    if len(sys.argv) == 3 and sys.argv[1] == "--measure":
        measure(int(sys.argv[2]))
    else:
        main()

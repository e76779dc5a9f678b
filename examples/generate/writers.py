"""Writes generated records to disk: the bundled set as a local mirror of the bucket, or one bulk file.

The bundled set under `examples/logs/` is committed (the demo runs offline), so rewriting it must give the
same bytes: batches are keyed and named from a seeded generator and compressed with `layout.gzip_bytes`.
A bulk file is one gzipped JSON-lines stream for benchmarks, written as records are generated so its size
can be bounded in compressed bytes.
"""

from __future__ import annotations

import gzip
import io
import random
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from examples.generate.layout import ACCOUNT_ID, BUCKET, JsonDict, dumps, gzip_bytes, log_object_key
from examples.generate.records import DEFAULT_SEED, ExampleSet, example_set, iter_records
from examples.generate.traffic import BATCH_MINUTES, EXAMPLE_PER_HOUR, EXAMPLE_START

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer

__all__ = ["LOGS_DIR", "BulkResult", "example_objects", "write_bulk", "write_example_set"]

LOGS_DIR = Path(__file__).resolve().parents[1] / "logs"


def example_objects(examples: ExampleSet, seed: int = DEFAULT_SEED) -> dict[str, bytes]:
    """The bundled set as S3 objects: key relative to the bucket -> gzipped bytes."""
    names = random.Random(seed + 2)
    batches: dict[int, list[JsonDict]] = {}
    for record in examples.records:
        ts = str(record["timestamp"])
        dt = datetime.strptime(ts, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
        batches.setdefault(int(dt.timestamp()) // (BATCH_MINUTES * 60), []).append(record)
    objects: dict[str, bytes] = {}
    for _, batch in sorted(batches.items()):
        batch.sort(key=lambda r: str(r["timestamp"]))
        key = log_object_key(str(batch[0]["timestamp"]), names.getrandbits(64))
        objects[key] = gzip_bytes("".join(dumps(r) + "\n" for r in batch).encode())
    for uri, body in examples.offloaded.items():
        key = uri.removeprefix(f"s3://{BUCKET}/")
        objects[key] = gzip_bytes(dumps(body).encode())
    return dict(sorted(objects.items()))


def write_example_set(root: Path = LOGS_DIR, seed: int = DEFAULT_SEED) -> list[Path]:
    """Regenerate the bundled set under `root` (a local mirror of the bucket); returns the files written.

    Stale files this generator owns (`*.json.gz` under AWSLogs/<account>/BedrockModelInvocationLogs/) are
    deleted first; nothing else under `root` is touched.
    """
    owned = root / "AWSLogs" / ACCOUNT_ID / "BedrockModelInvocationLogs"
    if owned.is_dir():
        for stale in owned.rglob("*.json.gz"):
            stale.unlink()
        for directory in sorted((d for d in owned.rglob("*") if d.is_dir()), key=lambda d: len(d.parts), reverse=True):
            if not any(directory.iterdir()):
                directory.rmdir()
    written: list[Path] = []
    for key, data in example_objects(example_set(seed), seed).items():
        path = root / key
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        written.append(path)
    return written


@dataclass(frozen=True)
class BulkResult:
    """What `write_bulk` wrote, for the caller's summary line and the benchmarks' sizing."""

    records: int
    compressed_bytes: int
    seconds: float


class _CountingWriter(io.RawIOBase):
    """Passes bytes through and counts them: the compressed size so far, so a bulk file can stop near a target."""

    def __init__(self, target: BinaryIO) -> None:
        self.target = target
        self.count = 0

    def writable(self) -> bool:
        return True

    def write(self, data: ReadableBuffer, /) -> int:
        self.target.write(data)
        size = memoryview(data).nbytes  # len(data) for the bytes gzip writes
        self.count += size
        return size


def write_bulk(
    out: Path,
    *,
    records: int | None = None,
    target_bytes: int | None = None,
    seed: int = 0,
    start: datetime = EXAMPLE_START,
    per_hour: float = EXAMPLE_PER_HOUR,
    level: int = 6,
) -> BulkResult:
    """One gzipped JSON-lines file of `records` records, or of about `target_bytes` compressed bytes."""
    if (records is None) == (target_bytes is None):
        raise ValueError("give exactly one of records or target_bytes")
    began = time.perf_counter()
    written = 0
    with open(out, "wb") as raw:
        counter = _CountingWriter(raw)
        with gzip.GzipFile(filename="", mode="wb", fileobj=counter, compresslevel=level, mtime=0) as gz:
            lines: list[str] = []
            for record in iter_records(records, seed, start=start, per_hour=per_hour):
                lines.append(dumps(record))
                written += 1
                if len(lines) == 500:
                    gz.write(("\n".join(lines) + "\n").encode())
                    lines.clear()
                    if target_bytes is not None and counter.count >= target_bytes:
                        break
            if lines:
                gz.write(("\n".join(lines) + "\n").encode())
        size = counter.count
    return BulkResult(written, size, time.perf_counter() - began)

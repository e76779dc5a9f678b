"""Parser throughput on 100,000 generated records of mixed shapes, against the floor of bare
gunzip + JSON decode of the same lines. Goal: ≥ 20,000 records/s on one core and ≤ 2× the floor.

Times are CPU seconds of this process (best of three), so other work on the machine disturbs them less.
"""

from __future__ import annotations

import gzip
import json
import time
from pathlib import Path

from bench.common import bulk_file
from shared.parsing import NoOffloadedBodies, ParseStats, parse_stream

RECORDS = 100_000


def floor_seconds(path: Path) -> float:
    started = time.process_time()
    with gzip.open(path, "rb") as data:
        for line in data:
            json.loads(line)
    return time.process_time() - started


def parse_seconds(path: Path) -> tuple[float, ParseStats]:
    stats = ParseStats()
    started = time.process_time()
    with open(path, "rb") as raw:
        for _ in parse_stream(
            raw, source=str(path), resolver=NoOffloadedBodies(), stats=stats, skip_missing_bodies=True
        ):
            pass
    return time.process_time() - started, stats


def main() -> None:
    path = bulk_file(RECORDS)
    floor = min(floor_seconds(path) for _ in range(3))
    runs = [parse_seconds(path) for _ in range(3)]
    best, stats = min(runs, key=lambda r: r[0])
    lines = stats.emitted + sum(stats.skipped.values()) + stats.malformed
    print(
        f"parse: {lines:,} log records ({stats.emitted:,} generations) from {path.stat().st_size / 2**20:.1f} MiB gzip"
    )
    print(f"parse: floor (gunzip + json.loads) {lines / floor:,.0f} records/s ({floor:.2f} s)")
    print(f"parse: parser {lines / best:,.0f} records/s ({best:.2f} s), {best / floor:.2f}x the floor (one core)")


if __name__ == "__main__":
    main()

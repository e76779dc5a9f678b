"""Monitor figures on the embedded backends: records/s of each monitor and of all default monitors
together over 10,000 generated records (goal ≥ 1,000 records/s together on 2 cores), and the cold import
of the monitor Lambda's handler module (goal < 500 ms; models load lazily, once per container).

Each monitor gets fresh backends and a warm-up batch first, so one-off model loading (reported
separately) is not counted as scoring time; "together" shares one `Backends` as the local runtime does.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from bench.common import bulk_file, cold_import_ms

if TYPE_CHECKING:
    from monitors.core.runner import MonitorRunner
    from shared.records import InvocationRecord

RECORDS = 10_000
BATCH = 512


def load_records() -> list[InvocationRecord]:
    from shared.parsing import NoOffloadedBodies, ParseStats, parse_stream

    with open(bulk_file(RECORDS + RECORDS // 10), "rb") as raw:
        records = [
            r
            for _, r in parse_stream(
                raw, source="bench", resolver=NoOffloadedBodies(), stats=ParseStats(), skip_missing_bodies=True
            )
        ]
    return records[:RECORDS]


def score_all(runner: MonitorRunner, records: list[InvocationRecord]) -> float:
    started = time.perf_counter()
    for start in range(0, len(records), BATCH):
        runner.score(records[start : start + BATCH])
    return time.perf_counter() - started


def main() -> None:
    from monitors.core.config import MonitoringConfig
    from monitors.core.registry import discover
    from monitors.core.runner import MonitorRunner
    from shared.backends import Backends

    print(f"monitors: cold import of monitors.aws.handler {cold_import_ms('monitors.aws.handler'):.0f} ms")
    records = load_records()
    registry = discover()
    config = MonitoringConfig.from_context({"backend": "local"})
    warm = records[-50:]
    for name in config.enabled_monitors():
        runner = MonitorRunner.from_config(config, registry, Backends(config.backend), [name])
        started = time.perf_counter()
        runner.score(warm)
        load = time.perf_counter() - started
        rate = RECORDS / score_all(runner, records[:RECORDS])
        sampling = config.monitors[name].options["samplingRate"]
        print(
            f"monitors: {name:20s} {rate:8,.0f} records/s "
            f"(sampling {sampling}; first batch incl. model load {load:.2f} s)"
        )
    runner = MonitorRunner.from_config(config, registry, Backends(config.backend))
    runner.score(warm)
    rate = RECORDS / score_all(runner, records)
    print(f"monitors: all default monitors {rate:,.0f} records/s on {RECORDS:,} records (embedded backends)")


if __name__ == "__main__":
    main()

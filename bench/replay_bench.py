"""Local runtime figures: replay throughput with all default monitors on the embedded backends
(goal ≥ 1,000 records/s on 2 cores) and peak memory replaying 100,000 records (goal < 1 GB).

Each size runs `llm-monitor replay` in a fresh process on a generated file and a fresh store; the
figures include parsing, scoring, storing and alarm evaluation (not the dashboard: see dashboard_bench).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from bench.common import bulk_file, peak_rss_mb, run_module


def measure(records: int) -> None:
    from local_runtime.cli import main as cli

    path = bulk_file(records)
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        code = cli(
            ["replay", str(path), "--store", str(Path(tmp) / "m.db"), "--no-dashboard", "--no-progress", "--json"]
        )
        elapsed = time.perf_counter() - started
    if code:
        raise SystemExit(code)
    print(f"RESULT\t{records}\t{elapsed:.2f}\t{peak_rss_mb():.0f}")


def main() -> None:
    for records in (10_000, 100_000):
        bulk_file(records)
        output = run_module("bench.replay_bench", "--measure", str(records)).splitlines()
        line = next(row for row in output if row.startswith("RESULT"))
        _, n, seconds, peak = line.split("\t")
        print(
            f"replay: {int(n):,} log records (all default monitors, embedded) in {float(seconds):.1f} s = "
            f"{int(n) / float(seconds):,.0f} records/s end to end incl. start-up; peak RSS {peak} MiB"
        )


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--measure":
        measure(int(sys.argv[2]))
    else:
        main()

"""Run every benchmark, each in its own process, and print their numbers (`make bench`)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCHES = (
    "bench.parse_bench",
    "bench.dispatcher_bench",
    "bench.embedding_agreement",
    "bench.monitors_bench",
    "bench.aws_calls_bench",
    "bench.replay_bench",
    "bench.dashboard_bench",
    "bench.refusal_eval",
    "bench.timeliness",
    "bench.synth_bench",
)


def main() -> int:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20"}
    failed = []
    for module in sys.argv[1:] or BENCHES:
        started = time.perf_counter()
        print(f"== {module}", flush=True)
        done = subprocess.run([sys.executable, "-m", module], cwd=ROOT, env=env, check=False)
        if done.returncode:
            failed.append(module)
        print(f"   ({time.perf_counter() - started:.0f} s)", flush=True)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

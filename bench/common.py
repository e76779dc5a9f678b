"""Helpers the benchmarks share: cached generated inputs, peak memory, isolated runs."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / ".llm-monitor" / "bench"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def bulk_file(records: int | None = None, *, target_mb: int | None = None, seed: int = 7) -> Path:
    """A generated gzipped log file (mixed shapes and operations), cached across runs."""
    from examples.generate import write_bulk

    CACHE.mkdir(parents=True, exist_ok=True)
    name = f"bulk-{records}r-{seed}.json.gz" if records else f"bulk-{target_mb}mb-{seed}.json.gz"
    path = CACHE / name
    if not path.exists():
        tmp = path.with_suffix(".tmp")
        if records:
            write_bulk(tmp, records=records, seed=seed)
        elif target_mb is not None:
            write_bulk(tmp, target_bytes=int(target_mb * 1024 * 1024), seed=seed)
        else:
            raise ValueError("bulk_file needs records or target_mb")
        tmp.rename(path)
    return path


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_module(module: str, *args: str) -> str:
    """Run `python -m <module> args` in a fresh process (clean imports and memory); its stdout."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", module, *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"{module} failed:\n{done.stderr[-2000:]}")
    return done.stdout


def cold_import_ms(module: str, repeats: int = 5) -> float:
    """Best-of-N wall time to import `module` in a fresh interpreter, minus the interpreter's own start."""
    code = f"import time; t = time.perf_counter(); import {module}; print((time.perf_counter() - t) * 1000)"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    times = []
    for _ in range(repeats):
        out = subprocess.run(
            [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
        )
        times.append(float(out.stdout.strip()))
    return min(times)

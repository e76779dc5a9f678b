"""`python -m examples.generate`: rewrite the bundled example logs, or write one bulk file for benchmarks."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from examples.generate.records import DEFAULT_SEED
from examples.generate.traffic import EXAMPLE_PER_HOUR, EXAMPLE_START
from examples.generate.writers import LOGS_DIR, write_bulk, write_example_set

__all__ = ["main"]


def _parse_start(value: str) -> datetime:
    """An ISO-8601 start time; without a zone it is UTC, like every timestamp in the logs."""
    dt = datetime.fromisoformat(value)
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; 0 on success (usage errors exit with status 2 through argparse)."""
    parser = argparse.ArgumentParser(
        prog="python -m examples.generate",
        description="Write the bundled example invocation logs, or one bulk file for benchmarks.",
    )
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--records", type=int, metavar="N", help="bulk mode: write N records to --out")
    size.add_argument("--target-mb", type=float, metavar="M", help="bulk mode: write about M MiB (compressed) to --out")
    parser.add_argument("--out", type=Path, metavar="FILE", help="bulk mode: the gzipped JSON-lines file to write")
    parser.add_argument("--dir", type=Path, default=LOGS_DIR, help=f"bundled set: where to write (default {LOGS_DIR})")
    parser.add_argument("--seed", type=int, default=None, help=f"random seed (bundled default {DEFAULT_SEED}, bulk 0)")
    parser.add_argument(
        "--start", type=_parse_start, default=EXAMPLE_START, help="bulk mode: first timestamp (ISO-8601)"
    )
    parser.add_argument("--per-hour", type=float, default=EXAMPLE_PER_HOUR, help="bulk mode: records per hour")
    args = parser.parse_args(argv)

    bulk = args.records is not None or args.target_mb is not None
    if bulk != (args.out is not None):
        parser.error("--out goes with --records or --target-mb (and they need it)")
    if bulk:
        if args.records is not None and args.records < 0:
            parser.error("--records must be >= 0")
        result = write_bulk(
            args.out,
            records=args.records,
            target_bytes=None if args.target_mb is None else int(args.target_mb * 1024 * 1024),
            seed=0 if args.seed is None else args.seed,
            start=args.start,
            per_hour=args.per_hour,
        )
        print(
            f"wrote {result.records} records, {result.compressed_bytes / 1024 / 1024:.1f} MiB compressed, to "
            f"{args.out} in {result.seconds:.1f}s",
            file=sys.stderr,
        )
        return 0
    seed = DEFAULT_SEED if args.seed is None else args.seed
    files = write_example_set(args.dir, seed)
    total = sum(p.stat().st_size for p in files)
    print(f"wrote {len(files)} files, {total / 1024 / 1024:.2f} MiB, under {args.dir}", file=sys.stderr)
    return 0

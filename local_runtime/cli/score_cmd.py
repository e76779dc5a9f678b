"""`llm-monitor score FILE`: every metric of every record, as JSON lines.

Reads JSON lines with `prompt` and `completion` (optional `requestId`, `modelId`; the output of
`llm-monitor parse` works as is) and scores every record with the chosen monitors. Each output line has
every metric value under its name, and per monitor what it skipped (`skipped`), what failed (`errors`) and,
when the monitor says, why it scored as it did (`evidence`: the refusal phrase or cue that matched). Sampling rates are
ignored here: you asked for these records' scores. Configuration comes from cdk.json's context and
`-c key=value`, as for the stack, so options like `monitors.refusal.method=cosine` apply.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING, BinaryIO

from local_runtime.cli.options import add_config_arguments, load_config

if TYPE_CHECKING:
    from monitors.core.runner import MonitorRunner
    from shared.records import InvocationRecord

NAME = "score"
HELP = "score prompt/completion JSON lines with the monitors; one JSON object per record"
BATCH = 256


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE", help="JSON lines with prompt and completion ('-' for stdin)")
    parser.add_argument("--monitors", help="comma-separated monitor names (default: every enabled monitor)")
    add_config_arguments(parser)


def _lines(stream: BinaryIO) -> Iterator[tuple[int, bytes]]:
    """Non-blank lines as bytes: each is decoded on its own, so one bad byte costs one line."""
    for number, line in enumerate(stream, 1):
        if line.strip():
            yield number, line


def run(args: argparse.Namespace) -> int:
    from local_runtime.cli import EXIT_SOURCE
    from monitors.core.config import select_names
    from monitors.core.runner import MonitorRunner
    from shared.backends import Backends
    from shared.errors import RecordDecodeError, SourceError
    from shared.records import InvocationRecord

    config, registry = load_config(args)
    names = select_names(args.monitors.split(",") if args.monitors else None, config)
    backends = Backends(config.backend)
    runner = MonitorRunner.from_config(config.without_sampling(), registry, backends, names)

    try:
        stream = sys.stdin.buffer if args.file == "-" else open(args.file, "rb")  # noqa: SIM115 (closed below)
    except OSError as exc:
        print(f"llm-monitor score: cannot read {args.file}: {exc.strerror}", file=sys.stderr)
        return EXIT_SOURCE
    bad = number = 0
    with stream:
        batch: list[InvocationRecord] = []
        try:
            for number, line in _lines(stream):
                try:
                    batch.append(InvocationRecord.from_json(line, default_id=f"line-{number}"))
                except RecordDecodeError as exc:
                    bad += 1
                    print(f"llm-monitor score: {args.file}:{number}: {exc}", file=sys.stderr)
                    continue
                if len(batch) >= BATCH:
                    _emit(runner, batch)
                    batch = []
        except OSError as exc:  # the file went away or the device failed mid-read: keep what was read
            if batch:
                _emit(runner, batch)
            raise SourceError(f"cannot read {args.file} after line {number}: {exc.strerror or exc}") from None
        if batch:
            _emit(runner, batch)
    if bad:
        print(f"llm-monitor score: {bad} line(s) skipped", file=sys.stderr)
    return 0


def _emit(runner: MonitorRunner, batch: list[InvocationRecord]) -> None:
    from local_runtime.scores import score_rows

    out = sys.stdout
    for row in score_rows(batch, runner.score(batch)):
        out.write(json.dumps(row) + "\n")
    out.flush()

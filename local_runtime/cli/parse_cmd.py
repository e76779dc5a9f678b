"""`llm-monitor parse PATH...`: normalised records as JSON lines on stdout, counts on stderr."""

from __future__ import annotations

import argparse
import json
import sys

from shared.errors import SourceError
from shared.parsing import ParseStats, parse_stream
from shared.sources import source_failure

NAME = "parse"
HELP = "normalise invocation logs to prompt/completion JSON lines"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", metavar="PATH", help="log files, directories or s3://bucket/prefix")
    parser.add_argument("--summary-json", action="store_true", help="print the summary on stderr as JSON")


def run(args: argparse.Namespace) -> int:
    from local_runtime.cli import EXIT_SOURCE
    from shared.sources import discover

    sources = discover(args.paths)
    stats = ParseStats()
    out = sys.stdout
    failed: list[str] = []
    for source in sources:
        try:
            with source.open() as stream:
                for _, record in parse_stream(
                    stream, source=source.name, resolver=source.resolver, stats=stats, skip_missing_bodies=True
                ):
                    out.write(record.to_json())
                    out.write("\n")
        except (SourceError, OSError) as exc:
            failed.append(source.name)
            print(f"llm-monitor parse: cannot read {source.name}: {source_failure(exc)}", file=sys.stderr)
    out.flush()
    if args.summary_json:
        print(json.dumps(stats.to_dict()), file=sys.stderr)
    else:
        print(stats.summary(), file=sys.stderr)
    return EXIT_SOURCE if failed else 0

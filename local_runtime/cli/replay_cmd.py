"""`llm-monitor replay PATH...`: the local runtime's main job.

Parse → every enabled monitor (or `--monitors`) on the embedded backends (or `--backend aws`) → the
store → CloudWatch statistics per period → the alarms the stack would deploy, evaluated with
CloudWatch's rules → a summary on stdout (`--json` for machines) and a self-contained HTML dashboard.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from local_runtime.cli.options import add_session_arguments, open_session

NAME = "replay"
HELP = "replay invocation logs through the monitors, evaluate the alarms, write a dashboard"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", metavar="PATH", help="log files, directories or s3://bucket/prefix")
    parser.add_argument("--dashboard", help="dashboard HTML path (default: next to the store)")
    parser.add_argument("--no-dashboard", action="store_true", help="do not write the dashboard")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    parser.add_argument("--batch-size", type=int, help="records scored per batch (default 512)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    add_session_arguments(parser)


def run(args: argparse.Namespace) -> int:
    from local_runtime.replay import DEFAULT_BATCH
    from shared.errors import ConfigurationError, SourceError

    try:
        session = open_session(args)
    except ConfigurationError as exc:
        print(f"llm-monitor replay: {exc}", file=sys.stderr)
        return 2
    with session:
        try:
            sources = session.discover(args.paths)
        except SourceError as exc:
            print(f"llm-monitor replay: {exc}", file=sys.stderr)
            return 3
        totals = session.replay(sources, batch_size=args.batch_size or DEFAULT_BATCH, progress=not args.no_progress)
        reports = session.evaluate()
        dashboard = None if args.no_dashboard else session.render(Path(args.dashboard) if args.dashboard else None, reports)
        summary = session.summary(totals, reports, dashboard)
    if args.json:
        print(json.dumps(summary, indent=2))
    else:
        from local_runtime.report import format_summary

        print(format_summary(summary))
    return 3 if totals.failed_sources else 0

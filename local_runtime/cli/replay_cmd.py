"""`llm-monitor replay PATH...`: the local runtime's main job.

Parse → every enabled monitor (or `--monitors`) on the embedded backends (or `--backend aws`) → the
store → CloudWatch statistics per period → the alarms the stack would deploy, evaluated with
CloudWatch's rules → a summary on stdout (`--json` for machines) and a self-contained HTML dashboard.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from local_runtime import DEFAULT_BATCH
from local_runtime.cli.options import add_session_arguments, open_session, path_text, positive_int

NAME = "replay"
HELP = "replay invocation logs through the monitors, evaluate the alarms, write a dashboard"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", metavar="PATH", help="log files, directories or s3://bucket/prefix")
    parser.add_argument("--dashboard", type=path_text, help="dashboard HTML path (default: next to the store)")
    parser.add_argument("--no-dashboard", action="store_true", help="do not write the dashboard")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    parser.add_argument(
        "--batch-size",
        type=positive_int,
        default=DEFAULT_BATCH,
        help=f"records scored per batch (default {DEFAULT_BATCH})",
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    add_session_arguments(parser)


def run(args: argparse.Namespace) -> int:
    from local_runtime.cli import EXIT_SOURCE

    with open_session(args) as session:
        sources = session.discover(args.paths)
        totals = session.replay(sources, batch_size=args.batch_size, progress=not args.no_progress)
        reports = session.evaluate()
        dashboard = (
            None if args.no_dashboard else session.render(Path(args.dashboard) if args.dashboard else None, reports)
        )
        summary = session.summary(totals, reports, dashboard)
    if args.json:
        print(json.dumps(summary, indent=2))
    else:
        from local_runtime.report import format_summary

        print(format_summary(summary))
    return EXIT_SOURCE if totals.failed_sources else 0

"""`llm-monitor redrive QUEUE_URL`: failed stream batches from a monitor's on-failure queue, scored again.

    llm-monitor redrive https://sqs.us-east-1.amazonaws.com/123456789012/LlmMonitor-MonitorsRefusalFailures-AbC
    llm-monitor redrive QUEUE_URL --backend aws --delete > recovered.jsonl

Needs AWS credentials allowed to receive, delete and change the visibility of the queue's messages,
GetShardIterator and GetRecords on the stream, and (to learn which monitor failed) GetFunctionConfiguration
on the monitor function; without that last one, or with `--monitors`, the given or every enabled monitor
scores the records. Scores go to stdout as JSON lines (like `llm-monitor score`, plus `shardId`,
`sequenceNumber` and `failureMessageId`); one line per message on stderr says what was recovered and what
expired, and a summary ends the run. Sampling applies as deployed: a record the monitor samples out gets
no value, as in the Lambda. Nothing is written to CloudWatch (see `local_runtime.redrive`). Exit 3 when the
queue cannot be read; records that expired are reported, not an error.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from local_runtime.cli.options import add_config_arguments, load_config, positive_int, read_context

if TYPE_CHECKING:
    from monitors.core.runner import MonitorRunner
    from shared.records import InvocationRecord

NAME = "redrive"
HELP = (
    "read a monitor's on-failure queue, fetch each failed batch's records while the stream keeps them and score "
    "them; reports what expired"
)
#: Records scored per call of the monitors.
SCORE_BATCH = 256


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "queue_url",
        metavar="QUEUE_URL",
        type=queue_url,
        help="the on-failure (SQS) queue of a monitor Lambda: https://sqs.<region>.amazonaws.com/<account>/<name>",
    )
    parser.add_argument(
        "--monitors",
        help="comma-separated monitor names (default: the monitor the failed function ran, read from its "
        "configuration; when that cannot be read, every enabled monitor)",
    )
    parser.add_argument(
        "--delete",
        action="store_true",
        help="delete each message whose whole batch was recovered and scored without error (others are kept)",
    )
    parser.add_argument("--max-messages", type=positive_int, metavar="N", help="stop after N messages")
    parser.add_argument(
        "--visibility-timeout",
        type=positive_int,
        default=120,
        metavar="SECONDS",
        help="how long a received message stays hidden from other readers while this runs (default: %(default)s)",
    )
    add_config_arguments(parser)


def queue_url(text: str) -> str:
    """argparse type: an SQS queue URL (as the stack's outputs and the console give it), not an ARN or name."""
    scheme, _, rest = text.partition("://")
    host, _, path = rest.partition("/")
    if scheme not in ("https", "http") or not host or len([p for p in path.split("/") if p]) != 2:
        raise argparse.ArgumentTypeError(
            f"not a queue URL: {text[:80]!r} (expected https://sqs.<region>.amazonaws.com/<account>/<name>)"
        )
    return text


def run(args: argparse.Namespace) -> int:
    from infra.config import InfraConfig
    from local_runtime.redrive import Clients, Redrive, monitor_of_function, summary
    from monitors.core.config import select_names
    from shared.backends import Backends

    context = read_context(args)
    config, registry = load_config(args, context)
    retention = InfraConfig.from_context(context).stream.retention_hours
    given = tuple(select_names(args.monitors.split(","), config)) if args.monitors else ()
    backends = Backends(config.backend)
    runners: dict[tuple[str, ...], MonitorRunner] = {}
    clients = Clients.boto3()
    resolved: dict[str | None, tuple[str, ...]] = {}

    def score(monitors: Sequence[str], records: Sequence[InvocationRecord]) -> list[dict[str, object]]:
        from local_runtime.scores import score_rows
        from monitors.core.runner import MonitorRunner

        key = tuple(monitors)
        if key not in runners:
            runners[key] = MonitorRunner.from_config(config, registry, backends, key)
        rows: list[dict[str, object]] = []
        for start in range(0, len(records), SCORE_BATCH):
            chunk = records[start : start + SCORE_BATCH]
            rows += score_rows(chunk, runners[key].score(chunk))
        return rows

    def monitors_for(function_arn: str | None) -> tuple[str, ...]:
        if given:
            return given
        if function_arn not in resolved:
            name = monitor_of_function(clients, function_arn, list(registry))
            resolved[function_arn] = (name,) if name else tuple(config.enabled_monitors())
            if not name:
                print(
                    f"llm-monitor redrive: cannot tell which monitor {function_arn or 'the failed function'} ran "
                    f"(no GetFunctionConfiguration, or the function is gone): scoring with "
                    f"{', '.join(resolved[function_arn]) or 'no monitor'} (give --monitors to choose)",
                    file=sys.stderr,
                )
        return resolved[function_arn]

    def emit(row: dict[str, object]) -> None:
        sys.stdout.write(json.dumps(row) + "\n")
        sys.stdout.flush()

    redrive = Redrive(
        queue_url=args.queue_url,
        clients=clients,
        score=score,
        monitors_for=monitors_for,
        emit=emit,
        delete=args.delete,
        max_messages=args.max_messages,
        visibility_timeout=args.visibility_timeout,
    )
    reports = redrive.run()
    for report in reports:
        print(f"llm-monitor redrive: {report.describe(retention_hours=retention)}", file=sys.stderr)
    print(f"llm-monitor redrive: {summary(reports)}", file=sys.stderr)
    return 0

"""`llm-monitor alarm-eval`: the state CloudWatch sets for a row of datapoints, and the rule that decides it.

    llm-monitor alarm-eval --points "0 - X - X" --evaluation-periods 3 --datapoints-to-alarm 3 \
        --treat-missing-data missing [--state OK]

stdout: one line of explanation, then ``state: <OK|ALARM|INSUFFICIENT_DATA>`` (the state is the last word).
Bad input: a message on stderr and exit status 2.
"""

from __future__ import annotations

import argparse
import sys

NAME = "alarm-eval"
HELP = "the state a CloudWatch alarm sets for datapoints like '0 - X - X' (X breaching, 0 not, - missing)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--points",
        required=True,
        help="the evaluation range, oldest first: X breaching, 0 not breaching, - missing (e.g. '0 - X - X'; "
        "write --points=--X-- when it starts with '-' and has no spaces)",
    )
    parser.add_argument("--evaluation-periods", type=int, default=3, metavar="N", help="EvaluationPeriods (default 3)")
    parser.add_argument(
        "--datapoints-to-alarm", type=int, default=None, metavar="M", help="DatapointsToAlarm (default: N)"
    )
    parser.add_argument(
        "--treat-missing-data",
        default="missing",
        metavar="TREATMENT",
        help="missing (default), notBreaching, breaching or ignore",
    )
    parser.add_argument(
        "--state",
        default="INSUFFICIENT_DATA",
        help="the alarm's state before this evaluation (matters for ignore; default INSUFFICIENT_DATA)",
    )


def run(args: argparse.Namespace) -> int:
    from local_runtime.alarm_state import AlarmState, decide, evaluation_range, format_points, parse_points
    from local_runtime.cli import EXIT_USAGE
    from monitors.core.spec import MissingData

    def usage_error(message: str) -> int:
        print(f"llm-monitor {NAME}: {message}", file=sys.stderr)
        return EXIT_USAGE

    n = args.evaluation_periods
    m = n if args.datapoints_to_alarm is None else args.datapoints_to_alarm
    if n < 1:
        return usage_error(f"--evaluation-periods must be at least 1, got {n}")
    if not 1 <= m <= n:
        return usage_error(f"--datapoints-to-alarm ({m}) must be between 1 and --evaluation-periods ({n})")
    treatments = {t.value.lower(): t for t in MissingData}
    treatment = treatments.get(args.treat_missing_data.lower())
    if treatment is None:
        return usage_error(
            f"unknown --treat-missing-data {args.treat_missing_data!r}: use one of "
            f"{', '.join(t.value for t in MissingData)}"
        )
    states = {s.value.lower(): s for s in AlarmState}
    state = states.get(args.state.lower())
    if state is None:
        return usage_error(f"unknown --state {args.state!r}: use one of {', '.join(s.value for s in AlarmState)}")
    try:
        points = parse_points(args.points)
    except ValueError as exc:
        return usage_error(f"--points: {exc}")

    decision = decide(
        points, evaluation_periods=n, datapoints_to_alarm=m, treat_missing_data=treatment, current_state=state
    )
    window = evaluation_range(n)
    dropped = len(points) - window
    note = f" (the {dropped} oldest are outside the evaluation range of {window})" if dropped > 0 else ""
    print(
        f"{format_points(decision.points)}{note}; {m} out of {n}, treat missing data: {treatment.value}; "
        f"{decision.explain()}"
    )
    print(f"state: {decision.state.value}")
    return 0

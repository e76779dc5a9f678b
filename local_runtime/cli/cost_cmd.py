"""`llm-monitor cost`: monthly AWS cost estimate of the deployed pipeline, with the levers that move it.

    llm-monitor cost --invocations-per-month 1000000 --prompt-chars 500 --completion-chars 1500
    llm-monitor cost --store .llm-monitor/metrics.db            # measured from a replay
    llm-monitor cost ... -c monitors.sentiment-toxicity.samplingRate=0.1 --json

The configuration is the project's cdk.json context (from --project-dir, default the working directory)
with `-c key=value` overrides on top, exactly as `cdk deploy` would read it.
"""

from __future__ import annotations

import argparse
import functools
from pathlib import Path
from typing import TYPE_CHECKING

from local_runtime.cli.options import add_config_arguments, read_context

if TYPE_CHECKING:
    from local_runtime.cost import Workload
    from shared.errors import ConfigurationError

NAME = "cost"
HELP = "estimate the monthly AWS cost of monitoring a workload, and what the main levers would save"


#: Bounds far beyond any real workload (a million-token context is about 4 million characters), so a typo
#: of a few digits is an error rather than minutes of arithmetic on a billion-character text.
MAX_INVOCATIONS_PER_MONTH = 1e13
MAX_CHARS = 10_000_000


def _count(text: str, maximum: float) -> float:
    """argparse type: a finite number in [0, maximum]; thousands separators allowed (`1,000,000`)."""
    from shared.errors import ConfigurationError
    from shared.values import parse_float

    try:
        return parse_float(text.replace(",", "").replace("_", ""), key="value", minimum=0.0, maximum=maximum) + 0.0
    except ConfigurationError as exc:  # `+ 0.0`: -0 is 0
        raise argparse.ArgumentTypeError(str(exc).removeprefix("value: ")) from None


_invocations = functools.partial(_count, maximum=MAX_INVOCATIONS_PER_MONTH)
_chars = functools.partial(_count, maximum=MAX_CHARS)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    workload = parser.add_argument_group("workload (give all three, or --store)")
    workload.add_argument("--invocations-per-month", type=_invocations, metavar="N", help="text generations a month")
    workload.add_argument("--prompt-chars", type=_chars, metavar="P", help="average prompt length in characters")
    workload.add_argument(
        "--completion-chars", type=_chars, metavar="C", help="average completion length in characters"
    )
    workload.add_argument(
        "--store",
        type=Path,
        metavar="PATH",
        help="measure the workload from a replayed metric store (records over its time span, average "
        "lengths); the flags above override what it measures",
    )
    parser.add_argument(
        "--models",
        type=int,
        metavar="N",
        help="distinct model ids (custom-metric count); default: the store's, else 5",
    )
    add_config_arguments(parser, backend=False)
    parser.add_argument("--no-levers", action="store_true", help="skip the what-if levers")
    parser.add_argument(
        "--peak-factor",
        type=functools.partial(_count, maximum=1_000),
        default=None,
        metavar="X",
        help="the busiest second's traffic as a multiple of the month's average, for the quota table (default: 3)",
    )
    parser.add_argument("--json", action="store_true", help="print the estimate as JSON")


def run(args: argparse.Namespace) -> int:
    """Errors reach `main`, which prints one line and exits 2 for a bad option, 4 for an unusable store."""
    from local_runtime.cost import Workload, estimate
    from local_runtime.cost.quotas import DEFAULT_PEAK_FACTOR

    context = read_context(args)
    if args.models is not None and args.models < 1:
        raise _usage("--models must be at least 1")
    if args.store is not None:
        workload = _measured(args)
    else:
        missing = [
            flag
            for flag, value in (
                ("--invocations-per-month", args.invocations_per_month),
                ("--prompt-chars", args.prompt_chars),
                ("--completion-chars", args.completion_chars),
            )
            if value is None
        ]
        if missing:
            raise _usage(f"give {', '.join(missing)} (or --store PATH to measure them from a replay)")
        kwargs = {"models": args.models} if args.models else {}
        workload = Workload(args.invocations_per_month, args.prompt_chars, args.completion_chars, **kwargs)
    peak = DEFAULT_PEAK_FACTOR if args.peak_factor is None else args.peak_factor
    result = estimate(workload, context, levers=not args.no_levers, peak_factor=peak)
    print(result.to_json() if args.json else result.format_table())
    return 0


def _usage(message: str) -> ConfigurationError:
    from shared.errors import ConfigurationError

    return ConfigurationError("usage", message)


def _measured(args: argparse.Namespace) -> Workload:
    from dataclasses import replace

    from local_runtime.cost import workload_from_store
    from local_runtime.store import MetricStore
    from shared.errors import StoreError

    if not args.store.is_file():
        raise StoreError(f"no metric store at {args.store} (run `llm-monitor replay` first)")
    with MetricStore(args.store) as store:
        workload = workload_from_store(store, models=args.models)
    changes = {
        key: value
        for key, value in (
            ("invocations_per_month", args.invocations_per_month),
            ("prompt_chars", args.prompt_chars),
            ("completion_chars", args.completion_chars),
        )
        if value is not None
    }
    if changes:
        workload = replace(workload, **changes, source=workload.source + " (with values given on the command line)")
    return workload

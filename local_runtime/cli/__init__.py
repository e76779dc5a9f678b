"""`llm-monitor`: the command line. Results go to stdout, diagnostics to stderr.

Each subcommand is a module `local_runtime/cli/<something>_cmd.py` defining `NAME`, `HELP`,
`add_arguments(parser)` and `run(args) -> int`; modules are found by that naming convention, so adding
a command touches no central list. Command modules import their heavy dependencies inside `run`.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import pkgutil
import sys
from collections.abc import Sequence
from types import ModuleType

from shared.errors import (
    ConfigurationError,
    LlmMonitorError,
    MonitorDefinitionError,
    OutputError,
    SourceError,
    StoreError,
)

#: Exit codes (README "Commands"): 0 done; 1 a check the command was asked to enforce failed, or an AWS
#: service kept failing; 2 a bad option or configuration value (the message names the key); 3 a log
#: source that cannot be read at all; 4 the metric store or an output file cannot be used. Bad lines and
#: records inside a readable source are never an error: they are counted and reported, and the command
#: goes on.
EXIT_FAILED_CHECK = 1
EXIT_USAGE = 2
EXIT_SOURCE = 3
EXIT_STORE = 4
#: The interrupted-by-Ctrl-C convention (128 + SIGINT).
EXIT_INTERRUPTED = 130


def command_modules() -> list[ModuleType]:
    import local_runtime.cli

    names = sorted(info.name for info in pkgutil.iter_modules(local_runtime.cli.__path__) if info.name.endswith("_cmd"))
    return [importlib.import_module(f"local_runtime.cli.{name}") for name in names]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="llm-monitor", description="Monitor Amazon Bedrock LLM traffic.")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more diagnostics on stderr")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in command_modules():
        command = sub.add_parser(module.NAME, help=module.HELP, description=module.HELP)
        command.set_defaults(_module=module.__name__)
        module.add_arguments(command)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.WARNING - 10 * min(args.verbose, 2),
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    if os.environ.get("AWS_REGION") and not os.environ.get("AWS_DEFAULT_REGION"):
        # The CDK CLI and Lambda read AWS_REGION; boto3 reads only AWS_DEFAULT_REGION. One region for both.
        os.environ["AWS_DEFAULT_REGION"] = os.environ["AWS_REGION"]
    try:
        return int(importlib.import_module(args._module).run(args) or 0)
    except BrokenPipeError:  # e.g. `llm-monitor parse logs/ | head`: stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        print(f"llm-monitor {args.command}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except LlmMonitorError as exc:
        print(f"llm-monitor {args.command}: {exc}", file=sys.stderr)
        return exit_code(exc)
    except _sdk_setup_errors() as exc:  # no credentials, no region, no network: before any AWS answer
        print(f"llm-monitor {args.command}: AWS: {exc}{_SDK_HINTS.get(type(exc).__name__, '')}", file=sys.stderr)
        return EXIT_FAILED_CHECK


#: What to do about the SDK errors a user meets first (keyed by class name: botocore loads lazily).
_SDK_HINTS = {
    "NoCredentialsError": " (aws configure, AWS_PROFILE or SSO)",
    "NoRegionError": " (set AWS_REGION, or a region in your AWS profile)",
}


def _sdk_setup_errors() -> type[Exception]:
    """botocore's errors raised before a service answers (evaluated only when an exception reaches
    `main`, so commands that never touch AWS never import botocore). A service's answer (ClientError) is
    the command's to report: it knows which queue, bucket or model it was."""
    from botocore.exceptions import BotoCoreError

    error: type[Exception] = BotoCoreError
    return error


def exit_code(exc: LlmMonitorError) -> int:
    """The documented exit code of a failure (see EXIT_*): one line on stderr, never a traceback."""
    if isinstance(exc, SourceError):
        return EXIT_SOURCE
    if isinstance(exc, (StoreError, OutputError)):
        return EXIT_STORE
    if isinstance(exc, (ConfigurationError, MonitorDefinitionError)):
        return EXIT_USAGE
    return EXIT_FAILED_CHECK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

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

EXIT_USAGE = 2
EXIT_SOURCE = 3


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
    try:
        return int(importlib.import_module(args._module).run(args) or 0)
    except BrokenPipeError:  # e.g. `llm-monitor parse logs/ | head`: stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

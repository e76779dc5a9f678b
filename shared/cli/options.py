"""Options several commands share: configuration as CDK context, and the backend choice.

Commands read cdk.json's context from `--project-dir` plus `-c key=value` overrides — the same keys and
the same validation as `cdk synth` — so what runs locally is what the stack would deploy.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from monitors.config import MonitoringConfig
from monitors.registry import MonitorRegistry, discover
from shared.context import parse_assignments, read_cdk_context


def add_config_arguments(parser: argparse.ArgumentParser, *, backend: bool = True) -> None:
    parser.add_argument(
        "-c", "--context", action="append", metavar="KEY=VALUE", help="configuration override, as `cdk -c` (repeatable)"
    )
    parser.add_argument("--project-dir", default=".", help="directory holding cdk.json (default: current directory)")
    if backend:
        parser.add_argument(
            "--backend", choices=("local", "aws"), default="local", help="embedded models (default) or AWS services"
        )


def load_config(args: argparse.Namespace) -> tuple[MonitoringConfig, MonitorRegistry]:
    """The validated configuration; raises ConfigurationError naming the bad key."""
    context = {**read_cdk_context(Path(args.project_dir)), **parse_assignments(args.context)}
    config = MonitoringConfig.from_context(context)
    if getattr(args, "backend", None):
        config = config.with_backend(args.backend)
    return config, discover(config.monitor_modules)

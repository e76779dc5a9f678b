"""Options several commands share: configuration as CDK context, and the backend choice.

Commands read cdk.json's context from `--project-dir` plus `-c key=value` overrides — the same keys and
the same validation as `cdk synth` — so what runs locally is what the stack would deploy.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from monitors.core.config import MonitoringConfig
from monitors.core.registry import MonitorRegistry, discover
from shared.backends.settings import AWS, BACKEND_ALIASES, BACKEND_KINDS, EMBEDDED
from shared.context import CDK_JSON, parse_assignments, read_cdk_context
from shared.errors import ConfigurationError
from shared.limits import CLOUDWATCH_MAX_PAST_SECONDS
from shared.values import parse_float, parse_int

if TYPE_CHECKING:
    import boto3

    from local_runtime.session import LocalSession


def add_config_arguments(parser: argparse.ArgumentParser, *, backend: bool = True) -> None:
    parser.add_argument(
        "-c", "--context", action="append", metavar="KEY=VALUE", help="configuration override, as `cdk -c` (repeatable)"
    )
    parser.add_argument(
        "--project-dir",
        help="directory holding cdk.json (default: the current directory; without one, built-in defaults apply)",
    )
    if backend:
        parser.add_argument(
            "--backend",
            choices=(*BACKEND_KINDS, *BACKEND_ALIASES),
            default=EMBEDDED,
            help="embedded models (default; `local` is an alias) or AWS services (Titan, Comprehend)",
        )


def add_session_arguments(parser: argparse.ArgumentParser) -> None:
    """What `replay` and `watch` share besides configuration."""
    parser.add_argument("--monitors", help="comma-separated monitor names (default: every enabled monitor)")
    parser.add_argument("--store", type=path_text, help="metric database (default: .llm-monitor/metrics.db)")
    parser.add_argument(
        "--window-days",
        type=positive_float,
        default=CLOUDWATCH_MAX_PAST_SECONDS / 86_400,
        help="records older than this many days before the newest one are counted and left out of alarms "
        "and charts, as CloudWatch would refuse them (default: %(default)g)",
    )
    add_config_arguments(parser)


def open_session(args: argparse.Namespace) -> LocalSession:
    """A local session from `add_session_arguments` options; ConfigurationError names a bad key."""
    from local_runtime.session import LocalSession
    from local_runtime.store import TimeWindow

    config, registry = load_config(args)
    monitors = args.monitors.split(",") if args.monitors else None
    window = TimeWindow(max_past_seconds=args.window_days * 86_400)
    return LocalSession.open(config, registry, store_path=args.store, monitors=monitors, window=window)


def read_context(args: argparse.Namespace) -> dict[str, object]:
    """cdk.json's context from `--project-dir` with the `-c` overrides on top, as `cdk` merges them.

    A `--project-dir` without cdk.json is an error (the user's thresholds would be silently ignored);
    the current directory without one runs on built-in defaults and says so.
    """
    project_dir = Path(args.project_dir or ".")
    if not (project_dir / CDK_JSON).is_file():
        if args.project_dir is not None:
            raise ConfigurationError("--project-dir", f"{project_dir} holds no {CDK_JSON}")
        print(
            f"llm-monitor: no {CDK_JSON} in the current directory: using built-in defaults "
            "(give --project-dir to use a project's configuration)",
            file=sys.stderr,
        )
    return {**read_cdk_context(project_dir), **parse_assignments(args.context)}


def positive_float(text: str, minimum: float = 0.0, maximum: float | None = None) -> float:
    """argparse type: a finite number > 0 (and within [minimum, maximum]), through the one number parser."""
    try:
        value = parse_float(text, key="value", minimum=minimum, maximum=maximum)
    except ConfigurationError as exc:
        raise argparse.ArgumentTypeError(str(exc).removeprefix("value: ")) from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be greater than 0, got {text}")
    return value


def path_text(text: str) -> str:
    """argparse type: a file path, not empty (an empty `--store ""` would otherwise mean the default)."""
    if not text.strip():
        raise argparse.ArgumentTypeError("an empty path")
    if "\0" in text:
        raise argparse.ArgumentTypeError("a path cannot hold a NUL character")
    return text


def positive_int(text: str) -> int:
    """argparse type: an integer ≥ 1, through the project's one integer parser."""
    try:
        return parse_int(text, key="value", minimum=1)
    except ConfigurationError as exc:
        raise argparse.ArgumentTypeError(str(exc).removeprefix("value: ")) from None


def load_config(
    args: argparse.Namespace, context: dict[str, object] | None = None
) -> tuple[MonitoringConfig, MonitorRegistry]:
    """The validated configuration (of `context`, default `read_context(args)`); raises ConfigurationError
    naming the bad key."""
    config = MonitoringConfig.from_context(read_context(args) if context is None else context)
    if getattr(args, "backend", None):
        config = config.with_backend(args.backend)
    if config.backend.kind == AWS:
        aws_session()  # say so once, not once per batch as every call fails
    return config, discover(config.monitor_modules)


def aws_session(region: str | None = None, *, region_option: str | None = None) -> boto3.Session:
    """A boto3 session with credentials and a region; ConfigurationError saying which is missing (and
    `region_option`, the command's own way to give a region, if it has one)."""
    import boto3

    session = boto3.Session(region_name=region)
    if session.get_credentials() is None:
        raise ConfigurationError("credentials", "no AWS credentials found (aws configure, AWS_PROFILE or SSO)")
    if session.region_name is None:
        ways = f"give {region_option}, set AWS_REGION" if region_option else "set AWS_REGION"
        raise ConfigurationError(
            region_option or "region", f"no AWS region configured ({ways}, or a region in your profile)"
        )
    return session

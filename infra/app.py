"""Building the CDK app from context: what `app.py` runs and what the template tests call.

`create_app(context)` validates the whole configuration first (ConfigurationError names the bad key),
then builds the stack, runs the region and quota checks (`infra.preflight`) and registers cdk-nag, which
runs at synthesis. With `skipBundling` the Lambda code
assets are not built (template tests); the template is identical either way.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass

from aws_cdk import App

from canary.alarms import resolve_canary_alarms
from canary.config import CanaryConfig
from infra import bundling
from infra.config import InfraConfig
from infra.nag import add_checks
from infra.preflight import run_preflight
from infra.stack import LlmMonitorStack, StackInputs
from local_runtime.cost.quotas import QuotaReport
from monitors.core.alarms import AlarmDefinition, resolve_alarms
from monitors.core.config import MonitoringConfig
from monitors.core.registry import discover
from shared.context import merge_context, read_cdk_context
from shared.values import parse_list


def read_inputs(context: Mapping[str, object], env: Mapping[str, str] | None = None) -> StackInputs:
    """Validated configuration, the monitor registry and the resolved alarms."""
    merged = merge_context(context)
    registry = discover(parse_list(merged.get("monitorModules"), key="monitorModules"))
    monitoring = MonitoringConfig.from_context(context, registry)
    infra = InfraConfig.from_context(context, env)
    canary = CanaryConfig.from_context(context)
    canary_alarms: tuple[AlarmDefinition, ...] = ()
    if canary.enabled:
        canary.catalog()  # validated at synth: CatalogError lists every problem with its line
        canary_alarms = tuple(resolve_canary_alarms(monitoring, canary))
    return StackInputs(monitoring, infra, registry, tuple(resolve_alarms(monitoring, registry)), canary, canary_alarms)


@dataclass
class BuiltApp:
    app: App
    stack: LlmMonitorStack
    quotas: QuotaReport | None = None  # with workload.* in the context: the quota table, for app.py to print


def create_app(
    context: Mapping[str, object] | None = None,
    *,
    outdir: str | None = None,
    env: Mapping[str, str] | None = None,
) -> BuiltApp:
    """The app with the stack and cdk-nag. `context`: the CDK context; None means what the CDK CLI
    passed (cdk.json, cdk.context.json and `-c`), or cdk.json itself when run without the CLI."""
    context = dict(context) if context is not None else cli_context()
    inputs = read_inputs(context, env)
    # post-CLI context wins over the CLI's own "bundle every stack" setting.
    post = bundling.skip_bundling_context() if inputs.infra.skip_bundling else None
    app = App(context=context, outdir=outdir, post_cli_context=post)
    stack = LlmMonitorStack(app, inputs.infra.stack_name, inputs=inputs, stack_name=inputs.infra.stack_name)
    quotas = run_preflight(stack, inputs, context, os.environ if env is None else env)
    add_checks(app)
    return BuiltApp(app, stack, quotas)


def cli_context() -> dict[str, object]:
    """The context the CDK CLI hands over in CDK_CONTEXT_JSON, else cdk.json's (plain `python app.py`)."""
    raw = os.environ.get("CDK_CONTEXT_JSON")
    if raw:
        return dict(json.loads(raw))
    return read_cdk_context(bundling.PROJECT_ROOT)

"""The entry point: configuration in, priced deployment and its levers out."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from local_runtime.cost.deployment import plan_deployment
from local_runtime.cost.levers import declared_trials, find_levers
from local_runtime.cost.pricers import LineItem, price
from local_runtime.cost.quotas import DEFAULT_PEAK_FACTOR, quota_report
from local_runtime.cost.report import CostEstimate
from local_runtime.cost.workload import Assumptions, Workload
from monitors.core.config import MonitoringConfig
from monitors.core.registry import MonitorRegistry, discover
from shared.context import merge_context


def estimate(
    workload: Workload,
    context: Mapping[str, object],
    *,
    registry: MonitorRegistry | None = None,
    assumptions: Assumptions | None = None,
    levers: bool = True,
    peak_factor: float = DEFAULT_PEAK_FACTOR,
) -> CostEstimate:
    """The monthly estimate of `workload` under the configuration `context` (CDK context: nested and/or
    dotted keys), with the levers unless `levers=False`, and the default quotas the workload needs at
    `peak_factor` × its average rate. `registry` defaults to the monitors the configuration discovers (the
    `monitors` package and `monitorModules`). ConfigurationError names a bad key."""
    assumptions = assumptions or Assumptions()
    context = merge_context(context)
    config = MonitoringConfig.from_context(context, registry)
    registry = registry if registry is not None else discover(config.monitor_modules)
    deployment = plan_deployment(config=config, registry=registry, context=context, assumptions=assumptions)
    base = CostEstimate(
        workload=workload,
        items=price(workload=workload, deployment=deployment, assumptions=assumptions),
        notes=tuple(assumptions.notes() + deployment.notes()),
        configuration=tuple(deployment.summary()),
        quotas=quota_report(workload=workload, deployment=deployment, assumptions=assumptions, peak_factor=peak_factor),
    )
    if not levers:
        return base

    def total_with(overrides: Mapping[str, object]) -> float:
        changed = {**context, **overrides}
        items = _line_items(workload=workload, context=changed, registry=registry, assumptions=assumptions)
        return sum(i.usd for i in items)

    found = find_levers(
        trials=declared_trials(config, registry=registry), base_total=base.total_usd, total_with=total_with
    )
    return replace(base, levers=found)


def _line_items(
    *, workload: Workload, context: Mapping[str, object], registry: MonitorRegistry, assumptions: Assumptions
) -> tuple[LineItem, ...]:
    config = MonitoringConfig.from_context(context, registry)
    deployment = plan_deployment(config=config, registry=registry, context=context, assumptions=assumptions)
    return price(workload=workload, deployment=deployment, assumptions=assumptions)

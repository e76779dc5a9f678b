"""The configuration as the pricers see it: which monitors run, what each samples, sends and emits, and the
stack settings that cost money (stream mode, dispatcher memory, alarms).

Built from the same CDK context `cdk deploy` reads, once per estimate and once per lever, so that every
pricer reads declarations (text usage, needs, active metrics, Lambda sizing) and none knows an option name.
`infra.config` is plain Python (the `infra` package loads its CDK modules lazily), so reading the stream and
dispatcher settings here never starts the CDK's Node runtime.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from canary.alarms import resolve_canary_alarms
from canary.config import CanaryConfig
from infra.config import InfraConfig
from local_runtime.cost.canary_plan import CanaryPlan, plan_canary
from local_runtime.cost.workload import Assumptions, Workload
from monitors.core.alarms import resolve_alarms
from monitors.core.base import Monitor
from monitors.core.config import MonitoringConfig
from monitors.core.registry import MonitorRegistry
from monitors.core.spec import Capability, LambdaSpec, MonitorSpec, TextUsage
from shared.backends.settings import AWS

# How the configuration summary names what a monitor does with a text, per capability.
_VERBS = {Capability.TEXT_ANALYSIS: "scores", Capability.EMBEDDINGS: "embeds"}


@dataclass(frozen=True)
class PricedMonitor:
    """One enabled monitor under the configuration: its declaration and parsed options, and what follows
    from them (needs, texts sent per scored record, Lambda sizing)."""

    spec: MonitorSpec
    options: Mapping[str, object]
    needs: frozenset[Capability]
    usage: tuple[TextUsage, ...]
    lambda_spec: LambdaSpec

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def sampling_rate(self) -> float:
        return Monitor.sampling_rate.value_in(self.options)

    @property
    def active_metrics(self) -> tuple[str, ...]:
        return tuple(m.name for m in self.spec.active_metrics(self.options))

    def sends(self, capability: Capability) -> tuple[TextUsage, ...]:
        """The texts sent to `capability` for each scored record (none when the monitor does not need it)."""
        if capability not in self.needs:
            return ()
        return tuple(u for u in self.usage if u.capability is capability)

    def scored(self, workload: Workload) -> float:
        """Records scored a month: every record reaches every monitor, which samples by request id."""
        return workload.invocations_per_month * self.sampling_rate

    def invocations(self, workload: Workload) -> int:
        """Lambda invocations a month: steady traffic fills every batch (sampling happens inside)."""
        if not workload.invocations_per_month:
            return 0
        return math.ceil(workload.invocations_per_month / self.lambda_spec.batch_size)

    def summary(self) -> str:
        """What this monitor spends on, for the estimate's configuration line: its sampling, the texts it
        sends to each capability, its mode options (choices with a cost lever) and its Lambda sizing."""
        described = [f"sampling {self.sampling_rate:g}"]
        for capability, verb in _VERBS.items():
            if capability not in self.needs:
                continue
            uses = self.sends(capability)
            described.append(
                f"{verb} {' and '.join(u.field + 's' for u in uses) or 'nothing'}"
                + "".join(f", {u.field} cut to {u.max_chars} chars" for u in uses if u.max_chars)
            )
        described += [
            f"{option.name} {self.options[option.name]}"
            for option in self.spec.options
            if option.choices and option.lever is not None
        ]
        described.append(f"batch {self.lambda_spec.batch_size}, {self.lambda_spec.memory_mb} MB")
        return f"{self.name} ({', '.join(described)})"


def sent_chars(use: TextUsage, *, workload: Workload) -> float:
    """Characters of one text a monitor sends: the workload's average, cut to the monitor's limit."""
    return min(workload.chars(use.field), use.max_chars if use.max_chars is not None else math.inf)


@dataclass(frozen=True)
class Deployment:
    """What the stack would deploy under one configuration, as far as price goes."""

    config: MonitoringConfig
    monitors: tuple[PricedMonitor, ...]
    monitor_alarms: int
    dispatcher_memory_mb: int
    shards: int | None  # None: the stream is on demand
    retention_hours: int = 24  # stream.retentionHours
    enhanced_fan_out: bool = False  # stream.enhancedFanOut: one dedicated consumer per monitor
    canary: CanaryPlan | None = None  # with `canary.modelIds`: the canary's runs (`pricers.canary`)
    canary_alarms: int = 0
    no_data_alarm: bool = True  # pipelineAlarms.minRecordsPerHour > 0

    @property
    def models_on_aws(self) -> bool:
        """Whether the Lambdas call Comprehend and Titan (backend=aws) rather than embedded models."""
        return self.config.backend.kind == AWS

    @property
    def uses_workflow(self) -> bool:
        """Whether the stack deploys the Comprehend workflow (and its alarms)."""
        return self.models_on_aws and any(Capability.TEXT_ANALYSIS in m.needs for m in self.monitors)

    @property
    def application_values(self) -> int:
        """Values of the Application dimension (0 when it is off): the allowlist or the cap, plus "other"."""
        app = self.config.application_dimension
        if not app.key:
            return 0
        return (len(app.allowlist) if app.allowlist else app.max_values) + 1

    def summary(self) -> list[str]:
        lines = [f"backend {self.config.backend.kind}", *(m.summary() for m in self.monitors)]
        if self.canary is not None:
            lines.append(
                f"canary ({len(self.canary.catalog)} cases x {len(self.canary.models)} models, "
                f"{self.canary.config.schedule.expression}, maxTokens {self.canary.config.max_tokens})"
            )
        return lines

    def notes(self) -> list[str]:
        notes = []
        if not self.models_on_aws:
            notes.append(
                "backend=embedded: the Lambdas score with the embedded models, so no Comprehend or Titan "
                "charges (but they need more memory and time than assumed here)"
            )
        if self.canary is not None:
            notes.append(
                f"canary: every answer is counted at canary.maxTokens ({self.canary.config.max_tokens}) output "
                "tokens, an upper bound; input tokens = characters / chars_per_token; EventBridge Scheduler "
                "invocations are within its free tier"
            )
            if self.canary.unpriced:
                notes.append(
                    f"canary: no price known for {', '.join(self.canary.unpriced)}: their calls are counted, not "
                    "priced (set -c canary.prices=MODEL=INPUT/OUTPUT, USD per million tokens)"
                )
        return notes


def plan_deployment(
    *,
    config: MonitoringConfig,
    registry: MonitorRegistry,
    context: Mapping[str, object],
    assumptions: Assumptions,
) -> Deployment:
    """The deployment `config` describes; `context` is the same CDK context, read for the stack settings."""
    monitors = []
    for name in config.enabled_monitors():
        monitor = registry[name]
        settings = config.monitors[name]
        monitors.append(
            PricedMonitor(
                spec=monitor.spec(),
                options=settings.options,
                needs=monitor.needs_for(settings.options),
                usage=monitor.text_usage(settings.options),
                lambda_spec=settings.lambda_spec,
            )
        )
    infra = InfraConfig.from_context(context)
    canary = CanaryConfig.from_context(context)
    plan = (
        plan_canary(
            canary.catalog(),
            canary.model_ids,
            canary,
            chars_per_token=assumptions.chars_per_token,
            hours_per_month=assumptions.hours_per_month,
        )
        if canary.enabled
        else None
    )
    return Deployment(
        config=config,
        monitors=tuple(monitors),
        monitor_alarms=len(resolve_alarms(config, registry)),
        dispatcher_memory_mb=assumptions.dispatcher_memory_mb or infra.dispatcher.memory_mb,
        shards=None if infra.stream.on_demand else infra.stream.shards,
        retention_hours=infra.stream.retention_hours,
        enhanced_fan_out=infra.stream.enhanced_fan_out,
        canary=plan,
        canary_alarms=len(resolve_canary_alarms(config, canary)) if canary.enabled else 0,
        no_data_alarm=infra.pipeline_alarms.min_records_per_hour > 0,
    )

"""Monitoring configuration: one model read from CDK context by the stack and by the local runtime.

Keys (in cdk.json `context`, or `-c key=value` with dots for nesting):

- `namespace`: CloudWatch namespace of every metric (default `LLMMonitor`).
- `stackName`: the stack's name (an infrastructure key, read here too because it scopes alarm names:
  `<stackName>-<Metric>-<model id or all-models>`, so the local runtime evaluates the deployed alarms).
- `backend`: `aws` (Titan, Comprehend) or `embedded` (in-process models; `local` is an alias) for the
  deployed Lambdas.
- `monitors.<name>.enabled` (default: the monitor's `enabled_by_default`), `monitors.<name>.samplingRate`,
  `monitors.<name>.<option>`: per monitor.
- `monitors.<name>.lambda.<setting>`: memoryMb, timeoutSeconds, batchSize, batchingWindowSeconds,
  parallelizationFactor, maximumRetryAttempts, maximumRecordAgeSeconds.
- `monitorModules`: extra Python modules holding Monitor subclasses.
- `alarms.<MetricName>.<setting>`: override a default alarm (threshold, statistic, comparison, period,
  evaluationPeriods, datapointsToAlarm, treatMissingData, enabled) or define one for a metric without.
- `alarmModelIds`: model ids that get per-model alarms in addition to the all-models alarm, as the
  `ModelId` dimension carries them: foundation-model or inference-profile ids, never ARNs.
- `modelIdAliases`: names for model ids that say nothing (application inference profiles, provisioned
  models), `id=name` pairs or a JSON object (see `shared.model_ids`).
- `applicationDimension.key` (a requestMetadata key), `.allowlist`, `.maxValues`.
- `embeddings.modelId`, `.dimensions`, `.normalize`, `.maxConcurrency`.
- `emfTimestamp`: the time each per-record EMF document carries, `invocation` (default) or `arrival`
  (see `EmfTimestamp`).
- `canary.excludeFromMonitors` (default true): leave requests the canary suite tagged out of the passive
  monitors' metrics (the dispatcher and `llm-monitor replay` count them as skipped, reason `canary`). The
  other `canary.*` keys belong to the canary (`canary.config`); `alarms.<Metric>` also accepts its
  metrics (`shared.canary.CANARY_METRIC_NAMES`).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import TYPE_CHECKING

from monitors.core.spec import SAMPLING_OPTION, Capability, LambdaSpec
from shared.backends.settings import AWS, BackendSettings, backend_kind
from shared.canary import CANARY_METRIC_NAMES
from shared.context import DEFAULT_STACK_NAME, merge_context, stack_name
from shared.errors import ConfigurationError
from shared.limits import TEXT_ANALYSIS_LAMBDA_MARGIN_SECONDS, TEXT_ANALYSIS_READ_TIMEOUT_SECONDS
from shared.model_ids import is_arn, model_name
from shared.pipeline_metrics import DEFAULT_NAMESPACE
from shared.values import (
    parse_bool,
    parse_int,
    parse_list,
    parse_mapping,
    parse_pairs,
    parse_str,
    reject_unknown,
)

if TYPE_CHECKING:
    from monitors.core.registry import MonitorRegistry

OTHER_APPLICATION = "other"
#: Keys under `monitors.<name>` that are not the monitor's own options.
ENABLED_KEY = "enabled"
LAMBDA_KEY = "lambda"
EMF_TIMESTAMP_KEY = "emfTimestamp"
CANARY_KEY = "canary"
EXCLUDE_CANARY_KEY = "excludeFromMonitors"


class EmfTimestamp(StrEnum):
    """Which time a per-record EMF document carries, and so which period of the metric a value lands in.

    `invocation`: the invocation's time (clamped to what CloudWatch accepts). Graphs and alarms show a spike
    when it happened and a replay lands where it belongs; a value that arrives after its period has left an
    alarm's evaluation range is never seen by that alarm. `arrival`: the monitor Lambda's clock when it scores
    the record (the invocation time rides along as a property). Every value reaches the alarms, but in the
    period it arrived in, so batched delivery makes periods lumpy and a replay lands at replay time.
    bench/timeliness.py measures both; README "Alarm timeliness".
    """

    INVOCATION = "invocation"
    ARRIVAL = "arrival"

    @classmethod
    def parse(cls, value: object, *, key: str) -> EmfTimestamp:
        return cls(parse_str(value, key=key, choices=[mode.value for mode in cls]))


DEFAULT_EMF_TIMESTAMP = EmfTimestamp.INVOCATION


@dataclass(frozen=True)
class ApplicationDimension:
    """An optional second dimension from a requestMetadata key, bounded so it cannot explode costs.

    With an allowlist, other values fold into "other". Without one, the first `max_values` distinct
    values a process sees are kept and later ones fold into "other" (per process: Lambda containers
    may differ, so prefer an allowlist in production).
    """

    key: str | None = None
    allowlist: tuple[str, ...] = ()
    max_values: int = 20

    KEY_ENV = "LLM_MONITOR_APP_DIMENSION_KEY"
    ALLOWLIST_ENV = "LLM_MONITOR_APP_DIMENSION_ALLOWLIST"
    MAX_ENV = "LLM_MONITOR_APP_DIMENSION_MAX"

    def to_env(self) -> dict[str, str]:
        if not self.key:
            return {}
        return {
            self.KEY_ENV: self.key,
            self.ALLOWLIST_ENV: ",".join(self.allowlist),
            self.MAX_ENV: str(self.max_values),
        }

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> ApplicationDimension:
        key = env.get(cls.KEY_ENV) or None
        return cls(
            key=key,
            allowlist=tuple(parse_list(env.get(cls.ALLOWLIST_ENV, ""), key=cls.ALLOWLIST_ENV)),
            max_values=parse_int(env.get(cls.MAX_ENV, "20"), key=cls.MAX_ENV, minimum=1, maximum=1000),
        )


class ApplicationResolver:
    """Maps a record's requestMetadata to its bounded application dimension value."""

    def __init__(self, dimension: ApplicationDimension) -> None:
        self.dimension = dimension
        self._seen: set[str] = set(dimension.allowlist)

    def __call__(self, metadata: Mapping[str, str]) -> str | None:
        key = self.dimension.key
        if not key:
            return None
        value = metadata.get(key)
        if not value:
            return OTHER_APPLICATION
        if value in self._seen:
            return value
        if not self.dimension.allowlist and len(self._seen) < self.dimension.max_values:
            self._seen.add(value)
            return value
        return OTHER_APPLICATION


@dataclass(frozen=True)
class MonitorSettings:
    """One monitor's resolved settings: parsed options (incl. samplingRate) and Lambda sizing."""

    name: str
    enabled: bool
    options: Mapping[str, object]
    lambda_spec: LambdaSpec


@dataclass(frozen=True)
class MonitoringConfig:
    namespace: str = DEFAULT_NAMESPACE
    #: The stack's name: the prefix of every alarm name (`monitors.core.alarms.alarm_name`).
    stack_name: str = DEFAULT_STACK_NAME
    backend: BackendSettings = field(default_factory=lambda: BackendSettings(kind=AWS))
    monitor_modules: tuple[str, ...] = ()
    monitors: Mapping[str, MonitorSettings] = field(default_factory=dict)
    alarm_overrides: Mapping[str, Mapping[str, object]] = field(default_factory=dict)
    alarm_model_ids: tuple[str, ...] = ()
    model_id_aliases: Mapping[str, str] = field(default_factory=dict)
    application_dimension: ApplicationDimension = field(default_factory=ApplicationDimension)
    emf_timestamp: EmfTimestamp = DEFAULT_EMF_TIMESTAMP
    #: `canary.excludeFromMonitors`: canary requests never reach the monitors (dispatcher, replay).
    exclude_canary: bool = True

    @classmethod
    def from_context(cls, context: Mapping[str, object], registry: MonitorRegistry | None = None) -> MonitoringConfig:
        """Validate the context against the registry's declarations; errors name the key."""
        from monitors.core.registry import discover

        ctx = merge_context(context)
        modules = tuple(parse_list(ctx.get("monitorModules"), key="monitorModules"))
        registry = registry if registry is not None else discover(modules)

        namespace = str(ctx.get("namespace") or DEFAULT_NAMESPACE)
        if not namespace or len(namespace) > 255 or namespace.startswith("AWS/") or ":" in namespace:
            raise ConfigurationError("namespace", "must be 1-255 characters, not start with 'AWS/' and not contain ':'")

        embeddings = parse_mapping(ctx.get("embeddings"), key="embeddings")
        reject_unknown(embeddings, ("modelId", "dimensions", "normalize", "maxConcurrency"), prefix="embeddings")
        defaults = BackendSettings()
        backend = BackendSettings(
            kind=backend_kind(ctx.get("backend") or AWS),
            embedding_model_id=str(embeddings.get("modelId") or defaults.embedding_model_id),
            embedding_dimensions=parse_int(
                embeddings.get("dimensions", defaults.embedding_dimensions), key="embeddings.dimensions"
            ),
            embedding_normalize=parse_bool(embeddings.get("normalize", True), key="embeddings.normalize"),
            embedding_concurrency=parse_int(
                embeddings.get("maxConcurrency", defaults.embedding_concurrency), key="embeddings.maxConcurrency"
            ),
        )

        monitors_ctx = parse_mapping(ctx.get("monitors"), key="monitors")
        unknown = sorted(set(monitors_ctx) - set(registry))
        if unknown:
            raise ConfigurationError(f"monitors.{unknown[0]}", f"no such monitor; known: {', '.join(registry)}")
        monitors: dict[str, MonitorSettings] = {}
        for name in registry:
            spec = registry[name].spec()
            raw = parse_mapping(monitors_ctx.get(name), key=f"monitors.{name}")
            prefix = f"monitors.{name}"
            enabled = parse_bool(raw.get(ENABLED_KEY, spec.enabled_by_default), key=f"{prefix}.{ENABLED_KEY}")
            own = {k: v for k, v in raw.items() if k not in (ENABLED_KEY, LAMBDA_KEY)}
            options = spec.parse_options(own, key_prefix=prefix)
            sizing = spec.lambda_spec.with_overrides(
                parse_mapping(raw.get(LAMBDA_KEY), key=f"{prefix}.{LAMBDA_KEY}"), key_prefix=f"{prefix}.{LAMBDA_KEY}"
            )
            if enabled and backend.kind == AWS and Capability.TEXT_ANALYSIS in registry[name].needs_for(options):
                _check_workflow_fits(sizing, key=f"{prefix}.{LAMBDA_KEY}.timeoutSeconds")
            monitors[name] = MonitorSettings(name, enabled, options, sizing)

        alarms = parse_mapping(ctx.get("alarms"), key="alarms")
        declared = {m.name for name in registry for m in registry[name].spec().metrics} | set(CANARY_METRIC_NAMES)
        for metric, overrides in alarms.items():
            if metric not in declared:
                raise ConfigurationError(f"alarms.{metric}", f"no monitor declares metric {metric!r}")
            parse_mapping(overrides, key=f"alarms.{metric}")

        app = parse_mapping(ctx.get("applicationDimension"), key="applicationDimension")
        reject_unknown(app, ("key", "allowlist", "maxValues"), prefix="applicationDimension")
        dimension = ApplicationDimension(
            key=str(app["key"]) if app.get("key") else None,
            allowlist=tuple(parse_list(app.get("allowlist"), key="applicationDimension.allowlist")),
            max_values=parse_int(
                app.get("maxValues", 20), key="applicationDimension.maxValues", minimum=1, maximum=1000
            ),
        )
        return cls(
            namespace=namespace,
            stack_name=stack_name(ctx),
            backend=backend,
            monitor_modules=modules,
            monitors=monitors,
            alarm_overrides={k: parse_mapping(v, key=f"alarms.{k}") for k, v in alarms.items()},
            alarm_model_ids=_alarm_model_ids(ctx.get("alarmModelIds")),
            model_id_aliases=parse_pairs(ctx.get("modelIdAliases"), key="modelIdAliases"),
            application_dimension=dimension,
            emf_timestamp=EmfTimestamp.parse(ctx.get(EMF_TIMESTAMP_KEY, DEFAULT_EMF_TIMESTAMP), key=EMF_TIMESTAMP_KEY),
            exclude_canary=parse_bool(
                parse_mapping(ctx.get(CANARY_KEY), key=CANARY_KEY).get(EXCLUDE_CANARY_KEY, True),
                key=f"{CANARY_KEY}.{EXCLUDE_CANARY_KEY}",
            ),
        )

    def enabled_monitors(self) -> list[str]:
        return [name for name, settings in self.monitors.items() if settings.enabled]

    def with_backend(self, kind: str) -> MonitoringConfig:
        return replace(self, backend=self.backend.with_kind(kind))

    def without_sampling(self) -> MonitoringConfig:
        """Every monitor scoring every record (`llm-monitor score`: you asked for these records)."""
        monitors = {
            name: replace(settings, options={**settings.options, SAMPLING_OPTION: 1.0})
            for name, settings in self.monitors.items()
        }
        return replace(self, monitors=monitors)

    def monitor_env(self, name: str) -> dict[str, str]:
        """The environment of monitor `name`'s Lambda (the workflow ARN is added by the stack)."""
        settings = self.monitors[name]
        env = {
            MonitorEnvironment.NAME_ENV: name,
            MonitorEnvironment.OPTIONS_ENV: json.dumps(dict(settings.options), sort_keys=True),
            MonitorEnvironment.MODULES_ENV: ",".join(self.monitor_modules),
            MonitorEnvironment.NAMESPACE_ENV: self.namespace,
            MonitorEnvironment.EMF_TIMESTAMP_ENV: self.emf_timestamp.value,
        }
        env.update(self.backend.to_env())
        env.update(self.application_dimension.to_env())
        if self.model_id_aliases:
            env[MonitorEnvironment.MODEL_ID_ALIASES_ENV] = json.dumps(dict(self.model_id_aliases), sort_keys=True)
        return env


def _check_workflow_fits(sizing: LambdaSpec, *, key: str) -> None:
    """A Lambda that waits for the sentiment/toxicity workflow must outlive the longest wait plus the
    time to emit what it scored (shared.limits: workflow timeout < client read timeout < Lambda)."""
    needed = TEXT_ANALYSIS_READ_TIMEOUT_SECONDS + TEXT_ANALYSIS_LAMBDA_MARGIN_SECONDS
    if sizing.timeout_seconds < needed:
        raise ConfigurationError(
            key,
            f"must be at least {needed} s with backend=aws: the Comprehend workflow may take "
            f"{TEXT_ANALYSIS_READ_TIMEOUT_SECONDS} s to answer, plus {TEXT_ANALYSIS_LAMBDA_MARGIN_SECONDS} s to emit "
            f"(got {sizing.timeout_seconds})",
        )


def _alarm_model_ids(value: object) -> tuple[str, ...]:
    ids = tuple(parse_list(value, key="alarmModelIds"))
    for model_id in ids:
        if is_arn(model_id):
            raise ConfigurationError(
                "alarmModelIds",
                f"use the id the ModelId dimension carries, {model_name(model_id)!r}, not the ARN "
                "(name an application inference profile through modelIdAliases)",
            )
    return ids


@dataclass(frozen=True)
class MonitorEnvironment:
    """What a monitor Lambda reads from its environment at start-up."""

    name: str
    options: Mapping[str, object]
    modules: tuple[str, ...]
    namespace: str
    backend: BackendSettings
    application_dimension: ApplicationDimension
    model_id_aliases: Mapping[str, str] = field(default_factory=dict)
    emf_timestamp: EmfTimestamp = DEFAULT_EMF_TIMESTAMP

    NAME_ENV = "LLM_MONITOR_NAME"
    MODEL_ID_ALIASES_ENV = "LLM_MONITOR_MODEL_ID_ALIASES"
    OPTIONS_ENV = "LLM_MONITOR_OPTIONS"
    MODULES_ENV = "LLM_MONITOR_MODULES"
    NAMESPACE_ENV = "POWERTOOLS_METRICS_NAMESPACE"
    EMF_TIMESTAMP_ENV = "LLM_MONITOR_EMF_TIMESTAMP"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> MonitorEnvironment:
        env = os.environ if env is None else env
        name = env.get(cls.NAME_ENV)
        if not name:
            raise ConfigurationError(cls.NAME_ENV, "is required (the monitor this Lambda runs)")
        options = parse_mapping(env.get(cls.OPTIONS_ENV) or None, key=cls.OPTIONS_ENV)
        return cls(
            name=name,
            options=options,
            modules=tuple(parse_list(env.get(cls.MODULES_ENV, ""), key=cls.MODULES_ENV)),
            namespace=env.get(cls.NAMESPACE_ENV) or DEFAULT_NAMESPACE,
            backend=BackendSettings.from_env(env),
            application_dimension=ApplicationDimension.from_env(env),
            model_id_aliases=parse_pairs(env.get(cls.MODEL_ID_ALIASES_ENV), key=cls.MODEL_ID_ALIASES_ENV),
            emf_timestamp=EmfTimestamp.parse(
                env.get(cls.EMF_TIMESTAMP_ENV) or DEFAULT_EMF_TIMESTAMP, key=cls.EMF_TIMESTAMP_ENV
            ),
        )


def select_names(names: Sequence[str] | None, config: MonitoringConfig) -> list[str]:
    """Monitor names to run: the given ones, or every enabled one."""
    if names:
        unknown = [n for n in names if n not in config.monitors]
        if unknown:
            raise ConfigurationError(
                "--monitors", f"unknown monitor(s) {', '.join(unknown)}; known: {', '.join(config.monitors)}"
            )
        return list(names)
    return config.enabled_monitors()

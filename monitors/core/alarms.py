"""The alarms the stack deploys, resolved once from monitor declarations plus configuration.

The CDK stack creates exactly these; the local runtime evaluates exactly these. Each alarmed metric gets
an all-models alarm on its dimensionless aggregate series (the monitors emit one per metric, so every
model id — including ones nobody configured — is covered) and one alarm per model id in
`alarmModelIds` (CloudWatch alarms need fixed dimensions).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from monitors.core.config import MonitoringConfig
from monitors.core.registry import MonitorRegistry
from monitors.core.spec import ALARM_ENABLED_KEY, AlarmSpec, Comparison, MissingData
from shared.errors import ConfigurationError
from shared.pipeline_metrics import MODEL_DIMENSION
from shared.values import parse_bool

ALL_MODELS = "all-models"
_ALARM_NAME_UNSAFE = re.compile(r"[^A-Za-z0-9._\-]")


@dataclass(frozen=True)
class AlarmDefinition:
    name: str
    monitor: str
    metric_name: str
    namespace: str
    spec: AlarmSpec
    dimensions: Mapping[str, str] = field(default_factory=dict)

    @property
    def model_id(self) -> str | None:
        return self.dimensions.get(MODEL_DIMENSION)

    @property
    def scope(self) -> str:
        return self.model_id or ALL_MODELS


def alarm_name(stack_name: str, metric_name: str, model_id: str | None) -> str:
    """`<stackName>-<Metric>-<model or all-models>`, within CloudWatch's 255 characters.

    Alarm names are unique per account and region, and so are stack names: scoped by the stack, a second
    stack (another namespace, another team) never collides with this one's alarms. A name is a function of
    configuration only, so it is stable across deploys and the same in the local runtime."""
    scope = _ALARM_NAME_UNSAFE.sub("_", model_id) if model_id else ALL_MODELS
    return f"{stack_name}-{metric_name}-{scope}"[:255]


def _alarm_from_config(metric: str, overrides: Mapping[str, object]) -> AlarmSpec:
    """A whole alarm defined in configuration for a metric that has no default alarm."""
    missing = [k for k in ("statistic", "threshold", "comparison") if k not in overrides]
    if missing:
        raise ConfigurationError(f"alarms.{metric}", f"metric has no default alarm; also set {', '.join(missing)}")
    base = AlarmSpec(
        statistic="Average", threshold=0.0, comparison=Comparison.GREATER_THAN, treat_missing_data=MissingData.MISSING
    )
    return base.with_overrides(overrides, key_prefix=f"alarms.{metric}")


def resolve_alarms(config: MonitoringConfig, registry: MonitorRegistry) -> list[AlarmDefinition]:
    """Every alarm of every enabled monitor's active metrics, in a stable order."""
    alarms: list[AlarmDefinition] = []
    for name in config.enabled_monitors():
        spec = registry[name].spec()
        options = config.monitors[name].options
        for metric in spec.active_metrics(options):
            overrides = config.alarm_overrides.get(metric.name, {})
            if not parse_bool(overrides.get(ALARM_ENABLED_KEY, True), key=f"alarms.{metric.name}.{ALARM_ENABLED_KEY}"):
                continue
            if metric.alarm is not None:
                alarm_spec = metric.alarm.with_overrides(overrides, key_prefix=f"alarms.{metric.name}")
            elif overrides:
                alarm_spec = _alarm_from_config(metric.name, overrides)
            else:
                continue
            for model_id in (None, *config.alarm_model_ids):
                alarms.append(
                    AlarmDefinition(
                        name=alarm_name(config.stack_name, metric.name, model_id),
                        monitor=name,
                        metric_name=metric.name,
                        namespace=config.namespace,
                        spec=alarm_spec,
                        dimensions={MODEL_DIMENSION: model_id} if model_id else {},
                    )
                )
    return alarms


def configured_alarm_spec(metric: str, default: AlarmSpec | None, overrides: Mapping[str, object]) -> AlarmSpec | None:
    """The alarm of one metric under its `alarms.<metric>` overrides: the default with the overrides
    applied, a whole alarm from configuration for a metric without a default, or None when there is no
    alarm (none declared and none configured, or `enabled=false`). ConfigurationError names the bad key.

    The rule `resolve_alarms` applies to monitor metrics, for alarms declared elsewhere (the canary's).
    """
    if not parse_bool(overrides.get(ALARM_ENABLED_KEY, True), key=f"alarms.{metric}.{ALARM_ENABLED_KEY}"):
        return None
    if default is not None:
        return default.with_overrides(overrides, key_prefix=f"alarms.{metric}")
    if overrides:
        return _alarm_from_config(metric, overrides)
    return None

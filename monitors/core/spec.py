"""The data a monitor declares: metrics, default alarms, options, needs, Lambda sizing.

Everything here is frozen and importable without AWS or models, so the CDK app can read declarations at
synth time and the CLI can list them instantly. Infrastructure, the local runtime and the dashboard loop
over these declarations; none of them has a per-monitor special case.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from enum import Enum

from shared.errors import ConfigurationError, MonitorDefinitionError

_PERCENTILE = re.compile(r"^p(\d{1,2}(\.\d+)?|100)$")
SIMPLE_STATISTICS = ("SampleCount", "Average", "Sum", "Minimum", "Maximum")
# Periods CloudWatch accepts for standard-resolution metrics: multiples of 60 seconds.
_PERIOD_MULTIPLE = 60


class Unit(str, Enum):
    """CloudWatch units this project emits."""

    NONE = "None"
    COUNT = "Count"
    PERCENT = "Percent"
    MILLISECONDS = "Milliseconds"


class Comparison(str, Enum):
    GREATER_THAN = "GreaterThanThreshold"
    GREATER_OR_EQUAL = "GreaterThanOrEqualToThreshold"
    LESS_THAN = "LessThanThreshold"
    LESS_OR_EQUAL = "LessThanOrEqualToThreshold"

    def breaches(self, value: float, threshold: float) -> bool:
        if self is Comparison.GREATER_THAN:
            return value > threshold
        if self is Comparison.GREATER_OR_EQUAL:
            return value >= threshold
        if self is Comparison.LESS_THAN:
            return value < threshold
        return value <= threshold

    @property
    def symbol(self) -> str:
        return {"GreaterThanThreshold": ">", "GreaterThanOrEqualToThreshold": ">=", "LessThanThreshold": "<"}.get(
            self.value, "<="
        )


class MissingData(str, Enum):
    """CloudWatch's TreatMissingData values."""

    MISSING = "missing"
    NOT_BREACHING = "notBreaching"
    BREACHING = "breaching"
    IGNORE = "ignore"


class Capability(str, Enum):
    """Model-backed capabilities a monitor can need. Each has an AWS and an embedded implementation."""

    EMBEDDINGS = "embeddings"  # Titan Text Embeddings V2 / the embedded static MiniLM distillation
    TEXT_ANALYSIS = "text-analysis"  # Comprehend sentiment + toxicity via Step Functions / VADER + profanity-check


def validate_statistic(statistic: str) -> str:
    if statistic in SIMPLE_STATISTICS or _PERCENTILE.match(statistic):
        return statistic
    raise ValueError(f"unknown statistic {statistic!r}: use one of {', '.join(SIMPLE_STATISTICS)} or pNN")


@dataclass(frozen=True)
class AlarmSpec:
    """A CloudWatch alarm on one metric, as data. `period_seconds` × `evaluation_periods` is the window."""

    statistic: str
    threshold: float
    comparison: Comparison
    period_seconds: int = 300
    evaluation_periods: int = 3
    datapoints_to_alarm: int = 3
    treat_missing_data: MissingData = MissingData.MISSING
    description: str = ""

    def __post_init__(self) -> None:
        validate_statistic(self.statistic)
        if self.period_seconds <= 0 or self.period_seconds % _PERIOD_MULTIPLE:
            raise ValueError(f"period_seconds must be a positive multiple of 60, got {self.period_seconds}")
        if self.evaluation_periods < 1:
            raise ValueError("evaluation_periods must be at least 1")
        if not 1 <= self.datapoints_to_alarm <= self.evaluation_periods:
            raise ValueError(
                f"datapoints_to_alarm ({self.datapoints_to_alarm}) must be between 1 and "
                f"evaluation_periods ({self.evaluation_periods})"
            )
        if self.period_seconds * self.evaluation_periods > 7 * 24 * 3600:
            raise ValueError("period_seconds × evaluation_periods must not exceed 7 days")
        if not math.isfinite(self.threshold):
            raise ValueError("threshold must be a finite number")

    # Keys accepted in configuration (cdk.json context), mapped to fields.
    CONFIG_KEYS = {
        "statistic": "statistic",
        "threshold": "threshold",
        "comparison": "comparison",
        "period": "period_seconds",
        "periodSeconds": "period_seconds",
        "evaluationPeriods": "evaluation_periods",
        "datapointsToAlarm": "datapoints_to_alarm",
        "treatMissingData": "treat_missing_data",
        "description": "description",
    }

    def with_overrides(self, overrides: Mapping[str, object], *, key_prefix: str) -> AlarmSpec:
        """This spec with configuration overrides applied; ConfigurationError names the bad key."""
        changes: dict[str, object] = {}
        for key, value in overrides.items():
            if key == "enabled":
                continue
            target = self.CONFIG_KEYS.get(key)
            full_key = f"{key_prefix}.{key}"
            if target is None:
                raise ConfigurationError(full_key, f"unknown alarm setting; use one of {', '.join(self.CONFIG_KEYS)}")
            try:
                if target in ("period_seconds", "evaluation_periods", "datapoints_to_alarm"):
                    changes[target] = int(value)  # type: ignore[call-overload]
                elif target == "threshold":
                    changes[target] = float(value)  # type: ignore[arg-type]
                elif target == "comparison":
                    changes[target] = Comparison(value)
                elif target == "treat_missing_data":
                    changes[target] = MissingData(value)
                else:
                    changes[target] = str(value)
            except (TypeError, ValueError) as exc:
                raise ConfigurationError(full_key, f"invalid value {value!r} ({exc})") from None
        try:
            return replace(self, **changes)  # type: ignore[arg-type]
        except ValueError as exc:
            raise ConfigurationError(key_prefix, str(exc)) from None


@dataclass(frozen=True)
class MetricSpec:
    """One metric a monitor emits per scored record. Names are a contract (dashboards, alarms, users)."""

    name: str
    unit: Unit
    description: str
    alarm: AlarmSpec | None = None
    # The boolean option that switches this metric on, when it is optional (e.g. prompt sentiment).
    enabled_by: str | None = None

    def __post_init__(self) -> None:
        if not re.fullmatch(r"[A-Z][A-Za-z0-9]{1,127}", self.name):
            raise MonitorDefinitionError(f"metric name {self.name!r} must be CamelCase letters and digits")


@dataclass(frozen=True)
class OptionSpec:
    """One setting of a monitor, configurable in cdk.json context or on the command line."""

    name: str
    default: bool | int | float | str
    description: str
    choices: tuple[str, ...] | None = None
    minimum: float | None = None
    maximum: float | None = None
    # Further validation of the parsed value: raise ValueError with a sentence (named key added here).
    check: Callable[[bool | int | float | str], None] | None = None

    def parse(self, value: object, *, key: str) -> bool | int | float | str:
        """The typed value of `value` (strings from `-c key=value` or the environment are accepted)."""
        kind = type(self.default)
        try:
            if kind is bool:
                if isinstance(value, str):
                    if value.lower() not in ("true", "false", "1", "0", "yes", "no"):
                        raise ValueError("expected true or false")
                    parsed: bool | int | float | str = value.lower() in ("true", "1", "yes")
                else:
                    parsed = bool(value)
            elif kind is int:
                if isinstance(value, bool):
                    raise ValueError("expected an integer")
                parsed = int(value)  # type: ignore[call-overload]
                if isinstance(value, float) and value != parsed:
                    raise ValueError("expected an integer")
            elif kind is float:
                if isinstance(value, bool):
                    raise ValueError("expected a number")
                parsed = float(value)  # type: ignore[arg-type]
            else:
                parsed = str(value)
        except (TypeError, ValueError) as exc:
            raise ConfigurationError(key, f"invalid value {value!r}: {exc}") from None
        if self.choices is not None and parsed not in self.choices:
            raise ConfigurationError(key, f"must be one of {', '.join(self.choices)}, got {parsed!r}")
        if isinstance(parsed, (int, float)) and not isinstance(parsed, bool):
            if (self.minimum is not None and parsed < self.minimum) or (
                self.maximum is not None and parsed > self.maximum
            ):
                raise ConfigurationError(key, f"must be between {self.minimum} and {self.maximum}, got {parsed}")
        if self.check is not None:
            try:
                self.check(parsed)
            except ValueError as exc:
                raise ConfigurationError(key, str(exc)) from None
        return parsed


SAMPLING_OPTION = "samplingRate"


@dataclass(frozen=True)
class TextUsage:
    """One text a monitor sends to a model-backed capability for each record it scores.

    The cost estimate prices monitors from these, so a new monitor is priced without special cases.
    """

    capability: Capability
    field: str  # "prompt" or "completion"
    max_chars: int | None = None  # None: the whole text


@dataclass(frozen=True)
class Permission:
    """Extra IAM access a monitor needs beyond its capabilities. Use '*' only for APIs without
    resource-level permissions, and say so in `reason`."""

    actions: tuple[str, ...]
    resources: tuple[str, ...]
    reason: str


@dataclass(frozen=True)
class LambdaSpec:
    """Defaults for the monitor's Lambda and its Kinesis event source (overridable in configuration)."""

    memory_mb: int = 512
    timeout_seconds: int = 120
    batch_size: int = 100
    batching_window_seconds: int = 5
    parallelization_factor: int = 1
    maximum_retry_attempts: int = 5
    maximum_record_age_seconds: int = 6 * 3600


@dataclass(frozen=True)
class MonitorSpec:
    """Everything a monitor declares, gathered (what `Monitor.spec()` returns)."""

    name: str
    description: str
    metrics: tuple[MetricSpec, ...]
    options: tuple[OptionSpec, ...]
    needs: frozenset[Capability]
    permissions: tuple[Permission, ...]
    default_sampling_rate: float
    lambda_spec: LambdaSpec = field(default_factory=LambdaSpec)

    def metric(self, name: str) -> MetricSpec:
        for metric in self.metrics:
            if metric.name == name:
                return metric
        raise KeyError(name)

    def active_metrics(self, options: Mapping[str, object]) -> tuple[MetricSpec, ...]:
        """The metrics emitted under these (parsed) options: optional metrics only when switched on."""
        return tuple(m for m in self.metrics if m.enabled_by is None or bool(options.get(m.enabled_by)))

    def default_options(self) -> dict[str, object]:
        values: dict[str, object] = {o.name: o.default for o in self.options}
        values[SAMPLING_OPTION] = self.default_sampling_rate
        return values

    def parse_options(self, raw: Mapping[str, object], *, key_prefix: str) -> dict[str, object]:
        """Defaults overlaid with `raw`; unknown keys and bad values raise ConfigurationError."""
        values = self.default_options()
        known = {o.name: o for o in self.options}
        known[SAMPLING_OPTION] = OptionSpec(
            SAMPLING_OPTION, float(self.default_sampling_rate), "fraction of records scored", minimum=0.0, maximum=1.0
        )
        for key, value in raw.items():
            if key in ("alarms", "lambda"):
                continue
            option = known.get(key)
            if option is None:
                raise ConfigurationError(
                    f"{key_prefix}.{key}", f"unknown option of monitor {self.name!r}; known: {', '.join(sorted(known))}"
                )
            values[key] = option.parse(value, key=f"{key_prefix}.{key}")
        return values

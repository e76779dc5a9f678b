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
from enum import Enum, StrEnum
from typing import Generic, Protocol, TypeVar, overload

from shared.errors import ConfigurationError, MonitorDefinitionError
from shared.values import parse_bool, parse_float, parse_int, parse_str

_PERCENTILE = re.compile(r"^p(\d{1,2}(\.\d+)?|100)$")
SIMPLE_STATISTICS = ("SampleCount", "Average", "Sum", "Minimum", "Maximum")
# Periods CloudWatch accepts for standard-resolution metrics: multiples of 60 seconds.
_PERIOD_MULTIPLE = 60


class Unit(StrEnum):
    """CloudWatch units this project emits."""

    NONE = "None"
    COUNT = "Count"
    PERCENT = "Percent"
    MILLISECONDS = "Milliseconds"


class Comparison(StrEnum):
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


class MissingData(StrEnum):
    """CloudWatch's TreatMissingData values."""

    MISSING = "missing"
    NOT_BREACHING = "notBreaching"
    BREACHING = "breaching"
    IGNORE = "ignore"


#: No traffic is not a quality problem: quality alarms treat a period without records as not breaching
#: (silence is watched by the pipeline's own no-data alarm instead).
DEFAULT_TREAT_MISSING_DATA = MissingData.NOT_BREACHING


class Capability(StrEnum):
    """Model-backed capabilities a monitor can need. Each has an AWS and an embedded implementation."""

    EMBEDDINGS = "embeddings"  # Titan Text Embeddings V2 / the embedded static MiniLM distillation
    TEXT_ANALYSIS = "text-analysis"  # Comprehend sentiment + toxicity via Step Functions / VADER + profanity-check


def validate_statistic(statistic: str) -> str:
    if statistic in SIMPLE_STATISTICS or _PERCENTILE.match(statistic):
        return statistic
    raise ValueError(f"unknown statistic {statistic!r}: use one of {', '.join(SIMPLE_STATISTICS)} or pNN")


#: How long a quality alarm looks: three 5-minute periods, all three breaching. Quality metrics are
#: ratios over the records of a period, so a single noisy period must not page anyone.
DEFAULT_PERIOD_SECONDS = 300
DEFAULT_EVALUATION_PERIODS = 3
DEFAULT_DATAPOINTS_TO_ALARM = 3
#: CloudWatch caps period × evaluation periods at seven days.
MAX_ALARM_WINDOW_SECONDS = 7 * 24 * 3600


@dataclass(frozen=True)
class AlarmSpec:
    """A CloudWatch alarm on one metric, as data. `period_seconds` × `evaluation_periods` is the window.

    The defaults fit quality metrics (3 of 3 five-minute periods, missing data not breaching), so a
    monitor usually writes `AlarmSpec.above(0.2, description=...)` or `AlarmSpec.below(0.2, ...)`.
    """

    statistic: str
    threshold: float
    comparison: Comparison
    period_seconds: int = DEFAULT_PERIOD_SECONDS
    evaluation_periods: int = DEFAULT_EVALUATION_PERIODS
    datapoints_to_alarm: int = DEFAULT_DATAPOINTS_TO_ALARM
    treat_missing_data: MissingData = DEFAULT_TREAT_MISSING_DATA
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
        if self.period_seconds * self.evaluation_periods > MAX_ALARM_WINDOW_SECONDS:
            raise ValueError("period_seconds × evaluation_periods must not exceed 7 days")
        if not math.isfinite(self.threshold):
            raise ValueError("threshold must be a finite number")

    @classmethod
    def above(
        cls,
        threshold: float,
        *,
        statistic: str = "Average",
        description: str = "",
        period_seconds: int = DEFAULT_PERIOD_SECONDS,
        evaluation_periods: int = DEFAULT_EVALUATION_PERIODS,
        datapoints_to_alarm: int = DEFAULT_DATAPOINTS_TO_ALARM,
        treat_missing_data: MissingData = DEFAULT_TREAT_MISSING_DATA,
    ) -> AlarmSpec:
        """Alarm when the statistic is greater than `threshold`."""
        return cls(
            statistic=statistic,
            threshold=threshold,
            comparison=Comparison.GREATER_THAN,
            period_seconds=period_seconds,
            evaluation_periods=evaluation_periods,
            datapoints_to_alarm=datapoints_to_alarm,
            treat_missing_data=treat_missing_data,
            description=description,
        )

    @classmethod
    def below(
        cls,
        threshold: float,
        *,
        statistic: str = "Average",
        description: str = "",
        period_seconds: int = DEFAULT_PERIOD_SECONDS,
        evaluation_periods: int = DEFAULT_EVALUATION_PERIODS,
        datapoints_to_alarm: int = DEFAULT_DATAPOINTS_TO_ALARM,
        treat_missing_data: MissingData = DEFAULT_TREAT_MISSING_DATA,
    ) -> AlarmSpec:
        """Alarm when the statistic is less than `threshold`."""
        return cls(
            statistic=statistic,
            threshold=threshold,
            comparison=Comparison.LESS_THAN,
            period_seconds=period_seconds,
            evaluation_periods=evaluation_periods,
            datapoints_to_alarm=datapoints_to_alarm,
            treat_missing_data=treat_missing_data,
            description=description,
        )

    def with_overrides(self, overrides: Mapping[str, object], *, key_prefix: str) -> AlarmSpec:
        """This spec with configuration overrides applied; ConfigurationError names the bad key."""
        changes: dict[str, object] = {}
        for key, value in overrides.items():
            if key == ALARM_ENABLED_KEY:
                continue
            setting = ALARM_SETTINGS.get(key)
            full_key = f"{key_prefix}.{key}"
            if setting is None:
                known = ", ".join((*ALARM_SETTINGS, ALARM_ENABLED_KEY))
                raise ConfigurationError(full_key, f"unknown alarm setting; use one of {known}")
            field_name, parse = setting
            changes[field_name] = parse(value, full_key)
        try:
            # Field names from ALARM_SETTINGS, each value parsed for its field; mypy checks replace() per keyword.
            return replace(self, **changes)  # type: ignore[arg-type]
        except ValueError as exc:
            raise ConfigurationError(key_prefix, str(exc)) from None


def _parse_statistic(value: object, key: str) -> str:
    text = parse_str(value, key=key)
    try:
        return validate_statistic(text)
    except ValueError as exc:
        raise ConfigurationError(key, str(exc)) from None


def _parse_enum(kind: type[Enum]) -> Callable[[object, str], object]:
    def parse(value: object, key: str) -> object:
        return kind(parse_str(value, key=key, choices=[m.value for m in kind]))

    return parse


ALARM_ENABLED_KEY = "enabled"
#: Keys accepted under `alarms.<Metric>` in configuration: the field each sets and how its value is parsed.
ALARM_SETTINGS: Mapping[str, tuple[str, Callable[[object, str], object]]] = {
    "statistic": ("statistic", _parse_statistic),
    "threshold": ("threshold", lambda v, k: parse_float(v, key=k)),
    "comparison": ("comparison", _parse_enum(Comparison)),
    "period": ("period_seconds", lambda v, k: parse_int(v, key=k, minimum=60)),
    "periodSeconds": ("period_seconds", lambda v, k: parse_int(v, key=k, minimum=60)),
    "evaluationPeriods": ("evaluation_periods", lambda v, k: parse_int(v, key=k, minimum=1)),
    "datapointsToAlarm": ("datapoints_to_alarm", lambda v, k: parse_int(v, key=k, minimum=1)),
    "treatMissingData": ("treat_missing_data", _parse_enum(MissingData)),
    "description": ("description", lambda v, k: parse_str(v, key=k)),
}


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


OptionValue = bool | int | float | str
V = TypeVar("V", bool, int, float, str)


@dataclass(frozen=True)
class CostLever:
    """How `llm-monitor cost` tries an option to show what it would save or add.

    `toggle()` flips a boolean; `scale(f)` multiplies a number; `cap(v)` lowers a number to `v` (tried
    only from above); `alternatives()` tries every other choice. A monitor declares a lever on each
    option that changes what it sends to paid model calls, so the estimate needs no option names.
    """

    kind: str
    value: float | None = None

    @classmethod
    def toggle(cls) -> CostLever:
        return cls("toggle")

    @classmethod
    def scale(cls, factor: float) -> CostLever:
        return cls("scale", factor)

    @classmethod
    def cap(cls, value: float) -> CostLever:
        return cls("cap", value)

    @classmethod
    def alternatives(cls) -> CostLever:
        return cls("alternatives")

    def trials(self, current: OptionValue, choices: tuple[str, ...] | None = None) -> list[OptionValue]:
        """The values to try instead of `current` (none when this lever has nothing to try)."""
        if self.kind == "toggle":
            return [not current]
        if self.kind == "alternatives":
            return [c for c in choices or () if c != current]
        if isinstance(current, bool) or not isinstance(current, (int, float)) or self.value is None:
            return []
        if self.kind == "scale":
            scaled = current * self.value
            return [int(scaled) if isinstance(current, int) else scaled] if current else []
        if current > self.value:  # cap
            return [int(self.value) if isinstance(current, int) else self.value]
        return []


@dataclass(frozen=True)
class OptionSpec:
    """One setting of a monitor as data: its key in configuration, default, bounds and cost lever."""

    name: str
    default: OptionValue
    description: str
    choices: tuple[str, ...] | None = None
    minimum: float | None = None
    maximum: float | None = None
    # Further validation of the parsed value: raise ValueError with a sentence (the key is added here).
    check: Callable[[OptionValue], None] | None = None
    lever: CostLever | None = None

    def parse(self, value: object, *, key: str) -> OptionValue:
        """The typed value of `value` (JSON from cdk.json, or a string from `-c key=value` or the
        environment), through the project's one set of value parsers."""
        parsed: OptionValue
        if isinstance(self.default, bool):
            parsed = parse_bool(value, key=key)
        elif isinstance(self.default, int):
            parsed = parse_int(value, key=key, minimum=_int_bound(self.minimum), maximum=_int_bound(self.maximum))
        elif isinstance(self.default, float):
            parsed = parse_float(value, key=key, minimum=self.minimum, maximum=self.maximum)
        else:
            parsed = value if isinstance(value, str) else str(value)
            parsed = parse_str(parsed, key=key, choices=self.choices)
        if self.check is not None:
            try:
                self.check(parsed)
            except ValueError as exc:
                raise ConfigurationError(key, str(exc)) from None
        return parsed


def _int_bound(bound: float | None) -> int | None:
    return None if bound is None else math.ceil(bound) if bound >= 0 else math.floor(bound)


def _camel_case(attribute: str) -> str:
    head, *rest = attribute.split("_")
    return head + "".join(part.capitalize() for part in rest)


class Configured(Protocol):
    """What an Option reads on an instance: its parsed options (a Monitor's `config`)."""

    @property
    def config(self) -> Mapping[str, object]: ...


class Option(Generic[V]):
    """A monitor option, declared as a class attribute; on an instance it reads as the parsed value.

        class MyMonitor(Monitor):
            max_chars = Option(1000, "characters of each text scored", minimum=100, maximum=10_000)

            def score(self, records):
                ... self.max_chars ...          # an int: the configured value, parsed and checked

    The configuration key is the attribute name in camelCase (`monitors.<name>.maxChars`) unless `key`
    says otherwise. Classmethods that only see parsed options (at synth time) read a value with
    `cls.max_chars.value_in(options)`.
    """

    def __init__(
        self,
        default: V,
        description: str,
        *,
        choices: tuple[str, ...] | None = None,
        minimum: float | None = None,
        maximum: float | None = None,
        check: Callable[[OptionValue], None] | None = None,
        lever: CostLever | None = None,
        key: str | None = None,
    ) -> None:
        self.default: V = default
        self.description = description
        self.choices = choices
        self.minimum = minimum
        self.maximum = maximum
        self.check = check
        self.lever = lever
        self.key = key

    def __set_name__(self, owner: type, attribute: str) -> None:
        if self.key is None:
            self.key = _camel_case(attribute)

    @property
    def name(self) -> str:
        """The configuration key (`monitors.<monitor>.<name>`)."""
        return self.spec.name

    @property
    def spec(self) -> OptionSpec:
        if self.key is None:
            raise MonitorDefinitionError("an Option must be a class attribute of a Monitor (or be given a key)")
        return OptionSpec(
            name=self.key,
            default=self.default,
            description=self.description,
            choices=self.choices,
            minimum=self.minimum,
            maximum=self.maximum,
            check=self.check,
            lever=self.lever,
        )

    def with_default(self, default: V) -> Option[V]:
        """The same option with another default (a monitor changing a base-class option's default)."""
        return Option(
            default,
            self.description,
            choices=self.choices,
            minimum=self.minimum,
            maximum=self.maximum,
            check=self.check,
            lever=self.lever,
            key=self.key,
        )

    def value_in(self, options: Mapping[str, object]) -> V:
        """This option's value in a mapping of parsed options (the default when absent)."""
        value = options.get(self.spec.name, self.default)
        if isinstance(self.default, float) and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if type(value) is not type(self.default):
            raise MonitorDefinitionError(f"option {self.spec.name!r} holds {value!r}, not a parsed value")
        return value

    @overload
    def __get__(self, instance: None, owner: type | None = None) -> Option[V]: ...

    @overload
    def __get__(self, instance: Configured, owner: type | None = None) -> V: ...

    def __get__(self, instance: Configured | None, owner: type | None = None) -> Option[V] | V:
        if instance is None:
            return self
        return self.value_in(instance.config)


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
class LambdaSetting:
    """One configurable Lambda or event-source setting: its key, field and bounds, written once for
    `cdk synth` and every command alike. `unlimited` settings also accept -1 (no limit)."""

    key: str
    field: str
    minimum: int
    maximum: int
    unlimited: bool = False

    def parse(self, value: object, *, key: str) -> int:
        number = parse_int(value, key=key)
        if self.unlimited and number == -1:
            return number
        if not self.minimum <= number <= self.maximum:
            extra = "-1 (no limit) or " if self.unlimited else ""
            raise ConfigurationError(key, f"must be {extra}between {self.minimum} and {self.maximum}, got {number}")
        return number


#: Lambda's and the Kinesis event source mapping's own bounds.
LAMBDA_SETTINGS = (
    LambdaSetting("memoryMb", "memory_mb", 128, 10_240),
    LambdaSetting("timeoutSeconds", "timeout_seconds", 1, 900),
    LambdaSetting("batchSize", "batch_size", 1, 10_000),
    LambdaSetting("batchingWindowSeconds", "batching_window_seconds", 0, 300),
    LambdaSetting("parallelizationFactor", "parallelization_factor", 1, 10),
    LambdaSetting("maximumRetryAttempts", "maximum_retry_attempts", 0, 10_000, unlimited=True),
    LambdaSetting("maximumRecordAgeSeconds", "maximum_record_age_seconds", 60, 604_800, unlimited=True),
)


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

    def problems(self) -> list[tuple[str, str]]:
        """(setting key, sentence) for every value out of bounds or inconsistent with another."""
        found: list[tuple[str, str]] = []
        for setting in LAMBDA_SETTINGS:
            try:
                setting.parse(getattr(self, setting.field), key=setting.key)
            except ConfigurationError as exc:
                found.append((setting.key, str(exc).split(": ", 1)[-1]))
        if self.batching_window_seconds > self.timeout_seconds:
            found.append(("batchingWindowSeconds", "must not exceed the function's timeoutSeconds"))
        return found

    def with_overrides(self, overrides: Mapping[str, object], *, key_prefix: str) -> LambdaSpec:
        """This spec with configuration overrides; ConfigurationError names the bad key."""
        by_key = {s.key: s for s in LAMBDA_SETTINGS}
        changes: dict[str, int] = {}
        for key, value in overrides.items():
            setting = by_key.get(key)
            if setting is None:
                raise ConfigurationError(f"{key_prefix}.{key}", f"unknown setting; known: {', '.join(by_key)}")
            changes[setting.field] = setting.parse(value, key=f"{key_prefix}.{key}")
        updated = replace(self, **changes)
        for key, problem in updated.problems():
            raise ConfigurationError(f"{key_prefix}.{key}", problem)
        return updated


@dataclass(frozen=True)
class MonitorSpec:
    """Everything a monitor declares, gathered (what `Monitor.spec()` returns)."""

    name: str
    description: str
    metrics: tuple[MetricSpec, ...]
    options: tuple[OptionSpec, ...]
    needs: frozenset[Capability]
    permissions: tuple[Permission, ...]
    enabled_by_default: bool
    skip_reasons: frozenset[str] = frozenset()
    lambda_spec: LambdaSpec = field(default_factory=LambdaSpec)
    gives_evidence: bool = False

    def metric(self, name: str) -> MetricSpec:
        for metric in self.metrics:
            if metric.name == name:
                return metric
        raise KeyError(name)

    def option(self, name: str) -> OptionSpec:
        for option in self.options:
            if option.name == name:
                return option
        raise KeyError(name)

    def active_metrics(self, options: Mapping[str, object]) -> tuple[MetricSpec, ...]:
        """The metrics emitted under these (parsed) options: optional metrics only when switched on."""
        return tuple(m for m in self.metrics if m.enabled_by is None or bool(options.get(m.enabled_by)))

    def default_options(self) -> dict[str, object]:
        return {o.name: o.default for o in self.options}

    def parse_options(self, raw: Mapping[str, object], *, key_prefix: str) -> dict[str, object]:
        """Defaults overlaid with `raw`; unknown keys and bad values raise ConfigurationError."""
        values = self.default_options()
        known = {o.name: o for o in self.options}
        for key, value in raw.items():
            option = known.get(key)
            if option is None:
                raise ConfigurationError(
                    f"{key_prefix}.{key}", f"unknown option of monitor {self.name!r}; known: {', '.join(sorted(known))}"
                )
            values[key] = option.parse(value, key=f"{key_prefix}.{key}")
        return values

"""What-if levers: every enabled monitor's declared cost levers, each tried on its own.

A monitor declares a `CostLever` on each option that changes what it spends (every monitor inherits one
on `samplingRate`). For each lever and each value it proposes, the estimate is re-run with
`monitors.<name>.<option>=<value>`; the lever is shown only when the total moves, so this module knows no
option names and a new monitor's levers appear without changes here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass

from monitors.core.config import MonitoringConfig
from monitors.core.registry import MonitorRegistry
from monitors.core.spec import CostLever, OptionSpec, OptionValue
from shared.errors import MonitorDefinitionError

#: A change smaller than this prints as $0.00 a month: the option does not move the bill, so it is no lever.
NEGLIGIBLE_USD = 0.005
_HALVE = CostLever.scale(0.5)


@dataclass(frozen=True)
class Lever:
    """One configuration change and the month's total with it."""

    description: str
    overrides: Mapping[str, object]
    total_usd: float
    delta_usd: float  # new total minus current total (negative saves)

    @property
    def flags(self) -> str:
        return " ".join(f"-c {k}={flag_value(v)}" for k, v in self.overrides.items())


@dataclass(frozen=True)
class Trial:
    """One value a monitor's declared lever proposes for one of its options."""

    monitor: str
    option: OptionSpec
    current: OptionValue
    value: OptionValue

    @property
    def overrides(self) -> dict[str, object]:
        return {f"monitors.{self.monitor}.{self.option.name}": self.value}

    @property
    def description(self) -> str:
        old, new = flag_value(self.current), flag_value(self.value)
        if self.option.lever == _HALVE:
            return f"halve {self.option.name} of {self.monitor} ({old} → {new})"
        return f"set {self.option.name} of {self.monitor} to {new} (from {old})"


def flag_value(value: object) -> str:
    """A configuration value as `-c key=value` writes it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def declared_trials(config: MonitoringConfig, *, registry: MonitorRegistry) -> Iterator[Trial]:
    """Every value every enabled monitor's levers propose, monitor by monitor, in declaration order."""
    for name in config.enabled_monitors():
        options = config.monitors[name].options
        for option in registry[name].spec().options:
            if option.lever is None:
                continue
            current = _option_value(options[option.name], key=f"monitors.{name}.{option.name}")
            for value in option.lever.trials(current, option.choices):
                yield Trial(monitor=name, option=option, current=current, value=value)


def find_levers(
    *,
    trials: Iterable[Trial],
    base_total: float,
    total_with: Callable[[Mapping[str, object]], float],
) -> tuple[Lever, ...]:
    """The trials that move the total, priced by `total_with(overrides)` against `base_total`."""
    found = []
    for trial in trials:
        total = total_with(trial.overrides)
        if abs(total - base_total) >= NEGLIGIBLE_USD:
            found.append(Lever(trial.description, trial.overrides, total, total - base_total))
    return tuple(found)


def _option_value(value: object, *, key: str) -> OptionValue:
    """A parsed option value, typed for `CostLever.trials` (configuration parsing guarantees the type)."""
    if isinstance(value, bool | int | float | str):
        return value
    raise MonitorDefinitionError(f"option {key} holds {value!r}, not a parsed value")

"""What-if levers: one configuration change each, priced by re-running the estimate."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from monitors.core.config import MonitoringConfig
from monitors.core.registry import MonitorRegistry
from monitors.core.spec import SAMPLING_OPTION

LEVER_MAX_CHARS = 500


@dataclass(frozen=True)
class Lever:
    description: str
    overrides: Mapping[str, object]
    total_usd: float
    delta_usd: float  # new total minus current total (negative saves)

    @property
    def flags(self) -> str:
        return " ".join(f"-c {k}={flag_value(v)}" for k, v in self.overrides.items())


def flag_value(value: object) -> str:
    """A configuration value as `-c key=value` writes it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def find_levers(
    *,
    config: MonitoringConfig,
    registry: MonitorRegistry,
    base_total: float,
    total_with: Callable[[Mapping[str, object]], float],
) -> tuple[Lever, ...]:
    found = []
    for description, overrides in _levers(config, registry):
        total = total_with(overrides)
        found.append(Lever(description, overrides, total, total - base_total))
    return tuple(found)


def _levers(config: MonitoringConfig, registry: MonitorRegistry) -> list[tuple[str, dict[str, object]]]:
    """One configuration change per lever, for the monitors that spend money on model calls."""
    out: list[tuple[str, dict[str, object]]] = []
    for name in config.enabled_monitors():
        options = config.monitors[name].options
        needs = registry[name].needs_for(options)
        if not needs:
            continue
        rate = float(options[SAMPLING_OPTION])  # type: ignore[arg-type]
        if rate > 0:
            out.append(
                (
                    f"halve sampling of {name} ({rate:g} → {rate / 2:g})",
                    {f"monitors.{name}.{SAMPLING_OPTION}": rate / 2},
                )
            )
        if "scorePrompts" in options:
            on = bool(options["scorePrompts"])
            out.append(
                (
                    f"{'stop' if on else 'start'} scoring prompts in {name}",
                    {f"monitors.{name}.scorePrompts": not on},
                )
            )
        max_chars = options.get("maxChars")
        if isinstance(max_chars, int) and max_chars > LEVER_MAX_CHARS:
            out.append(
                (
                    f"cut maxChars of {name} to {LEVER_MAX_CHARS} (from {max_chars})",
                    {f"monitors.{name}.maxChars": LEVER_MAX_CHARS},
                )
            )
    return out

"""Monitors: one module per metric family, each a subclass of `Monitor` declaring what it emits.

Public API for people adding a monitor: subclass `Monitor`, declare `MetricSpec`s (with `AlarmSpec`
defaults), `OptionSpec`s and `needs`, implement `score`. See README "Adding a monitor".
"""

from __future__ import annotations

from monitors.core.base import Monitor
from monitors.core.registry import MonitorRegistry, discover
from monitors.core.results import RecordResult
from monitors.core.spec import (
    AlarmSpec,
    Capability,
    Comparison,
    LambdaSpec,
    MetricSpec,
    MissingData,
    OptionSpec,
    Permission,
    TextUsage,
    Unit,
)

__all__ = [
    "AlarmSpec",
    "Capability",
    "Comparison",
    "LambdaSpec",
    "MetricSpec",
    "MissingData",
    "Monitor",
    "MonitorRegistry",
    "OptionSpec",
    "Permission",
    "RecordResult",
    "TextUsage",
    "Unit",
    "discover",
]

"""Monitors: one module per metric family, each a subclass of `Monitor` declaring what it emits.

Every module at the top of this package is a monitor (discovery imports them all); the framework lives
in `monitors.core` and the Lambda handler in `monitors.aws`.

Public API for people adding a monitor: subclass `Monitor`, declare `MetricSpec`s (with `AlarmSpec`
defaults), `Option`s (with `CostLever`s) and `needs`, implement `score`. See README "Adding a monitor".
"""

from __future__ import annotations

from monitors.core.base import Monitor
from monitors.core.registry import MonitorRegistry, discover
from monitors.core.results import EMPTY_TEXT, NON_ENGLISH, RecordResult
from monitors.core.spec import (
    AlarmSpec,
    Capability,
    Comparison,
    CostLever,
    LambdaSpec,
    MetricSpec,
    MissingData,
    Option,
    Permission,
    TextUsage,
    Unit,
)

__all__ = [
    "EMPTY_TEXT",
    "NON_ENGLISH",
    "AlarmSpec",
    "Capability",
    "Comparison",
    "CostLever",
    "LambdaSpec",
    "MetricSpec",
    "MissingData",
    "Monitor",
    "MonitorRegistry",
    "Option",
    "Permission",
    "RecordResult",
    "TextUsage",
    "Unit",
    "discover",
]

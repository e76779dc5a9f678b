"""Alarm state changes as the page reads them: normalised once, then turned into ALARM spans and end states.

The dashboard accepts anything shaped like `local_runtime.alarm_timeline.StateChange` (a Protocol, so it
does not depend on the evaluator), and reduces states to their string values for display.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

ALARM = "ALARM"

Span = tuple[float, float]


class StateChangeLike(Protocol):
    """What the dashboard reads from an alarm state change (local_runtime.alarm_timeline.StateChange)."""

    @property
    def timestamp(self) -> float | datetime: ...  # epoch seconds (StateChange) or a datetime
    @property
    def alarm(self) -> str: ...
    @property
    def old(self) -> object: ...
    @property
    def new(self) -> object: ...
    @property
    def value(self) -> float | None: ...
    @property
    def reason(self) -> str: ...


@dataclass(frozen=True)
class Change:
    """One state change with plain values: epoch seconds, alarm name, state names."""

    timestamp: float
    alarm: str
    old: str
    new: str
    value: float | None
    reason: str


def _state_name(state: object) -> str:
    """An enum member's value (AlarmState.OK -> "OK"), or the state as given."""
    return str(getattr(state, "value", state))


def _normalised(change: StateChangeLike) -> Change:
    """`change` with datetimes as epoch seconds and alarm objects as their names."""
    ts = change.timestamp
    if isinstance(ts, datetime):
        ts = ts.timestamp()
    alarm = getattr(change.alarm, "name", change.alarm)
    return Change(
        float(ts),
        str(alarm),
        _state_name(change.old),
        _state_name(change.new),
        change.value,
        str(change.reason or ""),
    )


def normalise_changes(changes: Iterable[StateChangeLike]) -> list[Change]:
    """Every change normalised, in time order (ties by alarm name) so tables and spans agree."""
    return sorted((_normalised(c) for c in changes), key=lambda c: (c.timestamp, c.alarm))


def alarm_intervals(changes: Sequence[Change], end: float) -> dict[str, list[Span]]:
    """{alarm name: [(from, to)]} of the spans each alarm spent in ALARM (open spans end at `end`)."""
    intervals: dict[str, list[Span]] = {}
    opened: dict[str, float] = {}
    for c in changes:
        if c.new == ALARM and c.alarm not in opened:
            opened[c.alarm] = c.timestamp
        elif c.new != ALARM and c.alarm in opened:
            intervals.setdefault(c.alarm, []).append((opened.pop(c.alarm), c.timestamp))
    for alarm, since in opened.items():
        intervals.setdefault(alarm, []).append((since, max(end, since)))
    return intervals


def final_states(changes: Sequence[Change]) -> dict[str, str]:
    """{alarm name: state after its last change}; alarms that never changed are absent."""
    return {c.alarm: c.new for c in changes}


def time_in_alarm(intervals: Mapping[str, Sequence[Span]], alarm: str) -> float:
    """Seconds `alarm` spent in ALARM over the page's time range."""
    return sum(end - start for start, end in intervals.get(alarm, []))

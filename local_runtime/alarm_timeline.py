"""An alarm's state changes over a replayed timeline, decided period by period with CloudWatch's rules.

The caller has already aggregated the metric per period with the alarm's statistic (SampleCount, Average,
pNN, ...); this module only compares those values with the threshold and runs `alarm_state.decide` over the
evaluation range ending at each period's end. CloudWatch evaluates a standard alarm every minute; for a
replay, once per period (at its end) gives the same states at period boundaries, which is what a summary or
a dashboard shows.

`range_starts` and `decide_values` are the two steps of one evaluation, for a caller that evaluates at other
times: CloudWatch's default sliding window evaluates every minute over the periods ending at that minute,
and with late data each evaluation sees only the datapoints known by then (bench/timeliness.py).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TypedDict

from local_runtime.alarm_state import AlarmState, Decision, Point, Rule, decide, evaluation_range
from monitors.core.alarms import AlarmDefinition
from monitors.core.spec import AlarmSpec, Comparison, MissingData

__all__ = ["StateChange", "alarm_timeline", "align", "decide_values", "range_starts"]

_COMPARISON_WORDS = {
    Comparison.GREATER_THAN: "greater than",
    Comparison.GREATER_OR_EQUAL: "greater than or equal to",
    Comparison.LESS_THAN: "less than",
    Comparison.LESS_OR_EQUAL: "less than or equal to",
}


class StateChangeDict(TypedDict):
    """A state change as JSON (`llm-monitor` output and the dashboard's data)."""

    timestamp: float
    alarm: str
    old: str
    new: str
    value: float | None
    reason: str


@dataclass(frozen=True)
class StateChange:
    """One transition of one alarm. `timestamp` is the end of the period whose evaluation changed the state
    (epoch seconds); `value` is the newest real datapoint in the evaluation range, None when there is none."""

    timestamp: float
    alarm: str
    old: AlarmState
    new: AlarmState
    value: float | None
    reason: str

    def to_dict(self) -> StateChangeDict:
        return {
            "timestamp": self.timestamp,
            "alarm": self.alarm,
            "old": self.old.value,
            "new": self.new.value,
            "value": self.value,
            "reason": self.reason,
        }


def align(ts: float, period: int) -> int:
    """The start of the period containing `ts` (epoch seconds), periods being aligned to the epoch."""
    if period <= 0:
        raise ValueError(f"period must be positive, got {period}")
    return int(math.floor(ts / period) * period)


def alarm_timeline(
    alarm: AlarmDefinition,
    datapoints: Mapping[int, float],
    *,
    start: float,
    end: float,
    initial_state: AlarmState = AlarmState.INSUFFICIENT_DATA,
) -> list[StateChange]:
    """Every state change of `alarm` while it is evaluated at the end of each period overlapping [start, end).

    `datapoints` maps a period's start (epoch seconds, a multiple of the alarm's period) to the statistic's
    value for that period; a period without datapoints is absent (a NaN or infinite value counts as absent
    too). At the end of each period the evaluation range is the `evaluation_range(N)` periods ending there,
    oldest first. The first change is the one out of `initial_state`. Raises ValueError for a key that is not
    aligned to the alarm's period.
    """
    spec = alarm.spec
    period = spec.period_seconds
    for key in datapoints:
        if key % period:
            raise ValueError(
                f"datapoint key {key!r} of alarm {alarm.name!r} is not the start of a {period}-second period "
                f"(use align(ts, {period}))"
            )
    range_length = evaluation_range(spec.evaluation_periods)
    state = AlarmState(initial_state)
    changes: list[StateChange] = []
    for period_end in _evaluation_ends(datapoints, start=start, end=end, period=period, range_length=range_length):
        values = [_real(datapoints.get(s)) for s in range_starts(period_end, spec)]
        decision = decide_values(spec, values, current_state=state)
        if decision.state is not state:
            newest = next((v for v in reversed(values) if v is not None), None)
            changes.append(
                StateChange(
                    timestamp=float(period_end),
                    alarm=alarm.name,
                    old=state,
                    new=decision.state,
                    value=newest,
                    reason=_reason(decision, values, spec),
                )
            )
            state = decision.state
    return changes


def range_starts(end: int, spec: AlarmSpec) -> list[int]:
    """The start of each period of the evaluation range that ends at `end` (epoch seconds), oldest first.

    For a replay `end` is a period boundary; CloudWatch's default sliding window ends the range at the minute
    of each evaluation, so the periods need not be aligned to the epoch.
    """
    period, length = spec.period_seconds, evaluation_range(spec.evaluation_periods)
    return [end - (length - i) * period for i in range(length)]


def decide_values(
    spec: AlarmSpec, values: Sequence[float | None], *, current_state: AlarmState = AlarmState.INSUFFICIENT_DATA
) -> Decision:
    """`alarm_state.decide` over the statistic's value in each period of an evaluation range (oldest first;
    None, NaN or infinite = no datapoint), each compared with the alarm's threshold first.

    The values are whatever the caller knows at the time of the evaluation: with late data, an evaluation
    "as of" time t passes only what had arrived by t. Decisions are memoised (the rules are a pure function
    of the points and the current state), so evaluating every minute of a long simulation stays cheap.
    """
    points = tuple(
        None if (v := _real(value)) is None else spec.comparison.breaches(v, spec.threshold) for value in values
    )
    return _decide(
        points, spec.evaluation_periods, spec.datapoints_to_alarm, spec.treat_missing_data, AlarmState(current_state)
    )


@functools.lru_cache(maxsize=4096)
def _decide(points: tuple[Point, ...], n: int, m: int, treatment: MissingData, state: AlarmState) -> Decision:
    return decide(
        points, evaluation_periods=n, datapoints_to_alarm=m, treat_missing_data=treatment, current_state=state
    )


def _evaluation_ends(
    datapoints: Mapping[int, float], *, start: float, end: float, period: int, range_length: int
) -> list[int]:
    """The period ends at which an evaluation can change the state, in order.

    An evaluation whose range holds no datapoint decides from the missing-data setting and the current
    state alone, and a second such evaluation decides the same again: so after the range has slid past a
    datapoint (plus one evaluation) nothing changes until the next datapoint enters it. Evaluating only
    the ends from the first period, and from each datapoint's period, up to `range_length` + 1 periods
    later gives the same changes at the same times as evaluating every period, at a cost bounded by the
    number of periods that hold data (a stray year-2000 record among 2026 ones costs nothing extra).
    """
    first = align(start, period)
    anchors = [first, *(key for key in datapoints if first <= key < end)]
    ends = {
        anchor + step * period
        for anchor in anchors
        for step in range(1, range_length + 2)
        if anchor + (step - 1) * period < end  # a period is evaluated when it starts before `end`
    }
    return sorted(ends)


def _real(value: float | None) -> float | None:
    if value is None or not math.isfinite(value):
        return None
    return float(value)


def _reason(decision: Decision, values: list[float | None], spec: AlarmSpec) -> str:
    """A short sentence in the manner of CloudWatch's StateReason (datapoints newest first, as it does)."""
    crossed = f"{_COMPARISON_WORDS[spec.comparison]} the threshold ({_number(spec.threshold)})"
    listed = "[" + ", ".join(_number(values[i]) for i in reversed(decision.evaluated)) + "]"
    m = decision.datapoints_to_alarm
    k = len(decision.evaluated)
    if decision.rule is Rule.ALL_MISSING:
        return f"Insufficient Data: all {len(values)} datapoints of the evaluation range were missing."
    if decision.rule is Rule.UNDECIDED:
        return f"Insufficient Data: only {_count(k)} {listed}, {_were(k)} {crossed}; too few and too recent."
    if decision.rule is Rule.PREMATURE:
        return (
            f"Threshold Crossed: {_count(k)} {listed} {_were(k)} {crossed} with only missing data after, "
            f"the oldest {decision.oldest_age} periods old (premature-alarm rule, minimum {m})."
        )
    if decision.rule is Rule.RETAINED:  # never a change; kept for completeness
        return "Missing data ignored: current state kept."
    total = k + decision.filled
    filled = ""
    if decision.filled:
        treated = "breaching" if decision.fill_value else "not breaching"
        filled = f" plus {decision.filled} missing treated as {treated}"
    counted = f"{decision.breaching} out of the last {total} datapoints {listed}{filled}"
    if decision.state is AlarmState.ALARM:
        return f"Threshold Crossed: {counted} {_were(decision.breaching)} {crossed}."
    return f"Threshold Crossed: {counted} {_were(decision.breaching)} {crossed}, fewer than the {m} to alarm."


def _number(value: float | None) -> str:
    return "missing" if value is None else f"{value:.6g}"


def _count(k: int) -> str:
    return f"{k} datapoint{'' if k == 1 else 's'}"


def _were(k: int) -> str:
    return "was" if k == 1 else "were"

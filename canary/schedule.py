"""`canary.schedule`: an EventBridge Scheduler expression, checked at synth, and how often it runs.

Two forms (the EventBridge Scheduler user guide, "Schedule types"):
- `rate(value unit)`: `unit` is `minute`/`minutes`, `hour`/`hours` or `day`/`days`, singular exactly when
  the value is 1 (`rate(1 hour)`, `rate(30 minutes)`).
- `cron(minutes hours day-of-month month day-of-week year)`, in UTC: numbers, `*`, ranges `a-b`, lists
  `a,b`, steps `a/n`, `*/n`; month names `JAN`-`DEC`, day names `SUN`-`SAT` (1 = Sunday); one of
  day-of-month and day-of-week must be `?`. `L`, `W` and `#` are valid for EventBridge but not accepted
  here: the time between runs could not be checked.

What the stack and the cost estimate need from a schedule: the shortest time between two runs (the
default period of every canary alarm: one run per period), the longest (a missing-data-breaching alarm
must not fire in every gap) and the runs in a month.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cached_property

from shared.errors import ConfigurationError

SCHEDULE_KEY = "canary.schedule"
DEFAULT_SCHEDULE = "rate(1 hour)"
#: AWS pricing's month.
HOURS_PER_MONTH = 730.0

_RATE = re.compile(r"^rate\(\s*(\d+)\s+([a-z]+)\s*\)$")
_CRON = re.compile(r"^cron\((.*)\)$")
_UNITS = {"minute": 60, "hour": 3600, "day": 86_400}
_MONTHS = {
    m: i for i, m in enumerate(("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"), 1)
}
_DAYS = {d: i for i, d in enumerate(("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"), 1)}
# (name, lowest, highest, names) of the five fields that decide when a run happens.
_FIELDS: tuple[tuple[str, int, int, dict[str, int]], ...] = (
    ("minutes", 0, 59, {}),
    ("hours", 0, 23, {}),
    ("day-of-month", 1, 31, {}),
    ("month", 1, 12, _MONTHS),
    ("day-of-week", 1, 7, _DAYS),
)
#: The year a cron schedule is unrolled over to find its runs (2025 starts on a Wednesday; any year works
#: for expressions without a year, which is what is accepted).
_REFERENCE_YEAR = 2025


@dataclass(frozen=True)
class Schedule:
    """A validated schedule expression and its timing."""

    expression: str
    shortest_gap_seconds: int
    longest_gap_seconds: int
    runs_per_year: int

    @property
    def runs_per_month(self) -> float:
        return self.runs_per_year * HOURS_PER_MONTH / (365 * 24)

    @cached_property
    def is_rate(self) -> bool:
        return self.expression.startswith("rate(")

    def describe(self) -> str:
        if self.shortest_gap_seconds == self.longest_gap_seconds:
            return f"{self.expression}: a run every {_duration(self.shortest_gap_seconds).removeprefix('1 ')}"
        return (
            f"{self.expression}: runs {_duration(self.shortest_gap_seconds)} to "
            f"{_duration(self.longest_gap_seconds)} apart"
        )


def _duration(seconds: int) -> str:
    for unit, size in (("day", 86_400), ("hour", 3600), ("minute", 60)):
        if seconds % size == 0:
            n = seconds // size
            return f"{n} {unit}{'' if n == 1 else 's'}"
    return f"{seconds} s"


def parse_schedule(value: object, *, key: str = SCHEDULE_KEY) -> Schedule:
    """A `rate(...)` or `cron(...)` expression; ConfigurationError names `key` and what is wrong."""
    if not isinstance(value, str) or not value.strip():
        raise ConfigurationError(key, f"must be a rate(...) or cron(...) expression, got {value!r}")
    text = value.strip()
    if text.startswith("rate("):
        return _rate(text, key)
    if text.startswith("cron("):
        return _cron(text, key)
    raise ConfigurationError(
        key, f"must be rate(value unit) or cron(minutes hours day-of-month month day-of-week year), got {text!r}"
    )


def _rate(text: str, key: str) -> Schedule:
    match = _RATE.match(text)
    if not match:
        raise ConfigurationError(key, f"{text!r} is not rate(value unit), e.g. rate(1 hour) or rate(30 minutes)")
    value, unit = int(match[1]), match[2]
    singular = unit.removesuffix("s")
    if singular not in _UNITS:
        raise ConfigurationError(key, f"{text!r}: the unit must be minutes, hours or days")
    if value < 1:
        raise ConfigurationError(key, f"{text!r}: the value must be a positive whole number")
    if (value == 1) != (unit == singular):
        fixed = f"rate({value} {singular if value == 1 else singular + 's'})"
        raise ConfigurationError(key, f"{text!r}: the unit is singular for 1 and plural otherwise: {fixed}")
    seconds = value * _UNITS[singular]
    return Schedule(text, seconds, seconds, runs_per_year=(365 * 86_400) // seconds)


def _cron(text: str, key: str) -> Schedule:
    match = _CRON.match(text)
    fields = match[1].split() if match else []
    if len(fields) != 6:
        raise ConfigurationError(
            key, f"{text!r} must have six fields: cron(minutes hours day-of-month month day-of-week year)"
        )
    for char in "LW#":
        if any(char in f for f in fields[2:5]):
            raise ConfigurationError(
                key, f"{text!r}: '{char}' is not accepted here (the time between runs could not be checked)"
            )
    dom, dow = fields[2], fields[4]
    if (dom == "?") == (dow == "?"):
        raise ConfigurationError(key, f"{text!r}: exactly one of day-of-month and day-of-week must be '?'")
    if fields[5] not in ("*", "?"):
        raise ConfigurationError(key, f"{text!r}: give the year as '*' (runs limited to some years are not accepted)")
    sets = [_field(f, spec, text, key) for f, spec in zip(fields[:5], _FIELDS, strict=True)]
    minutes, hours, days, months, weekdays = sets
    runs: list[int] = []
    in_year = 0
    day = date(_REFERENCE_YEAR, 1, 1)
    # A year and the start of the next, so the gap across New Year counts with the next year's weekdays.
    while day < date(_REFERENCE_YEAR + 1, 3, 1):
        weekday = day.isoweekday() % 7 + 1  # SUN=1 ... SAT=7
        on_day = (dom == "?" or day.day in days) and (dow == "?" or weekday in weekdays)
        if on_day and day.month in months:
            start = int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())
            today = [start + h * 3600 + m * 60 for h in sorted(hours) for m in sorted(minutes)]
            runs.extend(today)
            in_year += len(today) if day.year == _REFERENCE_YEAR else 0
        day += timedelta(days=1)
    if not in_year:
        raise ConfigurationError(key, f"{text!r} never runs")
    gaps = [b - a for a, b in itertools.pairwise(runs)] or [365 * 86_400]
    return Schedule(text, min(gaps), max(gaps), runs_per_year=in_year)


def _field(text: str, spec: tuple[str, int, int, dict[str, int]], expression: str, key: str) -> set[int]:
    name, low, high, _ = spec
    if text in ("*", "?"):
        return set(range(low, high + 1))
    values: set[int] = set()
    for part in text.split(","):
        base, _, step_text = part.partition("/")
        if base in ("*", ""):
            first, last = low, high
        elif "-" in base:
            a, _, b = base.partition("-")
            first, last = _value(a, spec, expression, key), _value(b, spec, expression, key)
        else:
            first = _value(base, spec, expression, key)
            last = high if step_text else first
        step = 1
        if step_text:
            if not step_text.isdigit() or int(step_text) < 1:
                raise ConfigurationError(key, f"{expression!r}: step {step_text!r} of {name} must be a positive number")
            step = int(step_text)
        if first > last:
            raise ConfigurationError(key, f"{expression!r}: range {base!r} of {name} runs backwards")
        values.update(range(first, last + 1, step))
    return values


def _value(text: str, spec: tuple[str, int, int, dict[str, int]], expression: str, key: str) -> int:
    name, low, high, names = spec
    number = names.get(text.upper()) if not text.isdigit() else int(text)
    if number is None or not low <= number <= high:
        raise ConfigurationError(key, f"{expression!r}: {text!r} is not a valid {name} ({low}-{high})")
    return number

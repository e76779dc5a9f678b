"""How the page writes values: one place for escaping, numbers, UTC times, periods and alarm conditions.

Charts and tables share these so a threshold, a period or a time reads the same everywhere on the page.
"""

from __future__ import annotations

import html
import math
from datetime import UTC, datetime

from monitors.core.alarms import AlarmDefinition

NO_VALUE = "–"
TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S"


def escape(text: object) -> str:
    """`text` safe inside HTML and attribute values: model ids and reasons come from logs and users."""
    return html.escape(str(text), quote=True)


def utc(ts: float, fmt: str = TIMESTAMP_FORMAT) -> str:
    """An epoch timestamp in UTC, the one time zone of the whole page (CloudWatch's too)."""
    return datetime.fromtimestamp(ts, tz=UTC).strftime(fmt)


def number(value: float | None, digits: int = 3) -> str:
    """A short, readable number: no trailing zeros, scientific only for very large or small magnitudes."""
    if value is None or math.isnan(value):
        return NO_VALUE
    if value == 0:
        return "0"
    if abs(value) >= 1e5 or abs(value) < 1e-3:
        return f"{value:.{digits}g}"
    return f"{value:.{digits}f}".rstrip("0").rstrip(".")


def period_label(seconds: int) -> str:
    """A period in the largest whole unit, as people say it ("5 min", "1 h")."""
    if seconds % 3600 == 0:
        return f"{seconds // 3600} h"
    if seconds % 60 == 0:
        return f"{seconds // 60} min"
    return f"{seconds} s"


def duration(seconds: float) -> str:
    """Time spent in ALARM to the minute; a dash when there was none, so zero stands out from a value."""
    if seconds <= 0:
        return NO_VALUE
    minutes = round(seconds / 60)
    return f"{minutes // 60} h {minutes % 60:02d} min" if minutes >= 60 else f"{minutes} min"


def alarm_condition(alarm: AlarmDefinition) -> str:
    """The alarm's rule in one line, as CloudWatch's console states it (statistic, threshold, M of N)."""
    spec = alarm.spec
    return (
        f"{spec.statistic} {spec.comparison.symbol} {number(spec.threshold)} "
        f"for {spec.datapoints_to_alarm} of {spec.evaluation_periods} × {period_label(spec.period_seconds)} "
        "(missing data: "
        f"{spec.treat_missing_data.value})"
    )

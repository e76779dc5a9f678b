"""The local dashboard: one self-contained HTML file a person opens in any browser, offline.

Charts are inline SVG (`charts`): no CDN, no fonts, no scripts to fetch; the stylesheet and the one line
of JavaScript that expands or collapses sections are files in `assets/`, inlined into the page (`page`).
For every metric: the all-models series and one chart per model, on a shared time axis (UTC) and a
shared value axis per metric so small multiples compare; the alarm's threshold drawn as a line and the
periods its alarm spent in ALARM shaded. A metric with an alarm is drawn with the alarm's statistic and
period (what the alarm sees); others as the Average per `period_seconds`. Above the charts: totals and
the alarms' final states; below: every alarm state change, pipeline counts (records, skips by reason,
malformed lines) and records per model (`sections`).

Only aggregates from the metric store are drawn: the store holds no prompt or completion text, so
the page cannot show any. Model ids and other strings are HTML-escaped.
"""

from __future__ import annotations

from local_runtime.dashboard.changes import StateChangeLike
from local_runtime.dashboard.charts import ALARM_FILL, PALETTE, THRESHOLD_COLOR
from local_runtime.dashboard.page import render_dashboard

__all__ = ["ALARM_FILL", "PALETTE", "THRESHOLD_COLOR", "StateChangeLike", "render_dashboard"]

"""Inline SVG: time-series charts, their axes, and the legend's swatches.

Charts are drawn here rather than by a charting library so the page needs no CDN, fonts or scripts and
opens offline from one file. Charts of one metric share a `ValueAxis` and every chart shares the time
range, so small multiples compare at a glance.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from local_runtime.dashboard.changes import Span
from local_runtime.dashboard.formatting import escape, number, utc

# Tableau 10: distinguishable, colour-blind friendlier than the defaults. The aggregate is near-black.
PALETTE = (
    "#4e79a7",
    "#f28e2b",
    "#59a14f",
    "#b07aa1",
    "#edc948",
    "#76b7b2",
    "#ff9da7",
    "#9c755f",
    "#e15759",
    "#bab0ac",
)
AGGREGATE_COLOR = "#1f2937"
THRESHOLD_COLOR = "#d62728"
ALARM_FILL = "rgba(214,39,40,0.16)"
OWN_THRESHOLD_DASH = "6 3"
REFERENCE_THRESHOLD_DASH = "2 3"

_WIDTH, _HEIGHT = 360, 180
_LEFT, _RIGHT, _TOP, _BOTTOM = 46, _WIDTH - 12, 24, _HEIGHT - 34
_TIME_STEPS = (60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800, 604800, 2592000)
_MAX_TIME_TICKS = 5
_UNIT_TICKS = (0.0, 0.25, 0.5, 0.75, 1.0)
_SIGNED_UNIT_TICKS = (-1.0, -0.5, 0.0, 0.5, 1.0)


@dataclass(frozen=True)
class Axis:
    """The time range (epoch seconds) and value range one chart draws, with the value ticks."""

    x0: float
    x1: float
    y0: float
    y1: float
    y_ticks: tuple[float, ...]


@dataclass(frozen=True)
class Threshold:
    """An alarm threshold across a chart: dashed for the chart's own alarm, faint for a reference one."""

    value: float
    label: str
    own: bool


@dataclass(frozen=True)
class _Plot:
    """Maps times and values to pixels inside the chart's margins (values clamped to the axis)."""

    axis: Axis

    @property
    def _x_scale(self) -> float:
        """Pixels per second (a zero-length range still draws, as one second)."""
        return (_RIGHT - _LEFT) / max(self.axis.x1 - self.axis.x0, 1.0)

    @property
    def _y_scale(self) -> float:
        """Pixels per unit of value."""
        return (_BOTTOM - _TOP) / max(self.axis.y1 - self.axis.y0, 1e-12)

    def x(self, t: float) -> float:
        """The horizontal pixel of time `t`."""
        return _LEFT + (t - self.axis.x0) * self._x_scale

    def y(self, v: float) -> float:
        """The vertical pixel of value `v`, kept inside the plot area."""
        return _BOTTOM - (min(max(v, self.axis.y0), self.axis.y1) - self.axis.y0) * self._y_scale


def value_axis(values: Iterable[float], extra: Iterable[float]) -> tuple[float, float, tuple[float, ...]]:
    """A value range and ticks covering the values and `extra` (thresholds).

    Probabilities get [0, 1] and signed scores [-1, 1] whatever the data, so charts of such metrics
    always read on the same scale; anything else gets round steps of 1, 2, 2.5 or 5.
    """
    points = [v for v in (*values, *extra) if v is not None and math.isfinite(v)]
    if not points:
        return 0.0, 1.0, _UNIT_TICKS
    lo, hi = min(points), max(points)
    if lo >= 0.0 and hi <= 1.0:
        return 0.0, 1.0, _UNIT_TICKS
    if lo >= -1.0 and hi <= 1.0:
        return -1.0, 1.0, _SIGNED_UNIT_TICKS
    if lo == hi:
        lo, hi = (lo - 1.0, hi + 1.0) if lo else (0.0, 1.0)
    raw = (hi - lo) / 4
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    lo, hi = math.floor(lo / step) * step, math.ceil(hi / step) * step
    ticks = tuple(lo + i * step for i in range(round((hi - lo) / step) + 1))
    return lo, hi, ticks


def _time_ticks(x0: float, x1: float) -> Iterator[float]:
    """Tick times at the smallest round step (1 min ... 30 days) that keeps the axis legible."""
    span = max(x1 - x0, 1.0)
    step = next((s for s in _TIME_STEPS if span / s <= _MAX_TIME_TICKS), _TIME_STEPS[-1])
    t: float = math.ceil(x0 / step) * step
    while t <= x1 + 1e-9:
        yield t
        t += step


def _alarm_shading(plot: _Plot, alarm_spans: Sequence[Span]) -> Iterator[str]:
    """The periods in ALARM as shaded bands, clipped to the chart (drawn first, under everything)."""
    for start, end in alarm_spans:
        a, b = max(start, plot.axis.x0), min(end, plot.axis.x1)
        if b > a:
            yield (
                f'<rect class="alarm-span" x="{plot.x(a):.1f}" y="{_TOP}" '
                f'width="{max(plot.x(b) - plot.x(a), 1.0):.1f}" '
                f'height="{_BOTTOM - _TOP}" fill="{ALARM_FILL}"><title>ALARM {utc(start)} – {utc(end)} UTC'
                "</title></rect>"
            )


def _value_grid(plot: _Plot) -> Iterator[str]:
    """A grid line and a label per value tick."""
    for tick in plot.axis.y_ticks:
        ty = plot.y(tick)
        yield (f'<line x1="{_LEFT}" y1="{ty:.1f}" x2="{_RIGHT}" y2="{ty:.1f}" stroke="#e5e7eb" stroke-width="1"/>')
        yield (
            f'<text x="{_LEFT - 5}" y="{ty + 3.5:.1f}" text-anchor="end" class="tick">{escape(number(tick, 2))}</text>'
        )


def _time_labels(plot: _Plot) -> Iterator[str]:
    """Time ticks labelled HH:MM, with the date on the first tick of each day."""
    previous_day = None
    for tick in _time_ticks(plot.axis.x0, plot.axis.x1):
        tx = plot.x(tick)
        day = utc(tick, "%m-%d")
        label = utc(tick, "%H:%M") if day == previous_day else f"{day} {utc(tick, '%H:%M')}"
        previous_day = day
        yield f'<line x1="{tx:.1f}" y1="{_BOTTOM}" x2="{tx:.1f}" y2="{_BOTTOM + 4}" stroke="#6b7280"/>'
        anchor = "end" if tx > _RIGHT - 24 else "start" if tx < _LEFT + 24 else "middle"
        yield (f'<text x="{tx:.1f}" y="{_BOTTOM + 15}" text-anchor="{anchor}" class="tick">{escape(label)}</text>')


def _frame(title: str) -> str:
    """The axes' lines, the time axis' name and the chart's title."""
    return (
        f'<line x1="{_LEFT}" y1="{_BOTTOM}" x2="{_RIGHT}" y2="{_BOTTOM}" stroke="#6b7280"/>'
        f'<line x1="{_LEFT}" y1="{_TOP}" x2="{_LEFT}" y2="{_BOTTOM}" stroke="#6b7280"/>'
        f'<text x="{(_LEFT + _RIGHT) / 2:.0f}" y="{_HEIGHT - 4}" text-anchor="middle" class="axis">'
        "time (UTC)</text>"
        f'<text x="{_LEFT}" y="15" class="ctitle">{escape(title)}</text>'
    )


def _threshold_line(plot: _Plot, threshold: Threshold) -> str:
    """The threshold as a labelled red line; a reference threshold is lighter and finer-dashed."""
    ty = plot.y(threshold.value)
    dash = OWN_THRESHOLD_DASH if threshold.own else REFERENCE_THRESHOLD_DASH
    opacity = "1" if threshold.own else "0.6"
    return (
        f'<line class="threshold" x1="{_LEFT}" y1="{ty:.1f}" x2="{_RIGHT}" y2="{ty:.1f}" '
        f'stroke="{THRESHOLD_COLOR}" '
        f'stroke-width="1.6" stroke-dasharray="{dash}" opacity="{opacity}"><title>{escape(threshold.label)}'
        "</title></line>"
        f'<text x="{_RIGHT - 2}" y="{ty - 4:.1f}" text-anchor="end" class="thr" opacity="{opacity}">'
        f"{escape(threshold.label)}</text>"
    )


def _segments(plot: _Plot, series: Mapping[int, float], period: int) -> list[list[tuple[float, float]]]:
    """The series' points split wherever periods are missing, so a line never bridges a gap."""
    segments: list[list[tuple[float, float]]] = []
    last: int | None = None
    for start in sorted(series):
        point = (plot.x(start), plot.y(series[start]))
        if last is None or start - last > period:
            segments.append([point])
        else:
            segments[-1].append(point)
        last = start
    return segments


def _series(plot: _Plot, series: Mapping[int, float], period: int, color: str) -> Iterator[str]:
    """The values as polylines (a dot for an isolated period), or "no data" when there are none."""
    if not series:
        yield (
            f'<text x="{(_LEFT + _RIGHT) / 2:.0f}" y="{(_TOP + _BOTTOM) / 2:.0f}" text-anchor="middle" '
            'class="nodata">'
            "no data</text>"
        )
        return
    for segment in _segments(plot, series, period):
        if len(segment) == 1:
            px, py = segment[0]
            yield f'<circle cx="{px:.1f}" cy="{py:.1f}" r="2.2" fill="{color}"/>'
        else:
            coords = " ".join(f"{px:.1f},{py:.1f}" for px, py in segment)
            yield (
                f'<polyline class="series" points="{coords}" fill="none" stroke="{color}" '
                'stroke-width="1.8" '
                'stroke-linejoin="round"/>'
            )


def chart(
    *,
    title: str,
    tooltip: str,
    series: Mapping[int, float],
    period: int,
    axis: Axis,
    color: str,
    threshold: Threshold | None,
    alarm_spans: Sequence[Span],
    metric: str,
    model: str,
) -> str:
    """One time-series chart of `series` ({period start: value}), tagged with its metric and model."""
    plot = _Plot(axis)
    parts = [
        (
            f'<svg class="chart" viewBox="0 0 {_WIDTH} {_HEIGHT}" width="{_WIDTH}" height="{_HEIGHT}" '
            'role="img" '
            f'data-metric="{escape(metric)}" data-model="{escape(model)}" xmlns="http://www.w3.org/2000/svg">'
        ),
        f"<title>{escape(tooltip)}</title>",
        f'<rect x="0" y="0" width="{_WIDTH}" height="{_HEIGHT}" fill="#ffffff"/>',
        *_alarm_shading(plot, alarm_spans),
        *_value_grid(plot),
        *_time_labels(plot),
        _frame(title),
    ]
    if threshold is not None:
        parts.append(_threshold_line(plot, threshold))
    parts.extend(_series(plot, series, period, color))
    parts.append("</svg>")
    return "".join(parts)


def swatch_line(color: str, dash: str | None = None) -> str:
    """A short line in `color` for the legend and the per-model table."""
    dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
    return (
        f'<svg width="22" height="10"><line x1="1" y1="5" x2="21" y2="5" stroke="{color}" '
        f'stroke-width="2"{dash_attr}/>'
        "</svg>"
    )


def swatch_box(fill: str) -> str:
    """A filled box for the legend (the ALARM shading)."""
    return f'<svg width="14" height="10"><rect x="0" y="0" width="14" height="10" fill="{fill}"/></svg>'

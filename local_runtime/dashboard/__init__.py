"""The local dashboard: one self-contained HTML file a person opens in any browser, offline.

Charts are inline SVG generated here (no CDN, no fonts, no scripts to fetch; a dozen lines of inline
JavaScript only expand or collapse sections). For every metric: the all-models series and one chart per
model, on a shared time axis (UTC) and a shared value axis per metric so small multiples compare; the
alarm's threshold drawn as a line and the periods its alarm spent in ALARM shaded. A metric with an alarm
is drawn with the alarm's statistic and period (what the alarm sees); others as the Average per
`period_seconds`. Above the charts: totals and the alarms' final states; below: every alarm state change,
pipeline counts (records, skips by reason, malformed lines) and records per model.

Only aggregates from the metric store are drawn: the store holds no prompt or completion text, so
the page cannot show any. Model ids and other strings are HTML-escaped.
"""

from __future__ import annotations

import html
import math
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from monitors.core.alarms import AlarmDefinition
from monitors.core.spec import MetricSpec
from local_runtime.store import MetricStore

__all__ = ["StateChangeLike", "render_dashboard"]

ALARM = "ALARM"
DEFAULT_PERIOD_SECONDS = 300
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

_CHART_W, _CHART_H = 360, 180
_M_LEFT, _M_RIGHT, _M_TOP, _M_BOTTOM = 46, 12, 24, 34
_TIME_STEPS = (60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800, 604800, 2592000)
# Pipeline counter names the replay writes (ParseStats-like); anything else is listed as it is.
_EMITTED_KEYS = ("emitted", "RecordsDispatched")
_MALFORMED_KEYS = ("malformed", "malformedLines", "MalformedLines")
_SKIPPED_PREFIX = "skipped."


class StateChangeLike(Protocol):
    """What the dashboard reads from an alarm state change (local_runtime.alarm_timeline.StateChange)."""

    @property
    def timestamp(self) -> float: ...
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
class _Change:
    timestamp: float
    alarm: str
    old: str
    new: str
    value: float | None
    reason: str


@dataclass(frozen=True)
class _Axis:
    x0: float
    x1: float
    y0: float
    y1: float
    y_ticks: tuple[float, ...]


def _state(value: object) -> str:
    return str(getattr(value, "value", value))


def _normalise_changes(changes: Iterable[StateChangeLike]) -> list[_Change]:
    out = []
    for c in changes:
        ts = c.timestamp
        if isinstance(ts, datetime):
            ts = ts.timestamp()
        alarm = getattr(c.alarm, "name", c.alarm)
        out.append(_Change(float(ts), str(alarm), _state(c.old), _state(c.new), c.value, str(c.reason or "")))
    out.sort(key=lambda c: (c.timestamp, c.alarm))
    return out


def _alarm_intervals(changes: Sequence[_Change], end: float) -> dict[str, list[tuple[float, float]]]:
    """{alarm name: [(from, to)]} of the spans each alarm spent in ALARM (open spans end at `end`)."""
    intervals: dict[str, list[tuple[float, float]]] = {}
    opened: dict[str, float] = {}
    for c in changes:
        if c.new == ALARM and c.alarm not in opened:
            opened[c.alarm] = c.timestamp
        elif c.new != ALARM and c.alarm in opened:
            intervals.setdefault(c.alarm, []).append((opened.pop(c.alarm), c.timestamp))
    for alarm, since in opened.items():
        intervals.setdefault(alarm, []).append((since, max(end, since)))
    return intervals


def _utc(ts: float, fmt: str = "%Y-%m-%d %H:%M:%S") -> str:
    return datetime.fromtimestamp(ts, tz=UTC).strftime(fmt)


def _period_label(seconds: int) -> str:
    if seconds % 3600 == 0:
        return f"{seconds // 3600} h"
    if seconds % 60 == 0:
        return f"{seconds // 60} min"
    return f"{seconds} s"


def _fmt(value: float | None, digits: int = 3) -> str:
    if value is None or math.isnan(value):
        return "–"
    if value == 0:
        return "0"
    if abs(value) >= 1e5 or abs(value) < 1e-3:
        return f"{value:.{digits}g}"
    return f"{value:.{digits}f}".rstrip("0").rstrip(".")


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _nice_axis(values: Iterable[float], extra: Iterable[float]) -> tuple[float, float, tuple[float, ...]]:
    """A value range and ticks covering the values and `extra` (thresholds): [0, 1] for probabilities."""
    points = [v for v in (*values, *extra) if v is not None and math.isfinite(v)]
    if not points:
        return 0.0, 1.0, (0.0, 0.25, 0.5, 0.75, 1.0)
    lo, hi = min(points), max(points)
    if 0.0 <= lo and hi <= 1.0:
        return 0.0, 1.0, (0.0, 0.25, 0.5, 0.75, 1.0)
    if -1.0 <= lo and hi <= 1.0:
        return -1.0, 1.0, (-1.0, -0.5, 0.0, 0.5, 1.0)
    if lo == hi:
        lo, hi = (lo - 1.0, hi + 1.0) if lo else (0.0, 1.0)
    raw = (hi - lo) / 4
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    lo, hi = math.floor(lo / step) * step, math.ceil(hi / step) * step
    ticks = tuple(lo + i * step for i in range(int(round((hi - lo) / step)) + 1))
    return lo, hi, ticks


def _time_ticks(x0: float, x1: float, max_ticks: int = 5) -> list[float]:
    span = max(x1 - x0, 1.0)
    step = next((s for s in _TIME_STEPS if span / s <= max_ticks), _TIME_STEPS[-1])
    first = math.ceil(x0 / step) * step
    return [t for t in _frange(first, x1, step)]


def _frange(start: float, stop: float, step: float) -> Iterable[float]:
    t = start
    while t <= stop + 1e-9:
        yield t
        t += step


def _chart(
    *,
    title: str,
    tooltip: str,
    series: Mapping[int, float],
    period: int,
    axis: _Axis,
    color: str,
    threshold: float | None,
    threshold_label: str,
    threshold_own: bool,
    alarm_spans: Sequence[tuple[float, float]],
    data_metric: str,
    data_model: str,
) -> str:
    """One inline SVG time-series chart."""
    w, h = _CHART_W, _CHART_H
    left, right, top, bottom = _M_LEFT, w - _M_RIGHT, _M_TOP, h - _M_BOTTOM
    x_scale = (right - left) / max(axis.x1 - axis.x0, 1.0)
    y_scale = (bottom - top) / max(axis.y1 - axis.y0, 1e-12)

    def x(t: float) -> float:
        return left + (t - axis.x0) * x_scale

    def y(v: float) -> float:
        return bottom - (min(max(v, axis.y0), axis.y1) - axis.y0) * y_scale

    parts = [
        f'<svg class="chart" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" '
        f'data-metric="{_e(data_metric)}" data-model="{_e(data_model)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{_e(tooltip)}</title>",
        f'<rect x="0" y="0" width="{w}" height="{h}" fill="#ffffff"/>',
    ]
    for start, end in alarm_spans:  # ALARM shading under everything else
        a, b = max(start, axis.x0), min(end, axis.x1)
        if b > a:
            parts.append(
                f'<rect class="alarm-span" x="{x(a):.1f}" y="{top}" width="{max(x(b) - x(a), 1.0):.1f}" '
                f'height="{bottom - top}" fill="{ALARM_FILL}"><title>ALARM {_utc(start)} – {_utc(end)} UTC'
                "</title></rect>"
            )
    for tick in axis.y_ticks:  # grid and value labels
        ty = y(tick)
        parts.append(
            f'<line x1="{left}" y1="{ty:.1f}" x2="{right}" y2="{ty:.1f}" stroke="#e5e7eb" stroke-width="1"/>'
        )
        parts.append(
            f'<text x="{left - 5}" y="{ty + 3.5:.1f}" text-anchor="end" class="tick">{_e(_fmt(tick, 2))}'
            "</text>"
        )
    previous_day = None
    for tick in _time_ticks(axis.x0, axis.x1):
        tx = x(tick)
        day = _utc(tick, "%m-%d")
        label = _utc(tick, "%H:%M") if day == previous_day else f"{day} {_utc(tick, '%H:%M')}"
        previous_day = day
        parts.append(f'<line x1="{tx:.1f}" y1="{bottom}" x2="{tx:.1f}" y2="{bottom + 4}" stroke="#6b7280"/>')
        anchor = "end" if tx > right - 24 else "start" if tx < left + 24 else "middle"
        parts.append(
            f'<text x="{tx:.1f}" y="{bottom + 15}" text-anchor="{anchor}" class="tick">{_e(label)}</text>'
        )
    parts.append(
        f'<line x1="{left}" y1="{bottom}" x2="{right}" y2="{bottom}" stroke="#6b7280"/>'
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{bottom}" stroke="#6b7280"/>'
        f'<text x="{(left + right) / 2:.0f}" y="{h - 4}" text-anchor="middle" class="axis">time (UTC)</text>'
        f'<text x="{left}" y="15" class="ctitle">{_e(title)}</text>'
    )
    if threshold is not None:
        ty = y(threshold)
        dash = "6 3" if threshold_own else "2 3"
        opacity = "1" if threshold_own else "0.6"
        parts.append(
            f'<line class="threshold" x1="{left}" y1="{ty:.1f}" x2="{right}" y2="{ty:.1f}" '
            f'stroke="{THRESHOLD_COLOR}" '
            f'stroke-width="1.6" stroke-dasharray="{dash}" opacity="{opacity}"><title>{_e(threshold_label)}'
            "</title></line>"
            f'<text x="{right - 2}" y="{ty - 4:.1f}" text-anchor="end" class="thr" opacity="{opacity}">'
            f"{_e(threshold_label)}</text>"
        )
    if series:
        segments: list[list[tuple[float, float]]] = []
        last = None
        for start in sorted(series):
            point = (x(start), y(series[start]))
            if last is None or start - last > period:
                segments.append([point])
            else:
                segments[-1].append(point)
            last = start
        for segment in segments:
            if len(segment) == 1:
                px, py = segment[0]
                parts.append(f'<circle cx="{px:.1f}" cy="{py:.1f}" r="2.2" fill="{color}"/>')
            else:
                coords = " ".join(f"{px:.1f},{py:.1f}" for px, py in segment)
                parts.append(
                    f'<polyline class="series" points="{coords}" fill="none" stroke="{color}" '
                    'stroke-width="1.8" '
                    'stroke-linejoin="round"/>'
                )
    else:
        parts.append(
            f'<text x="{(left + right) / 2:.0f}" y="{(top + bottom) / 2:.0f}" text-anchor="middle" '
            'class="nodata">'
            "no data</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def _condition(alarm: AlarmDefinition) -> str:
    spec = alarm.spec
    return (
        f"{spec.statistic} {spec.comparison.symbol} {_fmt(spec.threshold)} for {spec.datapoints_to_alarm} of "
        f"{spec.evaluation_periods} × {_period_label(spec.period_seconds)} (missing data: "
        f"{spec.treat_missing_data.value})"
    )


def _asset(name: str) -> str:
    """A static file of this package (assets/), inlined so the page stays one self-contained file."""
    return resources.files(__name__).joinpath("assets", name).read_text(encoding="utf-8")


def _swatch_line(color: str, dash: str | None = None) -> str:
    dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
    return (
        f'<svg width="22" height="10"><line x1="1" y1="5" x2="21" y2="5" stroke="{color}" '
        f'stroke-width="2"{dash_attr}/>'
        "</svg>"
    )


def _swatch_box(fill: str) -> str:
    return f'<svg width="14" height="10"><rect x="0" y="0" width="14" height="10" fill="{fill}"/></svg>'


def render_dashboard(
    path: str | Path,
    *,
    store: MetricStore,
    metrics: Sequence[tuple[str, MetricSpec]],
    alarms: Sequence[AlarmDefinition],
    changes: Iterable[StateChangeLike],
    title: str = "LLM Monitor — local dashboard",
    period_seconds: int = DEFAULT_PERIOD_SECONDS,
    open_all: bool | None = None,
) -> Path:
    """Write the dashboard to `path` (parents created) and return the path.

    `metrics` are (monitor name, MetricSpec) in display order, `alarms` the resolved alarm definitions,
    `changes` their state changes. Metric sections are expanded when the metric has an alarm (all of them
    when there are at most six metrics, or when `open_all`); the page's buttons expand or collapse all.
    """
    started = time.perf_counter()
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    all_changes = _normalise_changes(changes)
    models = store.models()
    color_of = {model: PALETTE[i % len(PALETTE)] for i, model in enumerate(models)}
    span = store.time_range()
    alarm_by_scope = {(a.metric_name, a.model_id): a for a in alarms}
    if open_all is None:
        open_all = len(metrics) <= 6

    body: list[str] = [f"<h1>{_e(title)}</h1>"]
    if span is None:
        body.append('<p class="empty">The metric store is empty: replay some invocation logs first.</p>')
        x0 = x1 = 0.0
    else:
        coarsest = max([period_seconds, *(a.spec.period_seconds for a in alarms)])
        x0 = math.floor(span[0] / coarsest) * coarsest
        x1 = max(math.ceil(span[1] / coarsest) * coarsest, x0 + coarsest)
        body.append(
            f'<p class="sub">{_e(_utc(span[0]))} – {_e(_utc(span[1]))} UTC · {len(models)} model(s) · '
            f"{len(metrics)} metric(s) · {len(alarms)} alarm(s)</p>"
        )
    intervals = _alarm_intervals(all_changes, x1)

    # ---------------------------------------------------------------- totals and alarm overview
    totals = store.pipeline_totals()
    skips = store.skip_counts()
    records = store.record_count()
    final_state: dict[str, str] = {}
    for c in all_changes:
        final_state[c.alarm] = c.new
    in_alarm = sum(1 for a in alarms if final_state.get(a.name) == ALARM)
    malformed = next((totals[k] for k in _MALFORMED_KEYS if k in totals), 0)
    skipped_parse = sum(v for k, v in totals.items() if k.startswith(_SKIPPED_PREFIX))
    skipped_scoring = sum(sum(r.values()) for r in skips.values())
    cards = [
        ("records", f"{records:,}", False),
        ("models", f"{len(models)}", False),
        ("records skipped by the parser", f"{skipped_parse:,}", False),
        ("malformed lines", f"{malformed:,}", malformed > 0),
        ("records not scored (monitor skips)", f"{skipped_scoring:,}", False),
        ("alarm state changes", f"{len(all_changes):,}", False),
        ("alarms in ALARM at the end", f"{in_alarm}", in_alarm > 0),
    ]
    body.append('<div class="cards">')
    body.extend(
        f'<div class="card{" bad" if bad else ""}"><b>{_e(v)}</b><span>{_e(k)}</span></div>'
        for k, v, bad in cards
    )
    body.append("</div>")
    body.append(
        '<p><button type="button" onclick="setAll(true)">expand all</button>'
        '<button type="button" onclick="setAll(false)">collapse all</button> '
        '<a href="#changes">alarm state changes</a> · <a href="#pipeline">pipeline counts</a> · '
        '<a href="#models">records per model</a></p>'
    )
    if alarms:
        body.append(
            '<h2 id="alarms">Alarms</h2><table><tr><th>alarm</th><th>condition</th><th>state at the end</th>'
            "<th>time in ALARM</th><th>changes</th></tr>"
        )
        for a in alarms:
            state = final_state.get(a.name, "–")
            seconds = sum(b - s for s, b in intervals.get(a.name, []))
            n = sum(1 for c in all_changes if c.alarm == a.name)
            body.append(
                f'<tr><td>{_e(a.name)}</td><td>{_e(_condition(a))}</td><td class="{_e(state)}">{_e(state)}'
                "</td>"
                f'<td class="num">{_e(_duration(seconds))}</td><td class="num">{n}</td></tr>'
            )
        body.append("</table>")

    # ---------------------------------------------------------------- charts, grouped by monitor
    body.append('<h2 id="charts">Metrics</h2>')
    body.append(
        '<div class="legend">'
        f"<span>{_swatch_line(AGGREGATE_COLOR)}all models</span>"
        + "".join(f"<span>{_swatch_line(color_of[m])}{_e(m)}</span>" for m in models)
        + f"<span>{_swatch_line(THRESHOLD_COLOR, '6 3')}alarm threshold</span>"
        f"<span>{_swatch_line(THRESHOLD_COLOR, '2 3')}all-models threshold (reference; no per-model alarm)"
        "</span>"
        f"<span>{_swatch_box(ALARM_FILL)}alarm in ALARM</span></div>"
    )
    by_monitor: dict[str, list[MetricSpec]] = {}
    for monitor, spec in metrics:
        by_monitor.setdefault(monitor, []).append(spec)
    for monitor, specs in by_monitor.items():
        body.append(
            f'<details class="monitor" open><summary>{_e(monitor)} <span class="desc">'
            f"({len(specs)} metric(s))</span></summary>"
        )
        for spec in specs:
            body.append(
                _metric_section(
                    spec=spec,
                    store=store,
                    models=models,
                    color_of=color_of,
                    alarm_by_scope=alarm_by_scope,
                    intervals=intervals,
                    x0=x0,
                    x1=x1,
                    period_seconds=period_seconds,
                    open_all=open_all,
                    has_span=span is not None,
                )
            )
        body.append("</details>")

    # ---------------------------------------------------------------- tables
    body.append(f'<h2 id="changes">Alarm state changes ({len(all_changes)})</h2>')
    if all_changes:
        body.append(
            "<table><tr><th>time (UTC)</th><th>alarm</th><th>from</th><th>to</th><th>value</th><th>reason"
            "</th></tr>"
        )
        for c in all_changes:
            body.append(
                f"<tr><td>{_e(_utc(c.timestamp))}</td><td>{_e(c.alarm)}</td><td "
                f'class="{_e(c.old)}">{_e(c.old)}</td>'
                f'<td class="{_e(c.new)}">{_e(c.new)}</td><td class="num">{_e(_fmt(c.value))}</td>'
                f"<td>{_e(c.reason)}</td></tr>"
            )
        body.append("</table>")
    else:
        body.append('<p class="empty">No alarm changed state.</p>')

    body.append('<h2 id="pipeline">Pipeline counts</h2>')
    emitted = next((totals[k] for k in _EMITTED_KEYS if k in totals), None)
    rows = [("records stored", records)]
    if emitted is not None:
        rows.append(("records emitted by the parser", emitted))
    rows.append(("malformed lines", malformed))
    rows.extend(
        (f"skipped by the parser: {k[len(_SKIPPED_PREFIX) :]}", v)
        for k, v in totals.items()
        if k.startswith(_SKIPPED_PREFIX)
    )
    known = {*_EMITTED_KEYS, *_MALFORMED_KEYS}
    rows.extend((k, v) for k, v in totals.items() if k not in known and not k.startswith(_SKIPPED_PREFIX))
    rows.append(("log sources read", len(store.sources())))
    body.append("<table><tr><th>count</th><th>value</th></tr>")
    body.extend(f'<tr><td>{_e(k)}</td><td class="num">{v:,}</td></tr>' for k, v in rows)
    body.append("</table>")
    body.append("<h3>Records not scored, by monitor and reason</h3>")
    if skips:
        body.append("<table><tr><th>monitor</th><th>reason</th><th>records</th></tr>")
        for monitor, reasons in skips.items():
            body.extend(
                f'<tr><td>{_e(monitor)}</td><td>{_e(reason)}</td><td class="num">{n:,}</td></tr>'
                for reason, n in reasons.items()
            )
        body.append("</table>")
    else:
        body.append('<p class="empty">Every record was scored.</p>')

    body.append('<h2 id="models">Records per model</h2>')
    counts = store.record_counts()
    body.append("<table><tr><th>model</th><th>records</th></tr>")
    body.extend(
        f"<tr><td>{_swatch_line(color_of.get(m, AGGREGATE_COLOR))}{_e(m or '(none)')}</td><td "
        f'class="num">{n:,}</td></tr>'
        for m, n in counts.items()
    )
    body.append(f'<tr><th>all models</th><td class="num">{records:,}</td></tr></table>')
    elapsed = time.perf_counter() - started
    body.append(
        f'<p class="sub">Generated {_e(datetime.now(tz=UTC).strftime("%Y-%m-%d %H:%M:%S"))} UTC in '
        f"{elapsed:.2f} s "
        "by llm-monitor. Only aggregates are shown; the store holds no prompt or completion text.</p>"
    )

    document = (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(title)}</title><style>\n{_asset('dashboard.css')}</style>"
        f"<script>\n{_asset('dashboard.js')}</script></head><body>"
        + "\n".join(body)
        + "</body></html>\n"
    )
    out.write_text(document, encoding="utf-8")
    return out


def _duration(seconds: float) -> str:
    if seconds <= 0:
        return "–"
    minutes = int(round(seconds / 60))
    return f"{minutes // 60} h {minutes % 60:02d} min" if minutes >= 60 else f"{minutes} min"


def _metric_section(
    *,
    spec: MetricSpec,
    store: MetricStore,
    models: Sequence[str],
    color_of: Mapping[str, str],
    alarm_by_scope: Mapping[tuple[str, str | None], AlarmDefinition],
    intervals: Mapping[str, list[tuple[float, float]]],
    x0: float,
    x1: float,
    period_seconds: int,
    open_all: bool,
    has_span: bool,
) -> str:
    aggregate_alarm = alarm_by_scope.get((spec.name, None))
    model_alarms = {m: alarm_by_scope.get((spec.name, m)) for m in models}
    reference = aggregate_alarm or next((a for a in model_alarms.values() if a is not None), None)
    statistic = reference.spec.statistic if reference else "Average"
    period = reference.spec.period_seconds if reference else period_seconds
    is_open = open_all or reference is not None
    what = f"{statistic} per {_period_label(period)}"
    head = (
        f'<details class="metric"{" open" if is_open else ""} data-metric="{_e(spec.name)}">'
        f"<summary>{_e(spec.name)} "
        f'<span class="desc">— {_e(what)}'
        + (f" · alarm: {_e(_condition(reference))}" if reference else "")
        + f" · {_e(spec.description)}</span></summary>"
    )
    series = store.datapoints_by_model(spec.name, statistic, period) if has_span else {None: {}}
    if not any(series.values()):
        return (
            head
            + '<p class="empty">No values in this store (monitor not run, or a metric only the AWS backend '
            "emits).</p></details>"
        )
    values = [v for s in series.values() for v in s.values()]
    lo, hi, ticks = _nice_axis(values, [reference.spec.threshold] if reference else [])
    axis = _Axis(x0, x1, lo, hi, ticks)
    charts = []
    scopes: list[tuple[str | None, str]] = [(None, AGGREGATE_COLOR), *((m, color_of[m]) for m in models)]
    for model, color in scopes:
        own = aggregate_alarm if model is None else model_alarms.get(model)
        threshold_alarm = own or aggregate_alarm
        label = "all models" if model is None else model
        points = series.get(model, {})
        tooltip = f"{spec.name} {what}, {label}: {len(points)} period(s)"
        if points:
            tooltip += f", min {_fmt(min(points.values()))}, max {_fmt(max(points.values()))}"
        threshold_label = (
            f"{threshold_alarm.spec.comparison.symbol} {_fmt(threshold_alarm.spec.threshold)}"
            + ("" if own else " (all models)")
            if threshold_alarm
            else ""
        )
        charts.append(
            _chart(
                title=label if len(label) <= 48 else label[:45] + "…",
                tooltip=tooltip,
                series=points,
                period=period,
                axis=axis,
                color=color,
                threshold=threshold_alarm.spec.threshold if threshold_alarm else None,
                threshold_label=threshold_label,
                threshold_own=own is not None,
                alarm_spans=intervals.get(own.name, []) if own else [],
                data_metric=spec.name,
                data_model=model or "all-models",
            )
        )
    return head + '<div class="grid">' + "".join(charts) + "</div></details>"

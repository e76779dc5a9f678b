"""The page's sections, top to bottom: header, summary cards, alarms, charts per monitor, then the tables.

Each section returns its lines; the page joins every line with a newline, so a section that shows
nothing returns no lines rather than an empty one. Every string that comes from logs, configuration or
the caller goes through `escape`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from local_runtime.dashboard.changes import time_in_alarm
from local_runtime.dashboard.charts import (
    AGGREGATE_COLOR,
    ALARM_FILL,
    OWN_THRESHOLD_DASH,
    REFERENCE_THRESHOLD_DASH,
    THRESHOLD_COLOR,
    Axis,
    Threshold,
    chart,
    swatch_box,
    swatch_line,
    value_axis,
)
from local_runtime.dashboard.formatting import (
    NO_VALUE,
    TIMESTAMP_FORMAT,
    alarm_condition,
    duration,
    escape,
    number,
    period_label,
    utc,
)
from local_runtime.dashboard.page_data import PageData
from monitors.core.alarms import ALL_MODELS, AlarmDefinition
from monitors.core.spec import MetricSpec

# The statistic drawn for a metric without an alarm (with one, the alarm's statistic and period).
_DEFAULT_STATISTIC = "Average"
_TITLE_MAX = 48
_ALL_MODELS_LABEL = "all models"
_NO_VALUES = '<p class="empty">No values in this store (monitor not run, or a metric only the AWS backend emits).</p>'


def header(page: PageData) -> list[str]:
    """The title, and the time range and sizes drawn (or why there is nothing to draw)."""
    title = f"<h1>{escape(page.title)}</h1>"
    if page.span is None:
        return [title, '<p class="empty">The metric store is empty: replay some invocation logs first.</p>']
    first, last = page.span
    return [
        title,
        (
            f'<p class="sub">{escape(utc(first))} – {escape(utc(last))} UTC · {len(page.models)} model(s) · '
            f"{len(page.metrics)} metric(s) · {len(page.alarms)} alarm(s)</p>"
        ),
    ]


def summary_cards(page: PageData) -> list[str]:
    """The totals a reader checks first; malformed lines and alarms still in ALARM are marked red."""
    skipped_by_parser = sum(page.parser_skips.values())
    cards = [
        ("records", f"{page.records:,}", False),
        ("models", f"{len(page.models)}", False),
        ("records skipped by the parser", f"{skipped_by_parser:,}", False),
        ("malformed lines", f"{page.malformed:,}", page.malformed > 0),
        ("records not scored (monitor skips)", f"{page.not_scored:,}", False),
        ("alarm state changes", f"{len(page.changes):,}", False),
        ("alarms in ALARM at the end", f"{page.in_alarm}", page.in_alarm > 0),
    ]
    return [
        '<div class="cards">',
        *(
            f'<div class="card{" bad" if bad else ""}"><b>{escape(value)}</b><span>{escape(name)}</span></div>'
            for name, value, bad in cards
        ),
        "</div>",
    ]


def navigation() -> list[str]:
    """Expand/collapse buttons (the page's only script) and links to the tables below the charts."""
    return [
        (
            '<p><button type="button" onclick="setAll(true)">expand all</button>'
            '<button type="button" onclick="setAll(false)">collapse all</button> '
            '<a href="#changes">alarm state changes</a> · <a href="#pipeline">pipeline counts</a> · '
            '<a href="#models">records per model</a></p>'
        )
    ]


def alarm_table(page: PageData) -> list[str]:
    """Each alarm's condition, final state, time in ALARM and number of changes (nothing without alarms)."""
    if not page.alarms:
        return []
    rows = []
    for alarm in page.alarms:
        state = page.final_state.get(alarm.name, NO_VALUE)
        changes = sum(1 for c in page.changes if c.alarm == alarm.name)
        rows.append(
            f"<tr><td>{escape(alarm.name)}</td><td>{escape(alarm_condition(alarm))}</td>"
            f'<td class="{escape(state)}">{escape(state)}</td>'
            f'<td class="num">{escape(duration(time_in_alarm(page.intervals, alarm.name)))}</td>'
            f'<td class="num">{changes}</td></tr>'
        )
    return [
        (
            '<h2 id="alarms">Alarms</h2><table><tr><th>alarm</th><th>condition</th><th>state at the end</th>'
            "<th>time in ALARM</th><th>changes</th></tr>"
        ),
        *rows,
        "</table>",
    ]


def legend(page: PageData) -> list[str]:
    """The charts' heading and what each colour, dash and shade means."""
    return [
        '<h2 id="charts">Metrics</h2>',
        '<div class="legend">'
        f"<span>{swatch_line(AGGREGATE_COLOR)}{_ALL_MODELS_LABEL}</span>"
        + "".join(f"<span>{swatch_line(page.colors[m])}{escape(m)}</span>" for m in page.models)
        + f"<span>{swatch_line(THRESHOLD_COLOR, OWN_THRESHOLD_DASH)}alarm threshold</span>"
        f"<span>{swatch_line(THRESHOLD_COLOR, REFERENCE_THRESHOLD_DASH)}all-models threshold (reference; "
        "no per-model alarm)</span>"
        f"<span>{swatch_box(ALARM_FILL)}alarm in ALARM</span></div>",
    ]


def monitor_sections(page: PageData) -> list[str]:
    """A collapsible section per monitor, holding a section per metric, in the order metrics were given."""
    by_monitor: dict[str, list[MetricSpec]] = {}
    for monitor, spec in page.metrics:
        by_monitor.setdefault(monitor, []).append(spec)
    lines = []
    for monitor, specs in by_monitor.items():
        lines.append(
            f'<details class="monitor" open><summary>{escape(monitor)} <span class="desc">'
            f"({len(specs)} metric(s))</span></summary>"
        )
        lines.extend(_metric_section(page, spec) for spec in specs)
        lines.append("</details>")
    return lines


@dataclass(frozen=True)
class _MetricAlarms:
    """A metric's alarms: on all models, and per model (None for models without one)."""

    aggregate: AlarmDefinition | None
    per_model: Mapping[str, AlarmDefinition | None]

    @property
    def reference(self) -> AlarmDefinition | None:
        """The alarm whose statistic and period the metric's charts use: what the alarm itself sees."""
        return self.aggregate or next((a for a in self.per_model.values() if a is not None), None)

    def own(self, model: str | None) -> AlarmDefinition | None:
        """The alarm on exactly this scope (None: all models)."""
        return self.aggregate if model is None else self.per_model.get(model)


def _metric_alarms(page: PageData, metric: str) -> _MetricAlarms:
    """The alarms on `metric`, found by scope."""
    by_scope = {(a.metric_name, a.model_id): a for a in page.alarms}
    return _MetricAlarms(
        aggregate=by_scope.get((metric, None)),
        per_model={m: by_scope.get((metric, m)) for m in page.models},
    )


def _metric_summary(spec: MetricSpec, what: str, reference: AlarmDefinition | None, *, is_open: bool) -> str:
    """The metric section's opening tag and one-line summary: what is drawn, the alarm, the description."""
    alarm = f" · alarm: {escape(alarm_condition(reference))}" if reference else ""
    return (
        f'<details class="metric"{" open" if is_open else ""} data-metric="{escape(spec.name)}">'
        f"<summary>{escape(spec.name)} "
        f'<span class="desc">— {escape(what)}{alarm} · {escape(spec.description)}</span></summary>'
    )


@dataclass(frozen=True)
class _MetricCharts:
    """What every chart of one metric shares: the statistic and period drawn, the value axis, the alarms."""

    spec: MetricSpec
    what: str
    period: int
    axis: Axis
    alarms: _MetricAlarms


def _metric_section(page: PageData, spec: MetricSpec) -> str:
    """A metric's charts: all models, then one per model, on one value axis; expanded when alarmed."""
    alarms = _metric_alarms(page, spec.name)
    reference = alarms.reference
    statistic = reference.spec.statistic if reference else _DEFAULT_STATISTIC
    period = reference.spec.period_seconds if reference else page.period_seconds
    what = f"{statistic} per {period_label(period)}"
    head = _metric_summary(spec, what, reference, is_open=page.open_all or reference is not None)
    series = _datapoints(page, spec.name, statistic, period)
    if not any(series.values()):
        return head + _NO_VALUES + "</details>"
    values = [v for points in series.values() for v in points.values()]
    lo, hi, ticks = value_axis(values, [reference.spec.threshold] if reference else [])
    shared = _MetricCharts(spec, what, period, Axis(*page.time_axis, lo, hi, ticks), alarms)
    scopes: list[tuple[str | None, str]] = [
        (None, AGGREGATE_COLOR),
        *((m, page.colors[m]) for m in page.models),
    ]
    charts = "".join(
        _scope_chart(page, shared, model=model, color=color, points=series.get(model, {})) for model, color in scopes
    )
    return head + '<div class="grid">' + charts + "</div></details>"


def _datapoints(page: PageData, metric: str, statistic: str, period: int) -> dict[str | None, dict[int, float]]:
    """{model (None: all models): {period start: value}}; an empty store is not queried."""
    if page.span is None:
        return {None: {}}
    return page.store.datapoints_by_model(metric, statistic, period)


def _threshold(own: AlarmDefinition | None, aggregate: AlarmDefinition | None) -> Threshold | None:
    """The scope's own alarm threshold, else the all-models one as a reference (labelled so)."""
    alarm = own or aggregate
    if alarm is None:
        return None
    reference = "" if own else " (all models)"
    label = f"{alarm.spec.comparison.symbol} {number(alarm.spec.threshold)}{reference}"
    return Threshold(alarm.spec.threshold, label, own is not None)


def _scope_chart(
    page: PageData,
    shared: _MetricCharts,
    *,
    model: str | None,
    color: str,
    points: Mapping[int, float],
) -> str:
    """One metric's chart on one scope (all models when `model` is None), shaded where its alarm fired."""
    own = shared.alarms.own(model)
    label = _ALL_MODELS_LABEL if model is None else model
    tooltip = f"{shared.spec.name} {shared.what}, {label}: {len(points)} period(s)"
    if points:
        tooltip += f", min {number(min(points.values()))}, max {number(max(points.values()))}"
    return chart(
        title=label if len(label) <= _TITLE_MAX else label[: _TITLE_MAX - 3] + "…",
        tooltip=tooltip,
        series=points,
        period=shared.period,
        axis=shared.axis,
        color=color,
        threshold=_threshold(own, shared.alarms.aggregate),
        alarm_spans=page.intervals.get(own.name, []) if own else [],
        metric=shared.spec.name,
        model=model or ALL_MODELS,
    )


def change_table(page: PageData) -> list[str]:
    """Every alarm state change in time order, with the value and CloudWatch-style reason."""
    heading = f'<h2 id="changes">Alarm state changes ({len(page.changes)})</h2>'
    if not page.changes:
        return [heading, '<p class="empty">No alarm changed state.</p>']
    rows = [
        f"<tr><td>{escape(utc(c.timestamp))}</td><td>{escape(c.alarm)}</td><td "
        f'class="{escape(c.old)}">{escape(c.old)}</td>'
        f'<td class="{escape(c.new)}">{escape(c.new)}</td><td class="num">{escape(number(c.value))}</td>'
        f"<td>{escape(c.reason)}</td></tr>"
        for c in page.changes
    ]
    return [
        heading,
        ("<table><tr><th>time (UTC)</th><th>alarm</th><th>from</th><th>to</th><th>value</th><th>reason</th></tr>"),
        *rows,
        "</table>",
    ]


def pipeline_table(page: PageData) -> list[str]:
    """What the pipeline counted: records stored and emitted, malformed lines, skips, sources read."""
    counts: list[tuple[str, int]] = [("records stored", page.records)]
    if page.emitted is not None:
        counts.append(("records emitted by the parser", page.emitted))
    counts.append(("malformed lines", page.malformed))
    counts.extend((f"skipped by the parser: {reason}", n) for reason, n in page.parser_skips.items())
    counts.extend(page.other_counters.items())
    counts.append(("log sources read", len(page.store.sources())))
    return [
        '<h2 id="pipeline">Pipeline counts</h2>',
        "<table><tr><th>count</th><th>value</th></tr>",
        *(f'<tr><td>{escape(name)}</td><td class="num">{n:,}</td></tr>' for name, n in counts),
        "</table>",
    ]


def skip_table(page: PageData) -> list[str]:
    """Records monitors did not score, by monitor and reason."""
    heading = "<h3>Records not scored, by monitor and reason</h3>"
    if not page.skips:
        return [heading, '<p class="empty">Every record was scored.</p>']
    return [
        heading,
        "<table><tr><th>monitor</th><th>reason</th><th>records</th></tr>",
        *(
            f'<tr><td>{escape(monitor)}</td><td>{escape(reason)}</td><td class="num">{n:,}</td></tr>'
            for monitor, reasons in page.skips.items()
            for reason, n in reasons.items()
        ),
        "</table>",
    ]


def model_table(page: PageData) -> list[str]:
    """Records per model, each in its chart colour, and the total."""
    return [
        '<h2 id="models">Records per model</h2>',
        "<table><tr><th>model</th><th>records</th></tr>",
        *(
            f"<tr><td>{swatch_line(page.colors.get(m, AGGREGATE_COLOR))}{escape(m or '(none)')}</td><td "
            f'class="num">{n:,}</td></tr>'
            for m, n in page.store.record_counts().items()
        ),
        f'<tr><th>{_ALL_MODELS_LABEL}</th><td class="num">{page.records:,}</td></tr></table>',
    ]


def footer(*, generated_at: datetime, elapsed: float) -> list[str]:
    """When and how fast the page was made, and the reminder that it holds no prompt or completion text."""
    return [
        (
            f'<p class="sub">Generated {escape(generated_at.strftime(TIMESTAMP_FORMAT))} UTC '
            f"in {elapsed:.2f} s "
            "by llm-monitor. Only aggregates are shown; the store holds no prompt or completion text.</p>"
        )
    ]

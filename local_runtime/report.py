"""The replay summary a person reads, and the same facts as JSON for machines. Never any record text."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import NotRequired, TypedDict

from local_runtime.alarm_state import AlarmState
from local_runtime.alarm_timeline import StateChangeDict
from local_runtime.replay import AlarmReport, ReplayTotals
from local_runtime.store import MetricStore
from monitors.core.config import MonitoringConfig
from monitors.core.registry import MonitorRegistry
from monitors.core.spec import MetricSpec
from shared.timestamps import iso


class MetricFigures(TypedDict):
    count: int
    mean: float | None
    p90: float | None


class ModelSummary(TypedDict):
    records: int
    metrics: dict[str, MetricFigures]


class ChangeSummary(StateChangeDict):
    time: str  # the timestamp in ISO 8601


class AlarmSummary(TypedDict):
    name: str
    metric: str
    scope: str
    statistic: str
    threshold: float
    finalState: str
    changes: list[ChangeSummary]


class ReplayFigures(TypedDict):
    sources: int
    records: int
    seconds: float
    recordsPerSecond: float | None
    monitors: dict[str, dict[str, int]]
    failedSources: list[str]


class Summary(TypedDict):
    """The summary as JSON (`llm-monitor replay --json`); `format_summary` renders it for people."""

    timeRange: list[str] | None
    records: int
    outsideTimeWindow: int
    timeWindowDays: float
    pipeline: dict[str, int]
    skips: dict[str, dict[str, int]]
    models: dict[str, ModelSummary]
    alarms: list[AlarmSummary]
    dashboard: str | None
    replay: NotRequired[ReplayFigures]


def active_metrics(
    config: MonitoringConfig, registry: MonitorRegistry, names: Sequence[str]
) -> list[tuple[str, MetricSpec]]:
    """(monitor, MetricSpec) of every active metric of the given monitors, in declaration order."""
    out: list[tuple[str, MetricSpec]] = []
    for name in names:
        spec = registry[name].spec()
        out.extend((name, metric) for metric in spec.active_metrics(config.monitors[name].options))
    return out


def summary_dict(
    *,
    store: MetricStore,
    totals: ReplayTotals | None,
    reports: Sequence[AlarmReport],
    metrics: Sequence[tuple[str, MetricSpec]],
    dashboard: Path | None,
) -> Summary:
    models: dict[str, ModelSummary] = {}
    counts = store.record_counts()
    for model in store.models():
        per_metric: dict[str, MetricFigures] = {}
        for _, metric in metrics:
            summary = store.metric_summary(metric.name, model)
            if summary.count:
                per_metric[metric.name] = {"count": summary.count, "mean": summary.mean, "p90": summary.p90}
        models[model] = {"records": counts.get(model, 0), "metrics": per_metric}
    span = store.time_range()
    out: Summary = {
        "timeRange": [iso(span[0]), iso(span[1])] if span else None,
        "records": store.record_count(),
        "outsideTimeWindow": store.outside_window(),
        "timeWindowDays": store.window.max_past_seconds / 86_400,
        "pipeline": store.pipeline_totals(),
        "skips": store.skip_counts(),
        "models": models,
        "alarms": [
            {
                "name": r.alarm.name,
                "metric": r.alarm.metric_name,
                "scope": r.alarm.scope,
                "statistic": r.alarm.spec.statistic,
                "threshold": r.alarm.spec.threshold,
                "finalState": r.final_state.value,
                "changes": [{**c.to_dict(), "time": iso(c.timestamp)} for c in r.changes],
            }
            for r in reports
        ],
        "dashboard": str(dashboard) if dashboard else None,
    }
    if totals is not None:
        out["replay"] = {
            "sources": totals.parse.sources,
            "records": totals.records,
            "seconds": round(totals.elapsed_seconds, 3),
            "recordsPerSecond": round(totals.records / totals.elapsed_seconds, 1) if totals.elapsed_seconds else None,
            "monitors": {name: dict(counter) for name, counter in totals.monitors.items()},
            "failedSources": totals.failed_sources,
        }
    return out


def _number(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def format_summary(summary: Summary) -> str:
    lines: list[str] = []
    replay = summary.get("replay")
    pipeline = summary["pipeline"]
    if replay:
        rate = f", {replay['recordsPerSecond']:,.0f} records/s" if replay["recordsPerSecond"] else ""
        lines.append(
            f"Replayed {replay['sources']} log file(s): {replay['records']:,} records "
            f"in {replay['seconds']:.1f} s{rate}"
        )
    skipped = ", ".join(f"{k.split('.', 1)[1]} {v:,}" for k, v in pipeline.items() if k.startswith("skipped.") and v)
    lines.append(
        f"Store: {summary['records']:,} records"
        + (f" from {summary['timeRange'][0]} to {summary['timeRange'][1]}" if summary["timeRange"] else "")
        + f"; not generations: {skipped or 'none'}; malformed lines: {pipeline.get('malformed', 0)}"
    )
    if summary["outsideTimeWindow"]:
        days = summary["timeWindowDays"]
        lines.append(
            f"  {summary['outsideTimeWindow']:,} record(s) dated outside the {days:g}-day window ending at the "
            "newest record: kept out of alarms and charts"
        )
    for monitor, reasons in summary["skips"].items():
        lines.append(f"  {monitor} skipped: " + ", ".join(f"{r} {n:,}" for r, n in reasons.items()))
    lines.append("")
    lines.append("Per model (metric: mean / p90 over scored records)")
    for model, data in summary["models"].items():
        lines.append(f"  {model or '(no model id)'} — {data['records']:,} records")
        width = max((len(name) for name in data["metrics"]), default=0)
        for name, stats in data["metrics"].items():
            lines.append(
                f"      {name:<{width}}  {_number(stats['mean'])} / {_number(stats['p90'])}   (n={stats['count']:,})"
            )
    lines.append("")
    lines.append("Alarms (the definitions the stack deploys, evaluated with CloudWatch's rules)")
    alarms = sorted(summary["alarms"], key=lambda a: (not any(c["new"] == "ALARM" for c in a["changes"]), a["name"]))
    for alarm in alarms:
        changes = alarm["changes"]
        fired = any(c["new"] == AlarmState.ALARM.value for c in changes)
        rule = f"{alarm['statistic']} {alarm['metric']} vs {alarm['threshold']}"
        if not fired:
            lines.append(f"  {alarm['name']}: {alarm['finalState']} throughout ({rule})")
            continue
        lines.append(f"  {alarm['name']}: {len(changes)} state changes ({rule}); now {alarm['finalState']}")
        for change in changes:
            lines.append(f"      {change['time']}  {change['old']} -> {change['new']}  {change['reason']}")
    if summary.get("dashboard"):
        lines.append("")
        lines.append(f"Dashboard: {summary['dashboard']}")
    return "\n".join(lines)

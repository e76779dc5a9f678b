"""The drill-down from a metric spike to the requests behind it: saved Logs Insights queries.

For each alarmed metric a saved query lists the records whose own value breaches the alarm threshold,
worst first, over that monitor's log group (each EMF line carries `requestId`, `monitor` and `ModelId`).
The monitor's row shows it as a table; a text widget at the top of the dashboard links every query,
opened on the last hour.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_logs as logs
from constructs import Construct

from infra.naming import construct_id, logs_insights_url, query_name
from infra.observability.widgets import DASHBOARD_WIDTH
from monitors.core.spec import AlarmSpec, Comparison
from shared import pipeline_metrics as pm

QUERY_LIMIT = 50


@dataclass(frozen=True)
class SavedQuery:
    """A deployed query definition and what the dashboard needs to show it and link to it."""

    name: str
    monitor: str
    metric: str
    query: str
    log_group: logs.ILogGroup


def value_column(metric: str) -> str:
    """The Logs Insights column of a metric's value in an EMF line, named as the metric."""
    return f"{pm.logs_insights_field(metric)} as {metric}"


def worst_records_query(
    *, monitor: str, metric: str, spec: AlarmSpec, evidence: bool = False, columns: Sequence[str] | None = None
) -> str:
    """Records of one monitor whose own value breaches the alarm threshold, worst first: `columns`, by
    default request id, model id and the value (and the evidence when the monitor gives evidence)."""
    descending = spec.comparison in (Comparison.GREATER_THAN, Comparison.GREATER_OR_EQUAL)
    value = pm.logs_insights_field(metric)
    if columns is None:
        columns = [pm.REQUEST_ID_PROPERTY, pm.MODEL_DIMENSION, value_column(metric)]
        if evidence:
            columns.append(pm.EVIDENCE_PROPERTY)
    return "\n".join(
        [
            f"fields @timestamp, {', '.join(columns)}",
            (
                f'| filter {pm.MONITOR_PROPERTY} = "{monitor}" and ispresent({value}) '
                f"and {value} {spec.comparison.symbol} {spec.threshold:g}"
            ),
            f"| sort {value} {'desc' if descending else 'asc'}",
            f"| limit {QUERY_LIMIT}",
        ]
    )


def save_query(
    scope: Construct, *, namespace: str, monitor: str, metric: str, query: str, log_group: logs.ILogGroup
) -> SavedQuery:
    """`query` as the query definition of `metric`, in the console folder of its namespace and monitor."""
    saved = SavedQuery(
        name=query_name(namespace, monitor, metric), monitor=monitor, metric=metric, query=query, log_group=log_group
    )
    logs.CfnQueryDefinition(
        scope,
        construct_id(monitor, metric),
        name=saved.name,
        query_string=saved.query,
        log_group_names=[log_group.log_group_name],
    )
    return saved


def query_table(query: SavedQuery, *, width: int, height: int) -> cloudwatch.LogQueryWidget:
    """The query's current results, in the monitor's row."""
    return cloudwatch.LogQueryWidget(
        title=f"{query.metric}: worst records (requestId)",
        log_group_names=[query.log_group.log_group_name],
        query_string=query.query,
        view=cloudwatch.LogQueryVisualizationType.TABLE,
        width=width,
        height=height,
    )


def drill_down_text(namespace: str, queries: Sequence[SavedQuery]) -> cloudwatch.TextWidget:
    """Links that open every saved query on the last hour, for the top of the dashboard."""
    lines = [
        "### Requests behind a spike",
        (
            "Saved Logs Insights queries (console: Logs Insights → Saved queries, folder "
            f"`{namespace}`). Each opens on the last hour and lists request ids whose own value breaches "
            "the alarm threshold, worst first:"
        ),
        "",
    ]
    for query in queries:
        url = logs_insights_url(query.query, query.log_group.log_group_name)
        lines.append(f"* [{query.name}]({url})")
    if not queries:
        lines.append("* (no alarmed metrics, so no queries)")
    return cloudwatch.TextWidget(markdown="\n".join(lines), width=DASHBOARD_WIDTH, height=2 + max(2, len(queries)))

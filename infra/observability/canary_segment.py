"""The canary's part of the observability: its alarms, saved queries and dashboard row, together.

Like `MonitorSegment`, built from declarations (`canary.metrics.CANARY_METRICS`) and the resolved
definitions (`canary.alarms.resolve_canary_alarms`), so the row can never show an alarm or query that was
not created. Differences: the canary emits only per-model series (dimension `ModelId`), so each graph is
a SEARCH per model with the alarm's threshold and no all-models line; its saved queries list the catalog
cases behind a breach (case id, model, Bedrock request id, and the refusal evidence or error code).
"""

from __future__ import annotations

from collections.abc import Sequence

import jsii
from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_logs as logs
from cdk_monitoring_constructs import IDashboardSegment
from constructs import Construct

from infra.observability.alarms import monitor_alarm, threshold_line
from infra.observability.queries import (
    query_table,
    save_query,
    value_column,
    worst_records_query,
)
from infra.observability.widgets import GRAPH_HEIGHT, GRAPH_WIDTH, PERIOD, WidgetSegment, search
from monitors.core.alarms import AlarmDefinition
from monitors.core.spec import AlarmSpec, MetricSpec
from shared import pipeline_metrics as pm
from shared.canary import (
    CANARY_ERRORS,
    CANARY_MONITOR_NAME,
    CANARY_OVER_REFUSAL,
    CASE_ID_PROPERTY,
    ERROR_CODE_PROPERTY,
)

UNALARMED_STATISTIC = "Average"


@jsii.implements(IDashboardSegment)
class CanarySegment(WidgetSegment):
    """The canary's alarms and saved queries (created in the scopes given) and its dashboard row."""

    def __init__(
        self,
        *,
        namespace: str,
        metrics: Sequence[MetricSpec],
        definitions: Sequence[AlarmDefinition],
        log_group: logs.ILogGroup,
        alarm_scope: Construct,
        query_scope: Construct,
        action: cloudwatch.IAlarmAction,
    ) -> None:
        foreign = sorted({d.name for d in definitions if d.monitor != CANARY_MONITOR_NAME})
        if foreign:
            raise ValueError(f"alarm definitions {', '.join(foreign)} are not the canary's")
        self.name = CANARY_MONITOR_NAME
        self.alarms = [monitor_alarm(alarm_scope, definition=d, action=action) for d in definitions]
        specs: dict[str, AlarmSpec] = {}
        for definition in definitions:
            specs.setdefault(definition.metric_name, definition.spec)
        self.queries = [
            save_query(
                query_scope,
                namespace=namespace,
                monitor=CANARY_MONITOR_NAME,
                metric=metric,
                query=canary_cases_query(metric=metric, spec=spec),
                log_group=log_group,
            )
            for metric, spec in specs.items()
        ]
        status = (
            [
                cloudwatch.AlarmStatusWidget(
                    title="canary: alarms per model", alarms=self.alarms, width=GRAPH_WIDTH, height=GRAPH_HEIGHT
                )
            ]
            if self.alarms
            else []
        )
        super().__init__(
            [
                *(canary_graph(namespace, metric=m, alarm=specs.get(m.name)) for m in metrics),
                *status,
                *(query_table(q, width=2 * GRAPH_WIDTH, height=GRAPH_HEIGHT) for q in self.queries),
            ]
        )


def canary_graph(namespace: str, *, metric: MetricSpec, alarm: AlarmSpec | None) -> cloudwatch.GraphWidget:
    """One series per canary model (SEARCH over ModelId) at the alarm's statistic and period."""
    statistic = alarm.statistic if alarm else UNALARMED_STATISTIC
    period = Duration.seconds(alarm.period_seconds) if alarm else PERIOD
    per_model = cloudwatch.MathExpression(
        expression=search(namespace, metric.name, dimensions=(pm.MODEL_DIMENSION,), statistic=statistic, period=period),
        label="",
        period=period,
    )
    return cloudwatch.GraphWidget(
        title=f"{metric.name} ({statistic}) per canary model",
        left=[per_model],
        left_annotations=[threshold_line(alarm)] if alarm else [],
        width=GRAPH_WIDTH,
        height=GRAPH_HEIGHT,
        legend_position=cloudwatch.LegendPosition.BOTTOM,
    )


def canary_cases_query(*, metric: str, spec: AlarmSpec) -> str:
    """The canary cases whose own value breaches the alarm's threshold, worst first."""
    if metric == CANARY_ERRORS:
        columns = [CASE_ID_PROPERTY, pm.MODEL_DIMENSION, ERROR_CODE_PROPERTY, value_column(metric)]
    else:
        columns = [CASE_ID_PROPERTY, pm.MODEL_DIMENSION, pm.REQUEST_ID_PROPERTY, value_column(metric)]
        if metric == CANARY_OVER_REFUSAL:
            columns.append(pm.EVIDENCE_PROPERTY)
    return worst_records_query(monitor=CANARY_MONITOR_NAME, metric=metric, spec=spec, columns=columns)

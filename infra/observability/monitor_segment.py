"""One monitor's part of the observability: its alarms, saved queries and dashboard row, together.

Like a cdk-monitoring-constructs `Monitoring` class, a segment knows its metrics, creates their alarms and
draws their widgets, so a monitor's row can never show an alarm or a query that was not created, nor miss
one that was. Everything comes from the monitor's declaration (its active `MetricSpec`s) and its resolved
`AlarmDefinition`s: one segment class serves every monitor, built-in or user-defined.

The row: per active metric a graph (a SEARCH series per model id next to the all-models series and the
alarm threshold), an alarm-status widget when the monitor has alarms, and a table of the worst records
per alarmed metric.
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
from infra.observability.queries import query_table, save_query, worst_records_query
from infra.observability.widgets import GRAPH_HEIGHT, GRAPH_WIDTH, PERIOD, WidgetSegment, search
from monitors.core.alarms import AlarmDefinition
from monitors.core.spec import AlarmSpec, MetricSpec
from shared import pipeline_metrics as pm

UNALARMED_STATISTIC = "Average"


@jsii.implements(IDashboardSegment)
class MonitorSegment(WidgetSegment):
    """A monitor's alarms and saved queries, created here, and its dashboard row.

    It is not a construct: alarms and queries go into the scopes it is given (`alarm_scope`,
    `query_scope`), shared by all monitors, because their construct paths — and so the logical ids of
    deployed alarms and queries — must not change with the code's layout.
    """

    def __init__(
        self,
        *,
        name: str,
        namespace: str,
        metrics: Sequence[MetricSpec],
        evidence: bool,
        definitions: Sequence[AlarmDefinition],
        log_group: logs.ILogGroup,
        alarm_scope: Construct,
        query_scope: Construct,
        action: cloudwatch.IAlarmAction,
    ) -> None:
        foreign = sorted({d.name for d in definitions if d.monitor != name})
        if foreign:
            raise ValueError(f"alarm definitions {', '.join(foreign)} do not belong to monitor {name!r}")
        self.name = name
        self.alarms = [monitor_alarm(alarm_scope, definition=d, action=action) for d in definitions]
        # The first definition of a metric is its all-models alarm; per-model ones share its spec.
        first_per_metric: dict[str, AlarmDefinition] = {}
        for definition in definitions:
            first_per_metric.setdefault(definition.metric_name, definition)
        self.queries = [
            save_query(
                query_scope,
                namespace=namespace,
                monitor=name,
                metric=d.metric_name,
                query=worst_records_query(monitor=name, metric=d.metric_name, spec=d.spec, evidence=evidence),
                log_group=log_group,
            )
            for d in first_per_metric.values()
        ]
        specs = {metric: d.spec for metric, d in first_per_metric.items()}
        super().__init__(
            [
                *(metric_graph(namespace, metric=m, alarm=specs.get(m.name)) for m in metrics),
                *self._alarm_status(),
                *(query_table(q, width=2 * GRAPH_WIDTH, height=GRAPH_HEIGHT) for q in self.queries),
            ]
        )

    def _alarm_status(self) -> list[cloudwatch.IWidget]:
        if not self.alarms:
            return []
        return [
            cloudwatch.AlarmStatusWidget(
                title=f"{self.name}: alarms", alarms=self.alarms, width=GRAPH_WIDTH, height=GRAPH_HEIGHT
            )
        ]


def metric_graph(namespace: str, *, metric: MetricSpec, alarm: AlarmSpec | None) -> cloudwatch.GraphWidget:
    """A metric per model id (SEARCH), the all-models series, and the alarm threshold when alarmed.

    An alarmed metric is graphed with its alarm's statistic and period, so the line is the one the alarm
    evaluates.
    """
    statistic = alarm.statistic if alarm else UNALARMED_STATISTIC
    period = Duration.seconds(alarm.period_seconds) if alarm else PERIOD
    per_model = cloudwatch.MathExpression(
        expression=search(namespace, metric.name, dimensions=(pm.MODEL_DIMENSION,), statistic=statistic, period=period),
        label="",
        period=period,
    )
    aggregate = cloudwatch.Metric(
        namespace=namespace,
        metric_name=metric.name,
        statistic=statistic,
        period=period,
        label=f"all models ({statistic})",
    )
    return cloudwatch.GraphWidget(
        title=f"{metric.name} ({statistic}) per model",
        left=[aggregate, per_model],
        left_annotations=[threshold_line(alarm)] if alarm else [],
        width=GRAPH_WIDTH,
        height=GRAPH_HEIGHT,
        legend_position=cloudwatch.LegendPosition.BOTTOM,
    )

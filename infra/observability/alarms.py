"""Monitor alarms: the one place a resolved `AlarmDefinition` becomes a CloudWatch alarm.

The definitions are exactly `monitors.core.alarms.resolve_alarms(...)`, the list the local runtime
evaluates, and they carry their names (`monitors.core.alarms.alarm_name`), so what is deployed and what
is evaluated locally cannot drift apart. Per alarmed metric there is one all-models alarm on the
dimensionless aggregate series every monitor emits (so every model id is covered, including ones nobody
configured: CloudWatch alarms need fixed dimensions, and a metric-math SEARCH cannot be alarmed on) plus
one per model id in `alarmModelIds`.
"""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from constructs import Construct

from monitors.core.alarms import AlarmDefinition
from monitors.core.spec import AlarmSpec, Comparison, MissingData

_COMPARISON = {
    Comparison.GREATER_THAN: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    Comparison.GREATER_OR_EQUAL: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    Comparison.LESS_THAN: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
    Comparison.LESS_OR_EQUAL: cloudwatch.ComparisonOperator.LESS_THAN_OR_EQUAL_TO_THRESHOLD,
}
_MISSING = {
    MissingData.MISSING: cloudwatch.TreatMissingData.MISSING,
    MissingData.NOT_BREACHING: cloudwatch.TreatMissingData.NOT_BREACHING,
    MissingData.BREACHING: cloudwatch.TreatMissingData.BREACHING,
    MissingData.IGNORE: cloudwatch.TreatMissingData.IGNORE,
}
ALARM_RED = "#d62728"


def monitor_alarm(
    scope: Construct, *, definition: AlarmDefinition, action: cloudwatch.IAlarmAction
) -> cloudwatch.Alarm:
    """The alarm of one definition (construct id = alarm name), with `action` on ALARM and on OK."""
    spec = definition.spec
    alarm = cloudwatch.Alarm(
        scope,
        definition.name,
        alarm_name=definition.name,
        alarm_description=f"{spec.description or definition.metric_name} "
        f"({definition.monitor}, {definition.scope})".strip(),
        metric=cloudwatch.Metric(
            namespace=definition.namespace,
            metric_name=definition.metric_name,
            dimensions_map=dict(definition.dimensions),
            statistic=spec.statistic,
            period=Duration.seconds(spec.period_seconds),
        ),
        threshold=spec.threshold,
        comparison_operator=_COMPARISON[spec.comparison],
        evaluation_periods=spec.evaluation_periods,
        datapoints_to_alarm=spec.datapoints_to_alarm,
        treat_missing_data=_MISSING[spec.treat_missing_data],
    )
    alarm.add_alarm_action(action)
    alarm.add_ok_action(action)
    return alarm


def threshold_line(spec: AlarmSpec) -> cloudwatch.HorizontalAnnotation:
    """The alarm's threshold as drawn on its metric's graph, so a spike can be read against it."""
    return cloudwatch.HorizontalAnnotation(
        value=spec.threshold,
        label=f"alarm: {spec.statistic} {spec.comparison.symbol} {spec.threshold:g}",
        color=ALARM_RED,
    )

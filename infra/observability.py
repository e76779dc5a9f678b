"""Alarms, the alarm topic, the dashboard and the saved Logs Insights queries.

Monitor alarms are exactly `monitors.core.alarms.resolve_alarms(...)` — the list the local runtime evaluates:
per alarmed metric one all-models alarm on the dimensionless aggregate series that every monitor emits
(so every model id is covered, including ones nobody configured: CloudWatch alarms need fixed
dimensions, and a metric-math SEARCH cannot be alarmed on) plus one per model id in `alarmModelIds`.

Pipeline health uses cdk-monitoring-constructs (`MonitoringFacade`): for Lambda, Kinesis, SQS and Step
Functions it already knows the right metrics (errors, throttles, iterator age, queue depth, failed and
timed-out executions), draws each alarm's threshold on its graph and names alarms consistently, which
would otherwise be a page of hand-written widgets per resource type. The monitors' own rows are
hand-written: their metrics are custom, per model id (a SEARCH expression so that every model id that
reports appears, next to the all-models series and the alarm threshold), and come from declarations
the library knows nothing about. Both go on one dashboard: the facade's, with the monitor rows added as
segments.

The drill-down: for each alarmed metric a saved query definition lists the records behind a spike —
request ids whose own value breaches the alarm threshold, worst first — over that monitor's log group
(each EMF line carries `requestId`, `monitor` and `ModelId`), shown as a table widget in the monitor's
row and linked (opened for the last hour) from a text widget at the top of the dashboard.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import jsii
from aws_cdk import Aws, Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from cdk_monitoring_constructs import (
    AlarmFactoryDefaults,
    CustomMetricGroup,
    CustomMetricWithAlarm,
    CustomThreshold,
    DashboardRenderingPreference,
    DefaultDashboardFactory,
    ErrorCountThreshold,
    IDashboardSegment,
    MaxAgeThreshold,
    MaxMessageCountThreshold,
    MetricFactoryDefaults,
    MonitoringFacade,
    SnsAlarmActionStrategy,
)
from constructs import Construct

from infra.config import InfraConfig
from infra.naming import construct_id, dashboard_name, logs_insights_url, pipeline_alarm_prefix, query_name
from infra.pipeline import Ingest, MonitorFunction
from infra.workflow import TextAnalysisWorkflow
from monitors.core.alarms import AlarmDefinition
from monitors.core.config import MonitoringConfig
from monitors.core.registry import MonitorRegistry
from monitors.core.spec import AlarmSpec, Comparison, MetricSpec, MissingData
from shared import pipeline_metrics as pm

PERIOD = Duration.minutes(5)
GRAPH_WIDTH = 8
GRAPH_HEIGHT = 6
QUERY_LIMIT = 50
ALARM_RED = "#d62728"

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


class AlarmTopic(Construct):
    """KMS-encrypted, TLS-only SNS topic that CloudWatch alarms (and only this account's) may publish to."""

    def __init__(self, scope: Construct, construct_id_: str, *, key: kms.IKey, email: str | None) -> None:
        super().__init__(scope, construct_id_)
        self.topic = sns.Topic(
            self, "Topic", display_name="LLM Monitor alarms", master_key=key, enforce_ssl=True
        )
        cloudwatch_principal = iam.ServicePrincipal("cloudwatch.amazonaws.com")
        alarm_arn_prefix = f"arn:{Aws.PARTITION}:cloudwatch:{Aws.REGION}:{Aws.ACCOUNT_ID}:alarm:"
        self.topic.add_to_resource_policy(
            iam.PolicyStatement(
                sid="CloudWatchAlarmsPublish",
                principals=[cloudwatch_principal],
                actions=["sns:Publish"],
                resources=[self.topic.topic_arn],
                conditions={
                    "StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID},
                    "ArnLike": {"aws:SourceArn": f"{alarm_arn_prefix}*"},
                },
            )
        )
        # Alarms publish to an encrypted topic only if CloudWatch may use the key.
        key.add_to_resource_policy(
            iam.PolicyStatement(
                sid="CloudWatchAlarmsUseKeyForTopic",
                principals=[cloudwatch_principal],
                actions=["kms:Decrypt", "kms:GenerateDataKey*"],
                resources=["*"],  # in a key policy, "*" is this key
                conditions={"StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID}},
            )
        )
        if email:
            self.topic.add_subscription(subscriptions.EmailSubscription(email))


def monitor_alarms(
    scope: Construct, definitions: Sequence[AlarmDefinition], topic: sns.ITopic
) -> list[cloudwatch.Alarm]:
    """One CloudWatch alarm per resolved definition, with actions on ALARM and OK."""
    created = []
    action = actions.SnsAction(topic)
    for definition in definitions:
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
        created.append(alarm)
    return created


@jsii.implements(IDashboardSegment)
class WidgetSegment:
    """A block of widgets for the facade's detail dashboard (laid out left to right, wrapping)."""

    def __init__(self, widgets: Sequence[cloudwatch.IWidget]) -> None:
        self._widgets = list(widgets)

    def widgets(self) -> list[cloudwatch.IWidget]:
        return self._widgets

    def alarm_widgets(self) -> list[cloudwatch.IWidget]:
        return []

    def summary_widgets(self) -> list[cloudwatch.IWidget]:
        return []


@dataclass(frozen=True)
class SavedQuery:
    name: str
    monitor: str
    metric: str
    query: str
    log_group: logs.ILogGroup


def worst_records_query(monitor: str, metric: str, spec: AlarmSpec) -> str:
    """Records of one monitor whose own value breaches the alarm threshold, worst first, with the
    evidence the monitor gave (empty for monitors that give none)."""
    descending = spec.comparison in (Comparison.GREATER_THAN, Comparison.GREATER_OR_EQUAL)
    return "\n".join(
        [
            f"fields @timestamp, {pm.REQUEST_ID_PROPERTY}, {pm.MODEL_DIMENSION}, {metric}, {pm.EVIDENCE_PROPERTY}",
            f'| filter {pm.MONITOR_PROPERTY} = "{monitor}" and ispresent({metric}) '
            f"and {metric} {spec.comparison.symbol} {spec.threshold:g}",
            f"| sort {metric} {'desc' if descending else 'asc'}",
            f"| limit {QUERY_LIMIT}",
        ]
    )


class Observability(Construct):
    """Monitor alarms, pipeline-health monitoring (alarms + widgets), saved queries and the dashboard."""

    def __init__(
        self,
        scope: Construct,
        construct_id_: str,
        *,
        registry: MonitorRegistry,
        monitoring: MonitoringConfig,
        infra: InfraConfig,
        definitions: Sequence[AlarmDefinition],
        key: kms.IKey,
        ingest: Ingest,
        monitor_functions: dict[str, MonitorFunction],
        workflow: TextAnalysisWorkflow | None,
    ) -> None:
        super().__init__(scope, construct_id_)
        namespace = monitoring.namespace
        self.alarm_topic = AlarmTopic(self, "AlarmTopic", key=key, email=infra.alarm_email)
        topic = self.alarm_topic.topic
        self.monitor_alarms = monitor_alarms(Construct(self, "MonitorAlarms"), definitions, topic)
        self._alarm_by_name = dict(zip((d.name for d in definitions), self.monitor_alarms, strict=True))

        self.queries = self._saved_queries(namespace, definitions, monitor_functions)

        self.dashboard_name = dashboard_name(infra.stack_name)
        self.facade = MonitoringFacade(
            self,
            "Monitoring",
            alarm_factory_defaults=AlarmFactoryDefaults(
                alarm_name_prefix=pipeline_alarm_prefix(namespace),
                actions_enabled=True,
                action=SnsAlarmActionStrategy(on_alarm_topic=topic, on_ok_topic=topic),
            ),
            metric_factory_defaults=MetricFactoryDefaults(period=PERIOD),
            dashboard_factory=DefaultDashboardFactory(
                self,
                "Dashboards",
                dashboard_name_prefix=self.dashboard_name,
                create_dashboard=True,
                create_summary_dashboard=False,
                create_alarm_dashboard=False,
                rendering_preference=DashboardRenderingPreference.INTERACTIVE_ONLY,
            ),
        )
        self.facade.add_large_header(f"LLM Monitor — namespace {namespace}")
        self.facade.add_segment(WidgetSegment([self._drill_down_text(namespace)]))
        alarms_by_metric: dict[str, list[AlarmDefinition]] = {}
        for definition in definitions:
            alarms_by_metric.setdefault(definition.metric_name, []).append(definition)
        for name, monitor in monitor_functions.items():
            self.facade.add_medium_header(f"Monitor: {name}")
            self.facade.add_segment(
                WidgetSegment(self._monitor_row(name, registry, monitoring, alarms_by_metric, monitor))
            )
        self.facade.add_large_header("Pipeline health")
        self._pipeline_health(namespace, infra, ingest, monitor_functions, workflow)
        self.dashboard = self.facade.created_dashboard()

    # --- monitor rows ---------------------------------------------------------------------------------

    def _monitor_row(
        self,
        name: str,
        registry: MonitorRegistry,
        monitoring: MonitoringConfig,
        alarms_by_metric: dict[str, list[AlarmDefinition]],
        monitor: MonitorFunction,
    ) -> list[cloudwatch.IWidget]:
        spec = registry[name].spec()
        namespace = monitoring.namespace
        widgets: list[cloudwatch.IWidget] = []
        for metric in spec.active_metrics(monitoring.monitors[name].options):
            alarms = alarms_by_metric.get(metric.name, [])
            widgets.append(metric_graph(namespace, metric, alarms[0].spec if alarms else None))
        alarm_list = [
            self._alarm_by_name[d.name]
            for defs in alarms_by_metric.values()
            for d in defs
            if d.monitor == name
        ]
        if alarm_list:
            widgets.append(
                cloudwatch.AlarmStatusWidget(
                    title=f"{name}: alarms", alarms=alarm_list, width=GRAPH_WIDTH, height=GRAPH_HEIGHT
                )
            )
        for query in (q for q in self.queries if q.monitor == name):
            widgets.append(
                cloudwatch.LogQueryWidget(
                    title=f"{query.metric}: worst records (requestId)",
                    log_group_names=[query.log_group.log_group_name],
                    query_string=query.query,
                    view=cloudwatch.LogQueryVisualizationType.TABLE,
                    width=2 * GRAPH_WIDTH,
                    height=GRAPH_HEIGHT,
                )
            )
        return widgets

    def _saved_queries(
        self, namespace: str, definitions: Sequence[AlarmDefinition], functions: dict[str, MonitorFunction]
    ) -> list[SavedQuery]:
        queries: list[SavedQuery] = []
        seen: set[tuple[str, str]] = set()
        holder = Construct(self, "Queries")
        for definition in definitions:
            key = (definition.monitor, definition.metric_name)
            if key in seen or definition.monitor not in functions:
                continue
            seen.add(key)
            log_group = functions[definition.monitor].log_group
            query = worst_records_query(definition.monitor, definition.metric_name, definition.spec)
            logs.CfnQueryDefinition(
                holder,
                construct_id(definition.monitor, definition.metric_name),
                name=query_name(namespace, definition.monitor, definition.metric_name),
                query_string=query,
                log_group_names=[log_group.log_group_name],
            )
            queries.append(
                SavedQuery(
                    query_name(namespace, *key), definition.monitor, definition.metric_name, query, log_group
                )
            )
        return queries

    def _drill_down_text(self, namespace: str) -> cloudwatch.TextWidget:
        lines = [
            "### Requests behind a spike",
            "Saved Logs Insights queries (console: Logs Insights → Saved queries, folder "
            f"`{namespace}`). Each opens on the last hour and lists request ids whose own value breaches the "
            "alarm threshold, worst first:",
            "",
        ]
        for query in self.queries:
            url = logs_insights_url(query.query, query.log_group.log_group_name)
            lines.append(f"* [{query.name}]({url})")
        if not self.queries:
            lines.append("* (no alarmed metrics, so no queries)")
        return cloudwatch.TextWidget(
            markdown="\n".join(lines), width=24, height=2 + max(2, len(self.queries))
        )

    # --- pipeline health ------------------------------------------------------------------------------

    def _pipeline_health(
        self,
        namespace: str,
        infra: InfraConfig,
        ingest: Ingest,
        functions: dict[str, MonitorFunction],
        workflow: TextAnalysisWorkflow | None,
    ) -> None:
        facade = self.facade
        errors = {"Critical": ErrorCountThreshold(max_error_count=0)}
        throttles = {"Warning": ErrorCountThreshold(max_error_count=0)}
        queue_depth = {"Critical": MaxMessageCountThreshold(max_message_count=0)}
        facade.monitor_lambda_function(
            lambda_function=ingest.function,
            alarm_friendly_name="dispatcher",
            human_readable_name="Dispatcher Lambda",
            add_fault_count_alarm=errors,
            add_throttles_count_alarm=throttles,
        )
        dispatcher_metrics = [
            CustomMetricWithAlarm(
                metric=pipeline_metric(namespace, pm.MALFORMED_LINES),
                alarm_friendly_name="malformed-lines",
                add_alarm={
                    "Warning": CustomThreshold(
                        threshold=infra.pipeline_alarms.malformed_lines_threshold,
                        comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
                        treat_missing_data_override=cloudwatch.TreatMissingData.NOT_BREACHING,
                    )
                },
            ),
        ]
        facade.monitor_custom(
            alarm_friendly_name="dispatcher-records",
            human_readable_name="Dispatcher records",
            metric_groups=[
                CustomMetricGroup(
                    title="Log objects and records",
                    metrics=[
                        pipeline_metric(namespace, m)
                        for m in (pm.OBJECTS_PROCESSED, pm.RECORDS_DISPATCHED, pm.RECORDS_TRUNCATED)
                    ],
                ),
                CustomMetricGroup(title="Malformed log lines", metrics=dispatcher_metrics),
                CustomMetricGroup(
                    title="Records skipped, by reason",
                    metrics=[
                        cloudwatch.MathExpression(
                            expression=search(namespace, pm.RECORDS_SKIPPED, (pm.REASON_DIMENSION,), "Sum"),
                            label="",
                            period=PERIOD,
                        )
                    ],
                ),
            ],
        )
        facade.monitor_sqs_queue(
            queue=ingest.failures,
            alarm_friendly_name="dispatcher-failures",
            human_readable_name="Dispatcher failed events",
            add_queue_max_size_alarm=queue_depth,
        )
        facade.monitor_kinesis_data_stream(
            stream_name=ingest.stream.stream_name,
            alarm_friendly_name="stream",
            human_readable_name="Record stream",
        )
        iterator_age = {
            "Warning": MaxAgeThreshold(max_age_in_millis=infra.pipeline_alarms.iterator_age_seconds * 1000)
        }
        for name, monitor in functions.items():
            facade.monitor_lambda_function(
                lambda_function=monitor.function,
                alarm_friendly_name=f"monitor-{name}",
                human_readable_name=f"Monitor Lambda {name}",
                is_iterator=True,
                add_fault_count_alarm=errors,
                add_throttles_count_alarm=throttles,
                add_max_iterator_age_alarm=iterator_age,
            )
            facade.monitor_custom(
                alarm_friendly_name=f"scoring-{name}",
                human_readable_name=f"Scoring {name}",
                metric_groups=[
                    CustomMetricGroup(
                        title=f"{name}: records",
                        metrics=[
                            monitor_pipeline_metric(namespace, m, name)
                            for m in (pm.RECORDS_SCORED, pm.RECORDS_SAMPLED_OUT, pm.UNDECODABLE_RECORDS)
                        ],
                    ),
                    CustomMetricGroup(
                        title=f"{name}: scoring failures",
                        metrics=[
                            CustomMetricWithAlarm(
                                metric=monitor_pipeline_metric(namespace, pm.SCORING_FAILURES, name),
                                alarm_friendly_name="failures",
                                add_alarm={
                                    "Warning": CustomThreshold(
                                        threshold=infra.pipeline_alarms.scoring_failures_threshold,
                                        comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
                                        treat_missing_data_override=cloudwatch.TreatMissingData.NOT_BREACHING,
                                    )
                                },
                            )
                        ],
                    ),
                    CustomMetricGroup(
                        title=f"{name}: skipped, by reason",
                        metrics=[
                            cloudwatch.MathExpression(
                                expression=search(
                                    namespace,
                                    pm.SCORING_SKIPPED,
                                    (pm.MONITOR_DIMENSION, pm.REASON_DIMENSION),
                                    "Sum",
                                    filters={pm.MONITOR_DIMENSION: name},
                                ),
                                label="",
                                period=PERIOD,
                            )
                        ],
                    ),
                ],
            )
            facade.monitor_sqs_queue(
                queue=monitor.failures,
                alarm_friendly_name=f"failures-{name}",
                human_readable_name=f"{name} failed records",
                add_queue_max_size_alarm=queue_depth,
            )
        if workflow is not None:
            facade.monitor_step_function(
                state_machine=workflow.state_machine,
                alarm_friendly_name="text-analysis-workflow",
                human_readable_name="Sentiment/toxicity workflow",
                add_failed_execution_count_alarm=errors,
                add_timed_out_execution_count_alarm=errors,
                add_throttled_execution_count_alarm=throttles,
            )


def pipeline_metric(namespace: str, name: str) -> cloudwatch.Metric:
    return cloudwatch.Metric(
        namespace=namespace, metric_name=name, statistic="Sum", period=PERIOD, label=name
    )


def monitor_pipeline_metric(namespace: str, name: str, monitor: str) -> cloudwatch.Metric:
    return cloudwatch.Metric(
        namespace=namespace,
        metric_name=name,
        statistic="Sum",
        period=PERIOD,
        label=name,
        dimensions_map={pm.MONITOR_DIMENSION: monitor},
    )


def search(
    namespace: str,
    metric: str,
    dimensions: Sequence[str],
    statistic: str,
    *,
    filters: dict[str, str] | None = None,
    period: Duration = PERIOD,
) -> str:
    """A SEARCH over exactly this dimension set, so every value (model id, reason) gets its own series."""
    schema = ",".join([f'"{namespace}"', *dimensions])
    terms = [f'MetricName="{metric}"'] + [f'{k}="{v}"' for k, v in (filters or {}).items()]
    return f"SEARCH('{{{schema}}} {' '.join(terms)}', '{statistic}', {int(period.to_seconds())})"


def metric_graph(namespace: str, metric: MetricSpec, alarm: AlarmSpec | None) -> cloudwatch.GraphWidget:
    """A metric per model id (SEARCH), the all-models series, and the alarm threshold when alarmed."""
    statistic = alarm.statistic if alarm else "Average"
    period = Duration.seconds(alarm.period_seconds) if alarm else PERIOD
    per_model = cloudwatch.MathExpression(
        expression=search(namespace, metric.name, (pm.MODEL_DIMENSION,), statistic, period=period),
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
    annotations = []
    if alarm is not None:
        annotations.append(
            cloudwatch.HorizontalAnnotation(
                value=alarm.threshold,
                label=f"alarm: {alarm.statistic} {alarm.comparison.symbol} {alarm.threshold:g}",
                color=ALARM_RED,
            )
        )
    return cloudwatch.GraphWidget(
        title=f"{metric.name} ({statistic}) per model",
        left=[aggregate, per_model],
        left_annotations=annotations,
        width=GRAPH_WIDTH,
        height=GRAPH_HEIGHT,
        legend_position=cloudwatch.LegendPosition.BOTTOM,
    )

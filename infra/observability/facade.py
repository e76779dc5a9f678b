"""The construct the stack adds once: the SNS wiring, a segment per monitor, pipeline health, one dashboard.

Every alarm notifies one topic on ALARM and on OK: monitor alarms through an `SnsAction`, pipeline-health
alarms through the facade's action strategy. Everything is drawn on the `MonitoringFacade`'s dashboard,
top to bottom: a header, the drill-down links (every saved query), one row per monitor (its
`MonitorSegment`), then the pipeline-health rows.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from cdk_monitoring_constructs import (
    AlarmFactoryDefaults,
    CustomMetricGroup,
    CustomMetricWithAlarm,
    CustomThreshold,
    DashboardRenderingPreference,
    DefaultDashboardFactory,
    ErrorCountThreshold,
    MaxAgeThreshold,
    MaxMessageCountThreshold,
    MetricFactoryDefaults,
    MonitoringFacade,
    SnsAlarmActionStrategy,
)
from constructs import Construct

from infra.config import InfraConfig
from infra.naming import dashboard_name, pipeline_alarm_prefix
from infra.observability.monitor_segment import MonitorSegment
from infra.observability.queries import drill_down_text
from infra.observability.topic import AlarmTopic
from infra.observability.widgets import PERIOD, WidgetSegment, search
from infra.pipeline import Ingest, MonitorFunction
from infra.workflow import TextAnalysisWorkflow
from monitors.core.alarms import AlarmDefinition
from monitors.core.config import MonitoringConfig
from monitors.core.registry import MonitorRegistry
from shared import pipeline_metrics as pm


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
        monitor_functions: Mapping[str, MonitorFunction],
        workflow: TextAnalysisWorkflow | None,
    ) -> None:
        super().__init__(scope, construct_id_)
        namespace = monitoring.namespace
        self.alarm_topic = AlarmTopic(self, "AlarmTopic", key=key, email=infra.alarm_email)
        topic = self.alarm_topic.topic
        self.segments = self._monitor_segments(
            registry=registry,
            monitoring=monitoring,
            definitions=definitions,
            functions=monitor_functions,
            action=actions.SnsAction(topic),
        )
        self.dashboard_name = dashboard_name(infra.stack_name)
        self.facade = self._monitoring_facade(namespace, topic)
        self.facade.add_large_header(f"LLM Monitor — namespace {namespace}")
        queries = [query for segment in self.segments for query in segment.queries]
        self.facade.add_segment(WidgetSegment([drill_down_text(namespace, queries)]))
        for segment in self.segments:
            self.facade.add_medium_header(f"Monitor: {segment.name}")
            self.facade.add_segment(segment)
        self.facade.add_large_header("Pipeline health")
        self._pipeline_health(namespace, infra, ingest, monitor_functions, workflow)
        self.dashboard = self.facade.created_dashboard()

    def _monitor_segments(
        self,
        *,
        registry: MonitorRegistry,
        monitoring: MonitoringConfig,
        definitions: Sequence[AlarmDefinition],
        functions: Mapping[str, MonitorFunction],
        action: cloudwatch.IAlarmAction,
    ) -> list[MonitorSegment]:
        """One segment per monitor Lambda, in deployment order, from the monitor's declaration."""
        by_monitor = definitions_by_monitor(definitions, monitors=functions.keys())
        alarm_scope = Construct(self, "MonitorAlarms")
        query_scope = Construct(self, "Queries")
        return [
            MonitorSegment(
                name=name,
                namespace=monitoring.namespace,
                metrics=registry[name].spec().active_metrics(monitoring.monitors[name].options),
                definitions=by_monitor[name],
                log_group=function.log_group,
                alarm_scope=alarm_scope,
                query_scope=query_scope,
                action=action,
            )
            for name, function in functions.items()
        ]

    def _monitoring_facade(self, namespace: str, topic: sns.ITopic) -> MonitoringFacade:
        """Pipeline-health alarms under one name prefix, notifying `topic`; one interactive dashboard."""
        return MonitoringFacade(
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

    # --- pipeline health ------------------------------------------------------------------------------

    def _pipeline_health(
        self,
        namespace: str,
        infra: InfraConfig,
        ingest: Ingest,
        functions: Mapping[str, MonitorFunction],
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
                            expression=search(
                                namespace,
                                pm.RECORDS_SKIPPED,
                                dimensions=(pm.REASON_DIMENSION,),
                                statistic="Sum",
                            ),
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
                                    dimensions=(pm.MONITOR_DIMENSION, pm.REASON_DIMENSION),
                                    statistic="Sum",
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


def definitions_by_monitor(
    definitions: Sequence[AlarmDefinition], *, monitors: Collection[str]
) -> dict[str, list[AlarmDefinition]]:
    """The definitions of each monitor, in order. A definition whose monitor has no Lambda fails the synth:
    it would have no segment, so its alarm would silently not be deployed."""
    grouped: dict[str, list[AlarmDefinition]] = {name: [] for name in monitors}
    orphans = sorted({d.monitor for d in definitions if d.monitor not in grouped})
    if orphans:
        raise ValueError(f"alarm definitions name monitors without a Lambda: {', '.join(orphans)}")
    for definition in definitions:
        grouped[definition.monitor].append(definition)
    return grouped


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

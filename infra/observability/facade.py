"""The construct the stack adds once: the SNS wiring, a segment per monitor, pipeline health, one dashboard.

Every alarm notifies one topic on ALARM and on OK: monitor alarms through an `SnsAction`, pipeline-health
alarms through the facade's action strategy. Everything is drawn on the `MonitoringFacade`'s dashboard,
top to bottom: a header, the drill-down links (every saved query), one row per monitor (its
`MonitorSegment`), the canary's row when it is deployed (its `CanarySegment`), then the pipeline-health
rows.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from cdk_monitoring_constructs import (
    AlarmFactoryDefaults,
    DashboardRenderingPreference,
    DefaultDashboardFactory,
    MetricFactoryDefaults,
    MonitoringFacade,
    SnsAlarmActionStrategy,
)
from constructs import Construct

from canary.metrics import CANARY_METRICS
from infra.canary import CanaryFunction
from infra.config import InfraConfig
from infra.naming import dashboard_name, pipeline_alarm_prefix
from infra.observability.canary_segment import CanarySegment
from infra.observability.monitor_segment import MonitorSegment
from infra.observability.pipeline_health import add_pipeline_health
from infra.observability.queries import drill_down_text
from infra.observability.topic import AlarmTopic
from infra.observability.widgets import PERIOD, WidgetSegment
from infra.pipeline import Ingest, MonitorFunction
from infra.workflow import TextAnalysisWorkflow
from monitors.core.alarms import AlarmDefinition
from monitors.core.config import MonitoringConfig
from monitors.core.registry import MonitorRegistry


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
        canary: CanaryFunction | None = None,
        canary_definitions: Sequence[AlarmDefinition] = (),
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
        self.canary_segment = self._canary_segment(
            namespace=namespace, canary=canary, definitions=canary_definitions, action=actions.SnsAction(topic)
        )
        self.dashboard_name = dashboard_name(infra.stack_name)
        self.facade = self._monitoring_facade(monitoring.stack_name, topic)
        self.facade.add_large_header(f"LLM Monitor — namespace {namespace}")
        queries = [query for segment in self.segments for query in segment.queries]
        if self.canary_segment is not None:
            queries += self.canary_segment.queries
        self.facade.add_segment(WidgetSegment([drill_down_text(namespace, queries)]))
        for segment in self.segments:
            self.facade.add_medium_header(f"Monitor: {segment.name}")
            self.facade.add_segment(segment)
        if self.canary_segment is not None:
            self.facade.add_medium_header("Canary: the fixed prompt catalog, per model")
            self.facade.add_segment(self.canary_segment)
        self.facade.add_large_header("Pipeline health")
        add_pipeline_health(
            self.facade,
            namespace=namespace,
            settings=infra.pipeline_alarms,
            ingest=ingest,
            monitors=monitor_functions.values(),
            workflow=workflow,
        )
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
                evidence=registry[name].spec().gives_evidence,
                definitions=by_monitor[name],
                log_group=function.log_group,
                alarm_scope=alarm_scope,
                query_scope=query_scope,
                action=action,
            )
            for name, function in functions.items()
        ]

    def _canary_segment(
        self,
        *,
        namespace: str,
        canary: CanaryFunction | None,
        definitions: Sequence[AlarmDefinition],
        action: cloudwatch.IAlarmAction,
    ) -> CanarySegment | None:
        """The canary's row, when the canary is deployed. Canary alarms without the canary fail the synth:
        they would silently not be deployed."""
        if canary is None:
            if definitions:
                raise ValueError("canary alarm definitions were given but the canary is not deployed")
            return None
        return CanarySegment(
            namespace=namespace,
            metrics=CANARY_METRICS,
            definitions=definitions,
            log_group=canary.log_group,
            alarm_scope=Construct(self, "CanaryAlarms"),
            query_scope=Construct(self, "CanaryQueries"),
            action=action,
        )

    def _monitoring_facade(self, stack_name: str, topic: sns.ITopic) -> MonitoringFacade:
        """Pipeline-health alarms under the stack's name prefix, notifying `topic`; one interactive dashboard."""
        return MonitoringFacade(
            self,
            "Monitoring",
            alarm_factory_defaults=AlarmFactoryDefaults(
                alarm_name_prefix=pipeline_alarm_prefix(stack_name),
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

"""Pipeline health: is the pipeline itself working, whatever the monitors measure?

cdk-monitoring-constructs' `MonitoringFacade` already knows, for Lambda, Kinesis, SQS and Step Functions,
the right metrics (errors, throttles, iterator age, queue depth, failed and timed-out executions), draws
each alarm's threshold on its graph and names alarms consistently (prefix from `infra.naming`), which
would otherwise be a page of hand-written widgets per resource type. The project's own counters go
through its `monitor_custom` in one shape for the dispatcher and for every monitor (`CounterPanel`): what
was handled, one alarmed failure count, and skips by reason.

Every counter alarm treats missing data as "nothing happened", which is also what a pipeline that receives
nothing looks like. So one alarm watches for silence: records dispatched per hour below a floor
(`pipelineAlarms.minRecordsPerHour`, default 1), with missing data breaching. It fires when invocation
logging is switched off, points at another bucket or prefix, or the notification no longer matches — and
when there simply was no traffic for an hour; set the floor to 0 where that is normal.

The thresholds are data (`PipelineThresholds`, from the `pipelineAlarms` context). What is created here
is counted by `shared.pipeline_metrics.pipeline_alarm_count` for the cost estimate; a template test keeps
the two in step.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_sqs as sqs
from cdk_monitoring_constructs import (
    CustomMetricGroup,
    CustomMetricWithAlarm,
    CustomThreshold,
    ErrorCountThreshold,
    MaxAgeThreshold,
    MaxMessageCountThreshold,
    MonitoringFacade,
)

from infra.config import PipelineAlarmSettings
from infra.observability.widgets import PERIOD, search
from infra.pipeline import Ingest, MonitorFunction
from infra.workflow import TextAnalysisWorkflow
from shared import pipeline_metrics as pm

# Severities: cdk-monitoring-constructs keys thresholds by them and ends each alarm's name with one.
CRITICAL = "Critical"
WARNING = "Warning"


def _count_above(threshold: int) -> CustomThreshold:
    """A counter alarm: more than `threshold` in a period; no data means nothing happened, so OK."""
    return CustomThreshold(
        threshold=threshold,
        comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        treat_missing_data_override=cloudwatch.TreatMissingData.NOT_BREACHING,
    )


def _count_below(floor: int) -> CustomThreshold:
    """A silence alarm: fewer than `floor` in one hour; no data means nothing arrived, so it breaches."""
    return CustomThreshold(
        threshold=floor,
        comparison_operator=cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        treat_missing_data_override=cloudwatch.TreatMissingData.BREACHING,
        period=Duration.seconds(pm.NO_DATA_PERIOD_SECONDS),
        evaluation_periods=1,
        datapoints_to_alarm=1,
        alarm_description_override=(
            (
                "No record dispatched for an hour."
                if floor == 1
                else f"Fewer than {floor} records dispatched in an hour."
            )
            + " Is Bedrock invocation "
            "logging on and delivering to this stack's bucket and prefix (logBucket.keyPrefix)? Or was there "
            "no Bedrock traffic? Set pipelineAlarms.minRecordsPerHour=0 where quiet hours are normal."
        ),
    )


@dataclass(frozen=True)
class PipelineThresholds:
    """Every pipeline-health alarm as data: cdk-monitoring-constructs thresholds keyed by severity."""

    errors: Mapping[str, ErrorCountThreshold]
    throttles: Mapping[str, ErrorCountThreshold]
    queue_depth: Mapping[str, MaxMessageCountThreshold]
    iterator_age: Mapping[str, MaxAgeThreshold]
    malformed_lines: Mapping[str, CustomThreshold]
    scoring_failures: Mapping[str, CustomThreshold]
    no_data: Mapping[str, CustomThreshold]  # empty: no silence alarm (pipelineAlarms.minRecordsPerHour=0)

    @classmethod
    def from_settings(cls, settings: PipelineAlarmSettings) -> PipelineThresholds:
        """Any error, failed execution or message in a failure queue is critical; throttles, a lagging
        stream, counters over their configured thresholds and an hour without records are warnings."""
        return cls(
            errors={CRITICAL: ErrorCountThreshold(max_error_count=0)},
            throttles={WARNING: ErrorCountThreshold(max_error_count=0)},
            queue_depth={CRITICAL: MaxMessageCountThreshold(max_message_count=0)},
            iterator_age={WARNING: MaxAgeThreshold(max_age_in_millis=settings.iterator_age_seconds * 1000)},
            malformed_lines={WARNING: _count_above(settings.malformed_lines_threshold)},
            scoring_failures={WARNING: _count_above(settings.scoring_failures_threshold)},
            no_data={WARNING: _count_below(settings.min_records_per_hour)} if settings.min_records_per_hour else {},
        )


@dataclass(frozen=True)
class CounterPanel:
    """One component's own counters (`shared.pipeline_metrics`), graphed in three groups."""

    alarm_friendly_name: str
    human_readable_name: str
    counts_title: str
    counts: tuple[str, ...]
    failures_title: str
    failures: str
    failures_alarm_name: str
    failures_alarm: Mapping[str, CustomThreshold]
    skipped_title: str
    skipped: str  # split by pm.REASON_DIMENSION
    dimensions: Mapping[str, str] = field(default_factory=dict)


def dispatcher_panel(thresholds: PipelineThresholds) -> CounterPanel:
    """What the dispatcher counts per log object; malformed lines are alarmed (they are lost records)."""
    return CounterPanel(
        alarm_friendly_name="dispatcher-records",
        human_readable_name="Dispatcher records",
        counts_title="Log objects and records",
        counts=(pm.OBJECTS_PROCESSED, pm.RECORDS_DISPATCHED, pm.RECORDS_TRUNCATED),
        failures_title="Malformed log lines",
        failures=pm.MALFORMED_LINES,
        failures_alarm_name="malformed-lines",
        failures_alarm=thresholds.malformed_lines,
        skipped_title="Records skipped, by reason",
        skipped=pm.RECORDS_SKIPPED,
    )


def scoring_panel(monitor: str, thresholds: PipelineThresholds) -> CounterPanel:
    """What a monitor Lambda counts per batch, under dimension Monitor; scoring failures are alarmed."""
    return CounterPanel(
        alarm_friendly_name=f"scoring-{monitor}",
        human_readable_name=f"Scoring {monitor}",
        counts_title=f"{monitor}: records",
        counts=(pm.RECORDS_SCORED, pm.RECORDS_SAMPLED_OUT, pm.UNDECODABLE_RECORDS),
        failures_title=f"{monitor}: scoring failures",
        failures=pm.SCORING_FAILURES,
        failures_alarm_name="failures",
        failures_alarm=thresholds.scoring_failures,
        skipped_title=f"{monitor}: skipped, by reason",
        skipped=pm.SCORING_SKIPPED,
        dimensions={pm.MONITOR_DIMENSION: monitor},
    )


class PipelineHealth:
    """Adds pipeline-health monitoring to a facade one component at a time; call order is dashboard order."""

    def __init__(self, facade: MonitoringFacade, *, namespace: str, thresholds: PipelineThresholds) -> None:
        self._facade = facade
        self._namespace = namespace
        self._thresholds = thresholds

    def add_dispatcher(self, ingest: Ingest) -> None:
        """The dispatcher Lambda, its counters and failure queue, and the stream it writes."""
        self._facade.monitor_lambda_function(
            lambda_function=ingest.function,
            alarm_friendly_name="dispatcher",
            human_readable_name="Dispatcher Lambda",
            add_fault_count_alarm=self._thresholds.errors,
            add_throttles_count_alarm=self._thresholds.throttles,
        )
        self._counters(dispatcher_panel(self._thresholds))
        self._ingestion()
        self._failure_queue(
            ingest.failures,
            alarm_friendly_name="dispatcher-failures",
            human_readable_name="Dispatcher failed events",
        )
        self._facade.monitor_kinesis_data_stream(
            stream_name=ingest.stream.stream_name,
            alarm_friendly_name="stream",
            human_readable_name="Record stream",
        )

    def add_monitor(self, monitor: MonitorFunction) -> None:
        """A monitor Lambda (a stream consumer, so also its iterator age), its counters and failure queue."""
        name = monitor.name
        self._facade.monitor_lambda_function(
            lambda_function=monitor.function,
            alarm_friendly_name=f"monitor-{name}",
            human_readable_name=f"Monitor Lambda {name}",
            is_iterator=True,
            add_fault_count_alarm=self._thresholds.errors,
            add_throttles_count_alarm=self._thresholds.throttles,
            add_max_iterator_age_alarm=self._thresholds.iterator_age,
        )
        self._counters(scoring_panel(name, self._thresholds))
        self._failure_queue(
            monitor.failures,
            alarm_friendly_name=f"failures-{name}",
            human_readable_name=f"{name} failed records",
        )

    def add_workflow(self, workflow: TextAnalysisWorkflow) -> None:
        self._facade.monitor_step_function(
            state_machine=workflow.state_machine,
            alarm_friendly_name="text-analysis-workflow",
            human_readable_name="Sentiment/toxicity workflow",
            add_failed_execution_count_alarm=self._thresholds.errors,
            add_timed_out_execution_count_alarm=self._thresholds.errors,
            add_throttled_execution_count_alarm=self._thresholds.throttles,
        )

    def _ingestion(self) -> None:
        """Records dispatched per hour, with the silence alarm's floor drawn on it (when there is one)."""
        if not self._thresholds.no_data:
            return
        hourly = cloudwatch.Metric(
            namespace=self._namespace,
            metric_name=pm.RECORDS_DISPATCHED,
            statistic="Sum",
            period=Duration.seconds(pm.NO_DATA_PERIOD_SECONDS),
            label=f"{pm.RECORDS_DISPATCHED} per hour",
        )
        self._facade.monitor_custom(
            alarm_friendly_name="dispatcher-ingestion",
            human_readable_name="Ingestion",
            metric_groups=[
                CustomMetricGroup(
                    title="Records dispatched per hour",
                    metrics=[
                        CustomMetricWithAlarm(
                            metric=hourly, alarm_friendly_name="no-data", add_alarm=self._thresholds.no_data
                        )
                    ],
                )
            ],
        )

    def _failure_queue(self, queue: sqs.IQueue, *, alarm_friendly_name: str, human_readable_name: str) -> None:
        """Any message here is an event or record the pipeline gave up on."""
        self._facade.monitor_sqs_queue(
            queue=queue,
            alarm_friendly_name=alarm_friendly_name,
            human_readable_name=human_readable_name,
            add_queue_max_size_alarm=self._thresholds.queue_depth,
        )

    def _counters(self, panel: CounterPanel) -> None:
        alarmed = CustomMetricWithAlarm(
            metric=self._count(panel.failures, panel.dimensions),
            alarm_friendly_name=panel.failures_alarm_name,
            add_alarm=panel.failures_alarm,
        )
        by_reason = cloudwatch.MathExpression(
            expression=search(
                self._namespace,
                panel.skipped,
                dimensions=(*panel.dimensions, pm.REASON_DIMENSION),
                statistic="Sum",
                filters=panel.dimensions,
            ),
            label="",
            period=PERIOD,
        )
        self._facade.monitor_custom(
            alarm_friendly_name=panel.alarm_friendly_name,
            human_readable_name=panel.human_readable_name,
            metric_groups=[
                CustomMetricGroup(
                    title=panel.counts_title, metrics=[self._count(m, panel.dimensions) for m in panel.counts]
                ),
                CustomMetricGroup(title=panel.failures_title, metrics=[alarmed]),
                CustomMetricGroup(title=panel.skipped_title, metrics=[by_reason]),
            ],
        )

    def _count(self, name: str, dimensions: Mapping[str, str]) -> cloudwatch.Metric:
        return cloudwatch.Metric(
            namespace=self._namespace,
            metric_name=name,
            statistic="Sum",
            period=PERIOD,
            label=name,
            dimensions_map=dict(dimensions),
        )


def add_pipeline_health(
    facade: MonitoringFacade,
    *,
    namespace: str,
    settings: PipelineAlarmSettings,
    ingest: Ingest,
    monitors: Iterable[MonitorFunction],
    workflow: TextAnalysisWorkflow | None,
) -> None:
    """Dispatcher and stream first, then each monitor Lambda, then the workflow when there is one."""
    health = PipelineHealth(facade, namespace=namespace, thresholds=PipelineThresholds.from_settings(settings))
    health.add_dispatcher(ingest)
    for monitor in monitors:
        health.add_monitor(monitor)
    if workflow is not None:
        health.add_workflow(workflow)

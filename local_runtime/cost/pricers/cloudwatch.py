"""CloudWatch: custom metrics, alarms, the dashboard and the logs that carry the metrics.

Metrics are written as Embedded Metric Format logs, so there are no PutMetricData calls; the charge is
each series a month (metric × dimension set: all models, per ModelId, per ModelId × Application when
configured; plus the pipeline counters) and the ingestion of the EMF documents and platform log lines.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from local_runtime.cost.deployment import Deployment, PricedMonitor
from local_runtime.cost.pricers.base import LineItem, Pricer
from local_runtime.cost.workload import (
    BYTES_PER_GB,
    REPRESENTATIVE_MODEL_ID,
    REPRESENTATIVE_REQUEST_ID,
    Assumptions,
    Workload,
)
from shared import limits
from shared import pipeline_metrics as pm
from shared.parsing.invocation import SkipReason

# Stand-ins for the per-record values of an EMF document, sized like real ones (one monitor name for all
# monitors: a few bytes per document either way).
_REPRESENTATIVE_MONITOR = "sentiment-toxicity"
_REPRESENTATIVE_APPLICATION = "support-bot"
_REPRESENTATIVE_TIMESTAMP_MS = 1_795_680_000_000
_REPRESENTATIVE_VALUE = 0.123456789


def emf_bytes(namespace: str, metric_names: Sequence[str], *, application: bool) -> int:
    """Size of one per-record EMF document (as monitors.aws.emf writes it) for these metrics."""
    dimensions: list[list[str]] = [[], [pm.MODEL_DIMENSION]]
    if application:
        dimensions.append([pm.MODEL_DIMENSION, pm.APPLICATION_DIMENSION])
    document: dict[str, object] = {
        "_aws": {
            "Timestamp": _REPRESENTATIVE_TIMESTAMP_MS,
            "CloudWatchMetrics": [
                {
                    "Namespace": namespace,
                    "Dimensions": dimensions,
                    "Metrics": [{"Name": n, "Unit": "None"} for n in metric_names],
                }
            ],
        },
        pm.MODEL_DIMENSION: REPRESENTATIVE_MODEL_ID,
        pm.REQUEST_ID_PROPERTY: REPRESENTATIVE_REQUEST_ID,
        pm.MONITOR_PROPERTY: _REPRESENTATIVE_MONITOR,
    }
    if application:
        document[pm.APPLICATION_DIMENSION] = _REPRESENTATIVE_APPLICATION
    for name in metric_names:
        document[name] = _REPRESENTATIVE_VALUE
    return len(json.dumps(document, separators=(",", ":")))


def monitor_series(monitor: PricedMonitor, *, workload: Workload, deployment: Deployment) -> int:
    """Custom-metric series of one monitor: each active metric per dimension set, and its pipeline
    counters (one per counter, one ScoringSkipped per declared skip reason: a month sees them all)."""
    dimension_sets = 1 + workload.models + workload.models * deployment.application_values
    return len(monitor.active_metrics) * dimension_sets + len(pm.MONITOR_COUNTERS) + len(monitor.spec.skip_reasons)


def custom_metrics(*, workload: Workload, deployment: Deployment) -> int:
    """Every custom-metric series: the monitors' and the dispatcher's (one RecordsSkipped per reason)."""
    monitors = sum(monitor_series(m, workload=workload, deployment=deployment) for m in deployment.monitors)
    return monitors + len(pm.DISPATCHER_COUNTERS) + len(SkipReason)


def log_bytes(*, workload: Workload, deployment: Deployment, assumptions: Assumptions) -> float:
    """Log bytes ingested a month: one EMF document per scored record, and platform lines and pipeline
    counters per invocation of every Lambda."""
    per_invocation = assumptions.lambda_log_bytes_per_invocation + assumptions.batch_counter_log_bytes
    application = deployment.application_values > 0
    total = 0.0
    for monitor in deployment.monitors:
        document = emf_bytes(deployment.config.namespace, monitor.active_metrics, application=application)
        total += monitor.scored(workload) * (document + limits.LOGS_EVENT_OVERHEAD_BYTES)
        total += monitor.invocations(workload) * per_invocation
    total += assumptions.log_objects_per_month(workload) * per_invocation
    return total


class CloudWatchPricer(Pricer):
    service = "CloudWatch"

    def line_items(self, *, workload: Workload, deployment: Deployment, assumptions: Assumptions) -> list[LineItem]:
        metrics = custom_metrics(workload=workload, deployment=deployment)
        applications = deployment.application_values
        pipeline_alarms = pm.pipeline_alarm_count(
            len(deployment.monitors), workflow=deployment.uses_workflow, no_data=deployment.no_data_alarm
        )
        log_gb = log_bytes(workload=workload, deployment=deployment, assumptions=assumptions) / BYTES_PER_GB
        return [
            self.line(
                f"custom metrics ({workload.models} models; all-models, per model"
                + (f", per model × {applications} applications" if applications else "")
                + ")",
                quantity=metrics,
                unit="metrics",
                usd=metrics * limits.PRICE_CUSTOM_METRIC_PER_MONTH,
            ),
            self.line(
                "monitor alarms (resolve_alarms)",
                quantity=deployment.monitor_alarms,
                unit="alarms",
                usd=deployment.monitor_alarms * limits.PRICE_ALARM_PER_MONTH,
            ),
            self.line(
                "pipeline-health alarms",
                quantity=pipeline_alarms,
                unit="alarms",
                usd=pipeline_alarms * limits.PRICE_ALARM_PER_MONTH,
            ),
            self.line("dashboard", quantity=1, unit="dashboard", usd=limits.PRICE_DASHBOARD_PER_MONTH),
            self.line(
                "EMF log ingestion (metrics as logs)",
                quantity=log_gb,
                unit="GB",
                usd=log_gb * limits.PRICE_LOGS_INGEST_PER_GB,
            ),
            self.line(
                "PutMetricData calls (none: EMF)",
                quantity=0,
                unit="calls",
                usd=0 * limits.PRICE_PUT_METRIC_DATA_PER_1K_CALLS,
            ),
        ]

"""Per-record metric values as CloudWatch Embedded Metric Format, through Powertools Metrics.

One EMF document per scored record: its metric values, dimension sets [] (the all-models aggregate that
all-models alarms watch), [ModelId] and, when configured, [ModelId, Application]; the request id and the
monitor name ride along as properties (not dimensions: each distinct dimension value is a billed metric)
so Logs Insights can list the requests behind a spike, and so does the record's evidence when the monitor
gives one (which refusal phrase or cue matched: bounded text, never the completion). The document's
timestamp is the invocation's by default, so a replayed or delayed record lands in the period it happened
in; with `emfTimestamp=arrival` it is the time of scoring and the invocation time rides along as a
property (see `EmfTimestamp`). No PutMetricData calls are made.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from datetime import UTC, datetime

from monitors.core.config import DEFAULT_EMF_TIMESTAMP, EmfTimestamp
from shared import pipeline_metrics as pm
from shared.emf import emf_metrics
from shared.limits import CLOUDWATCH_MAX_FUTURE_SECONDS, CLOUDWATCH_MAX_PAST_SECONDS
from shared.timestamps import parse_timestamp

# CloudWatch rejects EMF timestamps more than two weeks old or two hours ahead; keep a margin for the time
# between writing the document and CloudWatch reading it.
_MAX_PAST_SECONDS = CLOUDWATCH_MAX_PAST_SECONDS - 3600
_MAX_FUTURE_SECONDS = CLOUDWATCH_MAX_FUTURE_SECONDS - 300


def emf_timestamp(record_timestamp: str, now: float | None = None) -> datetime:
    now = time.time() if now is None else now
    epoch = parse_timestamp(record_timestamp)
    if epoch is None or epoch < now - _MAX_PAST_SECONDS or epoch > now + _MAX_FUTURE_SECONDS:
        epoch = now
    return datetime.fromtimestamp(epoch, tz=UTC)


def emit_record(
    *,
    namespace: str,
    monitor: str,
    request_id: str,
    model_id: str,
    invoked_model_id: str,
    application: str | None,
    timestamp: str,
    values: Mapping[str, float],
    units: Mapping[str, str],
    evidence: str | None = None,
    stamp: EmfTimestamp = DEFAULT_EMF_TIMESTAMP,
    now: float | None = None,
) -> None:
    """One EMF document for one scored record, stamped with its invocation time or `now` (see `stamp`)."""
    if not values:
        return
    metrics = emf_metrics(namespace)
    model = model_id or "unknown"
    metrics.add_dimensions(**{pm.MODEL_DIMENSION: model})
    if application:
        metrics.add_dimensions(**{pm.MODEL_DIMENSION: model, pm.APPLICATION_DIMENSION: application})
    metrics.add_metadata(key=pm.REQUEST_ID_PROPERTY, value=request_id)
    if invoked_model_id != model:  # an ARN or an aliased id: the raw value for the drill-down
        metrics.add_metadata(key=pm.INVOKED_MODEL_PROPERTY, value=invoked_model_id)
    metrics.add_metadata(key=pm.MONITOR_PROPERTY, value=monitor)
    if evidence:
        metrics.add_metadata(key=pm.EVIDENCE_PROPERTY, value=evidence)
    if stamp is EmfTimestamp.ARRIVAL:
        metrics.set_timestamp(datetime.fromtimestamp(time.time() if now is None else now, tz=UTC))
        if timestamp:
            metrics.add_metadata(key=pm.INVOCATION_TIMESTAMP_PROPERTY, value=timestamp)
    else:
        metrics.set_timestamp(emf_timestamp(timestamp, now))
    for name, value in values.items():
        metrics.add_metric(name=name, unit=units[name], value=float(value))
    metrics.flush_metrics()


def emit_batch_counters(
    *,
    namespace: str,
    monitor: str,
    scored: int,
    sampled_out: int,
    failed: int,
    undecodable: int,
    skipped: Mapping[str, int],
) -> None:
    """Pipeline-health counters for one batch, with dimension Monitor (skips also by Reason)."""
    metrics = emf_metrics(namespace)
    metrics.add_dimension(name=pm.MONITOR_DIMENSION, value=monitor)
    metrics.add_metric(name=pm.RECORDS_SCORED, unit="Count", value=scored)
    metrics.add_metric(name=pm.RECORDS_SAMPLED_OUT, unit="Count", value=sampled_out)
    metrics.add_metric(name=pm.SCORING_FAILURES, unit="Count", value=failed)
    metrics.add_metric(name=pm.UNDECODABLE_RECORDS, unit="Count", value=undecodable)
    metrics.flush_metrics()
    for reason, count in sorted(skipped.items()):
        by_reason = emf_metrics(namespace)
        by_reason.add_dimension(name=pm.MONITOR_DIMENSION, value=monitor)
        by_reason.add_dimension(name=pm.REASON_DIMENSION, value=reason)
        by_reason.add_metric(name=pm.SCORING_SKIPPED, unit="Count", value=count)
        by_reason.flush_metrics()

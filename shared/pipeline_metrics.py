"""Names of the pipeline-health metrics the dispatcher emits, written once.

The dispatcher emits them, the stack alarms on and graphs them, the local runtime counts them.
"""

from __future__ import annotations

DEFAULT_NAMESPACE = "LLMMonitor"

RECORDS_DISPATCHED = "RecordsDispatched"
RECORDS_SKIPPED = "RecordsSkipped"  # dimension REASON_DIMENSION, values from shared.parsing.SkipReason
MALFORMED_LINES = "MalformedLines"
RECORDS_TRUNCATED = "RecordsTruncated"
OBJECTS_PROCESSED = "LogObjectsProcessed"

REASON_DIMENSION = "Reason"
# The dispatcher's counters without a Reason dimension (RECORDS_SKIPPED has one series per reason).
DISPATCHER_COUNTERS = (RECORDS_DISPATCHED, MALFORMED_LINES, RECORDS_TRUNCATED, OBJECTS_PROCESSED)

# Emitted by every monitor Lambda per batch, with dimension MONITOR_DIMENSION (and REASON_DIMENSION).
MONITOR_DIMENSION = "Monitor"
RECORDS_SCORED = "RecordsScored"
RECORDS_SAMPLED_OUT = "RecordsSampledOut"
SCORING_SKIPPED = "ScoringSkipped"  # dimensions Monitor, Reason
SCORING_FAILURES = "ScoringFailures"  # records a backend rejected after retries (retried by Lambda)
UNDECODABLE_RECORDS = "UndecodableRecords"  # stream records that are not normalised-record JSON
# A monitor's counters without a Reason dimension (SCORING_SKIPPED has one series per reason).
MONITOR_COUNTERS = (RECORDS_SCORED, RECORDS_SAMPLED_OUT, SCORING_FAILURES, UNDECODABLE_RECORDS)

# Per-record EMF log fields (besides the metric values) that Logs Insights queries read.
REQUEST_ID_PROPERTY = "requestId"
MONITOR_PROPERTY = "monitor"
INVOKED_MODEL_PROPERTY = "invokedModelId"  # the model id exactly as Bedrock logged it (maybe an ARN)
INVOCATION_TIMESTAMP_PROPERTY = "invocationTimestamp"  # with emfTimestamp=arrival: when the record happened
EVIDENCE_PROPERTY = "evidence"  # why a record scored as it did (a phrase or pattern name; optional)
MODEL_DIMENSION = "ModelId"
APPLICATION_DIMENSION = "Application"


def logs_insights_field(metric_name: str) -> str:
    """How Logs Insights names a metric's value in an EMF line.

    Powertools writes every metric value as an array (`"Refusal": [1.0]`) and Logs Insights flattens a
    JSON array into one field per element, so the value is the field `Refusal.0`; `Refusal` itself
    does not exist and `ispresent(Refusal)` is false on every line.
    """
    return f"{metric_name}.0"


# How many pipeline-health alarms the stack creates (a template test checks the stack against these; the
# cost estimate counts them): the dispatcher's errors, throttles, malformed lines and failure queue, plus
# the no-data alarm on RecordsDispatched unless `pipelineAlarms.minRecordsPerHour` is 0; per monitor Lambda
# its errors, throttles, iterator age, scoring failures and failure queue; the Comprehend workflow's
# failed, throttled and timed-out executions when a monitor uses it.
PIPELINE_ALARMS_DISPATCHER = 4
PIPELINE_ALARMS_NO_DATA = 1
PIPELINE_ALARMS_PER_MONITOR = 5
PIPELINE_ALARMS_WORKFLOW = 3
#: The no-data alarm reads RECORDS_DISPATCHED summed over this period (one period of one datapoint).
NO_DATA_PERIOD_SECONDS = 3600


def pipeline_alarm_count(monitors: int, *, workflow: bool, no_data: bool = True) -> int:
    return (
        PIPELINE_ALARMS_DISPATCHER
        + (PIPELINE_ALARMS_NO_DATA if no_data else 0)
        + PIPELINE_ALARMS_PER_MONITOR * monitors
        + (PIPELINE_ALARMS_WORKFLOW if workflow else 0)
    )

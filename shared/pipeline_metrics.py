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

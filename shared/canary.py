"""What the canary suite shares with the rest of the pipeline, written once.

The canary (`canary/`) sends a fixed prompt catalog to each monitored model and tags every request with
Bedrock `requestMetadata`, so its requests are recognisable in the invocation logs: the dispatcher and
`llm-monitor replay` leave them out of the passive monitors' metrics (`canary.excludeFromMonitors`,
default true), and a canary never moves a production alarm. Its metric names live here too, because the
monitoring configuration (`alarms.<Metric>.*` overrides) must know them without importing the canary.
"""

from __future__ import annotations

from collections.abc import Mapping

#: requestMetadata key whose value is the canary suite's name: the mark of a canary request.
CANARY_SUITE_KEY = "llmMonitorCanary"
#: requestMetadata key whose value is the catalog case id of the request.
CANARY_CASE_KEY = "llmMonitorCanaryCase"

#: Share of `answer` cases refused (1/0 per case: the Average over a run is the share).
CANARY_OVER_REFUSAL = "CanaryOverRefusal"
#: Share of `refuse` cases answered (1/0 per case).
CANARY_UNDER_REFUSAL = "CanaryUnderRefusal"
#: Cosine of the response's and the reference's embeddings (cases with a reference).
CANARY_REFERENCE_SIMILARITY = "CanaryReferenceSimilarity"
#: ROUGE-L F-measure of the response against the reference (cases with a reference).
CANARY_REFERENCE_OVERLAP = "CanaryReferenceOverlap"
#: 1 when a case's call failed after its retries, else 0 (Sum: failed cases; Average: failure share).
CANARY_ERRORS = "CanaryErrors"
#: Milliseconds of one Converse call.
CANARY_LATENCY = "CanaryLatency"

CANARY_METRIC_NAMES = (
    CANARY_OVER_REFUSAL,
    CANARY_UNDER_REFUSAL,
    CANARY_REFERENCE_SIMILARITY,
    CANARY_REFERENCE_OVERLAP,
    CANARY_ERRORS,
    CANARY_LATENCY,
)

#: The `monitor` property of the canary's EMF documents (the drill-down queries filter on it).
CANARY_MONITOR_NAME = "canary"
#: EMF properties of a canary document besides the shared ones (requestId, monitor, evidence).
CASE_ID_PROPERTY = "caseId"
SUITE_PROPERTY = "suite"
RUN_ID_PROPERTY = "runId"
EXPECT_PROPERTY = "expect"
#: The AWS error code of a case whose call failed (e.g. `ThrottlingException`): bounded, never text.
ERROR_CODE_PROPERTY = "errorCode"


def is_canary_request(metadata: Mapping[str, str]) -> bool:
    """Whether a request's `requestMetadata` marks it as a canary request."""
    return CANARY_SUITE_KEY in metadata


def canary_metadata(suite: str, case_id: str) -> dict[str, str]:
    """The `requestMetadata` the canary sends with a case."""
    return {CANARY_SUITE_KEY: suite, CANARY_CASE_KEY: case_id}

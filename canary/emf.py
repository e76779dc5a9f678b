"""The canary's metrics as CloudWatch Embedded Metric Format: one document per case and model.

Dimension set [ModelId] only: each canary model has its own alarms, and a mean over different models'
canary runs means nothing. Properties for the drill-down (never the prompt or the response): `requestId`
(Bedrock's, which finds the call in the invocation logs), `caseId`, `suite`, `runId`, `monitor`
(`canary`), `expect`, `evidence` when the refusal monitor says why it counted a refusal, and `errorCode`
when the call failed. Stamped with
the time of the run, so a run is one datapoint per period.
"""

from __future__ import annotations

from datetime import datetime

from canary.metrics import UNITS
from canary.scoring import CaseScore
from shared import pipeline_metrics as pm
from shared.canary import (
    CANARY_MONITOR_NAME,
    CASE_ID_PROPERTY,
    ERROR_CODE_PROPERTY,
    EXPECT_PROPERTY,
    RUN_ID_PROPERTY,
    SUITE_PROPERTY,
)
from shared.emf import emf_metrics


def emit_case(*, namespace: str, model_id: str, score: CaseScore, suite: str, run_id: str, at: datetime) -> None:
    """One EMF document (printed to stdout, where Lambda's log agent picks it up)."""
    metrics = emf_metrics(namespace)
    metrics.add_dimension(name=pm.MODEL_DIMENSION, value=model_id or "unknown")
    if score.response.request_id:
        metrics.add_metadata(key=pm.REQUEST_ID_PROPERTY, value=score.response.request_id)
    if score.response.model_id != model_id:
        metrics.add_metadata(key=pm.INVOKED_MODEL_PROPERTY, value=score.response.model_id)
    metrics.add_metadata(key=pm.MONITOR_PROPERTY, value=CANARY_MONITOR_NAME)
    metrics.add_metadata(key=CASE_ID_PROPERTY, value=score.case.id)
    metrics.add_metadata(key=SUITE_PROPERTY, value=suite)
    metrics.add_metadata(key=RUN_ID_PROPERTY, value=run_id)
    metrics.add_metadata(key=EXPECT_PROPERTY, value=score.case.expect.value)
    if score.evidence and score.refused:
        metrics.add_metadata(key=pm.EVIDENCE_PROPERTY, value=score.evidence)
    if score.response.error:
        metrics.add_metadata(key=ERROR_CODE_PROPERTY, value=error_code(score.response.error))
    metrics.set_timestamp(at)
    for name, value in score.values.items():
        metrics.add_metric(name=name, unit=UNITS[name], value=value)
    metrics.flush_metrics()


def error_code(error: str) -> str:
    """The code at the start of a response's error (`ThrottlingException: ...` -> `ThrottlingException`)."""
    return error.split(":", 1)[0].strip()[:64] or "Error"

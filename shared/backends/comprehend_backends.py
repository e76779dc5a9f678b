"""Comprehend sentiment and toxicity, through the Step Functions workflow (deployed) or directly.

In the stack the monitor Lambda makes ONE StartSyncExecution per batch (more only when the input would
exceed the 256 KiB payload limit); the workflow fans out to Comprehend in parallel branches with retries
on throttling. Running locally with `--backend aws` and no deployed workflow, the same plan is sent to
Comprehend directly. Either way (`shared.backends.comprehend.analyse_isolating`) a text Comprehend
refuses is found by running its call's texts again in halves and comes back `rejected`; any other
failure fails just the texts of that run, to be retried.

StartSyncExecution is never retried once it may have started an execution: Express has no idempotency,
so a retried read timeout is a second execution running beside the first. The client does not retry at
all (`shared.backends.client_config`); `SyncExpressRunner` retries only what cannot have started one.
"""

from __future__ import annotations

import json
import logging
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import ClassVar, Protocol, TypedDict

from shared.backends.aws_errors import error_code
from shared.backends.comprehend import (
    REJECTION_ERRORS,
    BatchDetectSentimentResponse,
    ComprehendPlan,
    DetectToxicContentResponse,
    PlanRun,
    TextSegment,
    WorkflowInput,
    analyse_isolating,
)
from shared.backends.types import TextAnalysis
from shared.limits import (
    TEXT_ANALYSIS_LAMBDA_MARGIN_SECONDS,
    TEXT_ANALYSIS_LAMBDA_TIMEOUT_SECONDS,
    TEXT_ANALYSIS_READ_TIMEOUT_SECONDS,
)

logger = logging.getLogger(__name__)

#: How long one `analyse` may keep starting workflow executions: the Lambda's timeout less the time it
#: needs afterwards. An execution is started only if it can end (client read timeout) within it.
TIME_BUDGET_SECONDS = TEXT_ANALYSIS_LAMBDA_TIMEOUT_SECONDS - TEXT_ANALYSIS_LAMBDA_MARGIN_SECONDS


class WorkflowOutput(TypedDict, total=False):
    """The workflow's output (per-call Comprehend responses in the plan's order), or why it failed."""

    sentiment: list[BatchDetectSentimentResponse]
    toxicity: list[DetectToxicContentResponse]
    failed: bool
    error: str | None
    cause: str


class WorkflowRunner(Protocol):
    """Runs the workflow synchronously and returns its parsed output (or raises)."""

    def run(self, state_machine_arn: str, payload: WorkflowInput) -> WorkflowOutput: ...


class StartSyncExecutionOutput(TypedDict, total=False):
    status: str  # SUCCEEDED | FAILED | TIMED_OUT
    output: str
    error: str
    cause: str


class StepFunctionsClient(Protocol):
    """The part of boto3's Step Functions client the runner uses."""

    def start_sync_execution(self, *, stateMachineArn: str, input: str) -> StartSyncExecutionOutput: ...


class ComprehendClient(Protocol):
    """The part of boto3's Comprehend client the direct backend uses."""

    def batch_detect_sentiment(self, *, TextList: list[str], LanguageCode: str) -> BatchDetectSentimentResponse: ...

    def detect_toxic_content(
        self, *, TextSegments: list[TextSegment], LanguageCode: str
    ) -> DetectToxicContentResponse: ...


#: StartSyncExecution errors after which no execution can have started: the request was throttled (the
#: API's ThrottlingException; KmsThrottlingException, which botocore's model declares for it) or never
#: reached Step Functions. A read timeout is not one of them: the execution may well be running.
_THROTTLED = frozenset({"ThrottlingException", "KmsThrottlingException"})
_NOT_SENT = frozenset({"EndpointConnectionError", "ConnectTimeoutError"})


def _nothing_started(exc: Exception) -> bool:
    return error_code(exc) in _THROTTLED or exc.__class__.__name__ in _NOT_SENT


@dataclass
class SyncExpressRunner:
    """StartSyncExecution on an Express state machine, retried only when no execution can have started."""

    client: StepFunctionsClient
    sleep: Callable[[float], None] = time.sleep

    max_attempts: ClassVar[int] = 3
    base_delay_seconds: ClassVar[float] = 0.5

    def run(self, state_machine_arn: str, payload: WorkflowInput) -> WorkflowOutput:
        response = self._start(state_machine_arn, json.dumps(payload))
        if response.get("status") != "SUCCEEDED":
            return {
                "failed": True,
                "error": response.get("error") or response.get("status"),
                "cause": response.get("cause", ""),
            }
        output: WorkflowOutput = json.loads(response.get("output") or "{}")
        return output

    def _start(self, state_machine_arn: str, body: str) -> StartSyncExecutionOutput:
        attempt = 1
        while True:
            try:
                return self.client.start_sync_execution(stateMachineArn=state_machine_arn, input=body)
            except Exception as exc:
                if attempt >= self.max_attempts or not _nothing_started(exc):
                    raise
            self.sleep(random.uniform(0, self.base_delay_seconds * 2**attempt))
            attempt += 1


@dataclass
class ComprehendWorkflowBackend:
    runner: WorkflowRunner
    state_machine_arn: str
    read_timeout_seconds: float = TEXT_ANALYSIS_READ_TIMEOUT_SECONDS  # the longest one execution can keep us
    budget_seconds: float = TIME_BUDGET_SECONDS
    clock: Callable[[], float] = time.monotonic
    executions: int = 0

    name = "comprehend-workflow"

    def analyse(self, texts: Sequence[str], *, sentiment: bool, toxicity: bool) -> list[TextAnalysis]:
        deadline = self.clock() + self.budget_seconds

        def may_start() -> bool:
            return self.clock() + self.read_timeout_seconds <= deadline

        return analyse_isolating(texts, sentiment=sentiment, toxicity=toxicity, run=self._execute, may_start=may_start)

    def _execute(self, plan: ComprehendPlan) -> PlanRun:
        self.executions += 1
        output: WorkflowOutput
        try:
            output = self.runner.run(self.state_machine_arn, plan.workflow_input())
        except Exception as exc:  # noqa: BLE001 (any SDK failure fails these texts, not the process)  # ClientError, read timeout
            logger.warning("sentiment/toxicity workflow call failed: %s", exc.__class__.__name__)
            return PlanRun(failure=error_code(exc) or exc.__class__.__name__)
        if output.get("failed"):
            logger.warning("sentiment/toxicity workflow failed: %s", output.get("error"))
            return PlanRun(failure=str(output.get("error") or "workflow failed"))
        sentiment, toxicity = output.get("sentiment", []), output.get("toxicity", [])
        if len(sentiment) != len(plan.sentiment_batches) or len(toxicity) != len(plan.toxicity_batches):
            return PlanRun(failure="workflow output does not match its input")
        return PlanRun(sentiment, toxicity)


@dataclass
class DirectComprehendBackend:
    client: ComprehendClient
    calls: int = 0

    name = "comprehend"

    def analyse(self, texts: Sequence[str], *, sentiment: bool, toxicity: bool) -> list[TextAnalysis]:
        return analyse_isolating(texts, sentiment=sentiment, toxicity=toxicity, run=self._call, may_start=lambda: True)

    def _call(self, plan: ComprehendPlan) -> PlanRun:
        """Every call of the plan; a refused call is answered `Rejected`, any other failure fails the run."""
        try:
            sentiment = [self._sentiment(batch) for batch in plan.sentiment_batches]
            toxicity = [self._toxicity(batch) for batch in plan.toxicity_batches]
        except Exception as exc:  # noqa: BLE001 (any SDK failure fails these texts, not the process)
            logger.warning("Comprehend call failed after retries: %s", exc.__class__.__name__)
            return PlanRun(failure=error_code(exc) or exc.__class__.__name__)
        return PlanRun(sentiment, toxicity)

    def _sentiment(self, batch: list[str]) -> BatchDetectSentimentResponse:
        self.calls += 1
        try:
            return self.client.batch_detect_sentiment(TextList=batch, LanguageCode="en")
        except Exception as exc:
            code = error_code(exc)
            if code not in REJECTION_ERRORS:
                raise
            return {"Rejected": f"Comprehend.{code}"}

    def _toxicity(self, batch: list[str]) -> DetectToxicContentResponse:
        self.calls += 1
        try:
            return self.client.detect_toxic_content(TextSegments=[{"Text": s} for s in batch], LanguageCode="en")
        except Exception as exc:
            code = error_code(exc)
            if code not in REJECTION_ERRORS:
                raise
            return {"Rejected": f"Comprehend.{code}"}

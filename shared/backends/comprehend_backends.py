"""Comprehend sentiment and toxicity, through the Step Functions workflow (deployed) or directly.

In the stack the monitor Lambda makes ONE StartSyncExecution per batch (more only when the input would
exceed the 256 KiB payload limit); the workflow fans out to Comprehend in parallel branches with retries
on throttling. Running locally with `--backend aws` and no deployed workflow, the same plan is sent to
Comprehend directly. Either way a failure marks only the affected texts as failed.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from shared.backends.comprehend import assemble, split_for_payload
from shared.backends.types import TextAnalysis

logger = logging.getLogger(__name__)


class WorkflowRunner(Protocol):
    """Runs the workflow synchronously and returns its parsed output (or raises)."""

    def run(self, state_machine_arn: str, payload: dict) -> dict: ...


@dataclass
class SyncExpressRunner:
    """StartSyncExecution on an Express state machine."""

    client: object  # boto3 stepfunctions client

    def run(self, state_machine_arn: str, payload: dict) -> dict:
        response = self.client.start_sync_execution(  # type: ignore[attr-defined]
            stateMachineArn=state_machine_arn, input=json.dumps(payload)
        )
        if response.get("status") != "SUCCEEDED":
            return {
                "failed": True,
                "error": response.get("error", response.get("status")),
                "cause": response.get("cause", ""),
            }
        return json.loads(response.get("output") or "{}")


@dataclass
class ComprehendWorkflowBackend:
    runner: WorkflowRunner
    state_machine_arn: str
    executions: int = 0

    name = "comprehend-workflow"

    def analyse(self, texts: Sequence[str], *, sentiment: bool, toxicity: bool) -> list[TextAnalysis]:
        out: list[TextAnalysis] = []
        for _, plan in split_for_payload(texts, sentiment=sentiment, toxicity=toxicity):
            self.executions += 1
            try:
                output = self.runner.run(self.state_machine_arn, plan.workflow_input())
            except Exception as exc:  # noqa: BLE001 (any SDK failure fails these texts, not the process)  # ClientError after botocore's retries, timeouts
                logger.warning("sentiment/toxicity workflow call failed: %s", exc.__class__.__name__)
                output = {"failed": True, "error": exc.__class__.__name__}
            if output.get("failed"):
                logger.warning("sentiment/toxicity workflow failed: %s", output.get("error"))
                out.extend(TextAnalysis(error=f"workflow failed: {output.get('error')}") for _ in range(plan.texts))
                continue
            out.extend(assemble(plan, output.get("sentiment", []), output.get("toxicity", [])))
        return out


@dataclass
class DirectComprehendBackend:
    client: object  # boto3 comprehend client
    calls: int = 0

    name = "comprehend"

    def analyse(self, texts: Sequence[str], *, sentiment: bool, toxicity: bool) -> list[TextAnalysis]:
        out: list[TextAnalysis] = []
        for _, plan in split_for_payload(texts, sentiment=sentiment, toxicity=toxicity):
            try:
                sentiment_results = [
                    self._call("batch_detect_sentiment", TextList=batch, LanguageCode="en")
                    for batch in plan.sentiment_batches
                ]
                toxicity_results = [
                    self._call("detect_toxic_content", TextSegments=[{"Text": s} for s in batch], LanguageCode="en")
                    for batch in plan.toxicity_batches
                ]
            except Exception as exc:  # noqa: BLE001 (any SDK failure fails these texts, not the process)
                logger.warning("Comprehend call failed after retries: %s", exc.__class__.__name__)
                out.extend(
                    TextAnalysis(error=f"Comprehend failed: {exc.__class__.__name__}") for _ in range(plan.texts)
                )
                continue
            out.extend(assemble(plan, sentiment_results, toxicity_results))
        return out

    def _call(self, operation: str, **kwargs: object) -> dict:
        self.calls += 1
        return getattr(self.client, operation)(**kwargs)

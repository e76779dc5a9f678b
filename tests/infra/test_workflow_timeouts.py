"""The synchronous call to the workflow: one execution per call, and every timeout inside the next.

The Lambda waits for StartSyncExecution; the execution runs at most its TimeoutSeconds; the Lambda runs
at most its Timeout. If the client stopped reading before the execution could end, botocore would retry
the read timeout by starting another execution while the first runs on (Express has no idempotency):
Comprehend calls doubled exactly when it throttles. So: state machine < client read < Lambda.
"""

from __future__ import annotations

import json

from infra.workflow import render_definition
from shared.backends import default_client_factory
from shared.backends.settings import BackendSettings
from shared.limits import (
    TEXT_ANALYSIS_LAMBDA_MARGIN_SECONDS,
    TEXT_ANALYSIS_READ_TIMEOUT_SECONDS,
    TEXT_ANALYSIS_WORKFLOW_TIMEOUT_SECONDS,
)
from tests.infra.conftest import synth


def test_state_machine_then_client_then_lambda_each_outlasts_the_one_inside() -> None:
    workflow = json.loads(render_definition())["TimeoutSeconds"]
    client = default_client_factory(BackendSettings(kind="aws"))("stepfunctions")
    read = client.meta.config.read_timeout  # type: ignore[attr-defined]
    stack = synth()
    (sentiment,) = [
        f["Properties"]
        for f in stack.resources("AWS::Lambda::Function").values()
        if f["Properties"].get("Environment", {}).get("Variables", {}).get("LLM_MONITOR_NAME") == "sentiment-toxicity"
    ]

    assert workflow == TEXT_ANALYSIS_WORKFLOW_TIMEOUT_SECONDS
    assert read == TEXT_ANALYSIS_READ_TIMEOUT_SECONDS
    assert workflow < read  # the client is still reading when the execution ends, whatever happened in it
    assert read + TEXT_ANALYSIS_LAMBDA_MARGIN_SECONDS <= sentiment["Timeout"]  # and the Lambda outlives both
    assert workflow <= 5 * 60  # Express's own limit


def test_the_client_never_retries_a_call_that_may_have_started_an_execution() -> None:
    client = default_client_factory(BackendSettings(kind="aws"))("stepfunctions")
    retries = client.meta.config.retries  # type: ignore[attr-defined]
    assert retries.get("total_max_attempts") == 1  # retried by `SyncExpressRunner`, only when safe

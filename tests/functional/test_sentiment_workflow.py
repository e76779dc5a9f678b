"""Sentiment and toxicity through the deployed Step Functions definition, executed by moto's interpreter.

The monitor Lambda builds the workflow input, moto runs `infra.workflow.render_definition()` — the
definition the stack deploys — whose SDK integrations call (patched) Comprehend, and the Lambda maps the
output back to records. One execution per Lambda batch.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from infra.workflow import render_definition
from monitors.aws import handler
from monitors.core.config import MonitorEnvironment, MonitoringConfig
from shared.backends.settings import BackendSettings
from tests.functional.moto_patches import FakeAI, MotoSyncExpress, no_botocore_backoff, no_workflow_backoff
from tests.functional.test_monitor_handler import emf_documents, kinesis_event, per_record, record

ROLE = "arn:aws:iam::123456789012:role/text-analysis-workflow"


@pytest.fixture
def workflow(aws: None, fake_ai: FakeAI, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    sfn = boto3.client("stepfunctions", region_name="us-east-1")
    arn = sfn.create_state_machine(
        name=f"text-analysis-{uuid.uuid4().hex[:8]}", definition=render_definition(), roleArn=ROLE, type="EXPRESS"
    )["stateMachineArn"]
    runner = MotoSyncExpress(sfn)

    def clients(service: str) -> Any:
        if service == "stepfunctions":
            return runner
        return boto3.client(service, region_name="us-east-1")

    config = MonitoringConfig.from_context(
        {
            "backend": "aws",
            "monitors.sentiment-toxicity.samplingRate": "1",
            "monitors.sentiment-toxicity.maxChars": "3000",
        }
    )
    env = config.monitor_env("sentiment-toxicity") | {BackendSettings.WORKFLOW_ENV: arn}
    rt = handler.build_runtime(MonitorEnvironment.from_env(env), client_factory=clients)
    monkeypatch.setattr(handler, "runtime", lambda: rt)
    with no_botocore_backoff(), no_workflow_backoff() as waits:  # the definition's Retry intervals, recorded
        yield {"runner": runner, "fake": fake_ai, "waits": waits}


def test_a_batch_is_one_execution_of_the_real_definition(
    workflow: dict[str, Any], capsys: pytest.CaptureFixture, lambda_context: Any
) -> None:
    texts = [
        "Thanks so much, this is wonderful and really helpful!",
        "You are a stupid idiot and this is crap.",
        "The meeting is scheduled for three o'clock on Tuesday in room four.",
    ]
    batch = [record(i, completion=texts[i % 3] + (" More detail follows. " * 80 if i == 5 else "")) for i in range(60)]
    capsys.readouterr()
    response = handler.lambda_handler(kinesis_event(batch), lambda_context)
    assert response == {"batchItemFailures": []}
    assert workflow["runner"].executions == 1
    fake = workflow["fake"]
    assert fake.calls["BatchDetectSentiment"] == math.ceil(60 / 25)
    assert fake.calls["DetectToxicContent"] >= math.ceil(61 / 10)  # record 5 needs two 1 KB segments
    docs = per_record(emf_documents(capsys.readouterr().out))
    assert [d["requestId"] for d in docs] == [r.request_id for r in batch]
    nice, rude, neutral = docs[0], docs[1], docs[2]
    assert nice["SentimentPositive"][0] > 0.5 and rude["SentimentNegative"][0] > 0.5
    assert neutral["SentimentNeutral"][0] > 0.5
    assert rude["Toxicity"][0] > 0.9 > nice["Toxicity"][0]
    assert rude["ToxicityProfanity"][0] > 0.9 and rude["ToxicityInsult"][0] > 0.7


def test_throttled_comprehend_calls_are_retried_inside_the_workflow(
    workflow: dict[str, Any], capsys: pytest.CaptureFixture, lambda_context: Any
) -> None:
    fake = workflow["fake"]
    fake.throttle["BatchDetectSentiment"] = 1
    fake.throttle["DetectToxicContent"] = 1
    response = handler.lambda_handler(kinesis_event([record(i) for i in range(5)]), lambda_context)
    assert response == {"batchItemFailures": []}
    assert fake.calls["BatchDetectSentiment"] == 2 and fake.calls["DetectToxicContent"] == 2
    assert len(per_record(emf_documents(capsys.readouterr().out))) == 5


def test_a_failed_workflow_fails_the_invocation_so_kinesis_retries_the_batch(
    workflow: dict[str, Any], capsys: pytest.CaptureFixture, lambda_context: Any
) -> None:
    from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError

    workflow["fake"].throttle["BatchDetectSentiment"] = 1000  # throttled past every Retry in the definition
    capsys.readouterr()
    # Every record failed: Powertools fails the invocation, and the event source retries (bisecting).
    with pytest.raises(BatchProcessingError):
        handler.lambda_handler(kinesis_event([record(i) for i in range(3)]), lambda_context)
    out = capsys.readouterr().out
    assert per_record(emf_documents(out)) == []
    counters = next(d for d in emf_documents(out) if "ScoringFailures" in d)
    assert counters["ScoringFailures"] == [3.0]


REFUSED = "[refused-by-comprehend]"


def skipped_by_reason(docs: list[dict[str, Any]]) -> dict[str, float]:
    return {d["Reason"]: d["ScoringSkipped"][0] for d in docs if "ScoringSkipped" in d}


@pytest.mark.parametrize(
    "error", ["TextSizeLimitExceededException", "InvalidRequestException", "UnsupportedLanguageException"]
)
def test_a_text_comprehend_refuses_costs_only_its_own_record(
    workflow: dict[str, Any], capsys: pytest.CaptureFixture, lambda_context: Any, error: str
) -> None:
    fake = workflow["fake"]
    fake.rejects[REFUSED] = error  # every call holding that text fails as a whole, retried or not
    batch = [record(i) for i in range(10)]
    batch[1] = record(1, completion=f"Hold the reset button {REFUSED} for ten seconds.")
    capsys.readouterr()
    response = handler.lambda_handler(kinesis_event(batch), lambda_context)

    assert response == {"batchItemFailures": []}  # nothing retried, nothing sent to the failure queue
    docs = emf_documents(capsys.readouterr().out)
    assert [d["requestId"] for d in per_record(docs)] == [r.request_id for i, r in enumerate(batch) if i != 1]
    counters = next(d for d in docs if "ScoringFailures" in d)
    assert counters["ScoringFailures"] == [0.0] and counters["RecordsScored"] == [9.0]
    assert skipped_by_reason(docs) == {"rejected-text": 1.0}
    # One execution for the batch, then its refused calls' texts again in halves down to the one text:
    # 10 texts -> 5 -> 3 -> 2 -> 1 is at most 2 executions a level.
    assert 1 < workflow["runner"].executions <= 1 + 2 * math.ceil(math.log2(10))
    assert REFUSED not in capsys.readouterr().err


def test_a_batch_throttled_past_every_retry_fails_whole_and_is_not_split(
    workflow: dict[str, Any], capsys: pytest.CaptureFixture, lambda_context: Any
) -> None:
    """Throttling is not about any one text: smaller executions would only add calls to a throttled
    service. The records fail (Lambda retries them later) and the execution FAILED (its alarm fires)."""
    from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError

    fake = workflow["fake"]
    fake.throttle["DetectToxicContent"] = 1000
    capsys.readouterr()
    with pytest.raises(BatchProcessingError):
        handler.lambda_handler(kinesis_event([record(i) for i in range(6)]), lambda_context)
    assert workflow["runner"].executions == 1
    assert workflow["runner"].statuses == ["FAILED"]
    docs = emf_documents(capsys.readouterr().out)
    assert per_record(docs) == [] and skipped_by_reason(docs) == {}

"""The deployed sentiment/toxicity workflow, executed in moto: output shape, order, retries, failure.

`render_definition()` is the state machine definition the stack deploys (tokens resolved), so this runs
the real thing. moto's Comprehend has neither BatchDetectSentiment nor DetectToxicContent; the fixture
adds both, answering from a word list so results depend on the text, and can throttle calls. moto's
interpreter names the tasks' errors as Step Functions does (`Comprehend.<Error>`, see
`comprehend_error_names`), and the Retry intervals are recorded instead of waited.
"""

from __future__ import annotations

import json
import time
import uuid
from collections import Counter
from collections.abc import Iterator

import boto3
import botocore.session
import pytest
from moto import mock_aws
from moto.comprehend.responses import ComprehendResponse
from moto.core.exceptions import JsonRESTError

from infra.workflow import render_definition
from shared.limits import COMPREHEND_SENTIMENT_BATCH_MAX_DOCS, COMPREHEND_TOXICITY_MAX_SEGMENTS
from tests.functional.moto_patches import FakeAI, comprehend_error_names, no_workflow_backoff

ROLE = "arn:aws:iam::123456789012:role/workflow"
NEGATIVE = {"awful", "terrible", "hate", "broken"}
POSITIVE = {"great", "love", "excellent", "thanks"}
TOXIC = {"idiot", "stupid", "moron"}
UNSUPPORTED = "[unsupported-document]"  # the fake puts this document into ErrorList
REJECTED = "[rejected-call]"  # the fake fails the whole call (a non-retryable client error)
UNEXPECTED = "[unexpected-error]"  # the fake answers an error Comprehend's model does not declare


def words(text: str) -> set[str]:
    return {w.strip(".,!?").lower() for w in text.split()}


@pytest.fixture
def comprehend(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeAI]:
    """Calls counted (under a lock: moto runs the workflow's branches and map iterations on threads) and
    throttled as the functional tests' fake does."""
    fake = FakeAI()

    def batch_detect_sentiment(self: ComprehendResponse) -> str:
        fake.maybe_throttle("BatchDetectSentiment", "TooManyRequestsException")
        texts = json.loads(self.body)["TextList"]
        assert len(texts) <= COMPREHEND_SENTIMENT_BATCH_MAX_DOCS
        results, errors = [], []
        for index, text in enumerate(texts):
            if REJECTED in text:
                raise JsonRESTError("TextSizeLimitExceededException", "document too large")
            if UNEXPECTED in text:
                raise JsonRESTError("SomethingUnexpected", "an error the model does not declare")
            if UNSUPPORTED in text:
                errors.append({"Index": index, "ErrorCode": "UnsupportedLanguageException", "ErrorMessage": "nope"})
                continue
            bag = words(text)
            negative = 0.9 if bag & NEGATIVE else 0.05
            positive = 0.9 if bag & POSITIVE and not bag & NEGATIVE else 0.05
            neutral = max(0.0, 1.0 - negative - positive - 0.01)
            scores = {"Positive": positive, "Negative": negative, "Neutral": neutral, "Mixed": 0.01}
            label = max(scores, key=scores.get).upper()  # type: ignore[arg-type]
            results.append({"Index": index, "Sentiment": label, "SentimentScore": scores})
        return json.dumps({"ResultList": results, "ErrorList": errors})

    def detect_toxic_content(self: ComprehendResponse) -> str:
        fake.maybe_throttle("DetectToxicContent", "TooManyRequestsException")
        segments = [s["Text"] for s in json.loads(self.body)["TextSegments"]]
        assert len(segments) <= COMPREHEND_TOXICITY_MAX_SEGMENTS
        results = []
        for text in segments:
            score = 0.95 if words(text) & TOXIC else 0.02
            results.append(
                {
                    "Labels": [{"Name": "INSULT", "Score": score}, {"Name": "PROFANITY", "Score": score / 2}],
                    "Toxicity": score,
                }
            )
        return json.dumps({"ResultList": results})

    monkeypatch.setattr(ComprehendResponse, "batch_detect_sentiment", batch_detect_sentiment, raising=False)
    monkeypatch.setattr(ComprehendResponse, "detect_toxic_content", detect_toxic_content, raising=False)
    yield fake


@pytest.fixture(scope="module")
def definition() -> str:
    return render_definition()


@pytest.fixture
def waits() -> Iterator[list[float]]:
    with no_workflow_backoff() as recorded:
        yield recorded


@pytest.fixture
def sfn(comprehend: FakeAI, waits: list[float]) -> Iterator[object]:
    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}), comprehend_error_names():
        yield boto3.client("stepfunctions", region_name="us-east-1")


def execute(sfn: object, definition: str, payload: dict, *, timeout: float = 60.0) -> dict:
    machine = sfn.create_state_machine(  # type: ignore[attr-defined]
        name=f"text-analysis-{uuid.uuid4().hex[:8]}", definition=definition, roleArn=ROLE, type="EXPRESS"
    )["stateMachineArn"]
    arn = sfn.start_execution(  # type: ignore[attr-defined]
        stateMachineArn=machine, name=f"run-{uuid.uuid4().hex}", input=json.dumps(payload)
    )["executionArn"]
    deadline = time.monotonic() + timeout
    while True:
        described = sfn.describe_execution(executionArn=arn)  # type: ignore[attr-defined]
        if described["status"] != "RUNNING":
            return described
        if time.monotonic() > deadline:
            raise AssertionError(f"execution still running after {timeout}s")
        time.sleep(0.05)


def payload(sentiment: list[list[str]], toxicity: list[list[str]]) -> dict:
    return {
        "sentimentBatches": [{"LanguageCode": "en", "TextList": b} for b in sentiment],
        "toxicityBatches": [{"LanguageCode": "en", "TextSegments": [{"Text": t} for t in b]} for b in toxicity],
    }


def tasks_of(asl: dict) -> dict[str, dict]:
    """The Comprehend Task of each branch, by API action."""
    parallel = asl["States"][asl["StartAt"]]
    calls = {}
    for branch in parallel["Branches"]:
        mapped = branch["States"][branch["StartAt"]]
        processor = mapped.get("ItemProcessor") or mapped["Iterator"]
        task = processor["States"][processor["StartAt"]]
        calls[task["Resource"].rsplit(":", 1)[-1]] = task
    return calls


def test_definition_is_the_documented_shape(definition: str) -> None:
    asl = json.loads(definition)
    parallel = asl["States"][asl["StartAt"]]
    assert parallel["Type"] == "Parallel"
    # Nothing swallows a failure: a call that fails for good after its retries fails the execution.
    assert "Catch" not in parallel
    for branch in parallel["Branches"]:
        mapped = branch["States"][branch["StartAt"]]
        assert mapped["Type"] == "Map" and 1 <= mapped["MaxConcurrency"] <= 10
    calls = tasks_of(asl)
    assert set(calls) == {"batchDetectSentiment", "detectToxicContent"}
    for task in calls.values():
        transient, refused, fallback = task["Retry"]
        assert transient["BackoffRate"] > 1 and transient["MaxAttempts"] >= 3 and transient["JitterStrategy"] == "FULL"
        assert refused["MaxAttempts"] == 0  # a refused text is never sent again as it was
        assert fallback["ErrorEquals"] == ["States.TaskFailed"] and fallback["MaxAttempts"] < transient["MaxAttempts"]
        (catch,) = task["Catch"]
        assert catch["ErrorEquals"] == refused["ErrorEquals"]
    assert "${Token" not in definition and '"Ref"' not in definition


def comprehend_errors(operation: str | None = None) -> set[str]:
    """The errors botocore's Comprehend model declares for `operation`, or anywhere in the service."""
    model = botocore.session.get_session().get_service_model("comprehend")
    if operation is not None:
        return {shape.name for shape in model.operation_model(operation).error_shapes}
    return {name for name in model.shape_names if model.shape_for(name).metadata.get("exception")}


def test_every_comprehend_error_the_definition_names_is_one_comprehend_declares(definition: str) -> None:
    """Step Functions names an SDK task's error `Comprehend.<error shape>`; a name Comprehend does not
    declare (it has no ThrottlingException) never matches, and its Retry or Catch silently does nothing.

    Throttling is Comprehend's TooManyRequestsException, the service's only throttling error (botocore's
    model lists it for the service's other operations, not for these two, so the fallback retrier backs
    off too). The refusals are exactly the ones the model declares for both calls."""
    operations = {"batchDetectSentiment": "BatchDetectSentiment", "detectToxicContent": "DetectToxicContent"}
    service = comprehend_errors()
    for action, task in tasks_of(json.loads(definition)).items():
        named = {
            name
            for rule in task["Retry"] + task.get("Catch", [])
            for name in rule["ErrorEquals"]
            if not name.startswith("States.")
        }
        assert named and all(name.startswith("Comprehend.") for name in named)
        assert {name.removeprefix("Comprehend.") for name in named} <= service, action
        transient, refused, fallback = task["Retry"]
        assert "Comprehend.TooManyRequestsException" in transient["ErrorEquals"]
        assert (
            {name.removeprefix("Comprehend.") for name in refused["ErrorEquals"]}
            == {
                "TextSizeLimitExceededException",
                "InvalidRequestException",
                "UnsupportedLanguageException",
            }
            <= comprehend_errors(operations[action])
        )
        assert fallback["BackoffRate"] > 1 and fallback["JitterStrategy"] == "FULL"


def test_successful_execution_returns_results_per_batch_in_order(
    sfn: object, definition: str, comprehend: FakeAI
) -> None:
    sentiment = [
        ["This is great, thanks!"] * 25,
        ["The product is awful and broken.", f"skip me {UNSUPPORTED}", "I love it."],
    ]
    toxicity = [["you idiot", "have a nice day"], ["fine answer"] * 10, ["stupid question"]]
    described = execute(sfn, definition, payload(sentiment, toxicity))

    assert described["status"] == "SUCCEEDED", described
    output = json.loads(described["output"])
    assert set(output) == {"sentiment", "toxicity"}
    assert [set(b) for b in output["sentiment"]] == [{"ResultList", "ErrorList"}] * 2
    assert [set(b) for b in output["toxicity"]] == [{"ResultList"}] * 3

    first, second = output["sentiment"]
    assert len(first["ResultList"]) == 25 and first["ErrorList"] == []
    assert {r["Sentiment"] for r in first["ResultList"]} == {"POSITIVE"}
    assert [(r["Index"], r["Sentiment"]) for r in second["ResultList"]] == [(0, "NEGATIVE"), (2, "POSITIVE")]
    assert [e["Index"] for e in second["ErrorList"]] == [1]

    scores = [[r["Toxicity"] for r in batch["ResultList"]] for batch in output["toxicity"]]
    assert scores == [[0.95, 0.02], [0.02] * 10, [0.95]]
    assert comprehend.calls == Counter({"BatchDetectSentiment": 2, "DetectToxicContent": 3})


def test_empty_batch_lists_give_empty_results(sfn: object, definition: str, comprehend: FakeAI) -> None:
    described = execute(sfn, definition, payload([["good"]], []))
    assert described["status"] == "SUCCEEDED"
    assert json.loads(described["output"])["toxicity"] == []
    assert comprehend.calls["DetectToxicContent"] == 0


def test_throttled_calls_are_retried(sfn: object, definition: str, comprehend: FakeAI) -> None:
    comprehend.throttle.update({"BatchDetectSentiment": 1, "DetectToxicContent": 2})
    described = execute(sfn, definition, payload([["terrible"]], [["moron"]]))

    assert described["status"] == "SUCCEEDED", described
    output = json.loads(described["output"])
    assert output["sentiment"][0]["ResultList"][0]["Sentiment"] == "NEGATIVE"
    assert output["toxicity"][0]["ResultList"][0]["Toxicity"] == 0.95
    assert comprehend.calls == Counter({"BatchDetectSentiment": 2, "DetectToxicContent": 3})


def test_a_refused_call_is_not_retried_and_comes_back_as_its_batch_result(
    sfn: object, definition: str, comprehend: FakeAI
) -> None:
    sentiment = [["fine", "lovely"], [f"huge {REJECTED}", "fine"]]
    described = execute(sfn, definition, payload(sentiment, [["fine"]]))

    # The other calls' results survive; the refused call says which error refused it, for the caller to
    # find the text by sending that batch's texts again in smaller groups.
    assert described["status"] == "SUCCEEDED", described
    output = json.loads(described["output"])
    ok, refused = output["sentiment"]
    assert len(ok["ResultList"]) == 2
    assert refused == {"Rejected": "Comprehend.TextSizeLimitExceededException"}
    assert output["toxicity"][0]["ResultList"][0]["Toxicity"] == 0.02
    assert comprehend.calls["BatchDetectSentiment"] == 2  # once each: a refusal is never retried


def test_throttling_past_every_retry_fails_the_execution(
    sfn: object, definition: str, comprehend: FakeAI, waits: list[float]
) -> None:
    """A failure that is real (the retries ran out) is an execution failure, so the ExecutionsFailed alarm
    sees it and the caller knows to retry later."""
    comprehend.throttle["DetectToxicContent"] = 1000
    described = execute(sfn, definition, payload([["fine"]], [["fine"]]))

    assert described["status"] == "FAILED", described
    assert described["error"] == "Comprehend.TooManyRequestsException"
    transient = tasks_of(json.loads(definition))["detectToxicContent"]["Retry"][0]
    assert comprehend.calls["DetectToxicContent"] == 1 + transient["MaxAttempts"]
    cap = transient["MaxDelaySeconds"]
    assert len(waits) == transient["MaxAttempts"] and all(0 <= w <= cap for w in waits)


def test_an_error_comprehend_does_not_declare_gets_a_few_retries_then_fails_the_execution(
    sfn: object, definition: str, comprehend: FakeAI
) -> None:
    described = execute(sfn, definition, payload([[f"odd {UNEXPECTED}"]], []))

    assert described["status"] == "FAILED", described
    fallback = tasks_of(json.loads(definition))["batchDetectSentiment"]["Retry"][-1]
    assert comprehend.calls["BatchDetectSentiment"] == 1 + fallback["MaxAttempts"]

"""Finding the text Comprehend refuses: a refused call's texts run again in halves, nothing else lost."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pytest

from shared.backends.comprehend import (
    NO_TIME_LEFT,
    BatchDetectSentimentResponse,
    ComprehendPlan,
    DetectToxicContentResponse,
    PlanRun,
    analyse_isolating,
)
from shared.backends.comprehend_backends import ComprehendWorkflowBackend, WorkflowOutput

BAD = "[bad]"
REFUSED = "Comprehend.TextSizeLimitExceededException"


@dataclass
class FakeComprehend:
    """Answers a plan like the workflow: a call holding a bad text comes back `Rejected`."""

    bad: str = BAD
    whole_run_fails_with: str | None = None  # the run fails as a whole with this error instead
    runs: list[int] = field(default_factory=list)  # texts per run

    def __call__(self, plan: ComprehendPlan) -> PlanRun:
        self.runs.append(plan.texts)
        if self.whole_run_fails_with and any(self.bad in d for b in plan.sentiment_batches for d in b):
            return PlanRun(failure=self.whole_run_fails_with)
        sentiment: list[BatchDetectSentimentResponse] = []
        for batch in plan.sentiment_batches:
            if any(self.bad in doc for doc in batch):
                sentiment.append({"Rejected": REFUSED})
                continue
            scores = {"Positive": 0.9, "Negative": 0.05, "Neutral": 0.04, "Mixed": 0.01}
            sentiment.append(
                {"ResultList": [{"Index": i, "SentimentScore": scores} for i in range(len(batch))], "ErrorList": []}
            )
        toxicity: list[DetectToxicContentResponse] = []
        for segments in plan.toxicity_batches:
            if any(self.bad in s for s in segments):
                toxicity.append({"Rejected": REFUSED})
            else:
                toxicity.append({"ResultList": [{"Toxicity": 0.1, "Labels": []} for _ in segments]})
        return PlanRun(sentiment, toxicity)


def analyse(texts: list[str], fake: FakeComprehend) -> list:
    return analyse_isolating(texts, sentiment=True, toxicity=True, run=fake, may_start=lambda: True)


def test_a_clean_batch_is_one_run() -> None:
    fake = FakeComprehend()
    results = analyse([f"text {i}" for i in range(100)], fake)
    assert fake.runs == [100]
    assert all(r.sentiment and r.toxicity and r.error is None and r.rejected is None for r in results)


@pytest.mark.parametrize("bad_at", [0, 37, 99])
def test_one_refused_text_is_found_and_costs_only_itself(bad_at: int) -> None:
    texts = [f"text {i}" for i in range(100)]
    texts[bad_at] = f"text {BAD}"
    fake = FakeComprehend()
    results = analyse(texts, fake)

    assert [i for i, r in enumerate(results) if r.rejected] == [bad_at]
    assert results[bad_at].rejected == REFUSED and results[bad_at].error is None
    assert all(r.sentiment and r.toxicity and r.error is None for i, r in enumerate(results) if i != bad_at)
    # The refused calls held 25 documents and 10 segments; halving them costs a few small runs.
    assert len(fake.runs) <= 1 + 2 * math.ceil(math.log2(25)) + 1
    assert sum(fake.runs[1:]) <= 2 * 25 + 25  # only the refused calls' texts ran again


def test_two_refused_texts_in_different_calls_are_both_found() -> None:
    texts = [f"text {i}" for i in range(60)]
    texts[3] = texts[51] = f"text {BAD}"
    results = analyse(texts, FakeComprehend())
    assert [i for i, r in enumerate(results) if r.rejected] == [3, 51]
    assert sum(r.sentiment is not None and r.rejected is None for r in results) == 58


def test_a_run_failing_as_a_whole_with_a_refusal_is_split_the_same_way() -> None:
    texts = [f"text {i}" for i in range(20)]
    texts[7] = f"text {BAD}"
    results = analyse(texts, FakeComprehend(whole_run_fails_with=REFUSED))
    assert [i for i, r in enumerate(results) if r.rejected] == [7]
    assert all(r.sentiment for i, r in enumerate(results) if i != 7)


@pytest.mark.parametrize(
    "error", ["Comprehend.TooManyRequestsException", "States.Timeout", "ReadTimeoutError", "Comprehend.Unexpected"]
)
def test_a_failure_that_is_not_a_refusal_fails_every_text_of_the_run_and_is_not_split(error: str) -> None:
    texts = [f"text {i}" for i in range(20)]
    texts[7] = f"text {BAD}"
    fake = FakeComprehend(whole_run_fails_with=error)
    results = analyse(texts, fake)
    assert fake.runs == [20]  # smaller runs would only add calls to a throttled service
    assert all(r.error and error in r.error and r.rejected is None for r in results)


def test_a_document_refused_in_the_error_list_keeps_its_toxicity() -> None:
    def run(plan: ComprehendPlan) -> PlanRun:
        sentiment: BatchDetectSentimentResponse = {
            "ResultList": [],
            "ErrorList": [{"Index": 0, "ErrorCode": "UNSUPPORTED_LANGUAGE", "ErrorMessage": "no"}],
        }
        return PlanRun([sentiment], [{"ResultList": [{"Toxicity": 0.3, "Labels": []}]}])

    (result,) = analyse_isolating(["hola"], sentiment=True, toxicity=True, run=run, may_start=lambda: True)
    assert result.rejected == "Comprehend UNSUPPORTED_LANGUAGE" and result.error is None
    assert result.toxicity and result.toxicity.toxicity == 0.3 and result.sentiment is None


def test_a_text_refused_by_one_call_keeps_what_the_other_scored() -> None:
    def run(plan: ComprehendPlan) -> PlanRun:
        scores = {"Positive": 0.1, "Negative": 0.8, "Neutral": 0.05, "Mixed": 0.05}
        return PlanRun(
            [{"ResultList": [{"Index": 0, "SentimentScore": scores}], "ErrorList": []}], [{"Rejected": REFUSED}]
        )

    (result,) = analyse_isolating(["x"], sentiment=True, toxicity=True, run=run, may_start=lambda: True)
    assert result.rejected == REFUSED and result.toxicity is None
    assert result.sentiment and result.sentiment.negative == 0.8


class SlowRunner:
    """A workflow runner whose every execution takes `seconds` of the fake clock."""

    def __init__(self, clock: list[float], seconds: float) -> None:
        self.clock, self.seconds, self.fake = clock, seconds, FakeComprehend()

    def run(self, state_machine_arn: str, payload: dict) -> WorkflowOutput:
        self.clock[0] += self.seconds
        plan = ComprehendPlan(texts=0)
        plan.sentiment_batches = [b["TextList"] for b in payload["sentimentBatches"]]
        plan.toxicity_batches = [[s["Text"] for s in b["TextSegments"]] for b in payload["toxicityBatches"]]
        result = self.fake(plan)
        return {"sentiment": list(result.sentiment), "toxicity": list(result.toxicity)}


def test_no_execution_starts_that_could_outlast_the_lambda() -> None:
    """Running a refused call's texts again must not push the Lambda past its timeout: an execution starts
    only if it can end (the client's read timeout) within the budget; the rest fail, to be retried."""
    clock = [0.0]
    runner = SlowRunner(clock, seconds=60)
    backend = ComprehendWorkflowBackend(
        runner, "arn", read_timeout_seconds=105, budget_seconds=150, clock=lambda: clock[0]
    )
    texts = [f"text {i}" for i in range(10)]
    texts[4] = f"text {BAD}"
    results = backend.analyse(texts, sentiment=True, toxicity=True)

    assert backend.executions == 1  # 60 s gone: another execution could end at 60 + 105 > 150
    assert all(r.error == NO_TIME_LEFT for r in results)  # every text was in a refused call: retried later

    fast = ComprehendWorkflowBackend(
        SlowRunner(clock, seconds=1), "arn", read_timeout_seconds=105, budget_seconds=150, clock=lambda: clock[0]
    )
    results = fast.analyse(texts, sentiment=True, toxicity=True)
    assert [i for i, r in enumerate(results) if r.rejected] == [4] and fast.executions > 1

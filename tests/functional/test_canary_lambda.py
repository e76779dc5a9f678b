"""The canary Lambda on stubbed Converse: requests, backoff, concurrency, scoring, the EMF it prints."""

from __future__ import annotations

import contextlib
import io
import json
import threading
import time
from datetime import UTC, datetime
from typing import Any

import pytest

from canary import handler
from canary.catalog import Expect, load_catalog
from canary.config import CanaryConfig
from canary.runner import DEADLINE, CanaryRunner
from canary.settings import CanarySettings
from monitors.core.config import MonitoringConfig
from tests.functional.canary_stubs import Error, converse_response, good_answer, stubbed_converse

SUITE = "nightly"
CATALOG = load_catalog()
CASES = CATALOG.cases[:3]  # one of each kind is enough for the runner


def runner(client: Any, **kw: Any) -> CanaryRunner:
    sleeps: list[float] = []
    made = CanaryRunner(client, suite=SUITE, max_concurrency=1, max_tokens=64, temperature=0.0, **kw)
    made.sleep = sleeps.append
    made.jitter = lambda low, high: high  # the backoff's ceiling, so the test can read it
    made.sleeps = sleeps  # type: ignore[attr-defined]
    return made


def test_every_call_carries_the_case_the_settings_and_the_canary_tags() -> None:
    calls = [
        (case, "m.one-v1", converse_response(good_answer(case), request_id=f"r{i}")) for i, case in enumerate(CASES)
    ]
    with stubbed_converse(calls, suite=SUITE, max_tokens=64, temperature=0.0) as (client, stubber):
        responses = runner(client).run(CASES, ["m.one-v1"])
        stubber.assert_no_pending_responses()  # every expected request, with exactly these parameters
    assert [r.case_id for r in responses] == [c.id for c in CASES]
    assert responses[0].request_id == "r0" and responses[0].latency_ms == 420 and responses[0].output_tokens == 30
    assert not any(r.failed for r in responses)


def test_throttling_is_retried_with_growing_backoff_and_other_errors_are_not() -> None:
    first, second = CASES[0], CASES[1]
    calls = [
        (first, "m.one-v1", Error("ThrottlingException", 429)),
        (first, "m.one-v1", Error("ServiceUnavailableException", 503)),
        (first, "m.one-v1", converse_response("Fine.")),
        (second, "m.one-v1", Error("AccessDeniedException", 403, "You don't have access to the model")),
    ]
    with stubbed_converse(calls, suite=SUITE, max_tokens=64, temperature=0.0) as (client, stubber):
        made = runner(client)
        responses = made.run([first, second], ["m.one-v1"])
        stubber.assert_no_pending_responses()
    assert responses[0].completion == "Fine." and not responses[0].failed
    assert responses[1].error == "AccessDeniedException: You don't have access to the model"
    assert made.sleeps == [0.5, 1.0]  # exponential backoff before the 2nd and 3rd attempts
    assert made.attempts == 4


def test_a_call_still_throttled_after_its_attempts_fails_alone() -> None:
    calls = [(CASES[0], "m.one-v1", Error("ThrottlingException", 429))] * 3
    with stubbed_converse(calls, suite=SUITE, max_tokens=64, temperature=0.0) as (client, _):
        (response,) = runner(client, max_attempts=3).run(CASES[:1], ["m.one-v1"])
    assert response.error is not None and response.error.startswith("ThrottlingException")


def test_cases_that_cannot_start_before_the_deadline_fail_as_deadline() -> None:
    with stubbed_converse([], suite=SUITE, max_tokens=64, temperature=0.0) as (client, _):
        responses = runner(client).run(CASES, ["m.one-v1"], deadline=time.monotonic() - 1)
    assert all(r.error is not None and r.error.startswith(DEADLINE) for r in responses)


class CountingClient:
    """A thread-safe fake Converse client that records how many calls are in flight at once."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.in_flight = 0
        self.most = 0
        self.calls = 0

    def converse(self, **request: Any) -> dict[str, Any]:
        with self.lock:
            self.in_flight += 1
            self.calls += 1
            self.most = max(self.most, self.in_flight)
        time.sleep(0.01)
        with self.lock:
            self.in_flight -= 1
        return converse_response("ok")


def test_concurrency_is_bounded() -> None:
    client = CountingClient()
    responses = CanaryRunner(client, suite=SUITE, max_concurrency=3).run(CATALOG.cases[:20], ["m.a-v1", "m.b-v1"])
    assert len(responses) == client.calls == 40
    assert client.most == 3
    assert [r.model_id for r in responses] == ["m.a-v1"] * 20 + ["m.b-v1"] * 20


# --- the handler ---------------------------------------------------------------------------------------


MODELS = ("m.good-v1", "us.acme.lax-v1")


def settings(**extra: str) -> CanarySettings:
    context = {"canary.modelIds": ",".join(MODELS), "canary.suite": SUITE, "backend": "embedded", **extra}
    return CanaryConfig.from_context(context).lambda_settings(MonitoringConfig.from_context(context))


def answers(model: str) -> list[tuple[Any, str, object]]:
    """The good model behaves; the lax one answers harmful requests and a call fails."""
    out: list[tuple[Any, str, object]] = []
    for i, case in enumerate(CATALOG):
        text = good_answer(case)
        if model != MODELS[0] and case.expect is Expect.REFUSE:
            text = "Sure! Here is an overview of how to do that: [removed]."
        if model != MODELS[0] and case.id == "fact-geo-01":
            out.append((case, model, Error("ValidationException", 400, "bad input")))
            continue
        out.append((case, model, converse_response(text, request_id=f"{model}-{case.id}", latency_ms=100 + i)))
    return out


def emf_documents(printed: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in printed.splitlines() if line.startswith("{") and '"_aws"' in line]


def test_a_run_calls_scores_and_emits_one_document_per_case_and_model() -> None:
    config = settings(modelIdAliases="us.acme.lax-v1=lax")
    calls = answers(MODELS[0]) + answers(MODELS[1])
    with stubbed_converse(calls, suite=SUITE, max_tokens=200, temperature=0.0) as (client, stubber):
        rt = handler.build_runtime(config, converse=client)
        rt.runner.max_concurrency = 1  # the stubbed answers come in the runner's order
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            result = handler.run_canary(rt, now=datetime(2026, 11, 28, 10, 0, tzinfo=UTC))
        stubber.assert_no_pending_responses()

    documents = emf_documents(out.getvalue())
    assert len(documents) == len(CATALOG) * 2
    for doc in documents:
        (directive,) = doc["_aws"]["CloudWatchMetrics"]
        assert directive["Dimensions"] == [["ModelId"]] and directive["Namespace"] == "LLMMonitor"
        assert doc["monitor"] == "canary" and doc["suite"] == SUITE and doc["runId"] == result["runId"]
        assert doc["_aws"]["Timestamp"] == int(datetime(2026, 11, 28, 10, 0, tzinfo=UTC).timestamp() * 1000)
    assert {d["ModelId"] for d in documents} == {"m.good-v1", "lax"}  # aliases apply, as for the monitors
    lax = [d for d in documents if d["ModelId"] == "lax"]
    assert all(d["invokedModelId"] == "us.acme.lax-v1" for d in lax)
    failed = [d for d in lax if d["CanaryErrors"] == [1.0]]
    assert len(failed) == 1 and failed[0]["errorCode"] == "ValidationException" and "requestId" not in failed[0]
    under = [d for d in lax if d.get("CanaryUnderRefusal") == [1.0]]
    assert len(under) == CATALOG.count(Expect.REFUSE)
    texts = {case.prompt for case in CATALOG} | {"Sure! Here is an overview of how to do that: [removed]."}
    printed = out.getvalue()
    assert not any(text in printed for text in texts), "no prompt or response text in the logs"

    good, lax_summary = result["models"]["m.good-v1"], result["models"]["lax"]
    assert good["CanaryUnderRefusal"] == 0.0 and good["CanaryOverRefusal"] == 0.0 and good["errors"] == 0
    assert good["CanaryReferenceSimilarity"] > 0.95
    assert lax_summary["CanaryUnderRefusal"] == 1.0 and lax_summary["errors"] == 1
    assert result["calls"] == len(CATALOG) * 2 and result["catalogSha256"] == CATALOG.sha256


def test_the_handler_keeps_a_margin_for_scoring(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, float] = {}

    def fake_run(rt: Any, *, deadline: float | None = None, now: Any = None) -> dict[str, Any]:
        seen["deadline"] = deadline or 0.0
        return {"runId": "x"}

    monkeypatch.setattr(handler, "runtime", lambda: object())
    monkeypatch.setattr(handler, "run_canary", fake_run)

    class Context:
        function_name = "canary"
        memory_limit_in_mb = 512
        invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:canary"
        aws_request_id = "req"

        def get_remaining_time_in_millis(self) -> int:
            return 900_000

    before = time.monotonic()
    handler.lambda_handler({"source": "llm-monitor-canary-schedule"}, Context())
    assert 839 < seen["deadline"] - before < 841  # 900 s less the 60 s margin


def test_the_settings_round_trip_through_the_environment() -> None:
    config = settings()
    assert CanarySettings.from_env(config.to_env()) == config
    with pytest.raises(Exception, match="LLM_MONITOR_CANARY_MODEL_IDS"):
        CanarySettings.from_env({})

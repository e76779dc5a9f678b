"""Make moto's canned AI services answer from the text, so functional tests check real behaviour.

moto's bedrock-runtime InvokeModel returns `{}` and its Comprehend lacks BatchDetectSentiment and
DetectToxicContent. These fixtures give Titan embeddings from the embedded model and Comprehend answers
from the embedded scorers (VADER, profanity-check), can throttle the first N calls so retry paths run,
and refuse a text for good the way the services do (a marker in the text names the error), so the
failure-isolation paths run. Each fake counts its calls (the benchmark reads them).

Two things make moto's Step Functions interpreter behave like the service for the workflow: it names
an aws-sdk:comprehend task's errors `Comprehend.<Error>` (moto knows the service's error prefix only
for a few services and would say `comprehend.<Error>`), and `no_workflow_backoff` skips the real
waits of the definition's Retry intervals while recording them.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from unittest.mock import patch

import numpy as np
import pytest
from moto.bedrockruntime.models import BedrockRuntimeBackend
from moto.comprehend.responses import ComprehendResponse
from moto.core.exceptions import JsonRESTError

from shared.backends.embedded_text import EmbeddedTextAnalysis
from shared.limits import (
    COMPREHEND_SENTIMENT_BATCH_MAX_DOCS,
    COMPREHEND_SENTIMENT_MAX_DOC_BYTES,
    COMPREHEND_TOXICITY_LABELS,
    COMPREHEND_TOXICITY_MAX_SEGMENT_BYTES,
    COMPREHEND_TOXICITY_MAX_SEGMENTS,
)


class _Throttled(JsonRESTError):
    def __init__(self, error_type: str) -> None:
        super().__init__(error_type, "Rate exceeded")
        self.code = 429


@dataclass
class FakeAI:
    """What the patched services did: calls per API, how many more calls to throttle, and which texts
    to refuse for good.

    `rejects` maps a marker to an error code: a Comprehend call with a text containing the marker fails
    as a whole with that code (TextSizeLimitExceededException, InvalidRequestException or
    UnsupportedLanguageException, as Comprehend does), and Titan answers ValidationException for it.
    """

    calls: Counter[str] = field(default_factory=Counter)
    throttle: Counter[str] = field(default_factory=Counter)  # api -> calls still to throttle
    rejects: dict[str, str] = field(default_factory=dict)  # marker in a text -> error code
    rejected: Counter[str] = field(default_factory=Counter)  # api -> calls refused
    # The Titan backend's thread pool and moto's workflow branches call in parallel: count under a lock.
    lock: threading.Lock = field(default_factory=threading.Lock)

    def maybe_throttle(self, api: str, error_type: str) -> None:
        with self.lock:
            self.calls[api] += 1
            throttled = self.throttle[api] > 0
            if throttled:
                self.throttle[api] -= 1
        if throttled:
            raise _Throttled(error_type)

    def maybe_reject(self, api: str, texts: list[str], *, error_type: str | None = None) -> None:
        """Refuse the call when a text carries a marker (`error_type` overrides the marker's code)."""
        for marker, code in self.rejects.items():
            if any(marker in text for text in texts):
                with self.lock:
                    self.rejected[api] += 1
                raise JsonRESTError(error_type or code, "The input was refused (test marker).")


@contextmanager
def patched_ai() -> Iterator[FakeAI]:
    """The patches as a context manager (the benchmark uses them outside pytest)."""
    from shared.embedded import load_default_model

    state = FakeAI()
    model = load_default_model()
    local = EmbeddedTextAnalysis()

    def invoke_model(self: BedrockRuntimeBackend, payload: dict, model_id: str) -> dict:
        state.maybe_throttle("InvokeModel", "ThrottlingException")
        text = payload["inputText"]
        state.maybe_reject("InvokeModel", [text], error_type="ValidationException")
        dimensions = int(payload.get("dimensions", 1024))
        vector = model.encode([text])[0]
        # Titan returns the requested size; pad/cut the embedded model's vector to it.
        out = np.zeros(dimensions, dtype=np.float32)
        out[: min(dimensions, vector.size)] = vector[:dimensions]
        if payload.get("normalize", True) and np.linalg.norm(out) > 0:
            out /= np.linalg.norm(out)
        return {"embedding": out.tolist(), "inputTextTokenCount": max(1, len(text) // 4)}

    def batch_detect_sentiment(self: ComprehendResponse) -> str:
        state.maybe_throttle("BatchDetectSentiment", "TooManyRequestsException")
        params = json.loads(self.body)
        texts = params["TextList"]
        if len(texts) > COMPREHEND_SENTIMENT_BATCH_MAX_DOCS:
            raise JsonRESTError("BatchSizeLimitExceededException", "too many documents")
        if any(len(t.encode()) > COMPREHEND_SENTIMENT_MAX_DOC_BYTES for t in texts):
            raise JsonRESTError("TextSizeLimitExceededException", "document size limit exceeded")
        state.maybe_reject("BatchDetectSentiment", texts)
        results = []
        for index, analysis in enumerate(local.analyse(texts, sentiment=True, toxicity=False)):
            s = analysis.sentiment
            scores = {"Positive": s.positive, "Negative": s.negative, "Neutral": s.neutral, "Mixed": s.mixed}
            results.append({"Index": index, "Sentiment": max(scores, key=scores.get).upper(), "SentimentScore": scores})
        return json.dumps({"ResultList": results, "ErrorList": []})

    def detect_toxic_content(self: ComprehendResponse) -> str:
        state.maybe_throttle("DetectToxicContent", "TooManyRequestsException")
        params = json.loads(self.body)
        segments = [s["Text"] for s in params["TextSegments"]]
        if len(segments) > COMPREHEND_TOXICITY_MAX_SEGMENTS or any(
            len(s.encode()) > COMPREHEND_TOXICITY_MAX_SEGMENT_BYTES for s in segments
        ):
            raise JsonRESTError("TextSizeLimitExceededException", "segment limits exceeded")
        state.maybe_reject("DetectToxicContent", segments)
        results = []
        for analysis in local.analyse(segments, sentiment=False, toxicity=True):
            score = analysis.toxicity.toxicity
            # Every label Comprehend documents, so every Toxicity<Label> metric is really emitted.
            labels = [{"Name": "PROFANITY", "Score": score}, {"Name": "INSULT", "Score": score * 0.8}]
            labels += [
                {"Name": name, "Score": score * 0.1}
                for name in COMPREHEND_TOXICITY_LABELS
                if name not in ("PROFANITY", "INSULT")
            ]
            results.append({"Labels": labels, "Toxicity": score})
        return json.dumps({"ResultList": results})

    with (
        patch.object(BedrockRuntimeBackend, "invoke_model", invoke_model),
        patch.object(ComprehendResponse, "batch_detect_sentiment", batch_detect_sentiment, create=True),
        patch.object(ComprehendResponse, "detect_toxic_content", detect_toxic_content, create=True),
        comprehend_error_names(),
    ):
        yield state


@contextmanager
def comprehend_error_names() -> Iterator[None]:
    """moto's interpreter names an aws-sdk task's error `<prefix>.<Error>` with a per-service prefix it
    knows only for a few services; Step Functions says `Comprehend.<Error>`, so the definition's Retry
    and Catch rules match in moto exactly as they do in AWS."""
    from moto.stepfunctions.parser.asl.component.state.exec.state_task.service import (
        state_task_service_aws_sdk as aws_sdk,
    )

    with patch.dict(aws_sdk._SERVICE_ERROR_NAMES, {"comprehend": "Comprehend"}):
        yield


@contextmanager
def no_workflow_backoff() -> Iterator[list[float]]:
    """The state machine's Retry waits in moto's interpreter, recorded instead of slept (the list of
    requested intervals, in seconds). Only the retrier module's `time` is replaced."""
    import time
    import types

    from moto.stepfunctions.parser.asl.component.common.retry import retrier_decl

    waits: list[float] = []
    fake_time = types.SimpleNamespace(**{name: getattr(time, name) for name in dir(time) if not name.startswith("_")})
    fake_time.sleep = waits.append
    with patch.object(retrier_decl, "time", fake_time):
        yield waits


@pytest.fixture
def fake_ai() -> Iterator[FakeAI]:
    with patched_ai() as state:
        yield state


@contextmanager
def no_botocore_backoff() -> Iterator[None]:
    """botocore's retry back-off without the waiting. Only botocore's own `time` is replaced: patching
    `time.sleep` for the whole process would also turn moto's interpreter threads and pollers into
    busy loops that starve each other."""
    import time
    import types

    import botocore.endpoint

    fake_time = types.SimpleNamespace(**{name: getattr(time, name) for name in dir(time) if not name.startswith("_")})
    fake_time.sleep = lambda seconds: None
    with patch.object(botocore.endpoint, "time", fake_time):
        yield


class MotoSyncExpress:
    """StartSyncExecution for moto, which implements only StartExecution: start, then poll until done.

    The state machine's definition really executes in moto's interpreter; only the synchronous wrapper
    the Lambda uses in AWS is emulated here.
    """

    def __init__(self, client: object, timeout: float = 60.0) -> None:
        self.client = client
        self.timeout = timeout
        self.executions = 0
        self.statuses: list[str] = []  # each execution's final status, in order

    def start_sync_execution(self, *, stateMachineArn: str, input: str) -> dict:
        import time
        import uuid

        self.executions += 1
        pause = threading.Event()  # waits for real even where a test stubs time.sleep
        arn = self.client.start_execution(  # type: ignore[attr-defined]
            stateMachineArn=stateMachineArn, name=f"sync-{uuid.uuid4().hex}", input=input
        )["executionArn"]
        deadline = time.monotonic() + self.timeout
        while True:
            described = self.client.describe_execution(executionArn=arn)  # type: ignore[attr-defined]
            if described["status"] != "RUNNING":
                self.statuses.append(described["status"])
                return {key: described.get(key) for key in ("status", "output", "error", "cause")}
            if time.monotonic() > deadline:
                raise TimeoutError("workflow execution did not finish in moto")
            pause.wait(0.01)

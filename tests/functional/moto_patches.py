"""Make moto's canned AI services answer from the text, so functional tests check real behaviour.

moto's bedrock-runtime InvokeModel returns `{}` and its Comprehend lacks BatchDetectSentiment and
DetectToxicContent. These fixtures give Titan embeddings from the embedded model and Comprehend answers
from the embedded scorers (VADER, profanity-check), and can throttle the first N calls so retry paths
run. Each fake counts its calls (the benchmark reads them).
"""

from __future__ import annotations

import json
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
    COMPREHEND_TOXICITY_LABELS,
    COMPREHEND_TOXICITY_MAX_SEGMENTS,
)


class _Throttled(JsonRESTError):
    def __init__(self, error_type: str) -> None:
        super().__init__(error_type, "Rate exceeded")
        self.code = 429


@dataclass
class FakeAI:
    """What the patched services did: calls per API, and how many more calls to throttle."""

    calls: Counter[str] = field(default_factory=Counter)
    throttle: Counter[str] = field(default_factory=Counter)  # api -> calls still to throttle

    def maybe_throttle(self, api: str, error_type: str) -> None:
        self.calls[api] += 1
        if self.throttle[api] > 0:
            self.throttle[api] -= 1
            raise _Throttled(error_type)


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
        if len(segments) > COMPREHEND_TOXICITY_MAX_SEGMENTS or any(len(s.encode()) > 1024 for s in segments):
            raise JsonRESTError("TextSizeLimitExceededException", "segment limits exceeded")
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
    ):
        yield state


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

    def start_sync_execution(self, *, stateMachineArn: str, input: str) -> dict:
        import threading
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
                return {key: described.get(key) for key in ("status", "output", "error", "cause")}
            if time.monotonic() > deadline:
                raise TimeoutError("workflow execution did not finish in moto")
            pause.wait(0.01)

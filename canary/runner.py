"""Sending the catalog to each model through the Bedrock Converse API: bounded concurrency, backoff.

Every (case, model) pair is one Converse call, with the case's system prompt and turns, the configured
`maxTokens` and `temperature`, and `requestMetadata` marking it as a canary request (`shared.canary`:
suite and case id), which is how the passive monitors recognise it in the invocation logs. At most
`max_concurrency` calls are in flight. Throttling and transient service errors are retried with
exponential backoff and full jitter, up to `max_attempts` calls; botocore's own retries are switched off
for this client (`converse_client_config`) so that one policy, this one, decides. Any other error (no
model access, a validation error) fails the case at once. A case that cannot start before the deadline
fails as `Deadline`, so a run always ends inside its Lambda's time and still reports what it did.
Texts are never logged.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Protocol, TypedDict

from canary.catalog import CanaryCase
from canary.responses import CanaryResponse
from shared.canary import canary_metadata
from shared.untrusted_json import scrub_text

logger = logging.getLogger(__name__)

#: Error codes worth another attempt: Bedrock's throttling and transient service errors.
RETRYABLE_CODES = frozenset(
    {
        "ThrottlingException",
        "TooManyRequestsException",
        "ServiceUnavailableException",
        "InternalServerException",
        "ModelNotReadyException",
        "ModelTimeoutException",
    }
)
DEADLINE = "Deadline"
BACKOFF_BASE_SECONDS = 0.5
BACKOFF_CAP_SECONDS = 20.0
_MAX_ERROR_CHARS = 200


class ConverseOutput(TypedDict, total=False):
    """The part of a Converse response the canary reads."""

    output: dict[str, object]
    stopReason: str
    usage: dict[str, int]
    metrics: dict[str, float]
    ResponseMetadata: dict[str, object]


class ConverseClient(Protocol):
    """The part of boto3's bedrock-runtime client the canary uses."""

    def converse(
        self,
        *,
        modelId: str,
        messages: list[dict[str, object]],
        inferenceConfig: dict[str, float | int],
        requestMetadata: dict[str, str],
        system: list[dict[str, str]] = ...,
    ) -> ConverseOutput: ...


def converse_client_config(max_concurrency: int) -> dict[str, object]:
    """botocore Config arguments: no SDK retries (the runner's backoff decides), a connection per call."""
    return {
        "retries": {"mode": "standard", "max_attempts": 1},
        "max_pool_connections": max(10, max_concurrency),
        "connect_timeout": 5,
        "read_timeout": 120,
    }


@dataclass
class CanaryRunner:
    client: ConverseClient
    suite: str
    max_concurrency: int = 4
    max_attempts: int = 6
    max_tokens: int = 200
    temperature: float = 0.0
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    jitter: Callable[[float, float], float] = random.uniform
    attempts: int = 0  # Converse calls made (retries included)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def run(
        self, cases: Sequence[CanaryCase], model_ids: Sequence[str], *, deadline: float | None = None
    ) -> list[CanaryResponse]:
        """Every case for every model (model by model, cases in catalog order)."""
        pairs = [(case, model) for model in model_ids for case in cases]
        if not pairs:
            return []
        with ThreadPoolExecutor(max_workers=min(self.max_concurrency, len(pairs)), thread_name_prefix="canary") as pool:
            return list(pool.map(lambda pair: self.call(pair[0], pair[1], deadline=deadline), pairs))

    def call(self, case: CanaryCase, model_id: str, *, deadline: float | None = None) -> CanaryResponse:
        """One case on one model, retried on throttling; failures come back as a response with `error`."""
        attempt = 0
        while True:
            if deadline is not None and self.clock() >= deadline:
                return CanaryResponse(case.id, model_id, error=f"{DEADLINE}: the run's time ran out before this call")
            attempt += 1
            with self._lock:
                self.attempts += 1
            started = self.clock()
            try:
                output = self._converse(case, model_id)
            except Exception as exc:  # noqa: BLE001 (any SDK failure fails this case, never the run)
                code = _error_code(exc)
                if code in RETRYABLE_CODES and attempt < self.max_attempts:
                    pause = self.jitter(0.0, min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2 ** (attempt - 1)))
                    if deadline is None or self.clock() + pause < deadline:
                        self.sleep(pause)
                        continue
                logger.warning("canary case %s on %s failed after %d attempt(s): %s", case.id, model_id, attempt, code)
                return CanaryResponse(case.id, model_id, error=f"{code}: {_message(exc)}"[:_MAX_ERROR_CHARS])
            elapsed_ms = (self.clock() - started) * 1000
            return _response(case, model_id, output, elapsed_ms)

    def _converse(self, case: CanaryCase, model_id: str) -> ConverseOutput:
        inference: dict[str, float | int] = {"maxTokens": self.max_tokens, "temperature": self.temperature}
        metadata = canary_metadata(self.suite, case.id)
        if case.system:
            return self.client.converse(
                modelId=model_id,
                messages=case.converse_messages(),
                system=[{"text": case.system}],
                inferenceConfig=inference,
                requestMetadata=metadata,
            )
        return self.client.converse(
            modelId=model_id, messages=case.converse_messages(), inferenceConfig=inference, requestMetadata=metadata
        )


def _error_code(exc: Exception) -> str:
    """The AWS error code of a botocore ClientError, else the exception's class name (connection errors)."""
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        error = response.get("Error")
        if isinstance(error, dict) and isinstance(error.get("Code"), str):
            return str(error["Code"])
    name = exc.__class__.__name__
    # botocore's connection and read-timeout errors are transient too.
    return "ServiceUnavailableException" if name in ("EndpointConnectionError", "ReadTimeoutError") else name


def _message(exc: Exception) -> str:
    response = getattr(exc, "response", None)
    if isinstance(response, dict) and isinstance(response.get("Error"), dict):
        return str(response["Error"].get("Message", ""))
    return str(exc)


def _response(case: CanaryCase, model_id: str, output: ConverseOutput, elapsed_ms: float) -> CanaryResponse:
    message = output.get("output", {}).get("message")
    blocks = message.get("content", []) if isinstance(message, dict) else []
    text = "".join(b["text"] for b in blocks if isinstance(b, dict) and isinstance(b.get("text"), str))
    usage = output.get("usage", {})
    metrics = output.get("metrics", {})
    request_id = output.get("ResponseMetadata", {}).get("RequestId")
    latency = metrics.get("latencyMs")
    return CanaryResponse(
        case_id=case.id,
        model_id=model_id,
        completion=scrub_text(text.strip()),  # a model's lone surrogate would fail every later encode
        latency_ms=float(latency) if isinstance(latency, (int, float)) else elapsed_ms,
        request_id=request_id if isinstance(request_id, str) else None,
        input_tokens=usage.get("inputTokens"),
        output_tokens=usage.get("outputTokens"),
        stop_reason=output.get("stopReason"),
    )

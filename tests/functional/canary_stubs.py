"""Bedrock Converse for the canary tests: botocore's Stubber on a real bedrock-runtime client.

moto's bedrock-runtime has no Converse, so the calls are stubbed: each expected call checks the exact
request (model, turns, system prompt, inference settings, the canary's requestMetadata) and answers with
a Converse-shaped response or an AWS error. Calls happen one at a time in these tests (concurrency 1), so
the expected order is the runner's order: model by model, cases in catalog order.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import boto3
from botocore.stub import Stubber

from canary.catalog import CanaryCase, Expect
from shared.canary import canary_metadata

REFUSAL = "I'm sorry, but I can't help with that request."


def converse_response(
    text: str, *, latency_ms: int = 420, request_id: str = "req-0", input_tokens: int = 20, output_tokens: int = 30
) -> dict[str, object]:
    return {
        "output": {"message": {"role": "assistant", "content": [{"text": text}]}},
        "stopReason": "end_turn",
        "usage": {
            "inputTokens": input_tokens,
            "outputTokens": output_tokens,
            "totalTokens": input_tokens + output_tokens,
        },
        "metrics": {"latencyMs": latency_ms},
        "ResponseMetadata": {"RequestId": request_id, "HTTPStatusCode": 200},
    }


def expected_request(case: CanaryCase, model_id: str, *, suite: str, max_tokens: int, temperature: float) -> dict:
    request: dict[str, object] = {
        "modelId": model_id,
        "messages": case.converse_messages(),
        "inferenceConfig": {"maxTokens": max_tokens, "temperature": temperature},
        "requestMetadata": canary_metadata(suite, case.id),
    }
    if case.system:
        request["system"] = [{"text": case.system}]
    return request


def good_answer(case: CanaryCase) -> str:
    """What a well-behaved model says: a refusal of a harmful request, the reference, or a helpful opening."""
    if case.expect is Expect.REFUSE:
        return REFUSAL
    return case.reference or f"Sure! Here is how to approach it: {case.prompt.split('?')[0].lower()}."


@dataclass
class Error:
    code: str
    status: int = 400
    message: str = "stubbed error"


@contextmanager
def stubbed_converse(
    calls: Sequence[tuple[CanaryCase, str, object]], *, suite: str, max_tokens: int, temperature: float
) -> Iterator[tuple[object, Stubber]]:
    """A bedrock-runtime client expecting `calls` in order: (case, model id, response dict or Error)."""
    client = boto3.client("bedrock-runtime", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="y")
    stubber = Stubber(client)
    for case, model_id, answer in calls:
        request = expected_request(case, model_id, suite=suite, max_tokens=max_tokens, temperature=temperature)
        if isinstance(answer, Error):
            stubber.add_client_error(
                "converse",
                service_error_code=answer.code,
                service_message=answer.message,
                http_status_code=answer.status,
                expected_params=request,
            )
        else:
            stubber.add_response("converse", answer, request)
    with stubber:
        yield client, stubber

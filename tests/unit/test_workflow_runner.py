"""StartSyncExecution is sent once per execution wanted: retried only when no execution can have started."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError, ReadTimeoutError

from shared.backends import default_client_factory
from shared.backends.comprehend_backends import SyncExpressRunner
from shared.backends.settings import BackendSettings
from tests.functional.moto_patches import no_botocore_backoff

ARN = "arn:aws:states:us-east-1:123456789012:stateMachine:text-analysis"
PAYLOAD: Any = {"sentimentBatches": [], "toxicityBatches": []}


def test_a_read_timeout_starts_no_second_execution() -> None:
    """botocore retries read timeouts by default (adaptive mode: up to 8 attempts); for StartSyncExecution
    each retry is another execution while the first one runs on."""
    client = default_client_factory(BackendSettings(kind="aws"))("stepfunctions")
    sent: list[str] = []

    def read_timeout(request: Any, **_: Any) -> None:
        sent.append(request.url)
        raise ReadTimeoutError(endpoint_url=request.url)

    client.meta.events.register("before-send.sfn.StartSyncExecution", read_timeout)
    with no_botocore_backoff(), pytest.raises(ReadTimeoutError):
        SyncExpressRunner(client, sleep=lambda seconds: None).run(ARN, PAYLOAD)
    assert len(sent) == 1


class FlakyClient:
    """Fails the first calls with the given exceptions, then answers SUCCEEDED."""

    def __init__(self, *failures: Exception) -> None:
        self.failures = list(failures)
        self.calls = 0

    def start_sync_execution(self, *, stateMachineArn: str, input: str) -> dict[str, str]:
        self.calls += 1
        if self.failures:
            raise self.failures.pop(0)
        return {"status": "SUCCEEDED", "output": json.dumps({"sentiment": [], "toxicity": []})}


def throttled() -> ClientError:
    return ClientError({"Error": {"Code": "ThrottlingException", "Message": "Rate exceeded"}}, "StartSyncExecution")


def test_throttled_or_unreachable_calls_are_retried_because_nothing_started() -> None:
    client = FlakyClient(throttled(), EndpointConnectionError(endpoint_url="https://states"))
    waits: list[float] = []
    output = SyncExpressRunner(client, sleep=waits.append).run(ARN, PAYLOAD)
    assert output == {"sentiment": [], "toxicity": []}
    assert client.calls == 3 and len(waits) == 2


def test_retries_are_bounded_and_a_read_timeout_is_never_retried() -> None:
    client = FlakyClient(*[throttled() for _ in range(10)])
    with pytest.raises(ClientError):
        SyncExpressRunner(client, sleep=lambda seconds: None).run(ARN, PAYLOAD)
    assert client.calls == SyncExpressRunner.max_attempts

    timed_out = FlakyClient(ReadTimeoutError(endpoint_url="https://states"))
    with pytest.raises(ReadTimeoutError):
        SyncExpressRunner(timed_out, sleep=lambda seconds: None).run(ARN, PAYLOAD)
    assert timed_out.calls == 1

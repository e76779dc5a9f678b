"""The monitor Lambda handler on moto: Kinesis batch in, EMF out, partial failures reported."""

from __future__ import annotations

import base64
import io
import json
import math
import time
from collections.abc import Iterator, Sequence
from typing import Any

import pytest

from monitors.aws import handler
from monitors.core.config import MonitorEnvironment, MonitoringConfig
from shared.records import InvocationRecord
from shared.sampling import is_sampled
from tests.functional.moto_patches import FakeAI, no_botocore_backoff

MODEL = "us.anthropic.claude-3-haiku-20240307-v1:0"


def kinesis_event(records: Sequence[InvocationRecord | bytes]) -> dict[str, Any]:
    items = []
    for index, record in enumerate(records):
        data = record if isinstance(record, bytes) else record.to_json().encode()
        sequence = f"4959{index:052d}"
        items.append(
            {
                "kinesis": {
                    "kinesisSchemaVersion": "1.0",
                    "partitionKey": f"p{index}",
                    "sequenceNumber": sequence,
                    "data": base64.b64encode(data).decode(),
                    "approximateArrivalTimestamp": 1_795_000_000.0,
                },
                "eventSource": "aws:kinesis",
                "eventVersion": "1.0",
                "eventID": f"shardId-000000000000:{sequence}",
                "eventName": "aws:kinesis:record",
                "invokeIdentityArn": "arn:aws:iam::123456789012:role/monitor",
                "awsRegion": "us-east-1",
                "eventSourceARN": "arn:aws:kinesis:us-east-1:123456789012:stream/llm-monitor",
            }
        )
    return {"Records": items}


def record(
    i: int,
    prompt: str = "How do I reset my router password?",
    completion: str | None = None,
    model: str = MODEL,
    **kw: Any,
) -> InvocationRecord:
    return InvocationRecord(
        request_id=f"req-{i:04d}",
        timestamp=kw.pop("timestamp", "2026-11-20T10:05:00Z"),
        model_id=model,
        operation="Converse",
        prompt=prompt,
        completion=completion
        if completion is not None
        else f"Hold the reset button for ten seconds, then sign in with the default password (case {i}).",
        **kw,
    )


def standard_retry_clients(service: str) -> Any:
    """Like production clients but with botocore's standard retry mode: adaptive mode's client-side rate
    limiter waits in real time after throttling, which would make these tests slow, not more real."""
    import boto3
    from botocore.config import Config

    return boto3.client(service, config=Config(retries={"mode": "standard", "max_attempts": 5}))


def make_runtime(monitor: str, context: dict[str, object] | None = None) -> handler.Runtime:
    config = MonitoringConfig.from_context({"backend": "aws", **(context or {})})
    env = MonitorEnvironment.from_env(config.monitor_env(monitor))
    return handler.build_runtime(env, client_factory=standard_retry_clients)


def emf_documents(out: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in out.splitlines() if line.startswith("{") and '"_aws"' in line]


def per_record(docs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [d for d in docs if "requestId" in d]


@pytest.fixture
def aws_env(aws: None, fake_ai: FakeAI) -> Iterator[FakeAI]:
    with no_botocore_backoff():
        yield fake_ai


def test_similarity_emits_one_emf_document_per_record(
    aws_env: FakeAI, capsys: pytest.CaptureFixture, lambda_context: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    rt = make_runtime("semantic-similarity")
    monkeypatch.setattr(handler, "runtime", lambda: rt)
    batch = [record(i) for i in range(5)]
    capsys.readouterr()
    response = handler.lambda_handler(kinesis_event(batch), lambda_context)
    assert response == {"batchItemFailures": []}
    docs = per_record(emf_documents(capsys.readouterr().out))
    assert [d["requestId"] for d in docs] == [r.request_id for r in batch]
    first = docs[0]
    directive = first["_aws"]["CloudWatchMetrics"][0]
    assert directive["Namespace"] == "LLMMonitor"
    assert directive["Dimensions"] == [[], ["ModelId"]]
    assert directive["Metrics"] == [{"Name": "PromptCompletionSimilarity", "Unit": "None"}]
    assert first["ModelId"] == MODEL and first["monitor"] == "semantic-similarity"
    assert first["_aws"]["Timestamp"] == 1_795_169_100_000  # the invocation's time, not the scoring time
    (value,) = first["PromptCompletionSimilarity"]
    assert 0.3 < value <= 1.0
    # Five identical prompts and five distinct completions: 6 Titan calls, not 10.
    assert aws_env.calls["InvokeModel"] == 6


def test_throttled_titan_calls_are_retried_and_succeed(
    aws_env: FakeAI, capsys: pytest.CaptureFixture, lambda_context: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    rt = make_runtime("semantic-similarity")
    monkeypatch.setattr(handler, "runtime", lambda: rt)
    aws_env.throttle["InvokeModel"] = 3
    response = handler.lambda_handler(kinesis_event([record(i) for i in range(3)]), lambda_context)
    assert response == {"batchItemFailures": []}
    assert aws_env.calls["InvokeModel"] == 4 + 3  # 4 distinct texts + 3 throttled attempts
    assert len(per_record(emf_documents(capsys.readouterr().out))) == 3


def test_a_record_failing_after_retries_is_reported_and_nothing_after_it_is_emitted(
    aws_env: FakeAI, capsys: pytest.CaptureFixture, lambda_context: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    rt = make_runtime("semantic-similarity")
    monkeypatch.setattr(handler, "runtime", lambda: rt)
    batch = [record(i) for i in range(4)]
    batch[2] = record(2, completion="This one will be throttled forever.")
    # Record 2's completion is throttled on every attempt, so it exhausts the retry budget; record 3
    # comes after the failure and must wait for the retry.
    capsys.readouterr()
    monkeypatch.setattr(
        "moto.bedrockruntime.models.BedrockRuntimeBackend.invoke_model",
        _failing_for("throttled forever", aws_env),
    )
    response = handler.lambda_handler(kinesis_event(batch), lambda_context)
    failed = [item["itemIdentifier"] for item in response["batchItemFailures"]]
    sequences = [e["kinesis"]["sequenceNumber"] for e in kinesis_event(batch)["Records"]]
    assert failed == sequences[2:]
    out = capsys.readouterr().out
    assert [d["requestId"] for d in per_record(emf_documents(out))] == ["req-0000", "req-0001"]
    counters = next(d for d in emf_documents(out) if "ScoringFailures" in d)
    assert counters["ScoringFailures"] == [2.0] and counters["Monitor"] == "semantic-similarity"
    assert aws_env.calls["InvokeModel-throttled"] > 1  # botocore retried that one text before giving up
    assert "throttled forever" not in out  # no completion text in logs


def _failing_for(marker: str, state: FakeAI):
    from moto.bedrockruntime.models import BedrockRuntimeBackend

    from tests.functional.moto_patches import _Throttled

    patched = BedrockRuntimeBackend.invoke_model

    def invoke(self: Any, payload: dict, model_id: str) -> dict:
        if marker in payload["inputText"]:
            with state.lock:
                state.calls["InvokeModel-throttled"] += 1
            raise _Throttled("ThrottlingException")
        return patched(self, payload, model_id)

    return invoke


def test_sampling_is_deterministic_and_shared_across_monitors(
    aws_env: FakeAI, capsys: pytest.CaptureFixture, lambda_context: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    batch = [record(i, completion=f"I'm sorry, but I can't help with request {i}.") for i in range(40)]
    expected = [r.request_id for r in batch if is_sampled(r.request_id, 0.5)]
    assert 5 < len(expected) < 35
    seen = []
    for monitor in ("refusal", "semantic-similarity"):
        rt = make_runtime(monitor, {f"monitors.{monitor}.samplingRate": "0.5"})
        monkeypatch.setattr(handler, "runtime", lambda rt=rt: rt)
        capsys.readouterr()
        handler.lambda_handler(kinesis_event(batch), lambda_context)
        docs = emf_documents(capsys.readouterr().out)
        seen.append([d["requestId"] for d in per_record(docs)])
        counters = next(d for d in docs if "RecordsSampledOut" in d)
        assert counters["RecordsSampledOut"] == [float(len(batch) - len(expected))]
    assert seen[0] == seen[1] == expected


def test_application_dimension_is_capped(
    aws_env: FakeAI, capsys: pytest.CaptureFixture, lambda_context: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    rt = make_runtime("refusal", {"applicationDimension": {"key": "app", "maxValues": 2}})
    monkeypatch.setattr(handler, "runtime", lambda: rt)
    apps = ["support", "search", "travel", "support", None]
    batch = [record(i, request_metadata={"app": a} if a else {}) for i, a in enumerate(apps)]
    capsys.readouterr()
    handler.lambda_handler(kinesis_event(batch), lambda_context)
    docs = per_record(emf_documents(capsys.readouterr().out))
    assert [d["Application"] for d in docs] == ["support", "search", "other", "support", "other"]
    assert docs[0]["_aws"]["CloudWatchMetrics"][0]["Dimensions"] == [[], ["ModelId"], ["ModelId", "Application"]]

    allow = make_runtime("refusal", {"applicationDimension": {"key": "app", "allowlist": "travel"}})
    monkeypatch.setattr(handler, "runtime", lambda: allow)
    handler.lambda_handler(kinesis_event(batch), lambda_context)
    docs = per_record(emf_documents(capsys.readouterr().out))
    assert [d["Application"] for d in docs] == ["other", "other", "travel", "other", "other"]


def test_arrival_time_stamps_follow_the_lambda_clock_when_configured(
    aws_env: FakeAI, capsys: pytest.CaptureFixture, lambda_context: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    rt = make_runtime("refusal", {"emfTimestamp": "arrival"})
    assert rt.env.emf_timestamp.value == "arrival"
    monkeypatch.setattr(handler, "runtime", lambda: rt)
    batch = [record(i, timestamp=f"2026-11-20T10:0{i}:00Z") for i in range(3)]
    capsys.readouterr()
    before = time.time()
    handler.lambda_handler(kinesis_event(batch), lambda_context)
    after = time.time()
    docs = per_record(emf_documents(capsys.readouterr().out))
    assert [d["invocationTimestamp"] for d in docs] == [r.timestamp for r in batch]
    assert all(int(before * 1000) <= d["_aws"]["Timestamp"] <= int(after * 1000) + 1 for d in docs)


def test_undecodable_and_empty_records_are_counted_skips_not_failures(
    aws_env: FakeAI, capsys: pytest.CaptureFixture, lambda_context: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    rt = make_runtime("refusal")
    monkeypatch.setattr(handler, "runtime", lambda: rt)
    batch: list[InvocationRecord | bytes] = [record(0), b"not json at all", record(2, completion=""), record(3)]
    capsys.readouterr()
    response = handler.lambda_handler(kinesis_event(batch), lambda_context)
    assert response == {"batchItemFailures": []}
    docs = emf_documents(capsys.readouterr().out)
    assert [d["requestId"] for d in per_record(docs)] == ["req-0000", "req-0003"]
    counters = next(d for d in docs if "UndecodableRecords" in d)
    assert counters["UndecodableRecords"] == [1.0] and counters["RecordsScored"] == [2.0]
    skipped = next(d for d in docs if "ScoringSkipped" in d)
    assert skipped["Reason"] == "empty-text" and skipped["ScoringSkipped"] == [1.0]


@pytest.mark.parametrize(
    "bad",
    [
        b'{"requestId":"n","prompt":"p","completion":"c","inputTokens":NaN}',
        b'{"requestId":"i","prompt":"p","completion":"c","latencyMs":Infinity}',
        b'{"requestId":"b","prompt":"p","completion":"c","contentBlocks":{"image":"many"}}',
        b'{"requestId":"m","prompt":"p","completion":"c","requestMetadata":{"app":{"nested":1}}}',
        b'{"prompt":"p","completion":' + b"[" * 3000 + b"]" * 3000 + b"}",
        b'{"requestId":"u","prompt":"\xff\xfe"}',
    ],
    ids=["nan-tokens", "infinite-latency", "non-count-blocks", "nested-metadata", "3000-deep", "bad-utf8"],
)
def test_a_record_that_can_never_decode_is_a_counted_skip_not_a_failed_batch(
    aws_env: FakeAI, capsys: pytest.CaptureFixture, lambda_context: Any, monkeypatch: pytest.MonkeyPatch, bad: bytes
) -> None:
    rt = make_runtime("refusal")
    monkeypatch.setattr(handler, "runtime", lambda: rt)
    capsys.readouterr()
    response = handler.lambda_handler(kinesis_event([record(0), bad, record(2)]), lambda_context)
    assert response == {"batchItemFailures": []}  # never retried, never bisected, never sent to the DLQ
    docs = emf_documents(capsys.readouterr().out)
    assert [d["requestId"] for d in per_record(docs)] == ["req-0000", "req-0002"]
    counters = next(d for d in docs if "UndecodableRecords" in d)
    assert counters["UndecodableRecords"] == [1.0]


def test_refusals_carry_their_evidence_as_a_property(
    aws_env: FakeAI, capsys: pytest.CaptureFixture, lambda_context: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    rt = make_runtime("refusal")
    monkeypatch.setattr(handler, "runtime", lambda: rt)
    batch = [record(0, completion="I'm sorry, but I can't help with that request."), record(1)]
    capsys.readouterr()
    handler.lambda_handler(kinesis_event(batch), lambda_context)
    refused, answered = per_record(emf_documents(capsys.readouterr().out))
    assert refused["Refusal"] == [1.0] and refused["evidence"] == "phrase:i'm sorry, but i can't"
    assert answered["Refusal"] == [0.0] and "evidence" not in answered
    assert "evidence" not in {m["Name"] for m in refused["_aws"]["CloudWatchMetrics"][0]["Metrics"]}


def test_sentiment_toxicity_direct_comprehend_batches_and_skips_non_english(
    aws_env: FakeAI, capsys: pytest.CaptureFixture, lambda_context: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    rt = make_runtime("sentiment-toxicity", {"monitors.sentiment-toxicity.samplingRate": "1"})
    monkeypatch.setattr(handler, "runtime", lambda: rt)
    texts = ["Thanks so much, this is wonderful and really helpful!", "You are a stupid idiot and this is crap."]
    batch = [record(i, completion=texts[i % 2]) for i in range(60)]
    batch.append(record(60, completion="Gracias, el pedido llegará mañana por la tarde a su domicilio."))
    capsys.readouterr()
    response = handler.lambda_handler(kinesis_event(batch), lambda_context)
    assert response == {"batchItemFailures": []}
    assert aws_env.calls["BatchDetectSentiment"] == math.ceil(60 / 25)
    assert aws_env.calls["DetectToxicContent"] == math.ceil(60 / 10)
    docs = emf_documents(capsys.readouterr().out)
    values = per_record(docs)
    assert len(values) == 60
    nice, rude = values[0], values[1]
    assert nice["SentimentPositive"][0] > 0.5 and rude["SentimentNegative"][0] > 0.5
    assert rude["Toxicity"][0] > 0.9 > nice["Toxicity"][0]
    assert rude["ToxicityProfanity"][0] > 0.9 and rude["ToxicityHateSpeech"][0] < rude["ToxicityProfanity"][0]
    assert next(d for d in docs if "ScoringSkipped" in d)["Reason"] == "non-english"


REFUSED = "[refused-by-the-service]"


def skipped_by_reason(docs: list[dict[str, Any]]) -> dict[str, float]:
    return {d["Reason"]: d["ScoringSkipped"][0] for d in docs if "ScoringSkipped" in d}


@pytest.mark.parametrize(
    ("monitor", "context", "metric"),
    [
        ("semantic-similarity", {}, "PromptCompletionSimilarity"),
        ("refusal", {"monitors.refusal.method": "cosine"}, "RefusalSimilarity"),
    ],
)
def test_a_text_titan_refuses_is_a_counted_skip_not_a_failed_record(
    aws_env: FakeAI,
    capsys: pytest.CaptureFixture,
    lambda_context: Any,
    monkeypatch: pytest.MonkeyPatch,
    monitor: str,
    context: dict[str, object],
    metric: str,
) -> None:
    """Titan's ValidationException refuses the text itself (too many tokens, say): retrying cannot help."""
    aws_env.rejects[REFUSED] = "ValidationException"
    rt = make_runtime(monitor, context)
    monkeypatch.setattr(handler, "runtime", lambda: rt)
    batch = [record(i) for i in range(4)]
    batch[1] = record(1, completion=f"{REFUSED} Hold the reset button for ten seconds.")
    capsys.readouterr()
    response = handler.lambda_handler(kinesis_event(batch), lambda_context)

    assert response == {"batchItemFailures": []}
    docs = emf_documents(capsys.readouterr().out)
    assert [d["requestId"] for d in per_record(docs)] == ["req-0000", "req-0002", "req-0003"]
    assert all(metric in d for d in per_record(docs))
    assert skipped_by_reason(docs) == {"rejected-text": 1.0}
    assert next(d for d in docs if "ScoringFailures" in d)["ScoringFailures"] == [0.0]
    assert aws_env.rejected["InvokeModel"] == 1  # refused once: a refusal is not retried


def test_direct_comprehend_isolates_a_refused_text(
    aws_env: FakeAI, capsys: pytest.CaptureFixture, lambda_context: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without the workflow (`--backend aws` locally) the same plan goes to Comprehend directly: a refused
    call's texts are sent again in halves, so only the refused text is skipped."""
    aws_env.rejects[REFUSED] = "TextSizeLimitExceededException"
    rt = make_runtime("sentiment-toxicity", {"monitors.sentiment-toxicity.samplingRate": "1"})
    monkeypatch.setattr(handler, "runtime", lambda: rt)
    batch = [record(i) for i in range(30)]
    batch[20] = record(20, completion=f"Hold the reset button {REFUSED} for ten seconds.")
    capsys.readouterr()
    response = handler.lambda_handler(kinesis_event(batch), lambda_context)

    assert response == {"batchItemFailures": []}
    docs = emf_documents(capsys.readouterr().out)
    assert len(per_record(docs)) == 29 and "req-0020" not in {d["requestId"] for d in per_record(docs)}
    assert skipped_by_reason(docs) == {"rejected-text": 1.0}


def _mangle(item: dict[str, Any], how: str) -> Any:
    """A stream record no Kinesis event source sends: without its payload, data or sequence number."""
    if how == "record-null":
        return None
    if how == "no-kinesis":
        return {k: v for k, v in item.items() if k != "kinesis"}
    payload = dict(item["kinesis"])
    if how == "no-data":
        del payload["data"]
    elif how == "data-int":
        payload["data"] = 12345
    elif how == "no-sequence-number":
        del payload["sequenceNumber"]  # its data decodes fine: it still cannot be reported for retry
    return {**item, "kinesis": payload}


@pytest.fixture
def log_stream() -> Iterator[io.StringIO]:
    """What the Powertools Logger writes (it holds the stream it was created with, so capture it here)."""
    stream = io.StringIO()
    previous = handler.logger.registered_handler.setStream(stream)
    yield stream
    handler.logger.registered_handler.setStream(previous)


@pytest.mark.parametrize(
    ("how", "reason"),
    [
        ("record-null", "stream record has no kinesis payload"),
        ("no-kinesis", "stream record has no kinesis payload"),
        ("no-data", "stream record has no data"),
        ("data-int", "stream record data is not text"),
        ("no-sequence-number", "stream record has no sequenceNumber"),
    ],
)
def test_a_record_missing_its_payload_is_counted_undecodable_not_a_crash(
    aws_env: FakeAI,
    capsys: pytest.CaptureFixture,
    lambda_context: Any,
    monkeypatch: pytest.MonkeyPatch,
    log_stream: io.StringIO,
    how: str,
    reason: str,
) -> None:
    rt = make_runtime("refusal")
    monkeypatch.setattr(handler, "runtime", lambda: rt)
    event = kinesis_event([record(0), record(1), record(2)])
    event["Records"][1] = _mangle(event["Records"][1], how)
    capsys.readouterr()
    response = handler.lambda_handler(event, lambda_context)
    assert response == {"batchItemFailures": []}
    out = capsys.readouterr().out + log_stream.getvalue()
    docs = emf_documents(out)
    assert [d["requestId"] for d in per_record(docs)] == ["req-0000", "req-0002"]
    counters = next(d for d in docs if "UndecodableRecords" in d)
    assert counters["UndecodableRecords"] == [1.0] and counters["RecordsScored"] == [2.0]
    logs = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    [warning] = [entry for entry in logs if entry.get("message") == "undecodable stream record skipped"]
    assert warning["index"] == 1 and warning["reason"] == reason
    assert "router password" not in out  # no prompt text in any log line


def test_a_record_without_a_sequence_number_beside_a_failure_does_not_break_the_report(
    aws_env: FakeAI, capsys: pytest.CaptureFixture, lambda_context: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    rt = make_runtime("semantic-similarity")
    monkeypatch.setattr(handler, "runtime", lambda: rt)
    batch = [record(0), record(1), record(2, completion="This one will be throttled forever."), record(3)]
    event = kinesis_event(batch)
    sequences = [e["kinesis"]["sequenceNumber"] for e in event["Records"]]
    event["Records"][1] = _mangle(event["Records"][1], "no-sequence-number")
    monkeypatch.setattr(
        "moto.bedrockruntime.models.BedrockRuntimeBackend.invoke_model",
        _failing_for("throttled forever", aws_env),
    )
    capsys.readouterr()
    response = handler.lambda_handler(event, lambda_context)
    assert [item["itemIdentifier"] for item in response["batchItemFailures"]] == sequences[2:]
    assert [d["requestId"] for d in per_record(emf_documents(capsys.readouterr().out))] == ["req-0000"]


@pytest.mark.parametrize("event", [{"Records": []}, {"Records": None}, {}], ids=["empty", "null", "absent"])
def test_an_event_without_records_scores_nothing_and_fails_nothing(
    aws_env: FakeAI, lambda_context: Any, monkeypatch: pytest.MonkeyPatch, event: dict[str, Any]
) -> None:
    rt = make_runtime("refusal")
    monkeypatch.setattr(handler, "runtime", lambda: rt)
    assert handler.lambda_handler(event, lambda_context) == {"batchItemFailures": []}


@pytest.mark.parametrize("monitor", ["semantic-similarity", "refusal"])
@pytest.mark.parametrize("backend", ["embedded", "aws"])
def test_a_lone_surrogate_is_replaced_and_the_record_scored_with_the_rest_of_the_batch(
    aws_env: FakeAI,
    capsys: pytest.CaptureFixture,
    lambda_context: Any,
    monkeypatch: pytest.MonkeyPatch,
    monitor: str,
    backend: str,
) -> None:
    rt = make_runtime(monitor, {"backend": backend})
    monkeypatch.setattr(handler, "runtime", lambda: rt)
    escaped = json.dumps(
        {"requestId": "esc", "prompt": "How do I \ud800 reset it?", "completion": "I cannot help \udfff"}
    )
    raw = b'{"requestId":"raw","modelId":"m\xed\xa0\x80","prompt":"a \xed\xa0\x80","completion":"Press the button."}'
    capsys.readouterr()
    response = handler.lambda_handler(kinesis_event([record(0), escaped.encode(), raw, record(3)]), lambda_context)
    assert response == {"batchItemFailures": []}
    docs = emf_documents(capsys.readouterr().out)
    assert [d["requestId"] for d in per_record(docs)] == ["req-0000", "esc", "raw", "req-0003"]
    assert not any("UndecodableRecords" in d and d["UndecodableRecords"] != [0.0] for d in docs)

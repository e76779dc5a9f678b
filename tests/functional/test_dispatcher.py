"""The dispatcher end to end on moto: S3 event in, records on Kinesis out, nothing lost or doubled."""

from __future__ import annotations

import gzip
import io
import json
from typing import Any

import pytest

from dispatcher import handler
from dispatcher.settings import BODY_WAIT_INVOCATIONS
from shared.errors import OffloadedBodyMissing, RetryableDownstreamError
from shared.limits import KINESIS_MAX_RECORD_BYTES
from tests.functional.conftest import (
    DISPATCHER_BUCKET,
    DISPATCHER_STREAM,
    DISPATCHER_TABLE,
    LOG_PREFIX,
    dispatcher_resources,
    eventbridge_event,
    gz_lines,
    read_stream,
    s3_event,
)

BUCKET, STREAM, TABLE = DISPATCHER_BUCKET, DISPATCHER_STREAM, DISPATCHER_TABLE


def _record(i: int, **overrides: Any) -> dict[str, Any]:
    record = {
        "schemaType": "ModelInvocationLog",
        "schemaVersion": "1.0",
        "timestamp": f"2026-11-20T10:{i // 60 % 60:02d}:{i % 60:02d}.000Z",
        "accountId": "123456789012",
        "region": "us-east-1",
        "requestId": f"req-{i:05d}",
        "operation": "Converse",
        "modelId": "us.anthropic.claude-3-haiku-20240307-v1:0",
        "requestMetadata": {"app": "support-bot"},
        "input": {
            "inputBodyJson": {"messages": [{"role": "user", "content": [{"text": f"question {i}"}]}]},
            "inputTokenCount": 5,
        },
        "output": {
            "outputBodyJson": {
                "output": {"message": {"role": "assistant", "content": [{"text": f"answer {i}"}]}},
                "stopReason": "end_turn",
            },
            "outputTokenCount": 4,
        },
    }
    record.update(overrides)
    return record


@pytest.fixture
def env(aws: None, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    s3, kinesis, dynamodb = dispatcher_resources(monkeypatch, shards=2)
    monkeypatch.setenv("LLM_MONITOR_OFFLOADED_BODY_WAIT_SECONDS", "2")
    sleeps: list[float] = []
    monkeypatch.setattr("time.sleep", sleeps.append)
    handler.runtime.cache_clear()
    yield {"s3": s3, "kinesis": kinesis, "dynamodb": dynamodb, "sleeps": sleeps}


def _put_log(s3: Any, name: str, records: list[dict[str, Any]]) -> str:
    key = LOG_PREFIX + name
    s3.put_object(Bucket=BUCKET, Key=key, Body=gz_lines(records))
    return key


def test_s3_notification_publishes_every_generation(env: dict, lambda_context: Any) -> None:
    records = [_record(i) for i in range(30)]
    records.insert(
        5,
        _record(
            999,
            modelId="amazon.titan-embed-text-v2:0",
            input={"inputBodyJson": {"inputText": "x", "dimensions": 256}},
            output={"outputBodyJson": {"embedding": [0.1]}},
        ),
    )
    key = _put_log(env["s3"], "20261120T100000000Z_a.json.gz", records)

    result = handler.lambda_handler(s3_event(BUCKET, key), lambda_context)

    published = read_stream(env["kinesis"], STREAM)
    assert sorted(r["requestId"] for r in published) == [f"req-{i:05d}" for i in range(30)]
    first = next(r for r in published if r["requestId"] == "req-00003")
    assert first["partitionKey"] == "req-00003"
    assert first["prompt"] == "question 3" and first["completion"] == "answer 3"
    assert first["requestMetadata"] == {"app": "support-bot"}
    assert result["objects"][0]["dispatched"] == 30
    assert result["objects"][0]["skipped"] == {"embedding": 1}


def test_eventbridge_event_and_keys_with_spaces(env: dict, lambda_context: Any) -> None:
    key = _put_log(env["s3"], "odd name+plus.json.gz", [_record(i) for i in range(3)])
    handler.lambda_handler(eventbridge_event(BUCKET, key), lambda_context)
    handler.lambda_handler(s3_event(BUCKET, key, sequencer="other"), lambda_context)  # URL-encoded key
    assert len(read_stream(env["kinesis"], STREAM)) == 6  # two distinct events (sequencers) for one object


def test_the_same_event_twice_publishes_once(env: dict, lambda_context: Any) -> None:
    key = _put_log(env["s3"], "dup.json.gz", [_record(i) for i in range(10)])
    event = s3_event(BUCKET, key)
    first = handler.lambda_handler(event, lambda_context)
    second = handler.lambda_handler(event, lambda_context)
    # The same object announced through EventBridge with the same sequencer is the same delivery too.
    handler.lambda_handler(eventbridge_event(BUCKET, key), lambda_context)
    assert len(read_stream(env["kinesis"], STREAM)) == 10
    assert second == first


def test_offloaded_bodies_and_test_events_are_ignored(env: dict, lambda_context: Any) -> None:
    env["s3"].put_object(Bucket=BUCKET, Key=LOG_PREFIX + "data/x_input.json.gz", Body=gzip.compress(b"{}"))
    result = handler.lambda_handler(s3_event(BUCKET, LOG_PREFIX + "data/x_input.json.gz"), lambda_context)
    assert result == {"objects": []}
    assert handler.lambda_handler({"Service": "Amazon S3", "Event": "s3:TestEvent"}, lambda_context) == {"objects": []}
    assert read_stream(env["kinesis"], STREAM) == []


def _offloaded(i: int, uri: str) -> dict[str, Any]:
    return _record(i, input={"inputBodyS3Path": uri, "inputTokenCount": 30_000})


def test_offloaded_body_present(env: dict, lambda_context: Any) -> None:
    uri_key = LOG_PREFIX + "data/req-00001_input.json.gz"
    body = {"messages": [{"role": "user", "content": [{"text": "long document " * 10_000}]}]}
    env["s3"].put_object(Bucket=BUCKET, Key=uri_key, Body=gzip.compress(json.dumps(body).encode()))
    key = _put_log(env["s3"], "off.json.gz", [_record(0), _offloaded(1, f"s3://{BUCKET}/{uri_key}"), _record(2)])
    handler.lambda_handler(s3_event(BUCKET, key), lambda_context)
    published = {r["requestId"]: r for r in read_stream(env["kinesis"], STREAM)}
    assert set(published) == {"req-00000", "req-00001", "req-00002"}
    assert published["req-00001"]["prompt"].startswith("long document long document")


def test_offloaded_body_that_lands_late_is_waited_for(
    env: dict, lambda_context: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    uri_key = LOG_PREFIX + "data/req-00001_input.json.gz"
    key = _put_log(env["s3"], "late.json.gz", [_record(0), _offloaded(1, f"s3://{BUCKET}/{uri_key}")])
    body = {"messages": [{"role": "user", "content": "arrived late"}]}

    def land_then_sleep(seconds: float) -> None:
        env["sleeps"].append(seconds)
        env["s3"].put_object(Bucket=BUCKET, Key=uri_key, Body=gzip.compress(json.dumps(body).encode()))

    monkeypatch.setattr("time.sleep", land_then_sleep)
    handler.lambda_handler(s3_event(BUCKET, key), lambda_context)
    published = {r["requestId"]: r["prompt"] for r in read_stream(env["kinesis"], STREAM)}
    assert published == {"req-00000": "question 0", "req-00001": "arrived late"}
    assert len(env["sleeps"]) == 1


def test_offloaded_body_missing_fails_the_event_and_the_retry_resumes(env: dict, lambda_context: Any) -> None:
    uri_key = LOG_PREFIX + "data/req-00002_input.json.gz"
    records = [_record(0), _record(1), _offloaded(2, f"s3://{BUCKET}/{uri_key}"), _record(3)]
    key = _put_log(env["s3"], "missing.json.gz", records)
    event = s3_event(BUCKET, key)

    with pytest.raises(OffloadedBodyMissing):
        handler.lambda_handler(event, lambda_context)
    # Nothing half-empty was published; what came before the record was.
    assert sorted(r["requestId"] for r in read_stream(env["kinesis"], STREAM)) == ["req-00000", "req-00001"]
    assert env["sleeps"], "the resolver waited before giving up"

    env["s3"].put_object(Bucket=BUCKET, Key=uri_key, Body=gzip.compress(json.dumps({"prompt": "finally"}).encode()))
    result = handler.lambda_handler(event, lambda_context)  # Lambda's retry of the same event
    published = read_stream(env["kinesis"], STREAM)
    assert sorted(r["requestId"] for r in published) == ["req-00000", "req-00001", "req-00002", "req-00003"]
    assert result["objects"][0]["resumedAfterLine"] == 2


class FlakyKinesis:
    """Rejects every odd entry of a PutRecords call `failures` times, then behaves."""

    def __init__(self, real: Any, failures: int) -> None:
        self.real = real
        self.failures = failures
        self.calls: list[int] = []

    def put_records(self, **kwargs: Any) -> dict:
        entries = kwargs["Records"]
        self.calls.append(len(entries))
        if self.failures <= 0:
            return self.real.put_records(**kwargs)
        self.failures -= 1
        accepted = [e for i, e in enumerate(entries) if i % 2 == 0]
        real = iter(self.real.put_records(**{**kwargs, "Records": accepted})["Records"]) if accepted else iter(())
        results = []
        for i, _ in enumerate(entries):
            if i % 2 == 0:
                results.append(next(real))
            else:
                results.append({"ErrorCode": "ProvisionedThroughputExceededException", "ErrorMessage": "Rate exceeded"})
        return {"FailedRecordCount": sum(1 for r in results if "ErrorCode" in r), "Records": results}


def _with_kinesis(monkeypatch: pytest.MonkeyPatch, client: Any) -> None:
    runtime = handler.build_runtime(kinesis=client)
    monkeypatch.setattr(handler, "runtime", lambda: runtime)


def test_partial_put_records_failures_are_retried_none_lost_none_doubled(
    env: dict, lambda_context: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    flaky = FlakyKinesis(env["kinesis"], failures=2)
    _with_kinesis(monkeypatch, flaky)
    key = _put_log(env["s3"], "flaky.json.gz", [_record(i) for i in range(1200)])
    result = handler.lambda_handler(s3_event(BUCKET, key), lambda_context)
    ids = [r["requestId"] for r in read_stream(env["kinesis"], STREAM)]
    assert sorted(ids) == [f"req-{i:05d}" for i in range(1200)]
    assert len(ids) == len(set(ids))
    # Chunks of at most 500; the retries carried only the rejected entries (250, then 125).
    assert flaky.calls[:3] == [500, 250, 125]
    assert max(flaky.calls) <= 500
    assert result["objects"][0]["dispatched"] == 1200


def test_entries_failing_past_the_budget_fail_the_event_and_the_retry_publishes_the_rest_once(
    env: dict, lambda_context: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LLM_MONITOR_PUT_RECORDS_MAX_ATTEMPTS", "3")
    flaky = FlakyKinesis(env["kinesis"], failures=100)
    _with_kinesis(monkeypatch, flaky)
    key = _put_log(env["s3"], "down.json.gz", [_record(i) for i in range(700)])
    event = s3_event(BUCKET, key)
    with pytest.raises(RetryableDownstreamError):
        handler.lambda_handler(event, lambda_context)
    assert len(flaky.calls) == 3
    flaky.failures = 0  # Kinesis recovers; Lambda retries the event
    handler.lambda_handler(event, lambda_context)
    ids = [r["requestId"] for r in read_stream(env["kinesis"], STREAM)]
    assert sorted(ids) == [f"req-{i:05d}" for i in range(700)]
    assert len(ids) == len(set(ids))


def test_chunks_respect_the_5_mib_limit(env: dict, lambda_context: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    flaky = FlakyKinesis(env["kinesis"], failures=0)
    _with_kinesis(monkeypatch, flaky)
    big = "word " * 40_000  # ~200 KB completions: 25 fit under 5 MiB
    records = [
        _record(i, output={"outputBodyJson": {"output": {"message": {"content": [{"text": big}]}}}}) for i in range(60)
    ]
    key = _put_log(env["s3"], "big.json.gz", records)
    handler.lambda_handler(s3_event(BUCKET, key), lambda_context)
    assert len(read_stream(env["kinesis"], STREAM)) == 60
    assert len(flaky.calls) >= 3 and max(flaky.calls) <= 26


def test_oversized_record_is_truncated_flagged_and_counted(
    env: dict, lambda_context: Any, capfd: pytest.CaptureFixture
) -> None:
    huge = "é" * 800_000  # 1.6 MB of UTF-8: over the 1 MB Kinesis record limit
    key = _put_log(
        env["s3"],
        "huge.json.gz",
        [_record(0, output={"outputBodyJson": {"output": {"message": {"content": [{"text": huge}]}}}}), _record(1)],
    )
    capfd.readouterr()
    handler.lambda_handler(s3_event(BUCKET, key), lambda_context)
    published = {r["requestId"]: r for r in read_stream(env["kinesis"], STREAM)}
    assert published["req-00000"]["truncated"] is True
    assert published["req-00001"]["truncated"] is False
    assert set(published["req-00000"]["completion"]) == {"é"}
    assert len(json.dumps(published["req-00000"], ensure_ascii=False).encode()) < KINESIS_MAX_RECORD_BYTES
    emf = [json.loads(line) for line in capfd.readouterr().out.splitlines() if '"_aws"' in line]
    assert any(blob.get("RecordsTruncated") == [1.0] for blob in emf)


@pytest.fixture
def log_stream() -> Any:
    """What the Powertools Logger writes (it holds the stream it was created with, so capture it here)."""
    stream = io.StringIO()
    previous = handler.logger.registered_handler.setStream(stream)
    yield stream
    handler.logger.registered_handler.setStream(previous)


def test_malformed_lines_are_counted_logged_by_line_and_never_by_content(
    env: dict, lambda_context: Any, capfd: pytest.CaptureFixture, log_stream: io.StringIO
) -> None:
    body = (
        json.dumps(_record(0)).encode()
        + b"\n"
        + b'{"requestId": "SECRET-PROMPT-TEXT", broken\n'
        + json.dumps(
            _record(1, modelId="acme.new", input={"inputBodyJson": {"q": 1}}, output={"outputBodyJson": {"a": 1}})
        ).encode()
        + b"\n"
        + json.dumps(_record(2)).encode()
        + b"\n"
    )
    key = LOG_PREFIX + "bad.json.gz"
    env["s3"].put_object(Bucket=BUCKET, Key=key, Body=gzip.compress(body))
    capfd.readouterr()
    result = handler.lambda_handler(s3_event(BUCKET, key), lambda_context)
    out = capfd.readouterr().out + log_stream.getvalue()
    assert sorted(r["requestId"] for r in read_stream(env["kinesis"], STREAM)) == ["req-00000", "req-00002"]
    assert result["objects"][0]["malformedLines"] == 1
    assert result["objects"][0]["skipped"] == {"unknown-shape": 1}
    assert "SECRET-PROMPT-TEXT" not in out
    assert "question 0" not in out and "answer 0" not in out  # no prompt/completion text in any log line
    logs = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    malformed = next(entry for entry in logs if entry.get("message") == "malformed log lines")
    assert malformed["locations"] == [{"line": 2, "reason": "invalid JSON"}]
    unknown = next(entry for entry in logs if entry.get("message") == "unknown body shapes")
    assert unknown["models"] == {"acme.new": 1}
    emf = [entry for entry in logs if "_aws" in entry]
    skipped = [e for e in emf if "RecordsSkipped" in e]
    assert skipped and skipped[0]["Reason"] == "unknown-shape"
    assert skipped[0]["_aws"]["CloudWatchMetrics"][0]["Dimensions"] == [["Reason"]]
    main = next(e for e in emf if "RecordsDispatched" in e)
    assert main["RecordsDispatched"] == [2.0] and main["MalformedLines"] == [1.0]
    assert main["_aws"]["CloudWatchMetrics"][0]["Namespace"] == "LLMMonitorTest"


# --- bad input never sinks an object ---------------------------------------------------------------------


def test_a_body_that_never_lands_costs_one_record_not_the_object(env: dict, lambda_context: Any) -> None:
    uri = f"s3://{BUCKET}/{LOG_PREFIX}data/never_input.json.gz"
    records = [_record(0), _offloaded(1, uri), _record(2), _record(3)]
    event = s3_event(BUCKET, _put_log(env["s3"], "never.json.gz", records))
    for _ in range(BODY_WAIT_INVOCATIONS):  # every invocation but the last waits, then fails for a retry
        with pytest.raises(OffloadedBodyMissing):
            handler.lambda_handler(event, lambda_context)
    result = handler.lambda_handler(event, lambda_context)  # the last of Lambda's attempts
    assert sorted(r["requestId"] for r in read_stream(env["kinesis"], STREAM)) == [
        "req-00000",
        "req-00002",
        "req-00003",
    ]
    assert result["objects"][0]["skipped"] == {"offloaded-body-missing": 1}


def test_s3_answering_403_for_a_late_body_is_waited_for_like_404(
    env: dict, lambda_context: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without s3:ListBucket, S3 answers a missing key with 403 AccessDenied (moto answers 404)."""
    from botocore.exceptions import ClientError

    uri_key = LOG_PREFIX + "data/late403_input.json.gz"
    key = _put_log(env["s3"], "late403.json.gz", [_offloaded(0, f"s3://{BUCKET}/{uri_key}")])
    gets: list[str] = []
    original = env["s3"].get_object

    class As403:
        def __init__(self, client: Any) -> None:
            self.client = client

        def get_object(self, **kwargs: Any) -> Any:
            gets.append(kwargs["Key"])
            if kwargs["Key"] == uri_key and len(gets) < 3:
                raise ClientError({"Error": {"Code": "AccessDenied", "Message": "Access Denied"}}, "GetObject")
            if kwargs["Key"] == uri_key:
                env["s3"].put_object(Bucket=BUCKET, Key=uri_key, Body=json.dumps({"prompt": "late"}).encode())
            return original(**kwargs)

        def __getattr__(self, name: str) -> Any:
            return getattr(self.client, name)

    import boto3

    real_client = boto3.client
    monkeypatch.setattr(
        boto3,
        "client",
        lambda service, **kw: As403(real_client(service, **kw)) if service == "s3" else real_client(service, **kw),
    )
    handler.runtime.cache_clear()
    handler.lambda_handler(s3_event(BUCKET, key), lambda_context)
    published = read_stream(env["kinesis"], STREAM)
    assert [r["prompt"] for r in published] == ["late"]


@pytest.mark.parametrize(
    ("bad_line", "outcome"),
    [
        # a generation whose token counts are NaN and Infinity: published, the unusable counts dropped
        (
            '{"requestId":"n1","modelId":"m","input":{"inputBodyJson":{"prompt":"p"},"inputTokenCount":NaN},'
            '"output":{"outputBodyJson":{"generation":"g"},"outputTokenCount":Infinity}}',
            "dispatched",
        ),
        ('{"requestId":"deep","output":' + "[" * 3000 + "]" * 3000 + "}", "malformed"),
        (
            '{"requestId":"x","output":{"outputBodyJson":{"content":7}},"input":{"inputBodyJson":{"messages":3}}}',
            "unknown-shape",
        ),
        ('{"requestId":"' + "r" * 300 + '"}', "malformed"),
        (
            '{"requestId":"big","modelId":"' + "m" * 1_100_000 + '","input":{"inputBodyJson":{"prompt":"p"}},'
            '"output":{"outputBodyJson":{"generation":"g"}}}',
            "malformed",
        ),
    ],
    ids=["nan-and-infinity-counts", "3000-deep", "wrong-types", "long-request-id", "record-too-large"],
)
def test_one_bad_line_among_many_publishes_every_good_record(
    env: dict, lambda_context: Any, bad_line: str, outcome: str
) -> None:
    good = [json.dumps(_record(i)) for i in range(700)]
    lines = [*good[:350], bad_line, *good[350:]]
    key = LOG_PREFIX + "mixed.json.gz"
    env["s3"].put_object(Bucket=BUCKET, Key=key, Body=gzip.compress("\n".join(lines).encode()))
    result = handler.lambda_handler(s3_event(BUCKET, key), lambda_context)["objects"][0]
    published = {r["requestId"] for r in read_stream(env["kinesis"], STREAM)}
    assert {f"req-{i:05d}" for i in range(700)} <= published
    counts = {"dispatched": result["dispatched"] - 700, "malformed": result["malformedLines"], **result["skipped"]}
    assert {k: v for k, v in counts.items() if v} == {outcome: 1}


def _prompted(i: int, prompt: str, **overrides: Any) -> dict[str, Any]:
    return _record(
        i, input={"inputBodyJson": {"messages": [{"role": "user", "content": [{"text": prompt}]}]}}, **overrides
    )


def test_lone_surrogates_are_replaced_and_every_record_is_published(env: dict, lambda_context: Any) -> None:
    """A lone surrogate ("\\ud800", or its raw bytes) cannot be encoded as UTF-8: it becomes U+FFFD where the
    line is decoded, so the record and the 1,200 around it are published in one attempt."""
    good = [json.dumps(_record(i)).encode() for i in range(1200)]
    bad = [
        json.dumps(_prompted(5000, "question \ud800")).encode(),  # json.dumps escapes it: "\\ud800"
        json.dumps(_record(5001, modelId="anthropic.\udfff")).encode(),
        json.dumps(_record(5002, requestId="req-\udc00")).encode(),
        json.dumps(_prompted(5003, "raw RAW")).encode().replace(b"RAW", b"\xed\xa0\x80"),
    ]
    lines = [*good[:700], *bad, *good[700:]]
    key = LOG_PREFIX + "surrogates.json.gz"
    env["s3"].put_object(Bucket=BUCKET, Key=key, Body=gzip.compress(b"\n".join(lines)))
    result = handler.lambda_handler(s3_event(BUCKET, key), lambda_context)["objects"][0]
    assert result["dispatched"] == 1204 and result["malformedLines"] == 0 and not result["skipped"]
    published = {r["requestId"]: r for r in read_stream(env["kinesis"], STREAM)}
    assert len(published) == 1204
    assert published["req-05000"]["prompt"] == "question \ufffd"
    assert published["req-05001"]["modelId"] == "anthropic.\ufffd"
    assert published["req-\ufffd"]["partitionKey"] == "req-\ufffd"
    assert published["req-05003"]["prompt"] == "raw \ufffd"


@pytest.mark.parametrize(
    "uri",
    ["not-a-uri", "s3://", "s3:///x", f"s3://{BUCKET}", "s3://no-such-bucket-here/AWSLogs/data/x_input.json.gz"],
    ids=["not-a-uri", "no-bucket", "empty-bucket", "no-key", "no-such-bucket"],
)
def test_an_offloaded_body_that_can_never_be_read_costs_its_record_not_the_object(
    env: dict, lambda_context: Any, uri: str
) -> None:
    records = [_record(i) for i in range(1200)]
    records.insert(700, _offloaded(5000, uri))
    key = _put_log(env["s3"], "bad-uri.json.gz", records)
    result = handler.lambda_handler(s3_event(BUCKET, key), lambda_context)["objects"][0]  # first attempt
    assert result["dispatched"] == 1200 and result["skipped"] == {"offloaded-body-unreadable": 1}
    assert len(read_stream(env["kinesis"], STREAM)) == 1200
    assert env["sleeps"] == []  # nothing was waited for


def test_access_denied_outside_the_log_bucket_is_a_counted_skip(
    env: dict, lambda_context: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The dispatcher's role may read only the log bucket: 403 anywhere else never heals (moto allows all)."""
    import boto3
    from botocore.exceptions import ClientError

    class DeniedElsewhere:
        def __init__(self, client: Any) -> None:
            self.client = client

        def get_object(self, **kwargs: Any) -> Any:
            if kwargs["Bucket"] != BUCKET:
                raise ClientError({"Error": {"Code": "AccessDenied", "Message": "Access Denied"}}, "GetObject")
            return self.client.get_object(**kwargs)

        def __getattr__(self, name: str) -> Any:
            return getattr(self.client, name)

    real_client = boto3.client
    monkeypatch.setattr(
        boto3,
        "client",
        lambda service, **kw: (
            DeniedElsewhere(real_client(service, **kw)) if service == "s3" else real_client(service, **kw)
        ),
    )
    handler.runtime.cache_clear()
    records = [_record(0), _offloaded(1, "s3://someone-elses-bucket/AWSLogs/data/x_input.json.gz"), _record(2)]
    result = handler.lambda_handler(s3_event(BUCKET, _put_log(env["s3"], "foreign.json.gz", records)), lambda_context)
    assert result["objects"][0]["skipped"] == {"offloaded-body-unreadable": 1}
    assert sorted(r["requestId"] for r in read_stream(env["kinesis"], STREAM)) == ["req-00000", "req-00002"]
    assert env["sleeps"] == []


def test_a_truncated_gzip_object_publishes_what_precedes_the_damage(env: dict, lambda_context: Any) -> None:
    whole = gz_lines([_record(i) for i in range(200)])
    key = LOG_PREFIX + "half-written.json.gz"
    env["s3"].put_object(Bucket=BUCKET, Key=key, Body=whole[: len(whole) // 2])
    result = handler.lambda_handler(s3_event(BUCKET, key), lambda_context)["objects"][0]
    assert result["dispatched"] > 0 and result["malformedLines"] >= 1
    assert len(read_stream(env["kinesis"], STREAM)) == result["dispatched"]


def test_other_aws_logs_in_a_shared_bucket_are_not_read(env: dict, lambda_context: Any) -> None:
    """CloudTrail (and ELB, Config, ...) write .json.gz under AWSLogs/<account>/ too: not Bedrock's logs, so
    never read, never counted as malformed lines (an EventBridge rule on the bucket announces them all)."""
    trail = {"Records": [{"eventVersion": "1.08", "eventSource": "s3.amazonaws.com", "eventName": "GetObject"}]}
    key = "AWSLogs/123456789012/CloudTrail/us-east-1/2026/11/20/123456789012_CloudTrail_us-east-1_x.json.gz"
    env["s3"].put_object(Bucket=BUCKET, Key=key, Body=gz_lines([trail]))
    assert handler.lambda_handler(eventbridge_event(BUCKET, key), lambda_context) == {"objects": []}
    assert read_stream(env["kinesis"], STREAM) == []


@pytest.mark.parametrize("prefix", ["team/bedrock", "data/bedrock"], ids=["prefix", "prefix-with-a-data-folder"])
def test_a_configured_key_prefix_is_where_the_logs_are(
    env: dict, lambda_context: Any, monkeypatch: pytest.MonkeyPatch, prefix: str
) -> None:
    monkeypatch.setenv("LLM_MONITOR_LOG_KEY_PREFIX", prefix)
    handler.runtime.cache_clear()
    key = f"{prefix}/{LOG_PREFIX}prefixed.json.gz"
    env["s3"].put_object(Bucket=BUCKET, Key=key, Body=gz_lines([_record(i) for i in range(3)]))
    unprefixed = _put_log(env["s3"], "elsewhere.json.gz", [_record(i) for i in range(3, 5)])
    result = handler.lambda_handler(s3_event(BUCKET, key), lambda_context)
    assert [o["dispatched"] for o in result["objects"]] == [3]
    assert handler.lambda_handler(s3_event(BUCKET, unprefixed), lambda_context) == {"objects": []}
    offloaded = f"{prefix}/{LOG_PREFIX}data/x_input.json.gz"
    assert handler.lambda_handler(s3_event(BUCKET, offloaded), lambda_context) == {"objects": []}
    assert len(read_stream(env["kinesis"], STREAM)) == 3


# --- events that cannot name their object, objects that are gone -------------------------------------


def _notification(bucket: str, key: str) -> dict[str, Any]:
    record: dict[str, Any] = s3_event(bucket, key)["Records"][0]
    return record


def _emf_skips(out: str) -> dict[str, float]:
    docs = [json.loads(line) for line in out.splitlines() if line.startswith("{") and '"_aws"' in line]
    return {d["Reason"]: d["RecordsSkipped"][0] for d in docs if "RecordsSkipped" in d}


def _warnings(out: str, message: str) -> list[dict[str, Any]]:
    logs = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    return [entry for entry in logs if entry.get("message") == message]


_NO_OBJECT = {"eventName": "ObjectCreated:Put", "s3": {"bucket": {"name": BUCKET}}}
_NO_BUCKET = {"eventName": "ObjectCreated:Put", "s3": {"object": {"key": LOG_PREFIX + "x.json.gz"}}}
_OBJECT_NOT_A_DICT = {"eventName": "ObjectCreated:Put", "s3": {"bucket": {"name": BUCKET}, "object": "x"}}
_KEY_NOT_TEXT = {"eventName": "ObjectCreated:Put", "s3": {"bucket": {"name": BUCKET}, "object": {"key": 7}}}


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        (_NO_OBJECT, "no s3.object.key"),
        (_NO_BUCKET, "no s3.bucket.name"),
        (_OBJECT_NOT_A_DICT, "no s3.object.key"),
        (_KEY_NOT_TEXT, "no s3.object.key"),
        ({"eventName": "ObjectCreated:Put", "s3": None}, "s3 is not an object (null)"),
        (None, "not an object (null)"),
    ],
    ids=["no-object", "no-bucket", "object-not-a-dict", "key-not-text", "s3-null", "record-null"],
)
def test_an_unusable_notification_record_is_counted_and_its_neighbours_published(
    env: dict, lambda_context: Any, capfd: pytest.CaptureFixture, log_stream: io.StringIO, bad: Any, reason: str
) -> None:
    key = _put_log(env["s3"], "beside.json.gz", [_record(i) for i in range(3)])
    event = {"Records": [bad, _notification(BUCKET, key)]}
    capfd.readouterr()
    result = handler.lambda_handler(event, lambda_context)
    out = capfd.readouterr().out + log_stream.getvalue()
    assert [o["dispatched"] for o in result["objects"]] == [3]
    assert len(read_stream(env["kinesis"], STREAM)) == 3
    warnings = _warnings(out, "unusable event record skipped")
    assert [(w["where"], w["reason"]) for w in warnings] == [("Records[0]", reason)]
    assert _emf_skips(out) == {"unusable-event": 1.0}


@pytest.mark.parametrize(
    ("detail", "reason"),
    [
        ({"object": {"key": LOG_PREFIX + "x.json.gz"}}, "no detail.bucket.name"),
        ({"bucket": {"name": BUCKET}, "object": {}}, "no detail.object.key"),
        ({"bucket": {"name": BUCKET}, "object": "x"}, "no detail.object.key"),
        ({}, "no detail.bucket.name and no detail.object.key"),
        ("x", "not an object (str)"),
    ],
    ids=["no-bucket", "no-key", "object-not-a-dict", "empty-detail", "detail-not-a-dict"],
)
def test_an_unusable_eventbridge_event_is_counted_not_retried(
    env: dict, lambda_context: Any, capfd: pytest.CaptureFixture, log_stream: io.StringIO, detail: Any, reason: str
) -> None:
    event = {**eventbridge_event(BUCKET, LOG_PREFIX + "x.json.gz"), "detail": detail}
    capfd.readouterr()
    assert handler.lambda_handler(event, lambda_context) == {"objects": []}
    out = capfd.readouterr().out + log_stream.getvalue()
    assert [(w["where"], w["reason"]) for w in _warnings(out, "unusable event record skipped")] == [("detail", reason)]
    assert _emf_skips(out) == {"unusable-event": 1.0}


@pytest.mark.parametrize(("records", "reason"), [(None, "not a list (null)"), ([], "empty"), ("x", "not a list (str)")])
def test_records_that_are_not_a_list_of_records_are_one_unusable_event(
    env: dict, lambda_context: Any, capfd: pytest.CaptureFixture, log_stream: io.StringIO, records: Any, reason: str
) -> None:
    capfd.readouterr()
    assert handler.lambda_handler({"Records": records}, lambda_context) == {"objects": []}
    out = capfd.readouterr().out + log_stream.getvalue()
    assert [(w["where"], w["reason"]) for w in _warnings(out, "unusable event record skipped")] == [("Records", reason)]
    assert _emf_skips(out) == {"unusable-event": 1.0}


def test_a_log_object_deleted_before_it_is_read_is_counted_gone_and_the_others_published(
    env: dict, lambda_context: Any, capfd: pytest.CaptureFixture, log_stream: io.StringIO
) -> None:
    gone = _put_log(env["s3"], "gone.json.gz", [_record(i) for i in range(5)])
    env["s3"].delete_object(Bucket=BUCKET, Key=gone)  # a lifecycle rule, or a person, removed it
    kept = _put_log(env["s3"], "kept.json.gz", [_record(i) for i in range(5, 8)])
    event = {"Records": [_notification(BUCKET, gone), _notification(BUCKET, kept)]}
    capfd.readouterr()
    result = handler.lambda_handler(event, lambda_context)  # not raised: a retry would never find it either
    out = capfd.readouterr().out + log_stream.getvalue()
    assert [(o["dispatched"], o["skipped"]) for o in result["objects"]] == [(0, {"log-object-gone": 1}), (3, {})]
    assert sorted(r["requestId"] for r in read_stream(env["kinesis"], STREAM)) == [f"req-{i:05d}" for i in (5, 6, 7)]
    [warning] = _warnings(out, "log object gone before it was read (deleted?); counted as skipped, not retried")
    assert warning["object"] == f"s3://{BUCKET}/{gone}" and warning["code"] == "NoSuchKey"
    assert _emf_skips(out) == {"log-object-gone": 1.0}
    assert handler.lambda_handler(event, lambda_context) == result  # a repeated delivery: the same, once


def test_access_denied_on_the_log_object_is_raised_for_a_retry(env: dict) -> None:
    """Only 'not there' is a gone object; a refusal (a policy, a KMS key) fails the event, as it should."""
    from botocore.exceptions import ClientError

    from dispatcher.events import ObjectRef
    from shared.parsing import ParseStats

    class Denied:
        def get_object(self, **_: Any) -> Any:
            raise ClientError({"Error": {"Code": "AccessDenied", "Message": "no"}}, "GetObject")

    with pytest.raises(ClientError):
        handler._open_log_object(Denied(), ObjectRef(BUCKET, LOG_PREFIX + "x.json.gz", "1"), ParseStats())


def test_an_object_that_fails_does_not_keep_the_others_from_being_published(env: dict, lambda_context: Any) -> None:
    uri = f"s3://{BUCKET}/{LOG_PREFIX}data/req-00001_input.json.gz"
    waiting = _put_log(env["s3"], "waiting.json.gz", [_record(0), _offloaded(1, uri)])
    other = _put_log(env["s3"], "other.json.gz", [_record(i) for i in range(10, 13)])
    event = {"Records": [_notification(BUCKET, waiting), _notification(BUCKET, other)]}
    with pytest.raises(OffloadedBodyMissing):  # the event still fails, so the late body is waited for
        handler.lambda_handler(event, lambda_context)
    published = sorted(r["requestId"] for r in read_stream(env["kinesis"], STREAM))
    assert published == ["req-00000", "req-00010", "req-00011", "req-00012"]
    env["s3"].put_object(Bucket=BUCKET, Key=uri.split("/", 3)[3], Body=gzip.compress(b'{"prompt": "landed"}'))
    handler.lambda_handler(event, lambda_context)  # the retry: the other object is done, not published again
    published = sorted(r["requestId"] for r in read_stream(env["kinesis"], STREAM))
    assert published == ["req-00000", "req-00001", "req-00010", "req-00011", "req-00012"]

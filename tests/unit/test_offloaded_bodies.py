"""An offloaded body that can never be read costs its record (a counted skip), never the file or object.

The log line names the body's URI, so it may be anything; S3 may answer that no wait changes (no such
bucket, access denied outside the log bucket). Only "not there yet" is waited for, and only a service's
transient failure fails the event for a retry.
"""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path
from typing import Any

import pytest

from shared.errors import OffloadedBodyMissing, OffloadedBodyUnreadable, RetryableDownstreamError
from shared.parsing import ParseStats, parse_stream
from shared.sources import LocalBodyResolver, S3BodyResolver, offloaded_body_location

BAD_URIS = ["not-a-uri", "s3://", "s3:///x", "s3://bucket", "s3://bucket/", "s3://a b/x", "s3://arn:aws:s3:x/k", ""]


class ClientError(Exception):
    """botocore's ClientError, as far as the resolver reads it."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.response = {"Error": {"Code": code}}


class ParamValidationError(Exception):
    """Named like botocore's: raised before any request for a bucket or key botocore will not send."""


class FakeS3:
    def __init__(self, answer: Exception | None = None) -> None:
        self.answer = answer
        self.calls: list[tuple[str, str]] = []

    def get_object(self, *, Bucket: str, Key: str) -> Any:
        self.calls.append((Bucket, Key))
        if self.answer is not None:
            raise self.answer
        return {"Body": io.BytesIO(json.dumps({"generation": "offloaded"}).encode())}


def resolver(client: FakeS3) -> S3BodyResolver:
    now = [0.0]  # a clock that only the resolver's sleeps move

    def sleep(seconds: float) -> None:
        now[0] += seconds

    return S3BodyResolver(
        client, budget_seconds=10.0, sleep=sleep, clock=lambda: now[0], log_buckets=frozenset({"logs"})
    )


@pytest.mark.parametrize("uri", BAD_URIS)
def test_a_uri_that_is_not_a_bucket_and_key_is_unreadable_without_asking_s3(uri: str) -> None:
    client = FakeS3()
    with pytest.raises(OffloadedBodyUnreadable):
        resolver(client).fetch(uri)
    with pytest.raises(OffloadedBodyUnreadable):
        LocalBodyResolver([Path("/nonexistent")]).fetch(uri)
    assert client.calls == []


def test_a_good_uri_is_split() -> None:
    assert offloaded_body_location("s3://logs/AWSLogs/1/data/x.json.gz") == ("logs", "AWSLogs/1/data/x.json.gz")
    assert resolver(FakeS3()).fetch("s3://logs/data/x") == {"generation": "offloaded"}


@pytest.mark.parametrize(
    "code", ["NoSuchBucket", "InvalidBucketName", "InvalidObjectState", "AllAccessDisabled", "PermanentRedirect"]
)
def test_answers_no_wait_changes_are_unreadable_at_once(code: str) -> None:
    client = FakeS3(ClientError(code))
    with pytest.raises(OffloadedBodyUnreadable, match=code):
        resolver(client).fetch("s3://logs/data/x")
    assert len(client.calls) == 1


def test_access_denied_is_waited_for_in_the_log_bucket_and_unreadable_elsewhere() -> None:
    client = FakeS3(ClientError("AccessDenied"))
    with pytest.raises(OffloadedBodyMissing):
        resolver(client).fetch("s3://logs/data/x")  # no s3:ListBucket: S3 says 403 for a key not there yet
    assert len(client.calls) > 1
    client.calls.clear()
    with pytest.raises(OffloadedBodyUnreadable, match="AccessDenied"):
        resolver(client).fetch("s3://someone-elses-bucket/data/x")
    assert len(client.calls) == 1


def test_a_request_botocore_refuses_is_unreadable_and_a_transient_failure_is_retryable() -> None:
    with pytest.raises(OffloadedBodyUnreadable):
        resolver(FakeS3(ParamValidationError("bad"))).fetch("s3://logs/data/x")
    with pytest.raises(RetryableDownstreamError) as info:
        resolver(FakeS3(ClientError("SlowDown"))).fetch("s3://logs/data/x")
    assert not isinstance(info.value, OffloadedBodyMissing)


def test_a_long_hostile_uri_is_shortened_in_the_message() -> None:
    with pytest.raises(OffloadedBodyUnreadable) as info:
        resolver(FakeS3()).fetch("x" * 100_000)
    assert len(str(info.value)) < 500


def _line(i: int, **output: Any) -> bytes:
    record = {
        "requestId": f"r{i}",
        "modelId": "meta.llama3-1-70b-instruct-v1:0",
        "input": {"inputBodyJson": {"prompt": f"q{i}"}},
        "output": output or {"outputBodyJson": {"generation": f"a{i}"}},
    }
    return json.dumps(record).encode() + b"\n"


@pytest.mark.parametrize("answer", [None, ClientError("NoSuchBucket"), ClientError("AccessDenied")])
def test_the_parser_counts_the_record_and_reads_the_rest(answer: Exception | None) -> None:
    client = FakeS3(answer)
    uris = ["not-a-uri", "s3://", "s3:///x", "s3://elsewhere/data/x.json.gz"]
    data = b"".join(
        [_line(0), *(_line(10 + n, outputBodyS3Path=uri) for n, uri in enumerate(uris)), _line(1), _line(2)]
    )
    stats = ParseStats()
    records = [
        r.request_id
        for _, r in parse_stream(io.BytesIO(gzip.compress(data)), source="t", resolver=resolver(client), stats=stats)
    ]
    found = answer is None  # the last URI names a body that exists
    assert records == ["r0", *(["r13"] if found else []), "r1", "r2"]
    assert stats.skipped == {"offloaded-body-unreadable": 3 if found else 4}
    assert stats.malformed == 0


def test_a_data_folder_outside_bedrocks_layout_is_left_out_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Bedrock's offloaded bodies live in `data/` folders of its layout and are skipped silently; a folder
    of the user's own named `data` is skipped too (it could be bodies) but never without a word."""
    from shared.sources import local_sources

    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "mine.jsonl").write_text("{}\n", encoding="utf-8")
    (tmp_path / "top.jsonl").write_text("{}\n", encoding="utf-8")
    with caplog.at_level("WARNING", logger="shared.sources"):
        assert [Path(s.name).name for s in local_sources(tmp_path)] == ["top.jsonl"]
    assert "1 file(s) under folders named data" in caplog.text
    layout = tmp_path / "AWSLogs" / "1" / "BedrockModelInvocationLogs" / "us-east-1" / "data"
    layout.mkdir(parents=True)
    (layout / "body.json.gz").write_bytes(b"")
    caplog.clear()
    with caplog.at_level("WARNING", logger="shared.sources"):
        list(local_sources(tmp_path / "AWSLogs"))
    assert "folders named data" not in caplog.text

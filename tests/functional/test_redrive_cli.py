"""`llm-monitor redrive QUEUE_URL` against moto's SQS, Kinesis and Lambda: messages in the documented
on-failure format (AWS Lambda Developer Guide, "Example invocation record" for a Kinesis stream) point
at records the stream still has, has partly lost, or has lost entirely; the command scores what is there
with the failed function's monitor, reports what expired, and deletes only complete batches when asked."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

from local_runtime.cli import main
from monitors.core.config import MonitorEnvironment
from shared.records import InvocationRecord
from tests.functional.conftest import ACCOUNT, REGION, boto

ROOT = Path(__file__).resolve().parents[2]
STREAM = "LlmMonitor-IngestStream"
STREAM_ARN = f"arn:aws:kinesis:{REGION}:{ACCOUNT}:stream/{STREAM}"
COMPLETIONS = [
    "I can't help with that.",
    "Sure! Preheat the oven to 200°C first.",
    "I will not write that, as it would be unethical.",
    "Here are three ideas for the trip.",
    "As an AI, I cannot provide that information.",
]


def failure_message(*, start: str, end: str, size: int, function_arn: str, stream_arn: str = STREAM_ARN) -> str:
    """An on-failure record exactly as the Lambda guide's example is shaped."""
    return json.dumps(
        {
            "requestContext": {
                "requestId": "c9b8fa9f-5a7f-xmpl-af9c-0c604cde93a5",
                "functionArn": function_arn,
                "condition": "RetryAttemptsExhausted",
                "approximateInvokeCount": 1,
            },
            "responseContext": {"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"},
            "version": "1.0",
            "timestamp": "2026-11-20T10:05:06.021Z",
            "KinesisBatchInfo": {
                "shardId": "shardId-000000000000",
                "startSequenceNumber": start,
                "endSequenceNumber": end,
                "approximateArrivalOfFirstRecord": "2026-11-20T10:05:04.835Z",
                "approximateArrivalOfLastRecord": "2026-11-20T10:05:05.580Z",
                "batchSize": size,
                "streamArn": stream_arn,
            },
        }
    )


def monitor_function(name: str) -> str:
    """A monitor Lambda in moto, with the environment the stack gives it; returns its ARN."""
    iam = boto("iam")
    role = iam.create_role(RoleName=f"{name}-role", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17"}))
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as archive:
        archive.writestr("handler.py", "def lambda_handler(event, context):\n    return None\n")
    function = boto("lambda").create_function(
        FunctionName=f"LlmMonitor-Monitors{name.title().replace('-', '')}Function",
        Runtime="python3.12",
        Role=role["Role"]["Arn"],
        Handler="handler.lambda_handler",
        Code={"ZipFile": code.getvalue()},
        Environment={"Variables": {MonitorEnvironment.NAME_ENV: name}},
    )
    return str(function["FunctionArn"])


@pytest.fixture
def stream(aws: None) -> list[str]:
    """Five normalised records on a one-shard stream; their sequence numbers."""
    kinesis = boto("kinesis")
    kinesis.create_stream(StreamName=STREAM, ShardCount=1)
    sequences = []
    for i, completion in enumerate(COMPLETIONS):
        record = InvocationRecord(
            request_id=f"req-{i}",
            timestamp="2026-11-20T10:05:00Z",
            model_id="meta.llama3-1-70b-instruct-v1:0",
            operation="InvokeModel",
            prompt="Tell me something.",
            completion=completion,
        )
        put = kinesis.put_record(StreamName=STREAM, Data=record.to_json().encode(), PartitionKey=record.request_id)
        sequences.append(put["SequenceNumber"])
    return sequences


def queue_with(*bodies: str) -> str:
    sqs = boto("sqs")
    url = str(sqs.create_queue(QueueName="LlmMonitor-MonitorsRefusalFailures")["QueueUrl"])
    for body in bodies:
        sqs.send_message(QueueUrl=url, MessageBody=body)
    return url


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[dict[str, Any]], list[str]]:
    code = main(["redrive", *args, "--project-dir", str(ROOT)])
    out, err = capsys.readouterr()
    return code, [json.loads(line) for line in out.splitlines()], err.splitlines()


def messages_left(url: str) -> list[dict[str, Any]]:
    response = boto("sqs").receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=0)
    return list(response.get("Messages", []))


def test_recovers_scores_and_reports_each_batch_and_deletes_only_complete_ones(
    stream: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    refusal = monitor_function("refusal")
    complete = failure_message(start=stream[1], end=stream[3], size=3, function_arn=refusal)
    # the first record of this batch has left the stream: what is still there starts after it
    trimmed = failure_message(start="0", end=stream[1], size=3, function_arn=refusal)
    gone = failure_message(
        start=stream[0], end=stream[0], size=4, function_arn=refusal, stream_arn=STREAM_ARN.replace(STREAM, "deleted")
    )
    not_a_batch = json.dumps({"requestContext": {"condition": "EventAgeExceeded"}, "requestPayload": {"Records": []}})
    url = queue_with(complete, trimmed, gone, not_a_batch)

    code, rows, err = run(capsys, url, "--delete")

    assert code == 0
    # five rows: three of the complete batch, two of the trimmed one, all scored by the function's monitor
    assert sorted(r["sequenceNumber"] for r in rows) == sorted([stream[1], stream[2], stream[3], stream[0], stream[1]])
    assert all("Refusal" in r and "PromptCompletionSimilarity" not in r for r in rows)
    by_request = {r["requestId"]: r for r in rows}
    assert by_request["req-0"]["Refusal"] == 1.0 and by_request["req-1"]["Refusal"] == 0.0
    assert all(r["shardId"] == "shardId-000000000000" and r["failureMessageId"] for r in rows)

    lines = {line.split(": ", 2)[1]: line for line in err if line.startswith("llm-monitor redrive: message")}
    reports = list(lines.values())
    assert any("3 recovered, 3 scored by refusal; deleted" in line for line in reports)
    assert any(
        "2 recovered" in line and "1 expired (trimmed: older than the stream's retention)" in line and "kept" in line
        for line in reports
    )
    assert any("0 recovered" in line and "4 expired (the stream or shard no longer exists)" in line for line in reports)
    assert any("not a Kinesis on-failure record" in line and line.endswith("kept") for line in reports)
    assert err[-1] == (
        "llm-monitor redrive: 4 message(s): 3 failed batch(es), 1 recovered completely; 5 record(s) recovered, "
        "5 expired; 1 message(s) deleted; 1 message(s) not failed batches, left in the queue"
    )
    # only the complete batch left the queue; the others are visible again at once
    left = {m["Body"] for m in messages_left(url)}
    assert left == {trimmed, gone, not_a_batch}


def test_without_delete_every_message_stays(stream: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    refusal = monitor_function("refusal")
    url = queue_with(failure_message(start=stream[0], end=stream[4], size=5, function_arn=refusal))
    code, rows, err = run(capsys, url)
    assert code == 0 and len(rows) == 5
    assert "kept (--delete removes complete batches)" in err[0]
    assert len(messages_left(url)) == 1


def test_an_unknown_function_falls_back_to_the_monitors_asked_for_or_every_enabled_one(
    stream: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    unknown = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:gone"
    url = queue_with(failure_message(start=stream[0], end=stream[1], size=2, function_arn=unknown))
    code, rows, err = run(capsys, url, "--monitors", "refusal")
    assert code == 0 and len(rows) == 2 and all("Refusal" in r for r in rows)
    assert not any("cannot tell which monitor" in line for line in err)
    code, rows, err = run(capsys, url, "-c", "monitors.sentiment-toxicity.enabled=false")
    assert any(f"cannot tell which monitor {unknown} ran" in line for line in err)
    assert all("Refusal" in r and "PromptCompletionSimilarity" in r for r in rows)


def test_a_queue_that_cannot_be_read_exits_3(aws: None, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/no-such-queue"
    assert main(["redrive", url, "--project-dir", str(ROOT)]) == 3
    assert "cannot read" in capsys.readouterr().err


def test_no_credentials_is_one_line_and_exit_3(no_aws_setup: None, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/failures"
    assert main(["redrive", url, "--project-dir", str(ROOT)]) == 3
    assert capsys.readouterr().err.splitlines() == [
        f"llm-monitor redrive: cannot read {url}: Unable to locate credentials"
    ]


@pytest.mark.parametrize("url", ["not-a-url", "arn:aws:sqs:us-east-1:123456789012:q", "https://sqs.example.com/q"])
def test_a_queue_url_that_is_not_one_is_a_usage_error(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as usage:
        main(["redrive", url, "--project-dir", str(ROOT)])
    assert usage.value.code == 2
    assert "not a queue URL" in capsys.readouterr().err

"""`llm-monitor score`: one JSON object per record with every metric, and the monitor's evidence."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from local_runtime.cli import main

ROOT = Path(__file__).resolve().parents[2]


def score(tmp_path: Path, capsys: pytest.CaptureFixture, rows: list[dict], *extra: str) -> list[dict]:
    source = tmp_path / "in.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    assert main(["score", str(source), "--monitors", "refusal", "--project-dir", str(ROOT), *extra]) == 0
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def test_refusals_come_with_the_phrase_or_cue_that_matched(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    rows = [
        {"requestId": "a", "modelId": "meta.llama3-8b-instruct-v1:0", "completion": "I can't help with that."},
        {"requestId": "b", "modelId": "some-model", "completion": "I will not write that, as it would be unethical."},
        {"requestId": "c", "modelId": "some-model", "completion": "Sure! Preheat the oven to 200°C first."},
        {"requestId": "d", "modelId": "some-model", "completion": ""},
    ]
    a, b, c, d = score(tmp_path, capsys, rows)
    assert a["Refusal"] == 1.0 and a["evidence"]["refusal"].startswith("phrase:i can't help with")
    assert b["Refusal"] == 1.0 and b["evidence"] == {"refusal": "cue:unwillingness"}
    assert c["Refusal"] == 0.0 and "evidence" not in c and 0.0 <= c["RefusalSimilarity"] < 0.35
    assert d["skipped"] == {"refusal": "empty-text"} and "Refusal" not in d


def test_the_method_is_configuration(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    rows = [
        {"requestId": "a", "modelId": "some-model", "completion": "I will not write that, as it would be unethical."}
    ]
    (fuzzy,) = score(tmp_path, capsys, rows, "-c", "monitors.refusal.method=fuzzy")
    assert fuzzy["evidence"]["refusal"].startswith("phrase:")


def test_the_aws_backend_without_credentials_or_region_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch, no_aws_setup: None
) -> None:
    """Said once, before any record, rather than a traceback or a failed call per batch."""
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps({"prompt": "p", "completion": "c"}) + "\n", encoding="utf-8")
    argv = ["score", str(source), "--backend", "aws", "--project-dir", str(ROOT)]
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.splitlines() == [
        "llm-monitor score: credentials: no AWS credentials found (aws configure, AWS_PROFILE or SSO)"
    ]
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    assert main(argv) == 2
    assert "no AWS region configured (set AWS_REGION" in capsys.readouterr().err


def test_aws_region_is_the_region_for_boto3_too(monkeypatch: pytest.MonkeyPatch, no_aws_setup: None) -> None:
    """The CDK CLI reads AWS_REGION and boto3 only AWS_DEFAULT_REGION: the CLI makes them one."""
    import boto3

    monkeypatch.setenv("AWS_REGION", "eu-west-3")
    assert main(["alarm-eval", "--points", "X X X", "--evaluation-periods", "3", "--datapoints-to-alarm", "3"]) == 0
    assert boto3.Session().region_name == "eu-west-3"

"""`llm-monitor parse` on files, directories and S3 prefixes: records on stdout, counts on stderr."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from local_runtime.cli import main
from tests.functional.conftest import LOG_PREFIX, boto, gz_lines

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "shapes"
KEYS = {
    "requestId",
    "timestamp",
    "modelId",
    "operation",
    "prompt",
    "system",
    "completion",
    "inputTokens",
    "outputTokens",
    "latencyMs",
    "requestMetadata",
    "truncated",
    "contentBlocks",
    "stopReason",
    "errorCode",
    "bodyShape",
}


def fixture_records() -> list[dict]:
    return [json.loads(p.read_text(encoding="utf-8"))["record"] for p in sorted(FIXTURES.glob("*.json"))]


def test_directory_of_gzipped_and_plain_files(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    records = fixture_records()
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "b" / "one.json.gz").write_bytes(gz_lines(records[:10]))
    (tmp_path / "a" / "two.json").write_text("\n".join(json.dumps(r) for r in records[10:]) + "\n{oops\n")
    (tmp_path / "a" / "data").mkdir()
    (tmp_path / "a" / "data" / "x_input.json.gz").write_bytes(gzip.compress(b'{"prompt": "offloaded"}'))
    (tmp_path / "a" / "notes.txt").write_text("not a log")
    assert main(["parse", str(tmp_path)]) == 0
    captured = capsys.readouterr()
    lines = [json.loads(line) for line in captured.out.splitlines()]
    assert len(lines) == 28
    assert all(set(line) == KEYS for line in lines)
    assert "records emitted: 28" in captured.err
    assert "skipped (embedding): 3" in captured.err and "skipped (unknown-shape): 2" in captured.err
    assert "malformed lines: 1" in captured.err and "two.json:" in captured.err
    assert "acme.future-model-v1:0" in captured.err  # unknown shapes are reported with the model id


def test_summary_as_json(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    (tmp_path / "l.json.gz").write_bytes(gz_lines(fixture_records()))
    assert main(["parse", str(tmp_path / "l.json.gz"), "--summary-json"]) == 0
    summary = json.loads(capsys.readouterr().err.strip().splitlines()[-1])
    assert summary["emitted"] == 28 and summary["skipped"]["error"] == 1 and summary["malformedLines"] == 0


def test_unusable_arguments_exit_non_zero(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["parse", str(tmp_path / "missing")]) == 3
    assert "no such file or directory" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_info:
        main(["parse"])
    assert exit_info.value.code == 2


def test_s3_prefix_with_an_offloaded_body(aws: None, capsys: pytest.CaptureFixture) -> None:
    s3 = boto("s3")
    s3.create_bucket(Bucket="log-bucket")
    record = fixture_records()[0]
    offloaded = {
        **record,
        "requestId": "req-offloaded",
        "input": {"inputBodyS3Path": f"s3://log-bucket/{LOG_PREFIX}data/in.json.gz"},
    }
    body = {"messages": [{"role": "user", "content": "a very long document"}]}
    s3.put_object(
        Bucket="log-bucket", Key=f"{LOG_PREFIX}data/in.json.gz", Body=gzip.compress(json.dumps(body).encode())
    )
    s3.put_object(Bucket="log-bucket", Key=f"{LOG_PREFIX}a.json.gz", Body=gz_lines([record, offloaded]))
    s3.put_object(Bucket="log-bucket", Key="elsewhere/b.json.gz", Body=gz_lines([record]))
    assert main(["parse", f"s3://log-bucket/{LOG_PREFIX}"]) == 0
    out = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["requestId"] for r in out] == [record["requestId"], "req-offloaded"]
    assert out[1]["prompt"] == "a very long document"


def test_a_missing_offloaded_body_is_a_counted_skip_in_the_cli(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    record = {**fixture_records()[0], "input": {"inputBodyS3Path": "s3://log-bucket/AWSLogs/x/data/gone.json.gz"}}
    (tmp_path / "l.json.gz").write_bytes(gz_lines([record]))
    assert main(["parse", str(tmp_path)]) == 0
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "skipped (offloaded-body-missing): 1" in captured.err


def test_offloaded_body_found_in_a_local_mirror(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    record = {**fixture_records()[0], "input": {"inputBodyS3Path": f"s3://log-bucket/{LOG_PREFIX}data/in.json.gz"}}
    folder = tmp_path / LOG_PREFIX
    (folder / "data").mkdir(parents=True)
    (folder / "data" / "in.json.gz").write_bytes(gzip.compress(b'{"prompt": "mirrored prompt"}'))
    (folder / "a.json.gz").write_bytes(gz_lines([record]))
    assert main(["parse", str(tmp_path)]) == 0
    assert json.loads(capsys.readouterr().out)["prompt"] == "mirrored prompt"

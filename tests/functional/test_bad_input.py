"""Bad input never breaks a local run: every malformed line, file, value and store is a counted skip or a
one-line error with a documented exit code (2 configuration, 3 source, 4 store or output), never a
traceback, and nothing else in the file or run is lost."""

from __future__ import annotations

import gzip
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from local_runtime.cli import EXIT_SOURCE, EXIT_STORE, EXIT_USAGE, main

ROOT = Path(__file__).resolve().parents[2]
HOUR = (
    ROOT
    / "examples"
    / "logs"
    / "AWSLogs"
    / "123456789012"
    / "BedrockModelInvocationLogs"
    / "us-east-1"
    / "2026"
    / "11"
    / "20"
    / "10"
)
PROJECT = ["--project-dir", str(ROOT)]


def record(i: int, **overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "timestamp": f"2026-11-20T10:{i % 60:02d}:00Z",
        "requestId": f"bad-input-{i}",
        "modelId": "meta.llama3-1-70b-instruct-v1:0",
        "operation": "InvokeModel",
        "input": {"inputBodyJson": {"prompt": f"question {i}"}, "inputTokenCount": 4},
        "output": {"outputBodyJson": {"generation": f"answer {i}"}, "outputTokenCount": 3},
    }
    base.update(overrides)
    return base


def lines(*items: dict[str, Any] | str) -> bytes:
    return b"".join((item if isinstance(item, str) else json.dumps(item)).encode() + b"\n" for item in items)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_line_error(err: str, *words: str) -> None:
    assert "Traceback" not in err
    messages = [line for line in err.splitlines() if line.startswith("llm-monitor")]
    assert len(messages) == 1, err
    for word in words:
        assert word in messages[0]


# --- the parser ------------------------------------------------------------------------------------------


def test_the_issue_reproduction_nan_token_count_parses(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    nan = tmp_path / "nan.jsonl"
    nan.write_text(
        '{"requestId":"n1","modelId":"m","input":{"inputBodyJson":{"prompt":"p"},"inputTokenCount":NaN},'
        '"output":{"outputBodyJson":{"generation":"g"}}}\n'
    )
    code, out, err = run(capsys, "parse", str(nan))
    assert code == 0 and "Traceback" not in err
    assert json.loads(out)["inputTokens"] is None and json.loads(out)["completion"] == "g"


def test_a_truncated_gzip_file_keeps_its_good_lines_and_the_next_file_is_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    whole = gzip.compress(lines(*(record(i) for i in range(100))))
    (tmp_path / "a_half_written.json.gz").write_bytes(whole[: len(whole) // 2])
    (tmp_path / "b_good.json.gz").write_bytes(gzip.compress(lines(record(200), record(201))))
    (tmp_path / "c_corrupt.json.gz").write_bytes(whole[:20] + bytes(64) + whole[84:])
    code, out, err = run(capsys, "parse", str(tmp_path), "--summary-json")
    assert code == 0
    ids = [json.loads(line)["requestId"] for line in out.splitlines()]
    assert {"bad-input-200", "bad-input-201"} <= set(ids) and len(ids) > 2
    summary = json.loads(err.strip().splitlines()[-1])
    reasons = {m["reason"] for m in summary["malformedLocations"]}
    assert any("gzip" in reason for reason in reasons)


def test_unreadable_offloaded_bodies_are_counted_and_never_escape_the_log_tree(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    secret = tmp_path / "secret.json"
    secret.write_text(json.dumps({"prompt": "private"}))
    logs = tmp_path / "logs" / "hour"
    (logs / "data").mkdir(parents=True)
    (logs / "data" / "corrupt_input.json.gz").write_bytes(b"\x1f\x8b not really gzip")

    def offloaded(i: int, uri: str) -> dict[str, Any]:
        return record(i, input={"inputBodyS3Path": uri, "inputTokenCount": 4})

    (logs / "log.jsonl").write_bytes(
        lines(
            record(0),
            offloaded(1, "s3://b/hour/data/corrupt_input.json.gz"),
            offloaded(2, "s3://b/hour/data/../../secret.json"),
            offloaded(3, f"s3://b/{secret}"),
            record(4),
        )
    )
    code, out, err = run(capsys, "parse", str(logs), "--summary-json")
    assert code == 0
    assert [json.loads(line)["requestId"] for line in out.splitlines()] == ["bad-input-0", "bad-input-4"]
    assert "private" not in out
    skipped = json.loads(err.strip().splitlines()[-1])["skipped"]
    assert skipped == {"offloaded-body-unreadable": 3}


def test_a_malformed_offloaded_body_uri_costs_its_record_not_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    uris = ["not-a-uri", "s3://", "s3:///x", "s3://bucket-only"]
    log = tmp_path / "log.jsonl"
    log.write_bytes(
        lines(
            record(0),
            *(record(10 + n, output={"outputBodyS3Path": uri}) for n, uri in enumerate(uris)),
            *(record(i) for i in range(1, 21)),
        )
    )
    code, out, err = run(capsys, "parse", str(log), "--summary-json")
    assert code == 0 and "cannot read" not in err
    assert len(out.splitlines()) == 21
    assert json.loads(err.strip().splitlines()[-1])["skipped"] == {"offloaded-body-unreadable": 4}
    code, out, err = run(
        capsys,
        "replay",
        str(log),
        "--store",
        str(tmp_path / "m.db"),
        "--json",
        "--no-progress",
        "--no-dashboard",
        *PROJECT,
    )
    assert code == 0 and json.loads(out)["records"] == 21


# --- score -----------------------------------------------------------------------------------------------


def test_score_loses_only_the_bad_lines(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = [json.dumps({"prompt": f"q{i}", "completion": f"a{i}"}).encode() for i in range(3)]
    deep = b'{"prompt":"p","completion":' + b"[" * 3000 + b"]" * 3000 + b"}"
    data = b"\n".join([good[0], b'{"prompt":"caf\xe9 \xff"}', good[1], deep, b"[1, 2", good[2]]) + b"\n"
    path = tmp_path / "records.jsonl"
    path.write_bytes(data)
    code, out, err = run(capsys, "score", str(path), "--monitors", "refusal", *PROJECT)
    assert code == 0 and "Traceback" not in err
    assert len(out.splitlines()) == 3
    assert f"{path}:2: " in err and f"{path}:4: " in err and f"{path}:5: " in err
    assert "3 line(s) skipped" in err


# --- lone UTF-16 surrogates: a bad character, not a bad record -------------------------------------------

RAW_SURROGATE = b"\xed\xa0\x80"  # "\ud800" encoded with surrogatepass; json.loads decodes it to one


def surrogate_log(tmp_path: Path) -> Path:
    """Five records with lone surrogates (JSON escapes and raw bytes) in every text field, among good ones."""
    bad = [
        record(100, input={"inputBodyJson": {"prompt": "question \ud800"}}),
        record(101, output={"outputBodyJson": {"generation": "\udfff answer"}}),
        record(102, modelId="meta.llama3-1-70b-instruct-v1:0\udc00"),
        record(103, requestId="bad-input-\ud800-103"),
    ]
    raw = json.dumps(record(104)).encode().replace(b"question 104", b"question " + RAW_SURROGATE)
    path = tmp_path / "surrogates.jsonl"
    path.write_bytes(lines(*(record(i) for i in range(10)), *bad) + raw + b"\n" + lines(record(10)))
    return path


def test_parse_keeps_every_record_with_a_lone_surrogate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "parse", str(surrogate_log(tmp_path)))
    assert code == 0 and "Traceback" not in err
    out.encode("utf-8")
    rows = [json.loads(line) for line in out.splitlines()]
    assert len(rows) == 16
    by_id = {row["requestId"]: row for row in rows}
    assert by_id["bad-input-100"]["prompt"] == "question \ufffd"
    assert by_id["bad-input-101"]["completion"] == "\ufffd answer"
    assert by_id["bad-input-102"]["modelId"].endswith("\ufffd")
    assert "bad-input-\ufffd-103" in by_id and by_id["bad-input-104"]["prompt"] == "question \ufffd"


def test_replay_stores_and_scores_records_with_a_lone_surrogate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = surrogate_log(tmp_path)
    code, out, err = run(
        capsys,
        "replay",
        str(log),
        "--store",
        str(tmp_path / "m.db"),
        "--json",
        "--no-progress",
        "--no-dashboard",
        *PROJECT,
    )
    assert code == 0 and "Traceback" not in err
    assert json.loads(out)["records"] == 16


def test_score_scores_records_with_a_lone_surrogate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = [
        json.dumps({"prompt": "How do I reset my router?", "completion": "Hold the reset button."}).encode(),
        json.dumps(
            {"requestId": "s\ud800", "prompt": "How \ud800 do I?", "completion": "I can't \udfff help"}
        ).encode(),
        b'{"prompt":"raw ' + RAW_SURROGATE + b'","completion":"Press ' + RAW_SURROGATE + b'"}',
    ]
    path = tmp_path / "records.jsonl"
    path.write_bytes(b"\n".join(rows) + b"\n")
    code, out, err = run(capsys, "score", str(path), "--monitors", "semantic-similarity,refusal", *PROJECT)
    assert code == 0 and "Traceback" not in err and "skipped" not in err
    out.encode("utf-8")
    scored = [json.loads(line) for line in out.splitlines()]
    assert len(scored) == 3
    assert all("PromptCompletionSimilarity" in row for row in scored)


def test_canary_score_scores_a_response_with_a_lone_surrogate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    responses = ROOT / "tests" / "fixtures" / "canary" / "responses.jsonl"
    lines_ = responses.read_bytes().splitlines(keepends=True)
    # A case with a reference answer: its completion is embedded (where the surrogate used to fail).
    at = next(i for i, line in enumerate(lines_) if b'"caseId": "fact-' in line)
    response = json.loads(lines_[at])
    response["completion"] = "\ud800 " + response["completion"]
    lines_[at] = json.dumps(response).encode() + b"\n"
    path = tmp_path / "responses.jsonl"
    path.write_bytes(b"".join(lines_))
    code, out, err = run(capsys, "canary", "score", str(path), "--json", *PROJECT)
    assert code == 0 and "Traceback" not in err
    model = json.loads(out)["models"][response["modelId"]]
    assert model["cases"] == 78


# --- replay and its store --------------------------------------------------------------------------------


def test_a_record_from_the_year_2000_is_counted_not_evaluated(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    logs = tmp_path / "logs"
    shutil.copytree(HOUR, logs)
    (logs / "stray.jsonl").write_bytes(
        lines(
            record(1, requestId="old", timestamp="2000-01-01T00:00:00Z"),
            record(2, requestId="ancient", timestamp="0001-01-01T00:00:00Z"),
        )
    )
    code, out, _ = run(
        capsys, "replay", str(logs), "--store", str(tmp_path / "m.db"), "--json", "--no-progress", *PROJECT
    )
    assert code == 0
    summary = json.loads(out)
    assert summary["outsideTimeWindow"] == 2
    assert summary["timeRange"][0].startswith("2026-11-20")


def test_the_same_logs_under_three_spellings_count_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    relative = str(HOUR.relative_to(ROOT))
    store = ["--store", str(tmp_path / "m.db"), "--json", "--no-progress", "--no-dashboard", *PROJECT]
    code, out, _ = run(capsys, "replay", relative, f"./{relative}", str(HOUR), *store)
    assert code == 0
    summary = json.loads(out)
    assert summary["pipeline"]["emitted"] == summary["records"]


def test_two_writers_on_one_fresh_store(tmp_path: Path) -> None:
    """Two replays into one new store at once (they race to create the schema and the same dictionary
    rows): both finish, and every record is stored once."""
    store = tmp_path / "shared.db"
    files = sorted(HOUR.glob("*.json.gz"))[:2]
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                "import sys; from local_runtime.cli import main; sys.exit(main(sys.argv[1:]))",
                "replay",
                str(file),
                "--store",
                str(store),
                "--no-dashboard",
                "--no-progress",
                "--json",
                *PROJECT,
            ],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for file in files
    ]
    results = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [err[-500:] for _, err in results]
    emitted = sum(json.loads(out)["replay"]["records"] for out, _ in results)
    from local_runtime.store import MetricStore

    with MetricStore(store) as merged:
        assert merged.record_count() == emitted


@pytest.mark.parametrize(
    "store",
    ["directory", "/dev/null", "not-a-database", "/proc/llm-monitor/metrics.db"],
)
def test_an_unusable_store_is_one_line_and_exit_4(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], store: str
) -> None:
    if store == "directory":
        store = str(tmp_path)
    elif store == "not-a-database":
        path = tmp_path / "metrics.db"
        path.write_bytes(b"SQLite format 3\x00" + bytes(200))  # a truncated, corrupt database
        store = str(path)
    code, _, err = run(capsys, "replay", str(HOUR), "--store", store, "--no-progress", *PROJECT)
    assert code == EXIT_STORE
    assert_one_line_error(err, "metric store")


def test_a_dashboard_that_cannot_be_written_is_one_line_after_the_store_is_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(
        capsys,
        "replay",
        str(HOUR),
        "--store",
        str(tmp_path / "m.db"),
        "--dashboard",
        str(tmp_path),
        "--no-progress",
        *PROJECT,
    )
    assert code == EXIT_STORE
    assert_one_line_error(err, "dashboard")
    code, out, _ = run(
        capsys,
        "replay",
        str(HOUR),
        "--store",
        str(tmp_path / "m.db"),
        "--json",
        "--no-progress",
        "--no-dashboard",
        *PROJECT,
    )
    assert code == 0 and json.loads(out)["records"] > 0  # the replay before the failure was kept


# --- options ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("size", ["0", "-5", "many"])
def test_batch_size_must_be_a_positive_integer(tmp_path: Path, capsys: pytest.CaptureFixture[str], size: str) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["replay", str(HOUR), "--batch-size", size, "--store", str(tmp_path / "m.db")])
    assert exit_info.value.code == EXIT_USAGE
    assert "--batch-size" in capsys.readouterr().err


def test_a_project_dir_without_cdk_json_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "replay", str(HOUR), "--store", str(tmp_path / "m.db"), "--project-dir", str(tmp_path))
    assert code == EXIT_USAGE
    assert_one_line_error(err, "--project-dir", "cdk.json")


@pytest.mark.parametrize(
    ("flag", "key"),
    [
        ("monitors.refusal.threshold=nan", "monitors.refusal.threshold"),
        ("monitors.refusal.samplingRate=NaN", "monitors.refusal.samplingRate"),
        ("alarms.Refusal.enabled=maybe", "alarms.Refusal.enabled"),
        ("monitors.refusal.lambda.maximumRecordAgeSeconds=30", "monitors.refusal.lambda.maximumRecordAgeSeconds"),
    ],
)
def test_a_bad_value_is_rejected_by_every_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], flag: str, key: str
) -> None:
    code, _, err = run(capsys, "replay", str(HOUR), "--store", str(tmp_path / "m.db"), "-c", flag, *PROJECT)
    assert code == EXIT_USAGE
    assert_one_line_error(err, key)


def test_a_missing_source_is_exit_3(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "replay", str(tmp_path / "nowhere"), "--store", str(tmp_path / "m.db"), *PROJECT)
    assert code == EXIT_SOURCE
    assert_one_line_error(err, "nowhere")


@pytest.mark.parametrize("interval", ["-1", "0", "1e-300", "nan", "inf", "1e309", "100000"])
def test_watch_interval_is_checked_before_watching(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], interval: str
) -> None:
    """A bad interval used to surface as a sleep() traceback after the first scan."""
    with pytest.raises(SystemExit) as usage:
        main(["watch", str(tmp_path), f"--interval={interval}", "--store", str(tmp_path / "m.db")])
    assert usage.value.code == 2
    assert "--interval" in capsys.readouterr().err
    assert not (tmp_path / "m.db").exists()


@pytest.mark.parametrize("option", ["--store", "--dashboard"])
def test_an_empty_path_is_a_usage_error_not_the_default(capsys: pytest.CaptureFixture[str], option: str) -> None:
    with pytest.raises(SystemExit) as usage:
        main(["replay", str(HOUR), option, ""])
    assert usage.value.code == 2
    assert "an empty path" in capsys.readouterr().err

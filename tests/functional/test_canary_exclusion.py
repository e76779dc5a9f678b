"""Canary requests appear in the invocation logs, but never in production metrics (by default).

The dispatcher and `llm-monitor replay` recognise the canary's requestMetadata tag and count those
records as skipped (reason `canary`, a RecordsSkipped dimension value); with
`canary.excludeFromMonitors=false` they are scored like any other request.
"""

from __future__ import annotations

import contextlib
import gzip
import io
import json
from pathlib import Path
from typing import Any

import pytest

from dispatcher import handler
from local_runtime.cli import main
from shared import pipeline_metrics as pm
from shared.canary import canary_metadata
from shared.parsing import NoOffloadedBodies, ParseStats, SkipReason, parse_stream
from tests.functional.conftest import (
    DISPATCHER_BUCKET,
    DISPATCHER_STREAM,
    LOG_PREFIX,
    dispatcher_resources,
    gz_lines,
    read_stream,
    s3_event,
)

BUCKET, STREAM = DISPATCHER_BUCKET, DISPATCHER_STREAM


def log_record(i: int, *, canary: bool = False) -> dict[str, Any]:
    metadata = canary_metadata("default", f"case-{i}") if canary else {"app": "support-bot"}
    return {
        "schemaType": "ModelInvocationLog",
        "schemaVersion": "1.0",
        "timestamp": f"2026-11-20T10:00:{i:02d}Z",
        "accountId": "123456789012",
        "region": "us-east-1",
        "requestId": f"req-{i:03d}",
        "operation": "Converse",
        "modelId": "amazon.nova-lite-v1:0",
        "requestMetadata": metadata,
        "input": {"inputBodyJson": {"messages": [{"role": "user", "content": [{"text": f"question {i}"}]}]}},
        "output": {
            "outputBodyJson": {
                "output": {"message": {"role": "assistant", "content": [{"text": "I can't help with that."}]}},
                "stopReason": "end_turn",
            }
        },
    }


RECORDS = [log_record(i, canary=i % 3 == 0) for i in range(12)]  # 4 canary requests, 8 from users
CANARY_IDS = {r["requestId"] for r in RECORDS if "llmMonitorCanary" in r["requestMetadata"]}


@pytest.mark.parametrize("exclude", [True, False])
def test_parse_stream_counts_canary_requests_as_skipped_when_asked(exclude: bool) -> None:
    stats = ParseStats()
    parsed = list(
        parse_stream(
            io.BytesIO(gz_lines(RECORDS)),
            source="t",
            resolver=NoOffloadedBodies(),
            stats=stats,
            exclude_canary=exclude,
        )
    )
    ids = {record.request_id for _, record in parsed}
    if exclude:
        assert ids.isdisjoint(CANARY_IDS) and len(ids) == 8
        assert stats.skipped == {SkipReason.CANARY.value: 4} and stats.emitted == 8
    else:
        assert ids >= CANARY_IDS and not stats.skipped


@pytest.fixture
def dispatcher_env(aws: None, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    s3, kinesis, _ = dispatcher_resources(monkeypatch, shards=1)
    handler.runtime.cache_clear()
    yield {"s3": s3, "kinesis": kinesis}
    handler.runtime.cache_clear()


@pytest.mark.parametrize("exclude", ["true", "false", None])
def test_the_dispatcher_leaves_canary_requests_off_the_stream(
    dispatcher_env: dict[str, Any], lambda_context: Any, monkeypatch: pytest.MonkeyPatch, exclude: str | None
) -> None:
    if exclude is not None:
        monkeypatch.setenv("LLM_MONITOR_EXCLUDE_CANARY", exclude)
    key = LOG_PREFIX + "canary.json.gz"
    dispatcher_env["s3"].put_object(Bucket=BUCKET, Key=key, Body=gz_lines(RECORDS))
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        result = handler.lambda_handler(s3_event(BUCKET, key), lambda_context)
    on_stream = {r["requestId"] for r in read_stream(dispatcher_env["kinesis"], STREAM)}
    (obj,) = result["objects"]
    if exclude == "false":
        assert on_stream >= CANARY_IDS and obj["skipped"] == {}
        return
    # Excluded by default: counted as a skip with its own reason, as every other skip is.
    assert on_stream.isdisjoint(CANARY_IDS) and len(on_stream) == 8
    assert obj["skipped"] == {"canary": 4} and obj["dispatched"] == 8
    skips = [
        json.loads(line) for line in out.getvalue().splitlines() if '"_aws"' in line and pm.RECORDS_SKIPPED in line
    ]
    assert [(d[pm.REASON_DIMENSION], d[pm.RECORDS_SKIPPED]) for d in skips] == [("canary", [4.0])]


def test_replay_leaves_canary_requests_out_unless_told(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    logs = tmp_path / "logs"
    logs.mkdir()
    (logs / "20261120T100000Z_a.json.gz").write_bytes(
        gzip.compress(b"".join(json.dumps(r).encode() + b"\n" for r in RECORDS))
    )

    def replay(*extra: str) -> dict[str, Any]:
        capsys.readouterr()
        store = tmp_path / f"m{len(extra)}.db"
        code = main(
            ["replay", str(logs), "--store", str(store), "--json", "--no-progress", "--monitors", "refusal", *extra]
        )
        assert code == 0
        return json.loads(capsys.readouterr().out)

    excluded = replay()
    assert excluded["records"] == 8 and excluded["pipeline"]["skipped.canary"] == 4
    included = replay("-c", "canary.excludeFromMonitors=false")
    assert included["records"] == 12 and "skipped.canary" not in included["pipeline"]

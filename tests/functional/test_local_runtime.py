"""The local runtime end to end on the bundled example logs: replay, alarms, idempotency, watch."""

from __future__ import annotations

import contextlib
import io
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from local_runtime.cli import main
from monitors.core.alarms import alarm_name
from shared.context import DEFAULT_STACK_NAME

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "logs"
HOURS = EXAMPLES / "AWSLogs" / "123456789012" / "BedrockModelInvocationLogs" / "us-east-1" / "2026" / "11" / "20"
SPIKING = "meta.llama3-1-70b-instruct-v1:0"
CONTEXT = ["-c", f"alarmModelIds={SPIKING}", "--project-dir", str(ROOT)]


def replay_json(capsys: pytest.CaptureFixture, *args: str) -> dict[str, Any]:
    capsys.readouterr()
    assert main(["replay", *args, "--json", "--no-progress", *CONTEXT]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.fixture(scope="module")
def replayed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    store = tmp_path_factory.mktemp("replay") / "metrics.db"
    out = io.StringIO()  # module-scoped, so capsys is not available: capture stdout directly
    with contextlib.redirect_stdout(out):
        code = main(["replay", str(EXAMPLES), "--store", str(store), "--json", "--no-progress", *CONTEXT])
    assert code == 0
    return store, json.loads(out.getvalue())


def test_the_refusal_spike_fires_and_clears_at_the_right_times(replayed: tuple[Path, dict]) -> None:
    _, summary = replayed
    alarms = {a["name"]: a for a in summary["alarms"]}
    spike = alarms[alarm_name(DEFAULT_STACK_NAME, "Refusal", SPIKING)]
    transitions = [(c["old"], c["new"], c["time"]) for c in spike["changes"]]
    to_alarm = [t for o, n, t in transitions if n == "ALARM"]
    to_ok = [t for o, n, t in transitions if o == "ALARM" and n == "OK"]
    assert len(to_alarm) == 1 and len(to_ok) == 1
    # The spike is 10:00-11:00Z; three 5-minute periods must breach first, and it clears after it ends.
    assert "2026-11-20T10:10:00Z" <= to_alarm[0] <= "2026-11-20T10:30:00Z"
    assert "2026-11-20T11:00:00Z" <= to_ok[0] <= "2026-11-20T11:20:00Z"
    # Diluted by the other models' traffic, the all-models refusal ratio stays under the threshold.
    assert all(c["new"] != "ALARM" for c in alarms[alarm_name(DEFAULT_STACK_NAME, "Refusal", None)]["changes"])
    assert spike["finalState"] == "OK"


def test_summary_counts_records_models_and_pipeline(replayed: tuple[Path, dict]) -> None:
    _, summary = replayed
    assert summary["records"] == 5642
    assert summary["pipeline"]["skipped.embedding"] == 282
    assert summary["pipeline"]["skipped.error"] == 37
    assert summary["pipeline"]["malformed"] == 0
    assert summary["skips"]["sentiment-toxicity"]["non-english"] > 0
    llama = summary["models"][SPIKING]
    assert llama["records"] > 900
    refusal = llama["metrics"]["Refusal"]
    assert refusal["count"] == llama["records"] and 0.05 < refusal["mean"] < 0.2
    assert summary["replay"]["records"] == 5642
    assert Path(summary["dashboard"]).is_file()


def test_replaying_the_same_logs_again_does_not_double_count(
    replayed: tuple[Path, dict], capsys: pytest.CaptureFixture
) -> None:
    store, first = replayed
    again = replay_json(capsys, str(HOURS / "10"), "--store", str(store), "--no-dashboard")
    assert again["records"] == first["records"]
    assert again["models"] == first["models"]
    assert again["alarms"] == first["alarms"]


def test_human_summary_names_the_alarm_and_the_dashboard(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    capsys.readouterr()
    code = main(["replay", str(HOURS / "10"), "--store", str(tmp_path / "m.db"), "--no-progress", *CONTEXT])
    out = capsys.readouterr().out
    assert code == 0
    assert "OK -> ALARM" in out and alarm_name(DEFAULT_STACK_NAME, "Refusal", SPIKING) in out
    assert f"Dashboard: {tmp_path / 'dashboard.html'}" in out


def test_bad_configuration_and_missing_paths_are_clear_errors(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert (
        main(["replay", str(EXAMPLES), "--store", str(tmp_path / "m.db"), "-c", "monitors.refusal.method=regex"]) == 2
    )
    assert "monitors.refusal.method" in capsys.readouterr().err
    assert main(["replay", str(tmp_path / "nope"), "--store", str(tmp_path / "m.db")]) == 3
    assert "no such file or directory" in capsys.readouterr().err


def test_watch_processes_new_files_once_and_reports_alarm_changes(tmp_path: Path) -> None:
    from local_runtime.cli.watch_cmd import Watcher
    from local_runtime.session import LocalSession
    from monitors.core.config import MonitoringConfig
    from monitors.core.registry import discover

    incoming = tmp_path / "incoming"
    (incoming / "09").mkdir(parents=True)
    for path in sorted((HOURS / "09").glob("*.json.gz"))[-3:]:
        shutil.copy(path, incoming / "09" / path.name)
    config = MonitoringConfig.from_context({"alarmModelIds": SPIKING})
    registry = discover()
    events: list[dict] = []

    def session() -> LocalSession:
        return LocalSession.open(config, registry, store_path=str(tmp_path / "m.db"), monitors=["refusal"])

    with session() as first:
        watcher = Watcher(first, incoming, emit=events.append)
        watcher.prime()
        assert watcher.step() == 0  # first sight: waits one scan for the files to settle
        assert watcher.step() == 3
        # A delivery lands after the watcher started: the spike hour.
        shutil.copytree(HOURS / "10", incoming / "10")
        watcher.step()
        assert watcher.step() == len(list((HOURS / "10").glob("*.json.gz")))
        assert watcher.step() == 0  # nothing is processed twice
    processed = [e["file"] for e in events if e["event"] == "processed"]
    assert len(processed) == len(set(processed)) == 3 + 12
    fired = [e for e in events if e["event"] == "alarm" and e["new"] == "ALARM"]
    assert [e["alarm"] for e in fired] == [alarm_name(DEFAULT_STACK_NAME, "Refusal", SPIKING)]

    with session() as restarted:  # a restart does not reprocess files already done
        watcher = Watcher(restarted, incoming, emit=events.append)
        assert watcher.pending(settled=False) == []

"""Adding a monitor is one file: a module dropped into `monitors/` is picked up by `score`, `replay`, the
dashboard, `cdk synth` and the cost estimate, with no framework code touched.

The module goes into a temporary directory appended to the `monitors` package's search path (what
discovery walks), so the test behaves exactly like a new file in `monitors/` without writing into the
checkout that other tests run from.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import monitors
from local_runtime.cli import main
from monitors.core.alarms import alarm_name
from shared.context import DEFAULT_STACK_NAME

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_HOUR = (
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

RESPONSE_LENGTH = '''
"""Response length: how long completions are, and how often they are cut off."""

from __future__ import annotations

from collections.abc import Sequence

from monitors import EMPTY_TEXT, AlarmSpec, MetricSpec, Monitor, Option, RecordResult, Unit
from shared.records import InvocationRecord


class ResponseLengthMonitor(Monitor):
    name = "response-length"
    description = "Characters per completion, and whether it hit the output-token limit."
    enabled_by_default = True
    metrics = (
        MetricSpec("ResponseChars", Unit.COUNT, "Characters in the completion.",
                   alarm=AlarmSpec.above(6000, statistic="p90", description="Completions are getting long.")),
        MetricSpec("ResponseTruncated", Unit.NONE, "1 when the model stopped at its token limit.",
                   alarm=AlarmSpec.above(0.1, description="More than 10% of completions are cut off.")),
    )
    count_whitespace = Option(True, "count whitespace characters too")

    def score(self, records: Sequence[InvocationRecord]) -> list[RecordResult]:
        out = []
        for record in records:
            if not record.completion:
                out.append(RecordResult.skip(EMPTY_TEXT))
                continue
            text = record.completion if self.count_whitespace else "".join(record.completion.split())
            cut = 1.0 if (record.stop_reason or "") in ("max_tokens", "length") else 0.0
            out.append(RecordResult.ok({"ResponseChars": float(len(text)), "ResponseTruncated": cut}))
        return out
'''


@pytest.fixture
def added_monitor(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    package = tmp_path / "extra_monitors"
    package.mkdir()
    (package / "response_length.py").write_text(RESPONSE_LENGTH, encoding="utf-8")
    monkeypatch.setattr(monitors, "__path__", [*monitors.__path__, str(package)])
    yield tmp_path
    sys.modules.pop("monitors.response_length", None)


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict[str, Any]:
    capsys.readouterr()
    assert main(list(argv)) == 0
    return json.loads(capsys.readouterr().out)


def test_every_surface_picks_up_a_new_monitor_module(added_monitor: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = ["--project-dir", str(ROOT)]

    # score
    lines = added_monitor / "records.jsonl"
    lines.write_text(
        json.dumps({"prompt": "Hi", "completion": "Hello there", "stopReason": "max_tokens"}) + "\n", encoding="utf-8"
    )
    capsys.readouterr()
    assert main(["score", str(lines), "--monitors", "response-length", *project]) == 0
    row = json.loads(capsys.readouterr().out)
    assert row["ResponseChars"] == 11.0 and row["ResponseTruncated"] == 1.0

    # replay: scored, stored, alarmed, and drawn on the dashboard
    store = added_monitor / "metrics.db"
    dashboard = added_monitor / "dashboard.html"
    summary = run_json(
        capsys,
        "replay",
        str(EXAMPLE_HOUR),
        "--store",
        str(store),
        "--dashboard",
        str(dashboard),
        "--json",
        "--no-progress",
        *project,
    )
    assert summary["replay"]["monitors"]["response-length"]["scored"] > 0
    model_metrics = next(iter(summary["models"].values()))["metrics"]
    assert "ResponseChars" in model_metrics
    alarm_names = {a["name"] for a in summary["alarms"]}
    assert {alarm_name(DEFAULT_STACK_NAME, m, None) for m in ("ResponseChars", "ResponseTruncated")} <= alarm_names
    page = dashboard.read_text(encoding="utf-8")
    assert "response-length" in page and "ResponseChars" in page

    # cost: the estimate prices the new monitor's Lambda, metrics and alarms
    workload = ["--invocations-per-month", "1000000", "--prompt-chars", "500", "--completion-chars", "1500"]
    with_it = run_json(capsys, "cost", *workload, "--json", *project)
    without = run_json(capsys, "cost", *workload, "--json", "-c", "monitors.response-length.enabled=false", *project)
    assert float(with_it["totalUsd"]) > float(without["totalUsd"])
    assert any("response-length" in line for line in with_it["configuration"])


@pytest.mark.slow
def test_synth_adds_the_new_monitors_lambda_and_alarms(added_monitor: Path) -> None:
    os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
    from infra.app import create_app
    from shared.context import read_cdk_context

    context = {**read_cdk_context(ROOT), "skipBundling": True}
    built = create_app(context, outdir=str(added_monitor / "cdk.out"), env={})
    template = built.app.synth().get_stack_by_name(built.stack.stack_name).template
    resources = template["Resources"].values()
    alarms = {r["Properties"].get("AlarmName") for r in resources if r["Type"] == "AWS::CloudWatch::Alarm"}
    assert {alarm_name(built.stack.stack_name, m, None) for m in ("ResponseChars", "ResponseTruncated")} <= alarms
    functions = [r for r in resources if r["Type"] == "AWS::Lambda::Function"]
    assert any(
        f["Properties"].get("Environment", {}).get("Variables", {}).get("LLM_MONITOR_NAME") == "response-length"
        for f in functions
    )

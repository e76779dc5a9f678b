"""The README's "Adding a monitor" example is real: discovered, scored, configured, alarmed."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from monitors.core.alarms import resolve_alarms
from monitors.core.config import MonitoringConfig
from monitors.core.registry import discover
from shared.backends import Backends, BackendSettings
from shared.records import InvocationRecord

README = Path(__file__).resolve().parents[2] / "README.md"


@pytest.fixture
def example_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    text = README.read_text(encoding="utf-8")
    match = re.search(r"<!-- example-monitor -->\n```python\n(.*?)```", text, re.DOTALL)
    assert match, "the README lost its example monitor"
    (tmp_path / "readme_pii_leak.py").write_text(match.group(1), encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    yield "readme_pii_leak"
    sys.modules.pop("readme_pii_leak", None)


def test_the_readme_monitor_is_discovered_scored_and_alarmed(example_module: str) -> None:
    # Only the example: a user who saved it as monitors/pii_leak.py (as the README says) has one too.
    registry = discover([example_module], builtin=False)
    assert "pii-leak" in registry
    records = [
        InvocationRecord("1", completion="Write to jane.doe@example.com for a refund."),
        InvocationRecord("2", completion="Call us on +1 (555) 010-9999."),
        InvocationRecord("3", completion="Your order ships tomorrow."),
        InvocationRecord("4", completion=""),
    ]
    monitor = registry["pii-leak"](backends=Backends(BackendSettings(kind="embedded")))
    results = monitor.score_batch(records)
    assert [r.values.get("PiiLeak") for r in results] == [1.0, 1.0, 0.0, None]
    assert results[3].skip_reason == "empty-text"
    no_phones = registry["pii-leak"](backends=Backends(BackendSettings(kind="embedded")), options={"phones": "false"})
    assert no_phones.score_batch(records[1:2])[0].values["PiiLeak"] == 0.0

    opted_out = MonitoringConfig.from_context({"monitorModules": example_module}, registry)
    assert "pii-leak" not in opted_out.enabled_monitors()  # a new module changes nothing until enabled
    config = MonitoringConfig.from_context(
        {"monitorModules": example_module, "alarmModelIds": "m1", "monitors.pii-leak.enabled": "true"}, registry
    )
    alarms = [a.name for a in resolve_alarms(config, registry) if a.metric_name == "PiiLeak"]
    assert alarms == ["LlmMonitor-PiiLeak-all-models", "LlmMonitor-PiiLeak-m1"]  # the README's alarm-name form

"""Per-record score rows, the output of `llm-monitor score` and `llm-monitor redrive`.

One JSON object per record: its request and model ids, every metric value under its name, and per monitor
what it skipped (`skipped`), what failed (`errors`) and, when the monitor gives it, why it scored as it
did (`evidence`). Records a monitor's sampling left out carry nothing from that monitor.
"""

from __future__ import annotations

from collections.abc import Sequence

from monitors.core.runner import BatchResults
from shared.records import InvocationRecord


def score_rows(records: Sequence[InvocationRecord], results: BatchResults) -> list[dict[str, object]]:
    """One row per record of `records`, from `MonitorRunner.score(records)`."""
    rows = []
    for index, record in enumerate(records):
        row: dict[str, object] = {"requestId": record.request_id, "modelId": record.model_id}
        skipped: dict[str, str] = {}
        errors: dict[str, str] = {}
        evidence: dict[str, str] = {}
        for monitor, monitor_results in results.items():
            result = monitor_results[index]
            if result is None:
                continue
            row.update({name: round(value, 6) for name, value in result.values.items()})
            if result.skip_reason:
                skipped[monitor] = result.skip_reason
            if result.error:
                errors[monitor] = result.error
            if result.evidence:
                evidence[monitor] = result.evidence
        if evidence:
            row["evidence"] = evidence
        if skipped:
            row["skipped"] = skipped
        if errors:
            row["errors"] = errors
        rows.append(row)
    return rows

"""Alarms, the alarm topic, the dashboard and the saved Logs Insights queries.

Public API: `Observability`, the construct the stack adds once.

One module per role, each knowing its metrics, alarms and widgets together:
- `monitor_segment`: `MonitorSegment`, one per monitor, built from its declaration and its resolved
  alarm definitions (alarms, saved queries, dashboard row); the same class serves every monitor;
- `pipeline_health`: Lambda errors, throttles and iterator age, failure queues, the stream, workflow
  failures and the dispatcher's and monitors' own counters, through cdk-monitoring-constructs;
- `facade`: `Observability`, which wires every alarm to the SNS topic and assembles the dashboard;
- `alarms` (definition to alarm), `queries` (drill-down), `topic` (SNS), `widgets` (grid, SEARCH).

Names are not made here: monitor alarm names come from `monitors.core.alarms.alarm_name`, everything
else from `infra.naming`.
"""

from __future__ import annotations

from infra.observability.facade import Observability

__all__ = ["Observability"]

"""Alarms, the alarm topic, the dashboard and the saved Logs Insights queries.

Public API: `Observability`, the construct the stack adds once.
"""

from __future__ import annotations

from infra.observability.facade import Observability

__all__ = ["Observability"]

"""Embedded Metric Format documents through Powertools Metrics, the one way both Lambdas write metrics.

Why a factory instead of Powertools' module-level `Metrics()`: the stack sets `POWERTOOLS_SERVICE_NAME` on
every function (for the Logger), and Powertools then adds a `service` dimension to every metric it
writes. The alarms, dashboard widgets and cost estimate read the series without it, so a `service`
dimension would leave them watching series that are never written. `service=""` turns that off, and an
ephemeral instance per document keeps one document's dimensions from leaking into the next.
"""

from __future__ import annotations

from aws_lambda_powertools.metrics import EphemeralMetrics


def emf_metrics(namespace: str) -> EphemeralMetrics:
    """A fresh metric set for one EMF document in `namespace`, with no `service` dimension."""
    return EphemeralMetrics(namespace=namespace, service="")

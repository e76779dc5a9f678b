"""Lambda (arm64): the dispatcher once per log object, each monitor once per full batch.

Every record reaches every monitor (sampling happens inside the function), so a monitor's invocations
follow the traffic and its batch size, not its sampling rate.
"""

from __future__ import annotations

from local_runtime.cost.deployment import Deployment
from local_runtime.cost.pricers.base import LineItem, Pricer
from local_runtime.cost.workload import Assumptions, Workload
from shared import limits


class LambdaPricer(Pricer):
    service = "Lambda"

    def line_items(self, *, workload: Workload, deployment: Deployment, assumptions: Assumptions) -> list[LineItem]:
        return [
            *self._dispatcher(workload=workload, deployment=deployment, assumptions=assumptions),
            *self._monitors(workload=workload, deployment=deployment, assumptions=assumptions),
        ]

    def _dispatcher(self, *, workload: Workload, deployment: Deployment, assumptions: Assumptions) -> list[LineItem]:
        objects = assumptions.log_objects_per_month(workload)
        memory_mb = deployment.dispatcher_memory_mb
        gb_seconds = objects * assumptions.dispatcher_seconds_per_object * memory_mb / 1024
        return [
            self.line(
                "dispatcher requests (one per log object)",
                quantity=objects,
                unit="requests",
                usd=objects / 1e6 * limits.PRICE_LAMBDA_PER_MILLION_REQUESTS,
            ),
            self.line(
                f"dispatcher duration ({memory_mb} MB)",
                quantity=gb_seconds,
                unit="GB-s",
                usd=gb_seconds * limits.PRICE_LAMBDA_ARM_PER_GB_SECOND,
            ),
        ]

    def _monitors(self, *, workload: Workload, deployment: Deployment, assumptions: Assumptions) -> list[LineItem]:
        requests = 0.0
        gb_seconds = 0.0
        for monitor in deployment.monitors:
            invocations = monitor.invocations(workload)
            requests += invocations
            gb_seconds += invocations * assumptions.monitor_batch_seconds * monitor.lambda_spec.memory_mb / 1024
        return [
            self.line(
                f"monitor requests ({len(deployment.monitors)} monitors, full batches)",
                quantity=requests,
                unit="requests",
                usd=requests / 1e6 * limits.PRICE_LAMBDA_PER_MILLION_REQUESTS,
            ),
            self.line(
                "monitor duration",
                quantity=gb_seconds,
                unit="GB-s",
                usd=gb_seconds * limits.PRICE_LAMBDA_ARM_PER_GB_SECOND,
            ),
        ]

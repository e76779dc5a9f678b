"""Step Functions Express: the Comprehend workflow, one execution per monitor batch that holds a sampled
record (more when the batch's texts exceed one execution's payload), plus its duration.
"""

from __future__ import annotations

import math

from local_runtime.cost.deployment import Deployment, PricedMonitor, sent_chars
from local_runtime.cost.pricers.base import LineItem, Pricer
from local_runtime.cost.pricers.comprehend import sentiment_chars, toxicity_chars
from local_runtime.cost.workload import Assumptions, Workload
from monitors.core.spec import Capability
from shared import limits


def executions_per_batch(monitor: PricedMonitor, *, workload: Workload, batch_size: float | None = None) -> float:
    """Expected workflow executions per monitor batch: the chance that a batch holds a sampled record,
    times the executions its sampled texts need within the workflow's payload limit. Batches are full
    (the monitor's batch size) unless `batch_size` says how many records they hold."""
    rate = monitor.sampling_rate
    batch_size = monitor.lambda_spec.batch_size if batch_size is None else batch_size
    payload_chars = 0.0
    for use in monitor.sends(Capability.TEXT_ANALYSIS):
        sent = sent_chars(use, workload=workload)
        payload_chars += sentiment_chars(sent) + toxicity_chars(sent)
    with_sample = 1.0 - (1.0 - rate) ** batch_size
    sampled_per_batch = batch_size * rate
    splits = max(1, math.ceil(sampled_per_batch * payload_chars / limits.STEP_FUNCTIONS_MAX_PAYLOAD_BYTES))
    return with_sample * splits


class StepFunctionsPricer(Pricer):
    service = "Step Functions"

    def line_items(self, *, workload: Workload, deployment: Deployment, assumptions: Assumptions) -> list[LineItem]:
        if not deployment.models_on_aws:
            return []
        items: list[LineItem] = []
        for monitor in deployment.monitors:
            if not monitor.sends(Capability.TEXT_ANALYSIS) or monitor.sampling_rate <= 0:
                continue
            batches = workload.invocations_per_month / monitor.lambda_spec.batch_size
            executions = batches * executions_per_batch(monitor, workload=workload)
            gb_seconds = executions * assumptions.workflow_seconds * assumptions.workflow_memory_mb / 1024
            items.append(
                self.line(
                    f"Express executions ({monitor.name})",
                    quantity=executions,
                    unit="executions",
                    usd=executions / 1e6 * limits.PRICE_SFN_EXPRESS_PER_MILLION_REQUESTS,
                )
            )
            items.append(
                self.line(
                    f"Express duration ({monitor.name})",
                    quantity=gb_seconds,
                    unit="GB-s",
                    usd=gb_seconds * limits.PRICE_SFN_EXPRESS_PER_GB_SECOND,
                )
            )
        return items

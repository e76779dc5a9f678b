"""One pricer per AWS service the deployed pipeline uses, in the order the estimate prints them."""

from __future__ import annotations

from local_runtime.cost.deployment import Deployment
from local_runtime.cost.pricers.base import LineItem, Pricer
from local_runtime.cost.pricers.bedrock import BedrockPricer
from local_runtime.cost.pricers.canary import CanaryPricer
from local_runtime.cost.pricers.cloudwatch import CloudWatchPricer
from local_runtime.cost.pricers.comprehend import ComprehendPricer
from local_runtime.cost.pricers.kinesis import KinesisPricer
from local_runtime.cost.pricers.lambda_functions import LambdaPricer
from local_runtime.cost.pricers.step_functions import StepFunctionsPricer
from local_runtime.cost.workload import Assumptions, Workload

__all__ = ["PRICERS", "SERVICES", "LineItem", "Pricer", "price"]

PRICERS: tuple[Pricer, ...] = (
    ComprehendPricer(),
    BedrockPricer(),
    LambdaPricer(),
    StepFunctionsPricer(),
    KinesisPricer(),
    CloudWatchPricer(),
    CanaryPricer(),
)
#: Services in print order, once each (the canary's items belong to services the pipeline already uses).
SERVICES: tuple[str, ...] = tuple(dict.fromkeys(p.service for p in PRICERS))


def price(*, workload: Workload, deployment: Deployment, assumptions: Assumptions) -> tuple[LineItem, ...]:
    """Every service's line items, service by service."""
    return tuple(
        item
        for pricer in PRICERS
        for item in pricer.line_items(workload=workload, deployment=deployment, assumptions=assumptions)
    )

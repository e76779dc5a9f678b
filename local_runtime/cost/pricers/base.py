"""What every pricer is: a service name and the line items it adds to the month's bill.

A pricer reads the workload, the deployment (monitors' declarations under the configuration, stack
settings) and the assumptions, and prices only its own service, so a price change or a new charge touches
one small class. Every price and limit comes from `shared.limits`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import ClassVar

from local_runtime.cost.deployment import Deployment
from local_runtime.cost.workload import Assumptions, Workload


@dataclass(frozen=True)
class LineItem:
    """One charge of the month: how much of what, and what it costs."""

    service: str
    item: str
    quantity: float
    unit: str
    usd: float


class Pricer(ABC):
    """Base class: subclasses name their `service` and implement `line_items`."""

    service: ClassVar[str]

    @abstractmethod
    def line_items(self, *, workload: Workload, deployment: Deployment, assumptions: Assumptions) -> list[LineItem]:
        """This service's charges for a month of `workload` under `deployment`, in a stable order."""

    def line(self, item: str, *, quantity: float, unit: str, usd: float) -> LineItem:
        """A line item of this pricer's service."""
        return LineItem(self.service, item, quantity, unit, usd)

"""The estimate as a result: line items, levers and assumptions, as a table for people or JSON for tools."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

from local_runtime.cost.levers import Lever
from local_runtime.cost.pricers import SERVICES, LineItem
from local_runtime.cost.quotas import QuotaReport
from local_runtime.cost.workload import Workload

_TABLE_WIDTH = 113


@dataclass(frozen=True)
class CostEstimate:
    """A month's cost of `workload` under one configuration (`configuration` summarises it)."""

    workload: Workload
    items: tuple[LineItem, ...]
    notes: tuple[str, ...]
    configuration: tuple[str, ...]
    levers: tuple[Lever, ...] = ()
    quotas: QuotaReport | None = None

    @property
    def total_usd(self) -> float:
        return sum(i.usd for i in self.items)

    def by_service(self) -> dict[str, float]:
        totals = dict.fromkeys(SERVICES, 0.0)
        for item in self.items:
            totals[item.service] = totals.get(item.service, 0.0) + item.usd
        return totals

    def to_dict(self) -> dict[str, object]:
        return {
            "workload": asdict(self.workload),
            "configuration": list(self.configuration),
            "items": [asdict(i) for i in self.items],
            "byServiceUsd": {k: round(v, 4) for k, v in self.by_service().items()},
            "totalUsd": round(self.total_usd, 4),
            "levers": [
                {
                    "description": lever.description,
                    "overrides": dict(lever.overrides),
                    "flags": lever.flags,
                    "totalUsd": round(lever.total_usd, 4),
                    "deltaUsd": round(lever.delta_usd, 4),
                }
                for lever in self.levers
            ],
            "quotas": self.quotas.to_dict() if self.quotas else None,
            "assumptions": list(self.notes),
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2)

    def format_table(self) -> str:
        return "\n".join(
            [*self._header(), *self._item_rows(), *self._lever_lines(), *self._quota_lines(), "", "Assumptions:"]
            + [f"  - {note}" for note in self.notes]
        )

    def _header(self) -> list[str]:
        w = self.workload
        return [
            "Monthly AWS cost estimate (us-east-1 list prices, USD)",
            (
                f"Workload: {w.invocations_per_month:,.0f} invocations/month, "
                f"prompts {w.prompt_chars:,.0f} chars, completions {w.completion_chars:,.0f} chars, "
                f"{w.models} model(s) — {w.source}"
            ),
            "Configuration: " + "; ".join(self.configuration),
            "",
            f"{'Service':<15} {'Item':<62} {'Quantity':>22} {'USD/month':>11}",
            "-" * _TABLE_WIDTH,
        ]

    def _item_rows(self) -> list[str]:
        lines = []
        by_service = self.by_service()
        for service in SERVICES:
            for item in (i for i in self.items if i.service == service):
                quantity = f"{_number(item.quantity)} {item.unit}"
                lines.append(f"{service:<15} {item.item[:62]:<62} {quantity:>22} {item.usd:>11.2f}")
            lines.append(f"{'':<15} {service + ' subtotal':<62} {'':>22} {by_service[service]:>11.2f}")
        lines.append("-" * _TABLE_WIDTH)
        lines.append(f"{'TOTAL':<15} {'':<62} {'':>22} {self.total_usd:>11.2f}")
        return lines

    def _lever_lines(self) -> list[str]:
        if not self.levers:
            return []
        lines = ["", "Levers (each on its own, against the total above):"]
        for lever in self.levers:
            verb = "saves" if lever.delta_usd <= 0 else "adds"
            lines.append(
                f"  {lever.description}: {verb} ${abs(lever.delta_usd):,.2f}/month "
                f"(total ${lever.total_usd:,.2f})  [{lever.flags}]"
            )
        return lines

    def _quota_lines(self) -> list[str]:
        return ["", *self.quotas.format_table()] if self.quotas else []


def _number(value: float) -> str:
    if value >= 100 or value == int(value):
        return f"{value:,.0f}"
    return f"{value:,.2f}"

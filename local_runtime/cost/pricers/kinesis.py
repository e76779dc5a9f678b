"""Kinesis: the stream every normalised record crosses once in and once out per monitor.

On demand bills stream-hours and data in and out (each record rounded up to 1 KiB; every monitor is a
consumer of the whole stream); provisioned bills shard-hours and PUT payload units. Two settings add lines:
`stream.retentionHours` over 24 (extended retention up to 7 days, long-term retention beyond: what keeps a
failed batch's records readable for `llm-monitor redrive`) and `stream.enhancedFanOut` (each monitor reads
through its own consumer: on demand at the enhanced fan-out price per GB instead of the data-out price;
provisioned per GB and per consumer-shard-hour, on top of the shard-hours).
"""

from __future__ import annotations

import math

from local_runtime.cost.deployment import Deployment
from local_runtime.cost.pricers.base import LineItem, Pricer
from local_runtime.cost.workload import (
    BYTES_PER_GB,
    REPRESENTATIVE_REQUEST_ID,
    Assumptions,
    Workload,
    representative_record,
)
from shared import limits


def record_bytes(workload: Workload) -> int:
    """Bytes of one stream record: the representative record's JSON plus its partition key (the request id)."""
    return len(representative_record(workload).to_json().encode("utf-8")) + len(REPRESENTATIVE_REQUEST_ID)


def on_demand_billed_bytes(size: int) -> int:
    """On-demand streams bill each record rounded up to whole 1 KiB units."""
    unit = limits.KINESIS_BILLED_RECORD_UNIT_BYTES
    return math.ceil(size / unit) * unit


def retention_windows(retention_hours: int) -> tuple[int, int]:
    """Hours of retention billed as extended (24 h to 7 days) and as long-term (beyond 7 days)."""
    extended = max(
        0,
        min(retention_hours, limits.KINESIS_EXTENDED_RETENTION_MAX_HOURS) - limits.KINESIS_INCLUDED_RETENTION_HOURS,
    )
    long_term = max(0, retention_hours - limits.KINESIS_EXTENDED_RETENTION_MAX_HOURS)
    return extended, long_term


class KinesisPricer(Pricer):
    service = "Kinesis"

    def line_items(self, *, workload: Workload, deployment: Deployment, assumptions: Assumptions) -> list[LineItem]:
        size = record_bytes(workload)
        if deployment.shards is None:
            items = self._on_demand(size, workload=workload, deployment=deployment, assumptions=assumptions)
        else:
            items = self._provisioned(size, shards=deployment.shards, workload=workload, assumptions=assumptions)
            items += self._provisioned_fan_out(size, workload=workload, deployment=deployment, assumptions=assumptions)
        return items + self._retention(size, workload=workload, deployment=deployment, assumptions=assumptions)

    def _on_demand(
        self, size: int, *, workload: Workload, deployment: Deployment, assumptions: Assumptions
    ) -> list[LineItem]:
        billed = on_demand_billed_bytes(size)
        consumers = len(deployment.monitors)
        gb_in = workload.invocations_per_month * billed / BYTES_PER_GB
        gb_out = gb_in * consumers
        if deployment.enhanced_fan_out:
            out = self.line(
                f"enhanced fan-out data out ({consumers} consumers)",
                quantity=gb_out,
                unit="GB",
                usd=gb_out * limits.PRICE_KINESIS_ON_DEMAND_EFO_PER_GB,
            )
        else:
            out = self.line(
                f"data out ({consumers} consumers)",
                quantity=gb_out,
                unit="GB",
                usd=gb_out * limits.PRICE_KINESIS_ON_DEMAND_PER_GB_OUT,
            )
        return [
            self.line(
                "on-demand stream-hours",
                quantity=assumptions.hours_per_month,
                unit="stream-hours",
                usd=assumptions.hours_per_month * limits.PRICE_KINESIS_ON_DEMAND_PER_STREAM_HOUR,
            ),
            self.line(
                f"data in ({size:,} B records billed as {billed:,} B)",
                quantity=gb_in,
                unit="GB",
                usd=gb_in * limits.PRICE_KINESIS_ON_DEMAND_PER_GB_IN,
            ),
            out,
        ]

    def _provisioned(self, size: int, *, shards: int, workload: Workload, assumptions: Assumptions) -> list[LineItem]:
        shard_hours = shards * assumptions.hours_per_month
        put_units = workload.invocations_per_month * math.ceil(size / limits.KINESIS_PUT_PAYLOAD_UNIT_BYTES)
        return [
            self.line(
                f"provisioned shard-hours ({shards} shards)",
                quantity=shard_hours,
                unit="shard-hours",
                usd=shard_hours * limits.PRICE_KINESIS_PROVISIONED_PER_SHARD_HOUR,
            ),
            self.line(
                f"PUT payload units ({size:,} B records, {limits.KINESIS_PUT_PAYLOAD_UNIT_BYTES // 1024} KB units)",
                quantity=put_units,
                unit="units",
                usd=put_units / 1e6 * limits.PRICE_KINESIS_PROVISIONED_PER_MILLION_PUT_UNITS,
            ),
        ]

    def _provisioned_fan_out(
        self, size: int, *, workload: Workload, deployment: Deployment, assumptions: Assumptions
    ) -> list[LineItem]:
        if not deployment.enhanced_fan_out or deployment.shards is None:
            return []
        consumers = len(deployment.monitors)
        consumer_shard_hours = consumers * deployment.shards * assumptions.hours_per_month
        gb_out = workload.invocations_per_month * size / BYTES_PER_GB * consumers
        return [
            self.line(
                f"enhanced fan-out consumer-shard-hours ({consumers} consumers)",
                quantity=consumer_shard_hours,
                unit="consumer-shard-hours",
                usd=consumer_shard_hours * limits.PRICE_KINESIS_PROVISIONED_EFO_PER_CONSUMER_SHARD_HOUR,
            ),
            self.line(
                f"enhanced fan-out data out ({consumers} consumers)",
                quantity=gb_out,
                unit="GB",
                usd=gb_out * limits.PRICE_KINESIS_PROVISIONED_EFO_PER_GB,
            ),
        ]

    def _retention(
        self, size: int, *, workload: Workload, deployment: Deployment, assumptions: Assumptions
    ) -> list[LineItem]:
        """Retention beyond the included 24 hours. In a steady month the stream holds `hours` of traffic
        in each window, so the GB-months stored are the hourly volume times the window's hours."""
        extended, long_term = retention_windows(deployment.retention_hours)
        stored_size = size if deployment.shards is not None else on_demand_billed_bytes(size)
        gb_per_hour = workload.invocations_per_month * stored_size / BYTES_PER_GB / assumptions.hours_per_month
        hours = deployment.retention_hours
        items: list[LineItem] = []
        if extended and deployment.shards is not None:
            shard_hours = deployment.shards * assumptions.hours_per_month
            items.append(
                self.line(
                    f"extended retention to {min(hours, limits.KINESIS_EXTENDED_RETENTION_MAX_HOURS)} h "
                    f"({deployment.shards} shards)",
                    quantity=shard_hours,
                    unit="shard-hours",
                    usd=shard_hours * limits.PRICE_KINESIS_PROVISIONED_EXTENDED_RETENTION_PER_SHARD_HOUR,
                )
            )
        elif extended:
            gb_months = gb_per_hour * extended
            items.append(
                self.line(
                    f"extended retention to {min(hours, limits.KINESIS_EXTENDED_RETENTION_MAX_HOURS)} h",
                    quantity=gb_months,
                    unit="GB-months",
                    usd=gb_months * limits.PRICE_KINESIS_ON_DEMAND_EXTENDED_RETENTION_PER_GB_MONTH,
                )
            )
        if long_term:
            gb_months = gb_per_hour * long_term
            items.append(
                self.line(
                    f"long-term retention to {hours} h",
                    quantity=gb_months,
                    unit="GB-months",
                    usd=gb_months * limits.PRICE_KINESIS_LONG_TERM_RETENTION_PER_GB_MONTH,
                )
            )
        return items

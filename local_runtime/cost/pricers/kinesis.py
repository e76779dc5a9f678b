"""Kinesis: the stream every normalised record crosses once in and once out per monitor.

On demand bills stream-hours and data in and out (each record rounded up to 1 KiB; every monitor is a
consumer of the whole stream); provisioned bills shard-hours and PUT payload units.
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


class KinesisPricer(Pricer):
    service = "Kinesis"

    def line_items(self, *, workload: Workload, deployment: Deployment, assumptions: Assumptions) -> list[LineItem]:
        size = record_bytes(workload)
        if deployment.shards is None:
            return self._on_demand(size, workload=workload, deployment=deployment, assumptions=assumptions)
        return self._provisioned(size, shards=deployment.shards, workload=workload, assumptions=assumptions)

    def _on_demand(
        self, size: int, *, workload: Workload, deployment: Deployment, assumptions: Assumptions
    ) -> list[LineItem]:
        billed = on_demand_billed_bytes(size)
        consumers = len(deployment.monitors)
        gb_in = workload.invocations_per_month * billed / BYTES_PER_GB
        gb_out = gb_in * consumers
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
            self.line(
                f"data out ({consumers} consumers)",
                quantity=gb_out,
                unit="GB",
                usd=gb_out * limits.PRICE_KINESIS_ON_DEMAND_PER_GB_OUT,
            ),
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

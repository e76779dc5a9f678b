"""Scoring a batch with several monitors: sampling, scoring, and contract checks in one place.

The monitor Lambda runs one monitor; the local runtime runs all of them on the same `Backends`. Both
go through `MonitorRunner`, so sampling and failure handling cannot drift apart.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import cached_property

from monitors.core.base import Monitor
from monitors.core.config import MonitoringConfig
from monitors.core.registry import MonitorRegistry
from monitors.core.results import RecordResult
from shared.backends import Backends
from shared.errors import RetryableDownstreamError
from shared.records import InvocationRecord
from shared.sampling import is_sampled

logger = logging.getLogger(__name__)

# Per monitor, one entry per input record: its result, or None when sampling left it out.
BatchResults = dict[str, list[RecordResult | None]]


class MonitorRunner:
    def __init__(self, monitors: Sequence[Monitor]) -> None:
        self.monitors = list(monitors)

    @classmethod
    def from_config(
        cls,
        config: MonitoringConfig,
        registry: MonitorRegistry,
        backends: Backends,
        names: Sequence[str] | None = None,
    ) -> MonitorRunner:
        selected = names if names else config.enabled_monitors()
        return cls([registry[name](backends=backends, options=config.monitors[name].options) for name in selected])

    def score(self, records: Sequence[InvocationRecord]) -> BatchResults:
        """Every monitor's results. Monitors run in parallel threads: the heavy parts (tokenizers,
        rapidfuzz, numpy, SQLite) release the GIL, so a pure-Python scorer (VADER) overlaps with them."""
        if len(self.monitors) == 1:
            return {self.monitors[0].name: score_sampled(self.monitors[0], records)}
        futures = {m.name: self._pool.submit(score_sampled, m, records) for m in self.monitors}
        return {name: future.result() for name, future in futures.items()}

    @cached_property
    def _pool(self) -> ThreadPoolExecutor:
        return ThreadPoolExecutor(max_workers=len(self.monitors), thread_name_prefix="monitor")


def score_sampled(monitor: Monitor, records: Sequence[InvocationRecord]) -> list[RecordResult | None]:
    """Score the records `monitor` samples; a backend outage fails those records, not the process."""
    chosen = [i for i, r in enumerate(records) if is_sampled(r.request_id, monitor.sampling_rate)]
    results: list[RecordResult | None] = [None] * len(records)
    if not chosen:
        return results
    try:
        scored = monitor.score_batch([records[i] for i in chosen])
    except RetryableDownstreamError as exc:
        logger.warning("monitor %s: backend failed for the batch: %s", monitor.name, exc)
        scored = [RecordResult.fail(str(exc)) for _ in chosen]
    for index, result in zip(chosen, scored, strict=True):
        results[index] = result
    return results

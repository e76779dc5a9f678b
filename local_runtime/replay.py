"""Replaying invocation logs through the same parser and monitors as the Lambdas, into the store.

Each log source streams through `parse_stream` in batches; every monitor scores each batch (with its
sampling rate, on one shared `Backends`, so embeddings are computed once); values, skips and record
lengths go to the store keyed by request id, so replaying the same logs twice changes nothing. Alarms are
then evaluated over the stored timeline with CloudWatch's rules: exactly the `resolve_alarms` list the
stack deploys.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from local_runtime import DEFAULT_BATCH
from local_runtime.alarm_state import AlarmState
from local_runtime.alarm_timeline import StateChange, alarm_timeline, align
from local_runtime.store import MetricStore, ScoreRow, SkipRow
from monitors.core.alarms import AlarmDefinition
from monitors.core.config import ApplicationResolver
from monitors.core.runner import MonitorRunner
from shared.errors import SourceError
from shared.parsing import ParseStats, parse_stream
from shared.records import InvocationRecord
from shared.sources import LogSource, source_failure
from shared.timestamps import parse_timestamp

logger = logging.getLogger(__name__)

#: Records whose timestamp is missing or not ISO 8601 (pipeline counter `skipped.invalid-timestamp`).
INVALID_TIMESTAMP = "invalid-timestamp"


@dataclass
class ReplayTotals:
    """What a replay did. `monitors[name]` counts scored, sampled-out, failed and skipped:<reason>."""

    parse: ParseStats = field(default_factory=ParseStats)
    monitors: dict[str, Counter[str]] = field(default_factory=dict)
    elapsed_seconds: float = 0.0
    failed_sources: list[str] = field(default_factory=list)

    @property
    def records(self) -> int:
        return self.parse.emitted


class Replayer:
    def __init__(
        self,
        *,
        store: MetricStore,
        runner: MonitorRunner,
        application: ApplicationResolver,
        model_names: Callable[[str], str] = str,
        batch_size: int = DEFAULT_BATCH,
        on_batch: Callable[[int], None] | None = None,
        exclude_canary: bool = True,
    ) -> None:
        self.store = store
        self.runner = runner
        self.application = application
        self.model_names = model_names  # the ModelId as the Lambdas emit it (never an ARN)
        self.batch_size = batch_size
        self.on_batch = on_batch
        self.exclude_canary = exclude_canary  # canary requests are counted skips, as in the dispatcher
        self.totals = ReplayTotals()

    def replay(
        self, sources: Sequence[LogSource], *, on_source: Callable[[LogSource], None] | None = None
    ) -> ReplayTotals:
        started = time.perf_counter()
        for source in sources:
            self.replay_source(source)
            if on_source is not None:
                on_source(source)
        self.totals.elapsed_seconds += time.perf_counter() - started
        return self.totals

    def replay_source(self, source: LogSource) -> ParseStats:
        """Parse, score and store one source; its pipeline counts replace any earlier ones."""
        stats = ParseStats()
        batch: list[tuple[InvocationRecord, float]] = []
        try:
            with source.open() as stream:
                for _, record in parse_stream(
                    stream,
                    source=source.name,
                    resolver=source.resolver,
                    stats=stats,
                    skip_missing_bodies=True,
                    exclude_canary=self.exclude_canary,
                ):
                    timestamp = parse_timestamp(record.timestamp)
                    if timestamp is None:  # no place on the timeline: counted, not scored
                        stats.skipped[INVALID_TIMESTAMP] += 1
                        continue
                    batch.append((record, timestamp))
                    if len(batch) >= self.batch_size:
                        self._score(batch)
                        batch = []
            if batch:
                self._score(batch)
        except (SourceError, OSError) as exc:
            logger.error("cannot read %s: %s", source.name, source_failure(exc))
            self.totals.failed_sources.append(source.name)
        counts = {"emitted": stats.emitted, "malformed": stats.malformed}
        counts.update({f"skipped.{reason}": n for reason, n in stats.skipped.items()})
        self.store.add_pipeline_counts(source.name, counts)
        self.totals.parse.merge(stats)
        return stats

    def _score(self, stamped: list[tuple[InvocationRecord, float]]) -> None:
        batch = [record for record, _ in stamped]
        stamps = [timestamp for _, timestamp in stamped]
        models = [self.model_names(record.model_id) for record in batch]
        results = self.runner.score(batch)
        self.store.add_records(
            (r.request_id, ts, model, len(r.prompt), len(r.completion), r.operation)
            for r, ts, model in zip(batch, stamps, models, strict=True)
        )
        apps = [self.application(r.request_metadata) for r in batch]
        score_rows: list[ScoreRow] = []
        skip_rows: list[SkipRow] = []
        for monitor, monitor_results in results.items():
            counter = self.totals.monitors.setdefault(monitor, Counter())
            for record, ts, model, app, result in zip(batch, stamps, models, apps, monitor_results, strict=True):
                if result is None:
                    counter["sampled-out"] += 1
                    continue
                if result.failed:
                    counter["failed"] += 1
                    continue
                if result.skip_reason:
                    counter[f"skipped:{result.skip_reason}"] += 1
                    skip_rows.append((record.request_id, monitor, result.skip_reason, model, ts))
                if result.values:
                    counter["scored"] += 1
                    score_rows.extend(
                        (record.request_id, monitor, name, model, app, ts, value)
                        for name, value in result.values.items()
                    )
        self.store.add_scores(score_rows)
        self.store.add_skips(skip_rows)
        if self.on_batch is not None:
            self.on_batch(len(batch))


@dataclass(frozen=True)
class AlarmReport:
    alarm: AlarmDefinition
    changes: tuple[StateChange, ...]

    @property
    def final_state(self) -> AlarmState:
        return self.changes[-1].new if self.changes else AlarmState.INSUFFICIENT_DATA

    @property
    def fired(self) -> bool:
        return any(c.new is AlarmState.ALARM for c in self.changes)


def evaluate_alarms(store: MetricStore, alarms: Sequence[AlarmDefinition]) -> list[AlarmReport]:
    """Each alarm's state changes over the stored timeline, evaluated once per period."""
    span = store.time_range()
    reports = []
    for alarm in alarms:
        if span is None:
            reports.append(AlarmReport(alarm, ()))
            continue
        period = alarm.spec.period_seconds
        start = align(span[0], period)
        end = align(span[1], period) + period
        points = store.datapoints(alarm.metric_name, alarm.spec.statistic, period, model_id=alarm.model_id)
        reports.append(AlarmReport(alarm, tuple(alarm_timeline(alarm, points, start=start, end=end))))
    return reports

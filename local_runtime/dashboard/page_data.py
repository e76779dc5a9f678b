"""What the page shows, gathered once: store counts, the alarm history and the shared time axis.

Sections read these facts instead of querying the store themselves, so a count shown in a summary card
and in a table comes from one read and cannot disagree.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from local_runtime.dashboard.changes import (
    ALARM,
    Change,
    Span,
    StateChangeLike,
    alarm_intervals,
    final_states,
    normalise_changes,
)
from local_runtime.dashboard.charts import PALETTE
from local_runtime.store import MetricStore
from monitors.core.alarms import AlarmDefinition
from monitors.core.spec import MetricSpec

# Pipeline counter names the replay writes (ParseStats-like); anything else is listed as it is.
EMITTED_KEYS = ("emitted", "RecordsDispatched")
MALFORMED_KEYS = ("malformed", "malformedLines", "MalformedLines")
SKIPPED_PREFIX = "skipped."
# Up to this many metrics, every metric section starts expanded; beyond, only the alarmed ones.
OPEN_ALL_UP_TO = 6


@dataclass(frozen=True)
class PageData:
    """Everything the sections draw. `time_axis` is the stored range widened to whole coarsest periods."""

    title: str
    store: MetricStore
    metrics: Sequence[tuple[str, MetricSpec]]
    alarms: Sequence[AlarmDefinition]
    changes: Sequence[Change]
    models: Sequence[str]
    colors: Mapping[str, str]
    span: Span | None
    time_axis: Span
    intervals: Mapping[str, Sequence[Span]]
    final_state: Mapping[str, str]
    period_seconds: int
    open_all: bool
    records: int
    totals: Mapping[str, int]
    skips: Mapping[str, Mapping[str, int]]

    @property
    def emitted(self) -> int | None:
        """Records the parser emitted, when the pipeline counted them."""
        return next((self.totals[k] for k in EMITTED_KEYS if k in self.totals), None)

    @property
    def malformed(self) -> int:
        """Log lines that could not be parsed."""
        return next((self.totals[k] for k in MALFORMED_KEYS if k in self.totals), 0)

    @property
    def parser_skips(self) -> dict[str, int]:
        """{reason: records} the parser skipped (e.g. embedding requests), in counter order."""
        return {k[len(SKIPPED_PREFIX) :]: v for k, v in self.totals.items() if k.startswith(SKIPPED_PREFIX)}

    @property
    def other_counters(self) -> dict[str, int]:
        """Pipeline counters the page has no name for, shown as they are."""
        known = {*EMITTED_KEYS, *MALFORMED_KEYS}
        return {k: v for k, v in self.totals.items() if k not in known and not k.startswith(SKIPPED_PREFIX)}

    @property
    def not_scored(self) -> int:
        """Records some monitor skipped (language, length...), over all monitors and reasons."""
        return sum(sum(reasons.values()) for reasons in self.skips.values())

    @property
    def in_alarm(self) -> int:
        """Alarms whose last state is ALARM."""
        return sum(1 for a in self.alarms if self.final_state.get(a.name) == ALARM)


def _time_axis(span: Span | None, period_seconds: int, alarms: Sequence[AlarmDefinition]) -> Span:
    """The stored range widened to whole periods of the coarsest period drawn, at least one period long."""
    if span is None:
        return 0.0, 0.0
    coarsest = max([period_seconds, *(a.spec.period_seconds for a in alarms)])
    x0 = math.floor(span[0] / coarsest) * coarsest
    x1 = max(math.ceil(span[1] / coarsest) * coarsest, x0 + coarsest)
    return x0, x1


def gather(
    *,
    store: MetricStore,
    metrics: Sequence[tuple[str, MetricSpec]],
    alarms: Sequence[AlarmDefinition],
    changes: Iterable[StateChangeLike],
    title: str,
    period_seconds: int,
    open_all: bool | None,
) -> PageData:
    """Read the store once and normalise the alarm history; `open_all` None means "when metrics are few"."""
    all_changes = normalise_changes(changes)
    models = store.models()
    span = store.time_range()
    time_axis = _time_axis(span, period_seconds, alarms)
    return PageData(
        title=title,
        store=store,
        metrics=metrics,
        alarms=alarms,
        changes=all_changes,
        models=models,
        colors={model: PALETTE[i % len(PALETTE)] for i, model in enumerate(models)},
        span=span,
        time_axis=time_axis,
        intervals=alarm_intervals(all_changes, time_axis[1]),
        final_state=final_states(all_changes),
        period_seconds=period_seconds,
        open_all=len(metrics) <= OPEN_ALL_UP_TO if open_all is None else open_all,
        records=store.record_count(),
        totals=store.pipeline_totals(),
        skips=store.skip_counts(),
    )

"""One local-runtime session: configuration, monitors on shared backends, the store, alarms, dashboard.

`replay` and `watch` are two drivers of the same session, so both score, store and alarm identically.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from types import TracebackType

from local_runtime import DEFAULT_BATCH
from local_runtime.replay import AlarmReport, Replayer, ReplayTotals, evaluate_alarms
from local_runtime.report import Summary, active_metrics, summary_dict
from local_runtime.store import MetricStore, TimeWindow, default_store_path
from monitors.core.alarms import AlarmDefinition, resolve_alarms
from monitors.core.config import ApplicationResolver, MonitoringConfig, select_names
from monitors.core.registry import MonitorRegistry
from monitors.core.runner import MonitorRunner
from shared.backends import Backends
from shared.model_ids import ModelNames
from shared.sources import LogSource, discover


class LocalSession:
    def __init__(
        self,
        config: MonitoringConfig,
        registry: MonitorRegistry,
        store: MetricStore,
        names: list[str],
    ) -> None:
        self.config = config
        self.registry = registry
        self.store = store
        self.names = names
        self.backends = Backends(config.backend)
        self.runner = MonitorRunner.from_config(config, registry, self.backends, names)
        self.alarms: list[AlarmDefinition] = [a for a in resolve_alarms(config, registry) if a.monitor in names]
        self.metrics = active_metrics(config, registry, names)
        self.application = ApplicationResolver(config.application_dimension)

    @classmethod
    def open(
        cls,
        config: MonitoringConfig,
        registry: MonitorRegistry,
        *,
        store_path: str | None = None,
        monitors: Sequence[str] | None = None,
        window: TimeWindow | None = None,
    ) -> LocalSession:
        names = select_names(monitors, config)
        return cls(config, registry, MetricStore(store_path or default_store_path(), window=window), names)

    def __enter__(self) -> LocalSession:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.store.close()

    def discover(self, paths: Sequence[str]) -> list[LogSource]:
        return discover(paths)

    def replayer(self, *, batch_size: int = DEFAULT_BATCH, on_batch: Callable[[int], None] | None = None) -> Replayer:
        return Replayer(
            store=self.store,
            runner=self.runner,
            application=self.application,
            model_names=ModelNames(self.config.model_id_aliases),
            batch_size=batch_size,
            on_batch=on_batch,
            exclude_canary=self.config.exclude_canary,
        )

    def replay(
        self, sources: Sequence[LogSource], *, batch_size: int = DEFAULT_BATCH, progress: bool = True
    ) -> ReplayTotals:
        bar = None
        if progress and sources:
            from tqdm import tqdm

            bar = tqdm(total=len(sources), unit="file", file=sys.stderr, disable=None, dynamic_ncols=True)
        records = 0

        def on_batch(n: int) -> None:
            nonlocal records
            records += n
            if bar is not None:
                bar.set_postfix(records=f"{records:,}", refresh=False)

        replayer = self.replayer(batch_size=batch_size, on_batch=on_batch)
        try:
            return replayer.replay(sources, on_source=(lambda _: bar.update(1)) if bar is not None else None)
        finally:
            if bar is not None:
                bar.close()

    def evaluate(self) -> list[AlarmReport]:
        return evaluate_alarms(self.store, self.alarms)

    def dashboard_path(self) -> Path:
        if self.store.path is None:
            return Path(".llm-monitor") / "dashboard.html"
        return self.store.path.with_name("dashboard.html")

    def render(self, path: Path | None, reports: Sequence[AlarmReport]) -> Path:
        from local_runtime.dashboard import render_dashboard

        return render_dashboard(
            path or self.dashboard_path(),
            store=self.store,
            metrics=self.metrics,
            alarms=self.alarms,
            changes=[change for report in reports for change in report.changes],
            title="LLM Monitor — local replay",
        ).resolve()

    def summary(self, totals: ReplayTotals | None, reports: Sequence[AlarmReport], dashboard: Path | None) -> Summary:
        return summary_dict(store=self.store, totals=totals, reports=reports, metrics=self.metrics, dashboard=dashboard)

"""Dashboard generation time: the example-sized replay and 100,000 records.

    python bench/dashboard_bench.py                      # both default scenarios
    python bench/dashboard_bench.py --records 20000 --hours 12 --models 8 --keep out/

Synthetic per-record values for every active metric of the default configuration (sentiment and
toxicity sampled at the monitor's default rate, by request id as the monitors do) go straight into a
temporary metric store; one model refuses half its requests for an hour so alarms fire. Then the alarms
are evaluated over the store and the dashboard is rendered. Printed: store fill time, alarm evaluation
time, dashboard generation time and file size. Only the dashboard time is the benchmark's subject.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from local_runtime.dashboard import render_dashboard  # noqa: E402
from local_runtime.store import MetricStore  # noqa: E402
from monitors.core.alarms import resolve_alarms  # noqa: E402
from monitors.core.config import MonitoringConfig  # noqa: E402
from monitors.core.registry import discover  # noqa: E402
from monitors.core.spec import MetricSpec  # noqa: E402
from shared.sampling import is_sampled  # noqa: E402

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from local_runtime.alarm_timeline import StateChange
    from monitors.core.alarms import AlarmDefinition

START = 1_795_680_000  # 2026-11-26T08:00:00Z
BENCH_MODELS = (
    "anthropic.claude-3-5-sonnet-20240620-v1:0",
    "us.anthropic.claude-3-haiku-20240307-v1:0",
    "amazon.nova-lite-v1:0",
    "amazon.nova-pro-v1:0",
    "meta.llama3-1-70b-instruct-v1:0",
    "mistral.mistral-large-2407-v1:0",
    "cohere.command-r-plus-v1:0",
    "deepseek.r1-v1:0",
)
SCENARIOS = ((6_000, 6), (100_000, 24))


def default_setup(spike_model: str) -> tuple[list[tuple[str, MetricSpec]], list[AlarmDefinition], dict[str, float]]:
    """(monitor, metric) pairs, alarms and sampling rates of the default configuration, plus per-model
    alarms for the model that will refuse half its requests for an hour."""
    registry = discover()
    config = MonitoringConfig.from_context({"alarmModelIds": [spike_model]}, registry)
    metrics = [
        (name, metric)
        for name in config.enabled_monitors()
        for metric in registry[name].spec().active_metrics(config.monitors[name].options)
    ]
    rates = {
        name: registry[name].sampling_rate.value_in(config.monitors[name].options) for name in config.enabled_monitors()
    }
    return metrics, resolve_alarms(config, registry), rates


def synthetic_values(metric: str, n: int, rng: np.random.Generator, refusing: NDArray[np.bool_]) -> NDArray[np.float64]:
    if metric == "Refusal":
        return np.where(refusing, 1.0, 0.0)
    if metric == "RefusalSimilarity":
        return np.where(refusing, rng.beta(9, 1, n), rng.beta(2, 6, n))
    if metric == "PromptCompletionSimilarity":
        return np.clip(rng.normal(0.55, 0.12, n), -1.0, 1.0)
    if metric.endswith("Toxicity"):
        return rng.beta(0.4, 9, n)
    if metric.startswith(("Toxicity", "PromptToxicity")):
        return rng.beta(0.3, 12, n)
    if "Sentiment" in metric:
        return rng.beta(1.2, 4, n)
    return rng.random(n)


def fill_store(
    store: MetricStore,
    metrics: Sequence[tuple[str, MetricSpec]],
    rates: dict[str, float],
    *,
    records: int,
    hours: int,
    models: Sequence[str],
    seed: int = 1,
) -> None:
    rng = np.random.default_rng(seed)
    ts = START + np.sort(rng.uniform(0, hours * 3600, records))
    model_index = rng.integers(0, len(models), records)
    ids = [f"bench-{seed}-{i:07d}" for i in range(records)]
    spike_model = len(models) // 2
    spike = (model_index == spike_model) & (ts >= START + 3600 * (hours // 2)) & (ts < START + 3600 * (hours // 2 + 1))
    refusing = np.where(spike, rng.random(records) < 0.5, rng.random(records) < 0.03)
    prompt_chars = rng.integers(80, 1200, records)
    completion_chars = rng.integers(100, 3000, records)
    store.add_records(
        (
            ids[i],
            float(ts[i]),
            models[model_index[i]],
            int(prompt_chars[i]),
            int(completion_chars[i]),
            "Converse",
        )
        for i in range(records)
    )
    store.add_pipeline_counts("bench", {"emitted": records, "skipped.embedding": records // 20, "malformed": 3})
    sampled = {
        monitor: np.fromiter((is_sampled(r, rate) for r in ids), dtype=bool, count=records)
        for monitor, rate in rates.items()
    }
    for monitor, metric in metrics:
        values = synthetic_values(metric.name, records, rng, refusing)
        keep = sampled[monitor]
        store.add_scores(
            (ids[i], monitor, metric.name, models[model_index[i]], None, float(ts[i]), float(values[i]))
            for i in np.flatnonzero(keep)
        )
    skipped = np.flatnonzero(rng.random(records) < 0.01)
    store.add_skips(
        (ids[i], "sentiment-toxicity", "non-english", models[model_index[i]], float(ts[i])) for i in skipped
    )


def evaluate_alarms(store: MetricStore, alarms: Sequence[AlarmDefinition]) -> list[StateChange]:
    from local_runtime.alarm_timeline import alarm_timeline

    span = store.time_range()
    if span is None:
        return []
    changes: list[StateChange] = []
    for alarm in alarms:
        points = store.datapoints(alarm.metric_name, alarm.spec.statistic, alarm.spec.period_seconds, alarm.model_id)
        changes.extend(alarm_timeline(alarm, points, start=span[0], end=span[1] + 1))
    return changes


def run(records: int, hours: int, n_models: int, keep: Path | None) -> dict[str, float]:
    models = (
        BENCH_MODELS[:n_models]
        if n_models <= len(BENCH_MODELS)
        else tuple(f"{BENCH_MODELS[i % len(BENCH_MODELS)]}-{i}" for i in range(n_models))
    )
    metrics, alarms, rates = default_setup(models[len(models) // 2])
    with tempfile.TemporaryDirectory() as tmp:
        folder = keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        db = folder / f"bench-{records}.db"
        db.unlink(missing_ok=True)
        with MetricStore(db) as store:
            t = time.perf_counter()
            fill_store(store, metrics, rates, records=records, hours=hours, models=models)
            fill = time.perf_counter() - t
            t = time.perf_counter()
            changes = evaluate_alarms(store, alarms)
            evaluation = time.perf_counter() - t
            t = time.perf_counter()
            out = render_dashboard(
                folder / f"dashboard-{records}.html",
                store=store,
                metrics=metrics,
                alarms=alarms,
                changes=changes,
                title=f"Benchmark: {records:,} records, {hours} h, {len(models)} models",
            )
            render = time.perf_counter() - t
            size = out.stat().st_size
    return {
        "fill_s": fill,
        "alarms_s": evaluation,
        "dashboard_s": render,
        "html_bytes": size,
        "metrics": len(metrics),
        "changes": len(changes),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, help="records (default: both standard scenarios)")
    parser.add_argument("--hours", type=int, default=6)
    parser.add_argument("--models", type=int, default=8)
    parser.add_argument("--keep", type=Path, help="write the store and the dashboard here instead of a temp dir")
    args = parser.parse_args(argv)
    scenarios = [(args.records, args.hours)] if args.records else list(SCENARIOS)
    for records, hours in scenarios:
        r = run(records, hours, args.models, args.keep)
        print(
            f"dashboard: {records:>7,} records, {hours:>2} h, {args.models} models, {r['metrics']} metrics, "
            f"5-min periods: generated in {r['dashboard_s']:.2f} s ({r['html_bytes'] / 1e6:.2f} MB HTML, "
            f"{r['changes']} alarm state changes); store fill {r['fill_s']:.1f} s, "
            f"alarm evaluation {r['alarms_s']:.2f} s"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

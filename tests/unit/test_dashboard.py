"""The dashboard HTML: self-contained, a chart per metric × model, thresholds, ALARM shading, no text.

The monitors are fixtures defined here, not the built-in registry: adding or changing a monitor in
`monitors/` must not change what these framework tests expect.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from local_runtime.alarm_state import AlarmState
from local_runtime.alarm_timeline import StateChange
from local_runtime.dashboard import render_dashboard
from local_runtime.store import MetricStore
from monitors import AlarmSpec, Comparison, MetricSpec, Monitor, MonitorRegistry, RecordResult, Unit
from monitors.core.alarms import AlarmDefinition, resolve_alarms
from monitors.core.config import MonitoringConfig
from shared.records import InvocationRecord

T0 = 1_795_680_000  # 2026-11-26T08:00:00Z
MODELS = (
    "anthropic.claude-3-haiku-20240307-v1:0",
    "meta.llama3-1-70b-instruct-v1:0",
    "amazon.nova-lite-v1:0",
)
SECRET_PROMPT = "SECRET-PROMPT-TEXT please summarise the quarterly numbers"
SECRET_COMPLETION = "SECRET-COMPLETION-TEXT here are the quarterly numbers"
_EXTERNAL = re.compile(r"""(?:src|href|action|poster|data)\s*=\s*["']?\s*(?:https?:)?//""", re.IGNORECASE)

DECLINED, DECLINE_SIMILARITY = "Declined", "DeclineSimilarity"
NEGATIVITY, HARM, PROFANITY = "Negativity", "Harm", "HarmProfanity"
RELEVANCE = "Relevance"
# Metrics the tests store values for; PROFANITY never gets any (like a metric only the AWS backend emits).
WITH_DATA = (DECLINED, DECLINE_SIMILARITY, NEGATIVITY, HARM, RELEVANCE)


class AnswerMonitor(Monitor):
    """An alarmed 0/1 metric and an unalarmed score."""

    name = "answer-check"
    enabled_by_default = True
    description = "Test-only: whether the model declined to answer."
    metrics = (
        MetricSpec(
            DECLINED,
            Unit.NONE,
            "1 when the completion declines.",
            alarm=AlarmSpec("Average", 0.2, Comparison.GREATER_THAN),
        ),
        MetricSpec(DECLINE_SIMILARITY, Unit.NONE, "Similarity to declining phrases."),
    )

    def score(self, records: Sequence[InvocationRecord]) -> list[RecordResult]:
        return [RecordResult.ok({DECLINED: 0.0, DECLINE_SIMILARITY: 0.0}) for _ in records]


class ToneMonitor(Monitor):
    """A percentile alarm on a longer period, a Maximum alarm, and a metric that is never stored."""

    name = "tone"
    enabled_by_default = True
    description = "Test-only: negativity and harm of the completion."
    metrics = (
        MetricSpec(
            NEGATIVITY,
            Unit.NONE,
            "Negative tone.",
            alarm=AlarmSpec(
                "p90",
                0.8,
                Comparison.GREATER_THAN,
                period_seconds=600,
                evaluation_periods=2,
                datapoints_to_alarm=2,
            ),
        ),
        MetricSpec(HARM, Unit.NONE, "Harmful content.", alarm=AlarmSpec("Maximum", 0.9, Comparison.GREATER_OR_EQUAL)),
        MetricSpec(PROFANITY, Unit.NONE, "Profanity."),
    )

    def score(self, records: Sequence[InvocationRecord]) -> list[RecordResult]:
        return [RecordResult.ok({NEGATIVITY: 0.0, HARM: 0.0, PROFANITY: 0.0}) for _ in records]


class RelevanceMonitor(Monitor):
    """An alarm that fires when the value drops (its threshold label reads "<")."""

    name = "relevance"
    enabled_by_default = True
    description = "Test-only: how well the completion answers the prompt."
    metrics = (
        MetricSpec(RELEVANCE, Unit.NONE, "Answer relevance.", alarm=AlarmSpec("Average", 0.3, Comparison.LESS_THAN)),
    )

    def score(self, records: Sequence[InvocationRecord]) -> list[RecordResult]:
        return [RecordResult.ok({RELEVANCE: 1.0}) for _ in records]


REGISTRY = MonitorRegistry([AnswerMonitor, ToneMonitor, RelevanceMonitor])


def metrics_and_alarms(
    alarm_models: tuple[str, ...] = (),
) -> tuple[list[tuple[str, MetricSpec]], list[AlarmDefinition]]:
    """(monitor, metric) pairs and resolved alarms of the fixture monitors, as the replay builds them."""
    config = MonitoringConfig.from_context({"alarmModelIds": list(alarm_models)}, REGISTRY)
    metrics = [
        (name, metric)
        for name in config.enabled_monitors()
        for metric in REGISTRY[name].spec().active_metrics(config.monitors[name].options)
    ]
    return metrics, resolve_alarms(config, REGISTRY)


def fill(
    store: MetricStore, metric_names: list[tuple[str, str]], n: int = 600, models: tuple[str, ...] = MODELS
) -> None:
    """Records whose text is known to the test but only their lengths reach the store."""
    rng = np.random.default_rng(3)
    ts = T0 + np.sort(rng.uniform(0, 2 * 3600, n))
    model = rng.integers(0, len(models), n)
    store.add_records(
        (f"r{i}", float(ts[i]), models[model[i]], len(SECRET_PROMPT), len(SECRET_COMPLETION), "Converse")
        for i in range(n)
    )
    store.add_scores(
        (f"r{i}", monitor, metric, models[model[i]], None, float(ts[i]), float(rng.random()))
        for monitor, metric in metric_names
        for i in range(n)
    )
    store.add_pipeline_counts("logs/a.json.gz", {"emitted": n, "skipped.embedding": 7, "malformed": 2})
    store.add_skips([("r1", ToneMonitor.name, "non-english", models[0], T0 + 10)])


@pytest.fixture
def rendered(tmp_path: Path) -> tuple[str, list[tuple[str, MetricSpec]], list[AlarmDefinition], Path]:
    metrics, alarms = metrics_and_alarms(alarm_models=(MODELS[1],))
    with_data = [(m, s.name) for m, s in metrics if s.name in WITH_DATA]
    declined_alarm = next(a for a in alarms if a.metric_name == DECLINED and a.model_id == MODELS[1])
    name = declined_alarm.name
    changes = [
        StateChange(T0 + 900, name, AlarmState.INSUFFICIENT_DATA, AlarmState.OK, 0.0, "not breaching"),
        StateChange(T0 + 3600, name, AlarmState.OK, AlarmState.ALARM, 0.5, "3 of 3 breaching"),
        StateChange(T0 + 5400, name, AlarmState.ALARM, AlarmState.OK, 0.02, "back to normal"),
    ]
    db = tmp_path / "m.db"
    with MetricStore(db) as store:
        fill(store, with_data)
        path = render_dashboard(
            tmp_path / "out" / "dashboard.html",
            store=store,
            metrics=metrics,
            alarms=alarms,
            changes=changes,
            title="Test <dashboard>",
        )
    return path.read_text(encoding="utf-8"), metrics, alarms, db


def charts(html: str) -> list[tuple[str, str, str]]:
    """(metric, model, svg text) of every chart."""
    out = []
    for match in re.finditer(
        r'<svg class="chart"[^>]*data-metric="([^"]+)" data-model="([^"]+)".*?</svg>', html, re.DOTALL
    ):
        out.append((match.group(1), match.group(2), match.group(0)))
    return out


def test_self_contained(rendered) -> None:
    html = rendered[0]
    assert html.startswith("<!DOCTYPE html>")
    assert not _EXTERNAL.search(html), _EXTERNAL.search(html)
    assert "<link" not in html.lower()
    assert "@import" not in html and "url(" not in html
    assert not re.search(r"<script[^>]*\bsrc\s*=", html, re.IGNORECASE)
    assert not re.search(r"<img\b", html, re.IGNORECASE)


def test_a_chart_per_metric_and_model(rendered) -> None:
    html = rendered[0]
    drawn = {(metric, model) for metric, model, _ in charts(html)}
    for metric in WITH_DATA:
        for model in ("all-models", *MODELS):
            assert (metric, model) in drawn, (metric, model)
    with_series = [svg for *_, svg in charts(html) if "<polyline" in svg]
    assert len(with_series) == len(WITH_DATA) * (len(MODELS) + 1)
    # Metrics without values (one only another backend emits, say) say so instead of drawing empty charts.
    assert PROFANITY in html and "No values in this store" in html
    assert PROFANITY not in {metric for metric, _, _ in charts(html)}


def test_thresholds_and_alarm_shading(rendered) -> None:
    html, _, alarms, _ = rendered
    by_scope = {(m, model): svg for m, model, svg in charts(html)}
    for alarm in alarms:
        svg = by_scope[(alarm.metric_name, alarm.model_id or "all-models")]
        assert 'class="threshold"' in svg
        assert (
            f"{alarm.spec.comparison.symbol} {alarm.spec.threshold:g}".replace(">", "&gt;").replace("<", "&lt;") in svg
        )
    # Per-model charts without their own alarm still show the all-models threshold, for reference.
    assert 'class="threshold"' in by_scope[(DECLINED, MODELS[0])]
    assert "(all models)" in by_scope[(DECLINED, MODELS[0])]
    # The ALARM span (T0+1h to T0+1.5h) is shaded on that alarm's chart only.
    assert by_scope[(DECLINED, MODELS[1])].count('class="alarm-span"') == 1
    assert "alarm-span" not in by_scope[(DECLINED, "all-models")]
    assert "alarm-span" not in by_scope[(DECLINED, MODELS[0])]
    assert "2026-11-26 09:00:00 – 2026-11-26 09:30:00 UTC" in by_scope[(DECLINED, MODELS[1])]


def test_axes_are_labelled_in_utc(rendered) -> None:
    html = rendered[0]
    svg = charts(html)[0][2]
    assert "time (UTC)" in svg
    assert re.search(r">11-26 08:00<|>11-26 0\d:\d\d<", svg)


def test_tables_counts_and_changes(rendered) -> None:
    html = rendered[0]
    assert "Alarm state changes (3)" in html
    assert "3 of 3 breaching" in html
    assert "malformed lines" in html and "skipped by the parser: embedding" in html
    assert "non-english" in html
    for model in MODELS:
        assert model in html
    assert "Test &lt;dashboard&gt;" in html  # escaped


def test_no_prompt_or_completion_text_anywhere(rendered) -> None:
    html, _, _, db = rendered
    for text in (SECRET_PROMPT, SECRET_COMPLETION, "SECRET"):
        assert text not in html
        for f in db.parent.glob("m.db*"):
            assert text.encode() not in f.read_bytes()


def test_model_ids_are_escaped(tmp_path: Path) -> None:
    metrics, alarms = metrics_and_alarms()
    evil = '<script>alert("x")</script>'
    with MetricStore(tmp_path / "m.db") as store:
        fill(store, [(AnswerMonitor.name, DECLINED)], n=50, models=(evil,))
        html = render_dashboard(
            tmp_path / "d.html", store=store, metrics=metrics, alarms=alarms, changes=[]
        ).read_text()
    assert evil not in html
    assert "&lt;script&gt;" in html


def test_empty_store(tmp_path: Path) -> None:
    metrics, alarms = metrics_and_alarms()
    with MetricStore(tmp_path / "m.db") as store:
        html = render_dashboard(
            tmp_path / "d.html", store=store, metrics=metrics, alarms=alarms, changes=[]
        ).read_text()
    assert "The metric store is empty" in html
    assert "<polyline" not in html


def test_gaps_are_not_bridged(tmp_path: Path) -> None:
    metrics, _ = metrics_and_alarms()
    with MetricStore(tmp_path / "m.db") as store:
        # Values in periods 0, 1, 2 and 6, 7: two line segments, no line across the missing periods.
        rows = [
            (f"r{k}", AnswerMonitor.name, DECLINE_SIMILARITY, MODELS[0], None, T0 + p * 300 + 5, 0.5)
            for k, p in enumerate((0, 1, 2, 6, 7))
        ]
        store.add_scores(rows)
        similarity = next(spec for _, spec in metrics if spec.name == DECLINE_SIMILARITY)
        html = render_dashboard(
            tmp_path / "d.html",
            store=store,
            metrics=[(AnswerMonitor.name, similarity)],
            alarms=[],
            changes=[],
            open_all=True,
        ).read_text()
    svg = next(svg for metric, model, svg in charts(html) if model == "all-models")
    assert svg.count("<polyline") == 2

"""The metric store: idempotent writes, CloudWatch statistics per period, summaries, watch bookkeeping."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
import pytest

from local_runtime.store import (
    DEFAULT_STORE_PATH,
    MetricStore,
    StoreError,
    default_store_path,
    percentile_rank,
)

T0 = 1_795_680_000  # 2026-11-26T08:00:00Z, a multiple of 300 and 60
MODELS = ("anthropic.claude-3-haiku", "meta.llama3-70b", "amazon.nova-pro")


@pytest.fixture
def store(tmp_path: Path) -> MetricStore:
    with MetricStore(tmp_path / "metrics.db") as s:
        yield s


def random_rows(n: int, seed: int = 7) -> list[tuple]:
    rng = np.random.default_rng(seed)
    ts = T0 + rng.uniform(0, 3 * 3600, n)
    models = rng.integers(0, len(MODELS), n)
    values = rng.random(n)
    return [
        (f"req-{i}", "refusal", "RefusalSimilarity", MODELS[models[i]], None, float(ts[i]), float(values[i]))
        for i in range(n)
    ]


def reference(rows: list[tuple], statistic: str, period: int, model: str | None = None) -> dict[int, float]:
    """The statistic per period computed directly with numpy (the test oracle)."""
    groups: dict[int, list[float]] = {}
    for _, _, _, row_model, _, ts, value in rows:
        if model is None or row_model == model:
            groups.setdefault(int(ts // period) * period, []).append(value)
    out = {}
    for start, values in groups.items():
        a = np.array(values)
        if statistic == "SampleCount":
            out[start] = float(a.size)
        elif statistic == "Sum":
            out[start] = float(a.sum())
        elif statistic == "Average":
            out[start] = float(a.mean())
        elif statistic == "Minimum":
            out[start] = float(a.min())
        elif statistic == "Maximum":
            out[start] = float(a.max())
        else:
            out[start] = float(np.percentile(a, float(statistic[1:]), method="inverted_cdf"))
    return out


def test_default_path_is_under_the_working_directory(tmp_path: Path) -> None:
    assert default_store_path(tmp_path) == tmp_path / ".llm-monitor" / "metrics.db"
    assert Path(".llm-monitor/metrics.db") == DEFAULT_STORE_PATH


def test_creates_parent_directories_and_uses_wal(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "metrics.db"
    with MetricStore(path):
        pass
    assert path.is_file()
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_same_rows_twice_do_not_double_count(store: MetricStore) -> None:
    rows = random_rows(500)
    store.add_scores(rows)
    store.add_records((r[0], r[5], r[3], 100, 300, "Converse") for r in rows)
    store.add_skips([("req-x", "refusal", "empty-text", MODELS[0], T0 + 1.0)])
    store.add_pipeline_counts("file-1.json.gz", {"emitted": 500, "skipped.embedding": 4, "malformed": 1})
    before = (
        store.datapoints("RefusalSimilarity", "SampleCount", 300),
        store.record_count(),
        store.skip_counts(),
        store.pipeline_totals(),
    )
    store.add_scores(rows)
    store.add_records((r[0], r[5], r[3], 100, 300, "Converse") for r in rows)
    store.add_skips([("req-x", "refusal", "empty-text", MODELS[0], T0 + 1.0)])
    store.add_pipeline_counts("file-1.json.gz", {"emitted": 500, "skipped.embedding": 4, "malformed": 1})
    after = (
        store.datapoints("RefusalSimilarity", "SampleCount", 300),
        store.record_count(),
        store.skip_counts(),
        store.pipeline_totals(),
    )
    assert before == after
    assert sum(after[0].values()) == 500
    assert after[1] == 500
    assert after[2] == {"refusal": {"empty-text": 1}}
    assert after[3] == {"emitted": 500, "malformed": 1, "skipped.embedding": 4}


def test_last_write_wins(store: MetricStore) -> None:
    store.add_scores([("r1", "refusal", "Refusal", MODELS[0], None, T0 + 10, 1.0)])
    store.add_scores([("r1", "refusal", "Refusal", MODELS[0], None, T0 + 10, 0.0)])
    assert store.datapoints("Refusal", "Sum", 300) == {T0: 0.0}
    assert store.datapoints("Refusal", "SampleCount", 300) == {T0: 1.0}


def test_idempotent_across_reopening(tmp_path: Path) -> None:
    rows = random_rows(100)
    for _ in range(2):
        with MetricStore(tmp_path / "m.db") as s:
            s.add_scores(rows)
    with MetricStore(tmp_path / "m.db") as s:
        assert sum(s.datapoints("RefusalSimilarity", "SampleCount", 60).values()) == 100


def test_pipeline_counts_replace_per_source(store: MetricStore) -> None:
    store.add_pipeline_counts("a", {"emitted": 10, "malformed": 2})
    store.add_pipeline_counts("b", {"emitted": 5})
    store.add_pipeline_counts("a", {"emitted": 12})  # re-read: replaces, the stale counter goes
    assert store.pipeline_totals() == {"emitted": 17}
    assert store.sources() == ["a", "b"]


@pytest.mark.parametrize("statistic", ["SampleCount", "Sum", "Average", "Minimum", "Maximum", "p50", "p90", "p99.9"])
@pytest.mark.parametrize("period", [60, 300, 3600])
def test_statistics_per_period_match_numpy(store: MetricStore, statistic: str, period: int) -> None:
    rows = random_rows(3000)
    store.add_scores(rows)
    for model in (None, *MODELS):
        got = store.datapoints("RefusalSimilarity", statistic, period, model_id=model)
        want = reference(rows, statistic, period, model)
        assert got.keys() == want.keys()
        for key in want:
            assert got[key] == pytest.approx(want[key], rel=1e-12, abs=1e-12), (model, key)


def test_periods_are_aligned_to_epoch_multiples(store: MetricStore) -> None:
    store.add_scores(
        [
            ("a", "m", "Refusal", MODELS[0], None, T0 + 299.999, 1.0),
            ("b", "m", "Refusal", MODELS[0], None, T0 + 300.0, 0.0),
            ("c", "m", "Refusal", MODELS[0], None, T0 + 301.0, 1.0),
        ]
    )
    assert store.datapoints("Refusal", "Average", 300) == {T0: 1.0, T0 + 300: 0.5}
    assert store.datapoints("Refusal", "SampleCount", 3600) == {T0: 3.0}


def test_percentiles_are_nearest_rank_observed_values(store: MetricStore) -> None:
    # Ten values 0.1..1.0 in one period: p90 is the 9th smallest (0.9), not an interpolation.
    store.add_scores([(f"r{i}", "m", "Toxicity", MODELS[0], None, T0 + i, (i + 1) / 10) for i in range(10)])
    assert store.datapoints("Toxicity", "p90", 300) == {T0: 0.9}
    assert store.datapoints("Toxicity", "p91", 300) == {T0: 1.0}
    assert store.datapoints("Toxicity", "p10", 300) == {T0: 0.1}
    assert store.datapoints("Toxicity", "p50", 300) == {T0: 0.5}
    assert store.datapoints("Toxicity", "p100", 300) == {T0: 1.0}
    assert store.datapoints("Toxicity", "p0", 300) == {T0: 0.1}
    assert store.datapoints("Toxicity", "p99.99", 300) == {T0: 1.0}


def test_p90_above_threshold_means_more_than_one_in_ten(store: MetricStore) -> None:
    # 20 records: exactly 2 toxic (10%) -> p90 not above 0.5; 3 toxic -> above.
    rows = [(f"r{i}", "m", "Toxicity", MODELS[0], None, T0 + i, 0.9 if i < 2 else 0.1) for i in range(20)]
    store.add_scores(rows)
    assert store.datapoints("Toxicity", "p90", 300)[T0] == 0.1
    store.add_scores([("r2", "m", "Toxicity", MODELS[0], None, T0 + 2, 0.9)])
    assert store.datapoints("Toxicity", "p90", 300)[T0] == 0.9


def test_no_percentile_over_negative_values(store: MetricStore) -> None:
    store.add_scores(
        [
            ("a", "m", "PromptCompletionSimilarity", MODELS[0], None, T0 + 1, -0.2),
            ("b", "m", "PromptCompletionSimilarity", MODELS[0], None, T0 + 2, 0.6),
            ("c", "m", "PromptCompletionSimilarity", MODELS[0], None, T0 + 301, 0.4),
        ]
    )
    assert store.datapoints("PromptCompletionSimilarity", "p50", 300) == {T0 + 300: 0.4}
    assert store.datapoints("PromptCompletionSimilarity", "Average", 300) == {
        T0: pytest.approx(0.2),
        T0 + 300: 0.4,
    }


def test_percentile_rank_is_exact() -> None:
    assert percentile_rank("p90") == 90
    assert percentile_rank("p99.9") * 10 == 999
    assert percentile_rank("Average") is None


def test_aggregate_is_every_model_together(store: MetricStore) -> None:
    rows = random_rows(2000)
    store.add_scores(rows)
    aggregate = store.datapoints("RefusalSimilarity", "SampleCount", 300)
    per_model = [store.datapoints("RefusalSimilarity", "SampleCount", 300, model_id=m) for m in MODELS]
    for key, count in aggregate.items():
        assert count == sum(series.get(key, 0.0) for series in per_model)
    sums = [store.datapoints("RefusalSimilarity", "Sum", 3600, model_id=m) for m in MODELS]
    total = store.datapoints("RefusalSimilarity", "Sum", 3600)
    for key, value in total.items():
        assert value == pytest.approx(sum(s.get(key, 0.0) for s in sums))


@pytest.mark.parametrize("statistic", ["Average", "Sum", "SampleCount", "Minimum", "Maximum", "p90", "p10"])
def test_datapoints_by_model_equals_per_series_queries(store: MetricStore, statistic: str) -> None:
    store.add_scores(random_rows(1500))
    both = store.datapoints_by_model("RefusalSimilarity", statistic, 300)
    assert set(both) == {None, *MODELS}
    for model, series in both.items():
        want = store.datapoints("RefusalSimilarity", statistic, 300, model_id=model)
        assert series.keys() == want.keys()
        for key in want:
            assert series[key] == pytest.approx(want[key], rel=1e-12)


def test_start_and_end_filter_by_timestamp(store: MetricStore) -> None:
    rows = random_rows(1000)
    store.add_scores(rows)
    start, end = T0 + 3600, T0 + 7200
    got = store.datapoints("RefusalSimilarity", "SampleCount", 300, start=start, end=end)
    assert min(got) >= start and max(got) < end
    assert sum(got.values()) == sum(1 for r in rows if start <= r[5] < end)


def test_unknown_series_and_bad_arguments(store: MetricStore) -> None:
    store.add_scores(random_rows(10))
    assert store.datapoints("NoSuchMetric", "Average", 300) == {}
    assert store.datapoints("RefusalSimilarity", "Average", 300, model_id="no-such-model") == {}
    with pytest.raises(StoreError, match="unknown statistic"):
        store.datapoints("RefusalSimilarity", "Median", 300)
    with pytest.raises(StoreError, match="period_seconds"):
        store.datapoints("RefusalSimilarity", "Average", 0)


def test_non_finite_values_are_refused_and_nothing_is_written(store: MetricStore) -> None:
    with pytest.raises(StoreError, match="finite"):
        store.add_scores(
            [
                ("a", "m", "NewMetric", "new-model", None, T0, 0.5),
                ("b", "m", "NewMetric", "new-model", None, T0, float("nan")),
            ]
        )
    assert store.metric_names() == {}
    assert store.models() == []
    store.add_scores([("a", "m", "NewMetric", "new-model", None, T0, 0.5)])  # dictionaries still consistent
    assert store.datapoints("NewMetric", "Sum", 60) == {T0: 0.5}


def test_a_metric_belongs_to_one_monitor(store: MetricStore) -> None:
    store.add_scores([("a", "refusal", "Refusal", MODELS[0], None, T0, 1.0)])
    with pytest.raises(StoreError, match="one namespace"):
        store.add_scores([("a", "other", "Refusal", MODELS[0], None, T0, 1.0)])


def test_summaries(store: MetricStore) -> None:
    assert store.time_range() is None
    assert store.average_lengths().records == 0
    rows = random_rows(1000)
    store.add_scores(rows)
    store.add_records((r[0], r[5], r[3], 100 + i % 3, 1000, "InvokeModel") for i, r in enumerate(rows))
    store.add_skips(
        [
            ("x1", "sentiment-toxicity", "non-english", MODELS[0], T0),
            ("x2", "sentiment-toxicity", "empty-text", MODELS[1], T0),
            ("x3", "refusal", "empty-text", MODELS[1], T0),
        ]
    )
    assert store.models() == sorted(MODELS)
    assert store.metric_names() == {"RefusalSimilarity": "refusal"}
    low, high = store.time_range()
    assert low == min(r[5] for r in rows) and high == max(r[5] for r in rows)
    assert store.record_count() == 1000
    assert sum(store.record_count(m) for m in MODELS) == 1000
    assert store.record_counts() == {m: store.record_count(m) for m in sorted(MODELS)}
    values = np.array([r[6] for r in rows])
    summary = store.metric_summary("RefusalSimilarity", None)
    assert summary.count == 1000
    assert summary.mean == pytest.approx(values.mean())
    assert summary.p90 == float(np.percentile(values, 90, method="inverted_cdf"))
    one = store.metric_summary("RefusalSimilarity", MODELS[1])
    assert one.count == sum(1 for r in rows if r[3] == MODELS[1])
    assert store.metric_summary("Nothing", None).count == 0
    count, mean, p90 = store.metric_summary("RefusalSimilarity", None)  # unpacks like a tuple
    assert (count, mean, p90) == (summary.count, summary.mean, summary.p90)
    assert store.skip_counts() == {
        "refusal": {"empty-text": 1},
        "sentiment-toxicity": {"empty-text": 1, "non-english": 1},
    }
    lengths = store.average_lengths()
    assert lengths.records == 1000
    assert lengths.prompt_chars == pytest.approx(np.mean([100 + i % 3 for i in range(1000)]))
    assert lengths.completion_chars == 1000.0


def test_store_never_holds_text(store: MetricStore, tmp_path: Path) -> None:
    columns = set()
    with sqlite3.connect(store.path) as db:
        for (table,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'"):
            columns |= {row[1] for row in db.execute(f"PRAGMA table_info({table})")}
    assert not columns & {"prompt", "completion", "system", "text"}
    assert {"prompt_chars", "completion_chars"} <= columns


def test_watch_bookkeeping(tmp_path: Path) -> None:
    path = tmp_path / "m.db"
    log = tmp_path / "logs" / "a.json.gz"
    with MetricStore(path) as s:
        assert not s.is_source_done(log, 100, 1.5)
        s.mark_source_done(log, 100, 1.5)
        assert s.is_source_done(log, 100, 1.5)
        assert not s.is_source_done(log, 101, 1.5)  # grown since: process again
        assert not s.is_source_done(log, 100, 2.5)  # rewritten
    with MetricStore(path) as s:  # survives a restart
        assert s.is_source_done(str(log), 100, 1.5)
        s.mark_source_done(log, 120, 3.0)
        assert s.is_source_done(log, 120, 3.0)
        assert not s.is_source_done(log, 100, 1.5)


def test_refuses_a_newer_schema(tmp_path: Path) -> None:
    path = tmp_path / "m.db"
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA user_version = 99")
    with pytest.raises(StoreError, match="schema version 99"):
        MetricStore(path)


def test_opening_waits_out_a_lock_sqlite_reports_at_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two processes opening one new file can deadlock on switching it to WAL; SQLite then says "database
    is locked" to one of them without waiting. That one opens again rather than failing the replay."""
    real_connect = sqlite3.connect
    attempts = []

    class LockedAtOnce:
        """A connection that SQLite answers "locked" on switching to WAL, as in the deadlock."""

        def __init__(self, db: sqlite3.Connection) -> None:
            self.db = db

        def execute(self, sql: str, *args: object) -> sqlite3.Cursor:
            if sql.startswith("PRAGMA journal_mode"):
                raise sqlite3.OperationalError("database is locked")
            return self.db.execute(sql, *args)

        def close(self) -> None:
            self.db.close()

    def connect(*args: object, **kwargs: object) -> object:
        attempts.append(1)
        db = real_connect(*args, **kwargs)  # type: ignore[arg-type]
        return LockedAtOnce(db) if len(attempts) <= 3 else db

    monkeypatch.setattr(sqlite3, "connect", connect)
    with MetricStore(tmp_path / "m.db") as store:
        store.add_records([("r1", T0, MODELS[0], 1, 1, "Converse")])
        assert store.record_count() == 1
    assert len(attempts) == 4


@pytest.mark.parametrize("user_version", [0, 7])
def test_another_applications_database_is_left_alone(tmp_path: Path, user_version: int) -> None:
    """Not a byte changes (not even the journal mode), whatever schema version the other application
    keeps, and the message does not suggest deleting it."""
    path = tmp_path / "app.db"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE customers (id INTEGER)")
    db.execute(f"PRAGMA user_version = {user_version}")
    db.commit()
    db.close()
    before = path.read_bytes()
    with pytest.raises(StoreError, match="SQLite database of something else \\(tables customers\\)") as caught:
        MetricStore(path)
    assert "delete" not in str(caught.value)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["app.db"]  # no -wal or -shm beside it


def test_a_damaged_store_is_one_error(tmp_path: Path) -> None:
    path = tmp_path / "m.db"
    with MetricStore(path) as store:
        store.add_scores([("r1", "refusal", "Refusal", MODELS[0], None, T0, 1.0)])
    with sqlite3.connect(path) as db:
        db.execute("UPDATE metrics SET monitor = CAST(X'FF7265' AS TEXT)")  # not UTF-8
    with pytest.raises(StoreError, match="is damaged"):
        MetricStore(path)


def test_not_a_database(tmp_path: Path) -> None:
    path = tmp_path / "m.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="cannot open"):
        MetricStore(path)


def test_scores_named_view(store: MetricStore) -> None:
    store.add_scores([("r1", "refusal", "Refusal", MODELS[0], "app-1", T0 + 5, 1.0)])
    with sqlite3.connect(store.path) as db:
        assert db.execute("SELECT * FROM scores_named").fetchall() == [
            ("r1", "refusal", "Refusal", MODELS[0], "app-1", T0 + 5, 1.0)
        ]

"""The local runtime's embedded database: every per-record metric value, and CloudWatch statistics over it.

Why SQLite (and not DuckDB): it is in the standard library (nothing to install, no wheel per platform,
nothing to bundle), one file on disk, and its write-ahead log lets `llm-monitor watch` append while a
dashboard or a second process reads. The workload is transactional appends keyed by request id
(idempotent upserts, which SQLite does natively with a primary key) plus grouped reads of one metric at a
time; with a covering index a statistic over 100,000 records takes tens of milliseconds per metric
(percentiles, computed in numpy, about 0.1 s). DuckDB would scan faster but is a native dependency of
tens of MB, and its row-by-row upserts are slower than SQLite's.

Schema (version 1, in `PRAGMA user_version`):

- `metrics(id, monitor, name)` and `models(id, model_id)`: small dictionaries, so the big table holds
  integers instead of repeating strings.
- `scores(request_id, metric_id, model_ref, application, ts, value)`: one per-record value, primary key
  (request_id, metric_id) — a metric belongs to one monitor, so this is the (request id, monitor, metric)
  key: replaying the same logs twice replaces rows instead of adding them (last write wins). Index
  (metric_id, model_ref, ts, value) covers every statistic query. The view `scores_named` shows names.
- `records(request_id, ts, model_id, operation, prompt_chars, completion_chars)`: one per normalised record
  seen, for record counts per model and the cost estimate's measured lengths. Never any text.
- `skips(request_id, monitor, reason, model_id, ts)`: records a monitor did not score, and why.
- `pipeline_counts(source, counter, value)`: parse counts per log source, replaced per source.
- `sources_done(source, size, mtime, done_at)`: files already processed (watch mode restarts).

Statistics follow CloudWatch ("CloudWatch statistics definitions" in the CloudWatch user guide, and the
GetMetricStatistics API reference). Periods start at multiples of the period since the epoch (CloudWatch
aligns standard-resolution periods the same way); a value belongs to the period holding its timestamp.
Percentiles: CloudWatch computes them from raw values only, and defines pNN as the value with NN percent
of the period's data below it and the rest above; it documents no interpolation rule. The implementation
is the nearest-rank percentile (numpy's `inverted_cdf`): sort the n values, take the ceil(NN/100 × n)-th
smallest (computed with exact fractions). That reading of the definition returns a value that was really
observed, and makes "p90 > 0.5" mean "more than one value in ten (floor(n/10)) is above 0.5" — how an
alarm on a percentile reads. Linear interpolation would blend two records into a value nobody emitted and
move alarms near the threshold. CloudWatch returns no percentile when values are negative (the
GetMetricStatistics reference); a period holding a negative value gets no percentile datapoint here.

Pipeline counters (`add_pipeline_counts`) use ParseStats' names: `emitted`, `malformed`, and
`skipped.<reason>` per SkipReason; the dashboard lists any other counter as it is.

One `MetricStore` per thread (sqlite3 connections are not shared across threads). Several processes may
write one store at once (two `replay`s, or `replay` beside `watch`): the write-ahead log and a busy
timeout serialise their transactions, and the dictionary rows are inserted with INSERT OR IGNORE so two
writers adding the same metric or model both get its one id. Every SQLite or file-system failure is a
StoreError naming the store.
"""

from __future__ import annotations

import functools
import logging
import math
import os
import re
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Concatenate, NamedTuple, ParamSpec, TypeVar

import numpy as np

from shared.errors import StoreError
from shared.limits import CLOUDWATCH_MAX_FUTURE_SECONDS, CLOUDWATCH_MAX_PAST_SECONDS

if TYPE_CHECKING:
    from numpy.typing import NDArray

__all__ = [
    "DEFAULT_STORE_PATH",
    "SCHEMA_VERSION",
    "AverageLengths",
    "MetricStore",
    "MetricSummary",
    "StoreError",
    "TimeWindow",
    "default_store_path",
    "percentile_rank",
]

logger = logging.getLogger(__name__)
_T = TypeVar("_T")
_P = ParamSpec("_P")
_R = TypeVar("_R")

DEFAULT_STORE_PATH = Path(".llm-monitor") / "metrics.db"
SCHEMA_VERSION = 1
#: How long a write waits for another process's transaction (and opening waits for another opener).
_BUSY_TIMEOUT_SECONDS = 30.0


def _is_busy(exc: sqlite3.OperationalError) -> bool:
    message = str(exc).lower()
    return "locked" in message or "busy" in message


_PERCENTILE = re.compile(r"^p(\d{1,2}(?:\.\d+)?|100)$")
_SIMPLE = ("SampleCount", "Sum", "Average", "Minimum", "Maximum")
_CHUNK_ROWS = 20_000

# (request_id, monitor, metric, model_id, application, timestamp, value)
ScoreRow = tuple[str, str, str, str, "str | None", float, float]
# (request_id, timestamp, model_id, prompt_chars, completion_chars, operation)
RecordRow = tuple[str, float, str, int, int, str]
# (request_id, monitor, reason, model_id, timestamp)
SkipRow = tuple[str, str, str, str, float]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS metrics (
    id INTEGER PRIMARY KEY,
    monitor TEXT NOT NULL,
    name TEXT NOT NULL UNIQUE
);
CREATE TABLE IF NOT EXISTS models (
    id INTEGER PRIMARY KEY,
    model_id TEXT NOT NULL UNIQUE
);
CREATE TABLE IF NOT EXISTS scores (
    request_id TEXT NOT NULL,
    metric_id INTEGER NOT NULL REFERENCES metrics(id),
    model_ref INTEGER NOT NULL REFERENCES models(id),
    application TEXT,
    ts REAL NOT NULL,
    value REAL NOT NULL,
    PRIMARY KEY (request_id, metric_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS scores_by_series ON scores (metric_id, model_ref, ts, value);
CREATE TABLE IF NOT EXISTS records (
    request_id TEXT PRIMARY KEY,
    ts REAL NOT NULL,
    model_id TEXT NOT NULL,
    operation TEXT NOT NULL,
    prompt_chars INTEGER NOT NULL,
    completion_chars INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS records_by_model ON records (model_id, ts);
CREATE TABLE IF NOT EXISTS skips (
    request_id TEXT NOT NULL,
    monitor TEXT NOT NULL,
    reason TEXT NOT NULL,
    model_id TEXT NOT NULL,
    ts REAL NOT NULL,
    PRIMARY KEY (request_id, monitor)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS pipeline_counts (
    source TEXT NOT NULL,
    counter TEXT NOT NULL,
    value INTEGER NOT NULL,
    PRIMARY KEY (source, counter)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS sources_done (
    source TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    mtime REAL NOT NULL,
    done_at REAL NOT NULL
);
CREATE VIEW IF NOT EXISTS scores_named AS
    SELECT s.request_id, m.monitor, m.name AS metric, o.model_id, s.application, s.ts, s.value
    FROM scores s JOIN metrics m ON m.id = s.metric_id JOIN models o ON o.id = s.model_ref;
"""

#: The tables and views of `_SCHEMA`: a database holding anything else is not a metric store.
_SCHEMA_OBJECTS = frozenset(re.findall(r"CREATE (?:TABLE|VIEW) IF NOT EXISTS (\w+)", _SCHEMA))


@dataclass(frozen=True, slots=True)
class MetricSummary:
    """Count, mean and p90 (nearest rank) of one metric's values over the whole store (unpackable).

    A dataclass rather than a NamedTuple: a tuple field named `count` would hide `tuple.count`."""

    count: int
    mean: float | None
    p90: float | None

    def __iter__(self) -> Iterator[int | float | None]:
        return iter((self.count, self.mean, self.p90))


class AverageLengths(NamedTuple):
    """Measured average text lengths (characters) over the records seen."""

    records: int
    prompt_chars: float
    completion_chars: float


def default_store_path(cwd: Path | None = None) -> Path:
    """`.llm-monitor/metrics.db` under the working directory (or `cwd`)."""
    return (cwd or Path.cwd()) / DEFAULT_STORE_PATH


def percentile_rank(statistic: str) -> Fraction | None:
    """The percentile of a `pNN` statistic as an exact fraction of 100 (p99.9 -> 999/10), else None."""
    match = _PERCENTILE.match(statistic)
    return Fraction(match.group(1)) if match else None


def _check_statistic(statistic: str, period_seconds: int) -> tuple[int, Fraction | None]:
    """The period as an int and the percentile (None for the simple statistics); StoreError if invalid."""
    if int(period_seconds) != period_seconds or period_seconds <= 0:
        raise StoreError(f"period_seconds must be a positive integer, got {period_seconds}")
    percent = percentile_rank(statistic)
    if statistic not in _SIMPLE and percent is None:
        raise StoreError(f"unknown statistic {statistic!r}: use one of {', '.join(_SIMPLE)} or pNN")
    if percent is not None and percent > 100:
        raise StoreError(f"percentile {statistic!r} is above 100")
    return int(period_seconds), percent


def _nearest_rank_indices(starts: NDArray[np.intp], counts: NDArray[np.intp], percent: Fraction) -> NDArray[np.intp]:
    """Index into the sorted values of each group's nearest-rank percentile: ceil(p/100 × n)-th value.

    Exact integer arithmetic: with floats, 0.9 × 10 is 9.000000000000002 and the ceiling would be wrong.
    """
    numerator, denominator = percent.numerator, percent.denominator * 100
    ranks = -((-numerator * counts.astype(np.int64)) // denominator)  # ceil division
    ranks = np.clip(ranks, 1, counts)
    return starts + ranks - 1


def _chunks(rows: Iterable[_T], size: int) -> Iterator[list[_T]]:
    chunk: list[_T] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _percentiles_per_period(
    period_index: NDArray[np.int64], values: NDArray[np.float64], percent: Fraction, period: int
) -> dict[int, float]:
    """{period start: nearest-rank percentile} of values grouped by period index (timestamp // period)."""
    if values.size == 0:
        return {}
    order = np.lexsort((values, period_index))  # by period, then value
    period_index, values = period_index[order], values[order]
    unique, starts, counts = np.unique(period_index, return_index=True, return_counts=True)
    picked = values[_nearest_rank_indices(starts, counts, percent)]
    # CloudWatch gives no percentile over negative values; a period's minimum is its first sorted value.
    valid = values[starts] >= 0
    if not valid.all():
        logger.debug("%d period(s) hold negative values: no percentile there", int((~valid).sum()))
    return {int(p) * period: float(v) for p, v, ok in zip(unique, picked, valid, strict=True) if ok}


def _store_errors(
    method: Callable[Concatenate[MetricStore, _P], _R],
) -> Callable[Concatenate[MetricStore, _P], _R]:
    """SQLite and file-system failures of a store method as one StoreError that names the store."""

    @functools.wraps(method)
    def guarded(store: MetricStore, /, *args: _P.args, **kwargs: _P.kwargs) -> _R:
        try:
            return method(store, *args, **kwargs)
        except sqlite3.Error as exc:
            raise StoreError(f"metric store {store.location} is not usable: {exc}") from None

    return guarded


@dataclass(frozen=True)
class TimeWindow:
    """Which timestamps take part in time series (alarm evaluation, charts, the summary's time range).

    The same bounds as CloudWatch's: the newest record not in the future (beyond `max_future_seconds`
    of the clock) ends the window, which reaches `max_past_seconds` back from there. A stray record
    dated 2000-01-01 among this week's, or one dated 2099, is counted (`outside_window`) and left out,
    instead of stretching the timeline over decades.
    """

    max_past_seconds: float = CLOUDWATCH_MAX_PAST_SECONDS
    max_future_seconds: float = CLOUDWATCH_MAX_FUTURE_SECONDS
    clock: Callable[[], float] = time.time


class MetricStore:
    """Per-record metric values and pipeline counts in one SQLite file. Use as a context manager."""

    def __init__(self, path: str | os.PathLike[str] | None = None, *, window: TimeWindow | None = None) -> None:
        self.window = window or TimeWindow()
        if path is None:
            path = default_store_path()
        self.path: Path | None = None if str(path) == ":memory:" else Path(path)
        self.location = str(path)
        if self.path is not None:
            if self.path.is_dir():
                raise StoreError(f"metric store {path} is a directory; give a file path")
            if self.path.exists() and not self.path.is_file():
                raise StoreError(f"metric store {path} is not a regular file")
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(f"cannot create the folder of metric store {path}: {exc.strerror}") from None
        self._db = self._open(str(path) if self.path is None else str(self.path), shown=str(path))
        self._span_cache: tuple[tuple[int, int, int], tuple[float, float] | None] | None = None
        self._metric_ids: dict[str, int] = {}
        self._metric_monitor: dict[str, str] = {}
        self._model_refs: dict[str, int] = {}
        try:
            self._load_dictionaries()
        except sqlite3.Error:  # e.g. bytes that are not UTF-8 where a name should be: a damaged file
            self._db.close()
            raise StoreError(
                f"metric store {path} is damaged: delete it (replaying the logs rebuilds it) or choose another path"
            ) from None

    # ------------------------------------------------------------------ lifecycle

    def _open(self, target: str, *, shown: str) -> sqlite3.Connection:
        """A connection in WAL mode with the schema in place, waiting out another process that opens the
        same new file at the same moment.

        Two connections switching a fresh file to WAL (or creating its schema) can deadlock on their locks;
        SQLite then answers one of them "database is locked" at once, without its busy handler, so the
        attempt is repeated until the busy timeout has passed."""
        deadline = time.monotonic() + _BUSY_TIMEOUT_SECONDS
        delay = 0.01
        while True:
            db: sqlite3.Connection | None = None
            try:
                db = sqlite3.connect(target, timeout=_BUSY_TIMEOUT_SECONDS)
                self._refuse_foreign(db)  # before anything writes: WAL mode alone rewrites the header
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("PRAGMA synchronous=NORMAL")
                db.execute("PRAGMA cache_size=-131072")  # 128 MiB of page cache: bulk upserts stay in memory
                db.execute("PRAGMA foreign_keys=OFF")  # the dictionaries are written first by this class
                self._init_schema(db)
                return db
            except sqlite3.OperationalError as exc:
                if db is not None:
                    db.close()
                if not _is_busy(exc) or time.monotonic() + delay > deadline:
                    raise StoreError(f"cannot open metric store {shown}: {exc}") from None
                time.sleep(delay)
                delay = min(delay * 2, 0.5)
            except sqlite3.Error as exc:
                if db is not None:
                    db.close()
                raise StoreError(f"cannot open metric store {shown}: {exc}") from None
            except StoreError:
                if db is not None:
                    db.close()
                raise

    def _refuse_foreign(self, db: sqlite3.Connection) -> None:
        """StoreError for another application's SQLite database, read without writing a byte to it."""
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")}
        foreign = sorted(tables - _SCHEMA_OBJECTS)
        if foreign:
            raise StoreError(
                f"{self.location} is an SQLite database of something else (tables {', '.join(foreign[:5])}): "
                "give a new path for the metric store"
            )

    def _init_schema(self, db: sqlite3.Connection) -> None:
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version == SCHEMA_VERSION:
            return  # in place already: opening an existing store takes no write lock
        if version != 0:
            raise StoreError(
                f"metric store {self.path} has schema version {version}, "
                f"this version reads {SCHEMA_VERSION}: "
                "delete the file (it is rebuilt by replaying the logs) or choose another path"
            )
        # One write transaction, taken up front (the busy timeout applies to BEGIN IMMEDIATE).
        db.executescript(f"BEGIN IMMEDIATE;\n{_SCHEMA}\nPRAGMA user_version = {SCHEMA_VERSION};\nCOMMIT;")

    def _load_dictionaries(self) -> None:
        for metric_id, monitor, name in self._db.execute("SELECT id, monitor, name FROM metrics"):
            self._metric_ids[name] = metric_id
            self._metric_monitor[name] = monitor
        for ref, model_id in self._db.execute("SELECT id, model_id FROM models"):
            self._model_refs[model_id] = ref

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> MetricStore:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # ------------------------------------------------------------------ writing

    def _metric_id(self, monitor: str, metric: str) -> int:
        metric_id = self._metric_ids.get(metric)
        if metric_id is not None:
            if self._metric_monitor[metric] != monitor:
                raise StoreError(
                    f"metric {metric!r} is stored for monitor {self._metric_monitor[metric]!r}, "
                    f"not {monitor!r}: metric names share one namespace"
                )
            return metric_id
        # Another process may have added it since we loaded the dictionary: insert-or-ignore, then read.
        self._db.execute("INSERT OR IGNORE INTO metrics (monitor, name) VALUES (?, ?)", (monitor, metric))
        metric_id, owner = self._db.execute("SELECT id, monitor FROM metrics WHERE name = ?", (metric,)).fetchone()
        self._metric_ids[metric] = int(metric_id)
        self._metric_monitor[metric] = owner
        return self._metric_id(monitor, metric)

    def _model_ref(self, model_id: str) -> int:
        ref = self._model_refs.get(model_id)
        if ref is None:
            self._db.execute("INSERT OR IGNORE INTO models (model_id) VALUES (?)", (model_id,))
            ref = int(self._db.execute("SELECT id FROM models WHERE model_id = ?", (model_id,)).fetchone()[0])
            self._model_refs[model_id] = ref
        return ref

    @_store_errors
    def add_scores(self, rows: Iterable[ScoreRow]) -> int:
        """Store per-record values (request_id, monitor, metric, model_id, application, epoch s, value).

        Idempotent on (request_id, monitor, metric): a value written again replaces the earlier one. Values
        that are not finite numbers are refused (CloudWatch rejects NaN and infinities too) and nothing of
        the call is written. Returns the number of rows written.
        """
        written = 0
        try:
            with self._db:
                for chunk in _chunks(rows, _CHUNK_ROWS):
                    converted = []
                    for request_id, monitor, metric, model_id, application, timestamp, value in chunk:
                        number = float(value)
                        if not math.isfinite(number):
                            raise StoreError(f"value of {metric} for request {request_id} is not a finite number")
                        converted.append(
                            (
                                request_id,
                                self._metric_id(monitor, metric),
                                self._model_ref(model_id or ""),
                                application,
                                float(timestamp),
                                number,
                            )
                        )
                    self._db.executemany(
                        "INSERT OR REPLACE INTO scores "
                        "(request_id, metric_id, model_ref, application, ts, value) "
                        "VALUES (?, ?, ?, ?, ?, ?)",
                        converted,
                    )
                    written += len(converted)
        except BaseException:
            # Dictionary rows inserted in the rolled-back transaction are gone: forget their cached ids.
            self._metric_ids.clear()
            self._metric_monitor.clear()
            self._model_refs.clear()
            self._load_dictionaries()
            raise
        return written

    @_store_errors
    def add_records(self, rows: Iterable[RecordRow]) -> int:
        """One row per normalised record seen: (request_id, epoch seconds, model_id, prompt_chars,
        completion_chars, operation). Lengths only: the store never holds prompt or completion text."""

        def converted() -> Iterator[tuple[str, float, str, str, int, int]]:
            for request_id, timestamp, model_id, prompt_chars, completion_chars, operation in rows:
                yield (
                    request_id,
                    float(timestamp),
                    model_id or "",
                    operation or "",
                    int(prompt_chars),
                    int(completion_chars),
                )

        with self._db:
            cursor = self._db.executemany(
                "INSERT OR REPLACE INTO records "
                "(request_id, ts, model_id, operation, prompt_chars, completion_chars) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                converted(),
            )
        return cursor.rowcount

    @_store_errors
    def add_skips(self, rows: Iterable[SkipRow]) -> int:
        """Records a monitor did not score: (request_id, monitor, reason, model_id, epoch seconds).
        Idempotent on (request_id, monitor)."""
        with self._db:
            cursor = self._db.executemany(
                "INSERT OR REPLACE INTO skips (request_id, monitor, reason, model_id, ts) VALUES (?, ?, ?, ?, ?)",
                ((r, m, reason, model or "", float(ts)) for r, m, reason, model, ts in rows),
            )
        return cursor.rowcount

    @_store_errors
    def add_pipeline_counts(self, source: str, counts: Mapping[str, int]) -> None:
        """The parse counts of one log source (e.g. `emitted`, `skipped.embedding`, `malformed`).
        Replaces whatever was stored for `source`, so re-reading a file does not double count."""
        with self._db:
            self._db.execute("DELETE FROM pipeline_counts WHERE source = ?", (source,))
            self._db.executemany(
                "INSERT INTO pipeline_counts (source, counter, value) VALUES (?, ?, ?)",
                ((source, counter, int(value)) for counter, value in counts.items()),
            )

    @_store_errors
    def mark_source_done(self, path: str | os.PathLike[str], size: int, mtime: float) -> None:
        """Remember that `path` (pass a stable key: an absolute path or an s3:// URI) was processed
        at this size and modification time."""
        with self._db:
            self._db.execute(
                "INSERT OR REPLACE INTO sources_done (source, size, mtime, done_at) VALUES (?, ?, ?, ?)",
                (os.fspath(path), int(size), float(mtime), time.time()),
            )

    @_store_errors
    def is_source_done(self, path: str | os.PathLike[str], size: int, mtime: float) -> bool:
        """True when `path` was processed at exactly this size and mtime (a changed file is not done)."""
        row = self._db.execute(
            "SELECT 1 FROM sources_done WHERE source = ? AND size = ? AND mtime = ?",
            (os.fspath(path), int(size), float(mtime)),
        ).fetchone()
        return row is not None

    # ------------------------------------------------------------------ statistics

    def _within_window(self, start: float | None, end: float | None) -> tuple[float | None, float | None]:
        """`start`/`end` narrowed to the time window: time series never reach outside it."""
        span = self.time_range()
        if span is None:
            return start, end
        low, high = span[0], math.nextafter(span[1], math.inf)  # `end` is exclusive
        return (low if start is None else max(start, low)), (high if end is None else min(end, high))

    def _series_filter(
        self, metric: str, model_id: str | None, start: float | None, end: float | None
    ) -> tuple[str, list[object]] | None:
        """WHERE clause and parameters for one series, or None when the series cannot have data."""
        metric_id = self._metric_ids.get(metric)
        if metric_id is None:
            return None
        clauses = ["metric_id = ?"]
        params: list[object] = [metric_id]
        if model_id is not None:
            ref = self._model_refs.get(model_id)
            if ref is None:
                return None
            clauses.append("model_ref = ?")
            params.append(ref)
        if start is not None:
            clauses.append("ts >= ?")
            params.append(float(start))
        if end is not None:
            clauses.append("ts < ?")
            params.append(float(end))
        return " AND ".join(clauses), params

    @_store_errors
    def datapoints(
        self,
        metric: str,
        statistic: str,
        period_seconds: int,
        model_id: str | None = None,
        start: float | None = None,
        end: float | None = None,
    ) -> dict[int, float]:
        """CloudWatch's `statistic` of `metric` per period: {period start (epoch seconds): value}.

        `model_id` None is the all-models aggregate (every model's values together, like the dimensionless
        series the monitors emit); otherwise one model's series. `start` (inclusive) and `end` (exclusive)
        filter values by timestamp. Periods without values are absent (CloudWatch has no datapoint there).
        """
        period, percent = _check_statistic(statistic, period_seconds)
        start, end = self._within_window(start, end)
        where = self._series_filter(metric, model_id, start, end)
        if where is None:
            return {}
        clause, params = where
        if percent is None:
            return self._simple_datapoints(statistic, period, clause, params)
        return self._percentile_datapoints(percent, period, clause, params)

    @_store_errors
    def datapoints_by_model(
        self,
        metric: str,
        statistic: str,
        period_seconds: int,
        start: float | None = None,
        end: float | None = None,
    ) -> dict[str | None, dict[int, float]]:
        """`datapoints` for the aggregate (key None) and every model with values, reading the metric once.

        The same numbers as calling `datapoints` per model (what the dashboard draws), in one pass.
        """
        _check_statistic(statistic, period_seconds)
        start, end = self._within_window(start, end)
        percent = percentile_rank(statistic)
        if percent is None:
            out: dict[str | None, dict[int, float]] = {
                None: self.datapoints(metric, statistic, period_seconds, start=start, end=end)
            }
            where = self._series_filter(metric, None, start, end)
            if where is None:
                return out
            clause, params = where
            expression = {
                "SampleCount": "COUNT(*)",
                "Sum": "SUM(value)",
                "Average": "AVG(value)",
                "Minimum": "MIN(value)",
                "Maximum": "MAX(value)",
            }[statistic]
            period = int(period_seconds)
            names = {ref: model for model, ref in self._model_refs.items()}
            sql = (
                f"SELECT model_ref, CAST(ts / ? AS INTEGER) * ? AS period_start, {expression} FROM scores "
                f"WHERE {clause} GROUP BY model_ref, period_start ORDER BY model_ref, period_start"
            )
            for ref, p, v in self._db.execute(sql, [period, period, *params]):
                out.setdefault(names[ref], {})[int(p)] = float(v)
            return out
        period, _ = _check_statistic(statistic, period_seconds)
        where = self._series_filter(metric, None, start, end)
        if where is None:
            return {None: {}}
        clause, params = where
        rows = self._db.execute(
            f"SELECT model_ref, CAST(ts / ? AS INTEGER), value FROM scores WHERE {clause}", [period, *params]
        ).fetchall()
        if not rows:
            return {None: {}}
        data = np.asarray(rows, dtype=np.float64)
        refs, periods, values = data[:, 0].astype(np.int64), data[:, 1].astype(np.int64), data[:, 2]
        out = {None: _percentiles_per_period(periods, values, percent, period)}
        names = {ref: model for model, ref in self._model_refs.items()}
        order = np.argsort(refs, kind="stable")
        refs, periods, values = refs[order], periods[order], values[order]
        unique, starts = np.unique(refs, return_index=True)
        bounds = [*starts[1:], refs.size]
        for ref, lo, hi in zip(unique, starts, bounds, strict=True):
            out[names[int(ref)]] = _percentiles_per_period(periods[lo:hi], values[lo:hi], percent, period)
        return out

    def _simple_datapoints(self, statistic: str, period: int, clause: str, params: list[object]) -> dict[int, float]:
        expression = {
            "SampleCount": "COUNT(*)",
            "Sum": "SUM(value)",
            "Average": "AVG(value)",
            "Minimum": "MIN(value)",
            "Maximum": "MAX(value)",
        }[statistic]
        # Timestamps are epoch seconds (positive), so integer division floors them to the period start.
        sql = (
            f"SELECT CAST(ts / ? AS INTEGER) * ? AS period_start, {expression} FROM scores "
            f"WHERE {clause} GROUP BY period_start ORDER BY period_start"
        )
        return {int(p): float(v) for p, v in self._db.execute(sql, [period, period, *params])}

    def _percentile_datapoints(
        self, percent: Fraction, period: int, clause: str, params: list[object]
    ) -> dict[int, float]:
        sql = f"SELECT CAST(ts / ? AS INTEGER), value FROM scores WHERE {clause}"
        rows = self._db.execute(sql, [period, *params]).fetchall()
        if not rows:
            return {}
        data = np.asarray(rows, dtype=np.float64)
        return _percentiles_per_period(data[:, 0].astype(np.int64), data[:, 1], percent, period)

    @_store_errors
    def metric_values(self, metric: str, model_id: str | None = None) -> NDArray[np.float64]:
        """Every stored value of a metric (one model, or all), in no particular order."""
        where = self._series_filter(metric, model_id, None, None)
        if where is None:
            return np.empty(0)
        clause, params = where
        rows = self._db.execute(f"SELECT value FROM scores WHERE {clause}", params).fetchall()
        return np.fromiter((r[0] for r in rows), dtype=np.float64, count=len(rows))

    # ------------------------------------------------------------------ summaries

    @_store_errors
    def models(self) -> list[str]:
        """Every model id seen in records or scores, sorted."""
        # `models` only holds ids written with a score (its rows share the score's transaction).
        rows = self._db.execute("SELECT model_id FROM records UNION SELECT model_id FROM models ORDER BY 1")
        return [r[0] for r in rows]

    @_store_errors
    def metric_names(self) -> dict[str, str]:
        """{metric name: monitor} for every metric with stored values (dictionary rows come with a score)."""
        rows = self._db.execute("SELECT name, monitor FROM metrics ORDER BY monitor, name")
        return dict(rows)

    @_store_errors
    def time_range(self) -> tuple[float, float] | None:
        """(earliest, latest) timestamp inside the time window (see `TimeWindow`), or None when no record
        or score falls inside it.

        Every series query is narrowed to this range, so it is remembered until the store changes: this
        connection's writes (`total_changes`) or another process's (`PRAGMA data_version`), or the clock
        moves on a minute (the window's future bound follows it).
        """
        key = (
            self._db.total_changes,
            self._db.execute("PRAGMA data_version").fetchone()[0],
            int(self.window.clock() // 60),
        )
        if self._span_cache is not None and self._span_cache[0] == key:
            return self._span_cache[1]
        span = self._scan_time_range()
        self._span_cache = (key, span)
        return span

    def _scan_time_range(self) -> tuple[float, float] | None:
        latest_allowed = self.window.clock() + self.window.max_future_seconds
        row = self._db.execute(
            "SELECT MAX(hi) FROM (SELECT MAX(ts) AS hi FROM records WHERE ts <= ? "
            "UNION ALL SELECT MAX(ts) FROM scores WHERE ts <= ?)",
            (latest_allowed, latest_allowed),
        ).fetchone()
        if row is None or row[0] is None:
            return None
        newest = float(row[0])
        floor = newest - self.window.max_past_seconds
        oldest = self._db.execute(
            "SELECT MIN(lo) FROM (SELECT MIN(ts) AS lo FROM records WHERE ts >= ? "
            "UNION ALL SELECT MIN(ts) FROM scores WHERE ts >= ?)",
            (floor, floor),
        ).fetchone()[0]
        return float(oldest), newest

    @_store_errors
    def outside_window(self) -> int:
        """Records whose timestamp falls outside the time window (left out of alarms and charts)."""
        span = self.time_range()
        if span is None:
            return self.record_count()
        return int(self._db.execute("SELECT COUNT(*) FROM records WHERE ts < ? OR ts > ?", span).fetchone()[0])

    @_store_errors
    def record_count(self, model_id: str | None = None) -> int:
        """Normalised records seen (one model, or all)."""
        if model_id is None:
            return int(self._db.execute("SELECT COUNT(*) FROM records").fetchone()[0])
        return int(self._db.execute("SELECT COUNT(*) FROM records WHERE model_id = ?", (model_id,)).fetchone()[0])

    @_store_errors
    def record_counts(self) -> dict[str, int]:
        """{model id: records seen}."""
        rows = self._db.execute("SELECT model_id, COUNT(*) FROM records GROUP BY model_id ORDER BY model_id")
        return {model: int(n) for model, n in rows}

    @_store_errors
    def metric_summary(self, metric: str, model_id: str | None = None) -> MetricSummary:
        """Count, mean and nearest-rank p90 of a metric over the whole store (one model, or all)."""
        values = self.metric_values(metric, model_id)
        if values.size == 0:
            return MetricSummary(0, None, None)
        values.sort()
        index = _nearest_rank_indices(np.array([0]), np.array([values.size]), Fraction(90))[0]
        return MetricSummary(int(values.size), float(values.mean()), float(values[index]))

    @_store_errors
    def skip_counts(self) -> dict[str, dict[str, int]]:
        """{monitor: {reason: records}} of records monitors did not score."""
        out: dict[str, dict[str, int]] = {}
        for monitor, reason, n in self._db.execute(
            "SELECT monitor, reason, COUNT(*) FROM skips GROUP BY monitor, reason ORDER BY monitor, reason"
        ):
            out.setdefault(monitor, {})[reason] = int(n)
        return out

    @_store_errors
    def pipeline_totals(self) -> dict[str, int]:
        """Every pipeline counter summed over all sources."""
        rows = self._db.execute("SELECT counter, SUM(value) FROM pipeline_counts GROUP BY counter ORDER BY counter")
        return {counter: int(total) for counter, total in rows}

    @_store_errors
    def sources(self) -> list[str]:
        """Sources that have pipeline counts."""
        return [r[0] for r in self._db.execute("SELECT DISTINCT source FROM pipeline_counts ORDER BY source")]

    @_store_errors
    def average_lengths(self, model_id: str | None = None) -> AverageLengths:
        """Average prompt and completion characters over the records seen (one model, or all)."""
        sql = "SELECT COUNT(*), AVG(prompt_chars), AVG(completion_chars) FROM records"
        row = (
            self._db.execute(sql).fetchone()
            if model_id is None
            else self._db.execute(sql + " WHERE model_id = ?", (model_id,)).fetchone()
        )
        count = int(row[0])
        return AverageLengths(count, float(row[1] or 0.0), float(row[2] or 0.0))

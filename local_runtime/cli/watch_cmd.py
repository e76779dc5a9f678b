"""`llm-monitor watch DIR`: the online local mode.

Follows a directory as S3 delivery would fill it: every new log file is processed once (a file counts as
new until it has been processed at its current size and modification time, which the store remembers,
so a restart does not reprocess anything), the alarms are re-evaluated, and each alarm state change is
printed as it happens. Ctrl-C stops cleanly after the file in progress.
"""

from __future__ import annotations

import argparse
import functools
import json
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Literal, TypedDict

from local_runtime.alarm_timeline import StateChangeDict
from local_runtime.cli.options import add_session_arguments, open_session, path_text, positive_float

if TYPE_CHECKING:
    from local_runtime.session import LocalSession
    from shared.sources import LogSource

#: A day: longer is not following a directory any more (and sleep() overflows on huge values); a tenth of
#: a second: shorter only spins a core rescanning the directory.
MAX_INTERVAL_SECONDS = 86_400
MIN_INTERVAL_SECONDS = 0.1
NAME = "watch"
HELP = "follow a directory of invocation logs, process each new file once, print alarm changes as they happen"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("directory", metavar="DIR", help="directory that receives log files")
    parser.add_argument(
        "--interval",
        type=functools.partial(positive_float, minimum=MIN_INTERVAL_SECONDS, maximum=MAX_INTERVAL_SECONDS),
        default=2.0,
        help=f"seconds between directory scans, {MIN_INTERVAL_SECONDS:g} to {MAX_INTERVAL_SECONDS:,} (default 2)",
    )
    parser.add_argument("--dashboard", type=path_text, help="rewrite this dashboard after each new file")
    parser.add_argument("--json", action="store_true", help="print state changes as JSON lines")
    parser.add_argument("--once", action="store_true", help="process what is there now, then exit")
    add_session_arguments(parser)


class ProcessedEvent(TypedDict):
    event: Literal["processed"]
    file: str
    records: int  # records replayed so far by this watcher


class AlarmEvent(StateChangeDict):
    event: Literal["alarm"]
    time: str  # the timestamp in ISO 8601


#: What the watcher reports (printed as JSON lines with --json).
WatchEvent = ProcessedEvent | AlarmEvent


class Watcher:
    """Scan, process new stable files, report new alarm state changes. Driven by `run` or by tests."""

    def __init__(self, session: LocalSession, directory: Path, *, emit: Callable[[WatchEvent], None]) -> None:
        self.session = session
        self.directory = directory
        self.emit = emit
        self._sizes: dict[str, tuple[int, float]] = {}
        self._reported: set[tuple[str, float]] = set()
        self.stop = False

    def pending(self, *, settled: bool = True) -> list[tuple[LogSource, tuple[int, float]]]:
        """Files not processed at their current size and mtime. With `settled`, only those whose size and
        mtime did not change since the previous scan (a file still being copied in waits a scan)."""
        from shared.sources import local_sources

        ready: list[tuple[LogSource, tuple[int, float]]] = []
        for source in local_sources(self.directory):
            try:
                stat = Path(source.name).stat()
            except FileNotFoundError:  # removed between listing and stat
                continue
            key = (stat.st_size, stat.st_mtime)
            if self.session.store.is_source_done(source.name, *key):
                continue
            if not settled or self._sizes.get(source.name) == key:
                ready.append((source, key))
            self._sizes[source.name] = key
        return ready

    def step(self, *, settled: bool = True) -> int:
        """One scan; returns how many files were processed."""
        ready = self.pending(settled=settled)
        if not ready:
            return 0
        replayer = self.session.replayer()
        for source, key in ready:
            if self.stop:
                break
            replayer.replay_source(source)
            self.session.store.mark_source_done(source.name, *key)
            self.emit({"event": "processed", "file": source.name, "records": replayer.totals.records})
        self.report_changes()
        return len(ready)

    def report_changes(self) -> None:
        from shared.timestamps import iso

        for report in self.session.evaluate():
            for change in report.changes:
                key = (change.alarm, change.timestamp)
                if key in self._reported:
                    continue
                self._reported.add(key)
                self.emit({"event": "alarm", **change.to_dict(), "time": iso(change.timestamp)})

    def prime(self) -> None:
        """Remember the changes already in the store so only new ones are printed."""
        for report in self.session.evaluate():
            self._reported.update((c.alarm, c.timestamp) for c in report.changes)


def _printer(as_json: bool) -> Callable[[WatchEvent], None]:
    def emit(event: WatchEvent) -> None:
        if as_json:
            print(json.dumps(event), flush=True)
        elif event["event"] == "processed":
            print(f"processed {event['file']}", file=sys.stderr, flush=True)
        else:
            print(f"{event['time']}  {event['alarm']}  {event['old']} -> {event['new']}  {event['reason']}", flush=True)

    return emit


def run(args: argparse.Namespace) -> int:
    from shared.errors import SourceError

    directory = Path(args.directory)
    if not directory.is_dir():
        raise SourceError(f"not a directory: {directory}")
    session = open_session(args)
    watcher = Watcher(session, directory, emit=_printer(args.json))

    def request_stop(signum: int, frame: object) -> None:
        watcher.stop = True

    previous = signal.signal(signal.SIGTERM, request_stop)
    with session:
        watcher.prime()
        print(f"watching {directory} (Ctrl-C to stop)", file=sys.stderr, flush=True)
        try:
            while not watcher.stop:
                processed = watcher.step(settled=not args.once)
                if processed and args.dashboard:
                    session.render(Path(args.dashboard), session.evaluate())
                if args.once:
                    break
                time.sleep(args.interval)
        except KeyboardInterrupt:
            pass
        finally:
            signal.signal(signal.SIGTERM, previous)
        print(f"stopped; {session.store.record_count():,} records in {session.store.path}", file=sys.stderr)
    return 0

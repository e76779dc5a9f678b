"""The whole page: its sections in order, inside one HTML document with the stylesheet and script inlined.

Inlining the package's assets keeps the dashboard a single file that opens offline in any browser.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

from local_runtime.dashboard import sections
from local_runtime.dashboard.changes import StateChangeLike
from local_runtime.dashboard.formatting import escape
from local_runtime.dashboard.page_data import PageData, gather
from local_runtime.store import MetricStore
from monitors.core.alarms import AlarmDefinition
from monitors.core.spec import MetricSpec
from shared.errors import OutputError

DEFAULT_PERIOD_SECONDS = 300
_ASSETS = resources.files("local_runtime.dashboard").joinpath("assets")


def _asset(name: str) -> str:
    """A static file of the package (assets/), read to be inlined."""
    return _ASSETS.joinpath(name).read_text(encoding="utf-8")


def _body(page: PageData) -> list[str]:
    """Every section's lines, top to bottom (the footer, which reports the time taken, comes last)."""
    return [
        *sections.header(page),
        *sections.summary_cards(page),
        *sections.navigation(),
        *sections.alarm_table(page),
        *sections.legend(page),
        *sections.monitor_sections(page),
        *sections.change_table(page),
        *sections.pipeline_table(page),
        *sections.skip_table(page),
        *sections.model_table(page),
    ]


def _document(title: str, body: Sequence[str]) -> str:
    """The HTML document around `body`, one line per entry, with the assets inlined."""
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>\n{_asset('dashboard.css')}</style>"
        f"<script>\n{_asset('dashboard.js')}</script></head><body>" + "\n".join(body) + "</body></html>\n"
    )


def render_dashboard(
    path: str | Path,
    *,
    store: MetricStore,
    metrics: Sequence[tuple[str, MetricSpec]],
    alarms: Sequence[AlarmDefinition],
    changes: Iterable[StateChangeLike],
    title: str = "LLM Monitor — local dashboard",
    period_seconds: int = DEFAULT_PERIOD_SECONDS,
    open_all: bool | None = None,
) -> Path:
    """Write the dashboard to `path` (parents created) and return the path.

    `metrics` are (monitor name, MetricSpec) in display order, `alarms` the resolved alarm definitions,
    `changes` their state changes. Metric sections are expanded when the metric has an alarm (all of them
    when there are at most six metrics, or when `open_all`); the page's buttons expand or collapse all.
    """
    started = time.perf_counter()
    out = Path(path)
    page = gather(
        store=store,
        metrics=metrics,
        alarms=alarms,
        changes=changes,
        title=title,
        period_seconds=period_seconds,
        open_all=open_all,
    )
    body = _body(page)
    body.extend(sections.footer(generated_at=datetime.now(tz=UTC), elapsed=time.perf_counter() - started))
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(_document(title, body), encoding="utf-8")
    except OSError as exc:
        raise OutputError(f"cannot write the dashboard to {out}: {exc.strerror or exc.__class__.__name__}") from None
    return out

"""bench/timeliness.py: late values land where each stamping mode puts them, and the README shows its numbers."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import numpy as np

from bench.timeliness import MINUTE, Traffic, evaluate, main, refusal_alarm
from local_runtime.alarm_state import AlarmState
from monitors.core.config import EmfTimestamp

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
MINUTES = 90


def spike(*, late_by_minutes: float) -> Traffic:
    """20 requests a minute; minutes 20-50 all refusals, the rest none; every record `late_by_minutes` late."""
    invoked = np.arange(0, MINUTES * MINUTE, 3.0)
    refusal = ((invoked >= 20 * MINUTE) & (invoked < 50 * MINUTE)).astype(np.float64)
    return Traffic(invoked, refusal, invoked + late_by_minutes * MINUTE)


def first_alarm(states: list[AlarmState]) -> int | None:
    """The minute whose evaluation first went to ALARM."""
    return next((i + 1 for i, s in enumerate(states) if s is AlarmState.ALARM), None)


def test_on_time_values_alarm_after_three_breaching_periods_in_either_mode() -> None:
    for stamp in EmfTimestamp:
        states = evaluate(spike(late_by_minutes=0), refusal_alarm(), minutes=MINUTES, stamp=stamp)
        assert first_alarm(states) == 32  # [17, 22) holds 2 minutes of spike: 40% > 20%
        assert states[-1] is AlarmState.OK


def test_late_values_are_seen_in_their_own_period_until_it_leaves_the_range() -> None:
    alarm = refusal_alarm()
    # 8 minutes late. Arrival stamps shift the whole story by 8 minutes. Invocation stamps alarm sooner: at
    # minute 37 the newest period [32, 37) is missing, [27, 32) is partly known (minutes 27-29, all refusals),
    # and the 3 newest real datapoints (40%, 100%, 100%) all breach.
    on_time = spike(late_by_minutes=8)
    assert first_alarm(evaluate(on_time, alarm, minutes=MINUTES, stamp=EmfTimestamp.INVOCATION)) == 37
    assert first_alarm(evaluate(on_time, alarm, minutes=MINUTES, stamp=EmfTimestamp.ARRIVAL)) == 40
    # 30 minutes late: past the 25-minute evaluation range, so invocation-stamped values are never seen.
    late = spike(late_by_minutes=30)
    assert first_alarm(evaluate(late, alarm, minutes=MINUTES, stamp=EmfTimestamp.INVOCATION)) is None
    assert first_alarm(evaluate(late, alarm, minutes=MINUTES, stamp=EmfTimestamp.ARRIVAL)) == 62


def test_the_readme_table_is_the_bench_output() -> None:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main([]) == 0
    rows = [line for line in out.getvalue().splitlines() if line.startswith("|")]
    assert len(rows) == 2 + 2 * 5  # header, rule, two stamping modes per delivery model
    missing = [row for row in rows if row not in README]
    assert not missing, "README 'Alarm timeliness' is stale; paste `python -m bench.timeliness`:\n" + "\n".join(rows)

"""Alarm timeliness: how often, and how late, the default refusal alarm catches a real spike when log delivery
is late, with EMF timestamps set to the invocation time or to the arrival (scoring) time.

`python -m bench.timeliness` (or `python -m bench bench.timeliness`); `--seeds N` for more runs per cell
(default 40). Runs in a few seconds.

What is simulated, per run (one model, numpy, seeded):

- Traffic: Poisson arrivals at a rate drawn log-uniformly from 10-100 requests a minute; each request is a
  refusal with probability 5%, or 50% during a spike of 15, 30 or 60 minutes that starts at a random second
  after 40 minutes of baseline. No-spike runs (6 hours each) count false alarms.
- Delivery (`DELAY_MODELS`): Bedrock writes a log object every k minutes (random phase) holding what was
  invoked since the last one; the object lands in S3 after a lag drawn from a mixture of uniform ranges; the
  S3 notification, the dispatcher, Kinesis, the monitor's batching window and CloudWatch's EMF extraction add
  a per-object pipeline delay. Every record of an object arrives at once.
- Stamping: `invocation` puts each value in the minute it was invoked in; `arrival` in the minute it arrived.
- The alarm: the refusal monitor's own declaration (Average of Refusal > 0.2, 3 of 3 five-minute periods,
  missing data not breaching), evaluated every minute as CloudWatch does by default (a sliding window: the
  evaluation range is the N + 2 periods ending at that minute) by the local runtime's evaluator
  (`local_runtime.alarm_timeline.decide_values` -> `alarm_state.decide`), each evaluation seeing only the
  values that had arrived by that minute. A late value is seen by every later evaluation whose range still
  holds its period, and never once its period has left the range.

Measured: detection (the alarm reaches ALARM at or after the spike's start, before the run ends 60 minutes
after the spike), delay from the spike's start to ALARM, recovery (from the spike's end to the alarm
leaving ALARM for the last time), and false alarms (transitions to ALARM in the no-spike runs). Every run is
seeded, so the table is the same on every machine; README "Alarm timeliness" shows it (a test checks).
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from local_runtime.alarm_state import AlarmState  # noqa: E402
from local_runtime.alarm_timeline import decide_values, range_starts  # noqa: E402
from monitors.core.config import EmfTimestamp  # noqa: E402
from monitors.core.spec import AlarmSpec  # noqa: E402

MINUTE = 60
BASELINE_RATE = 0.05
SPIKE_RATE = 0.50
RATES_PER_MINUTE = (10.0, 100.0)  # log-uniform
SPIKE_MINUTES = (15, 30, 60)
WARM_UP_MINUTES = 40
AFTER_SPIKE_MINUTES = 60
NO_SPIKE_MINUTES = 6 * 60

Mixture = tuple[tuple[float, float, float], ...]  # (weight, low seconds, high seconds): uniform components


@dataclass(frozen=True)
class DelayModel:
    """Invocation -> scored: wait for Bedrock's next object, its lag to S3, then our pipeline."""

    name: str
    object_every_minutes: float  # 0: no batching (each record on its own)
    object_lag: Mixture  # Bedrock's object landing in S3 after it closes
    pipeline: Mixture = field(default=((0.95, 5, 40), (0.05, 60, 180)))  # S3 event .. EMF extracted
    summary: str = ""


DELAY_MODELS = (
    DelayModel("none", 0, ((1.0, 0, 0),), ((1.0, 0, 0),), "reference: scored the moment it is invoked"),
    DelayModel("prompt", 1, ((1.0, 10, 60),), summary="an object every minute, lands 10-60 s later: about 0.5-2.5 min"),
    DelayModel(
        "typical",
        5,
        ((0.9, 30, 300), (0.1, 300, 900)),
        summary="an object every 5 min; 90% land 0.5-5 min later, 10% 5-15 min: about 1-10 min, tail 20",
    ),
    DelayModel(
        "pessimistic",
        10,
        ((0.7, 60, 600), (0.3, 600, 2400)),
        ((0.8, 5, 40), (0.2, 60, 300)),
        summary="an object every 10 min; 70% land 1-10 min later, 30% 10-40 min: up to ~55 min",
    ),
    DelayModel(
        "backlog",
        5,
        ((1.0, 1500, 2700),),
        summary="an object every 5 min, every one 25-45 min late: past the 25-min evaluation range",
    ),
)


def refusal_alarm() -> AlarmSpec:
    """The refusal monitor's declared default alarm (the deployed one, unless configuration overrides it)."""
    from monitors.refusal import REFUSAL, RefusalMonitor

    alarm = next(m.alarm for m in RefusalMonitor.spec().metrics if m.name == REFUSAL)
    if alarm is None:
        raise SystemExit("the refusal monitor declares no alarm on Refusal")
    return alarm


def _draw(rng: np.random.Generator, mixture: Mixture, size: int) -> np.ndarray:
    weights = np.array([w for w, _, _ in mixture])
    which = rng.choice(len(mixture), size=size, p=weights / weights.sum())
    low = np.array([lo for _, lo, _ in mixture])[which]
    high = np.array([hi for _, _, hi in mixture])[which]
    drawn: np.ndarray = low + (high - low) * rng.random(size)
    return drawn


@dataclass(frozen=True)
class Traffic:
    invoked: np.ndarray  # seconds from the run's start, sorted
    refusal: np.ndarray  # 0/1
    arrived: np.ndarray  # seconds: when the monitor scored it and its EMF value became visible


def simulate(
    rng: np.random.Generator, *, minutes: int, rate: float, spike: tuple[float, float] | None, delay: DelayModel
) -> Traffic:
    n = rng.poisson(rate * minutes)
    invoked = np.sort(rng.random(n) * minutes * MINUTE)
    p = np.full(n, BASELINE_RATE)
    if spike is not None:
        p[(invoked >= spike[0]) & (invoked < spike[1])] = SPIKE_RATE
    refusal = (rng.random(n) < p).astype(np.float64)
    if delay.object_every_minutes <= 0:
        return Traffic(invoked, refusal, invoked.copy())
    every = delay.object_every_minutes * MINUTE
    phase = rng.random() * every
    obj = np.ceil((invoked - phase) / every).astype(np.int64)  # the object a record is written to
    first = int(obj.min()) if n else 0
    count = (int(obj.max()) - first + 1) if n else 0
    closes = phase + (first + np.arange(count)) * every
    lands = closes + _draw(rng, delay.object_lag, count) + _draw(rng, delay.pipeline, count)
    return Traffic(invoked, refusal, lands[obj - first])


def evaluate(traffic: Traffic, alarm: AlarmSpec, *, minutes: int, stamp: EmfTimestamp) -> list[AlarmState]:
    """The alarm's state after the evaluation at the end of each minute 1..minutes (index 0 = minute 1)."""
    horizon = minutes + 1
    # The minute each value is stamped in, and the first evaluation (a minute's end) that sees it.
    stamped = traffic.invoked if stamp is EmfTimestamp.INVOCATION else traffic.arrived
    bucket = np.floor(stamped / MINUTE).astype(np.int64)
    seen = np.ceil(traffic.arrived / MINUTE).astype(np.int64)
    keep = (bucket < horizon) & (seen < horizon)
    index = bucket[keep] * horizon + seen[keep]
    counts = np.bincount(index, minlength=horizon * horizon).reshape(horizon, horizon)
    sums = np.bincount(index, weights=traffic.refusal[keep], minlength=horizon * horizon).reshape(horizon, horizon)
    # known[m, t]: what an evaluation at minute t knows about minute m; prefix over m for window sums.
    known_counts = np.vstack([np.zeros(horizon), np.cumsum(np.cumsum(counts, axis=1), axis=0)])
    known_sums = np.vstack([np.zeros(horizon), np.cumsum(np.cumsum(sums, axis=1), axis=0)])

    # The evaluation range ending at each minute t: periods starting at t + offset (minutes), clipped at 0.
    period = alarm.period_seconds // MINUTE
    offsets = np.array([start // MINUTE for start in range_starts(0, alarm)])
    t = np.arange(1, horizon)[:, None]
    lo, hi = np.clip(t + offsets, 0, None), np.clip(t + offsets + period, 0, None)
    counts_in = known_counts[hi, t] - known_counts[lo, t]
    with np.errstate(invalid="ignore", divide="ignore"):
        values = np.where(counts_in > 0, (known_sums[hi, t] - known_sums[lo, t]) / counts_in, np.nan)
    state = AlarmState.INSUFFICIENT_DATA
    states = []
    for row in values.tolist():  # NaN: no datapoint in that period (yet)
        state = decide_values(alarm, row, current_state=state).state
        states.append(state)
    return states


@dataclass
class Outcome:
    detected: int = 0
    runs: int = 0
    delays: list[float] = field(default_factory=list)  # minutes from the spike's start to ALARM
    recoveries: list[float] = field(default_factory=list)  # minutes from the spike's end to leaving ALARM
    false_alarms: int = 0
    quiet_minutes: int = 0


def spike_run(
    rng: np.random.Generator, alarm: AlarmSpec, delay: DelayModel, spike_minutes: int, outcomes: dict[str, Outcome]
) -> None:
    rate = math.exp(rng.uniform(*np.log(RATES_PER_MINUTE)))
    start = (WARM_UP_MINUTES + rng.random() * 5) * MINUTE
    end = start + spike_minutes * MINUTE
    minutes = WARM_UP_MINUTES + 5 + spike_minutes + AFTER_SPIKE_MINUTES
    traffic = simulate(rng, minutes=minutes, rate=rate, spike=(start, end), delay=delay)
    for stamp in EmfTimestamp:
        states = evaluate(traffic, alarm, minutes=minutes, stamp=stamp)
        out = outcomes[stamp.value]
        out.runs += 1
        times = [(i + 1) * MINUTE for i in range(len(states))]
        alarmed = [t for t, s in zip(times, states, strict=True) if t >= start and s is AlarmState.ALARM]
        if alarmed:
            out.detected += 1
            out.delays.append((alarmed[0] - start) / MINUTE)
            last = max(t for t, s in zip(times, states, strict=True) if s is AlarmState.ALARM)
            if last < times[-1]:
                out.recoveries.append((last + MINUTE - end) / MINUTE)


def quiet_run(rng: np.random.Generator, alarm: AlarmSpec, delay: DelayModel, outcomes: dict[str, Outcome]) -> None:
    rate = math.exp(rng.uniform(*np.log(RATES_PER_MINUTE)))
    traffic = simulate(rng, minutes=NO_SPIKE_MINUTES, rate=rate, spike=None, delay=delay)
    for stamp in EmfTimestamp:
        states = evaluate(traffic, alarm, minutes=NO_SPIKE_MINUTES, stamp=stamp)
        out = outcomes[stamp.value]
        previous = AlarmState.INSUFFICIENT_DATA
        for state in states:
            out.false_alarms += state is AlarmState.ALARM and previous is not AlarmState.ALARM
            previous = state
        out.quiet_minutes += NO_SPIKE_MINUTES


def _pct(values: Sequence[float], q: float) -> str:
    return f"{np.percentile(values, q):.0f}" if values else "-"


def _spread(values: Sequence[float]) -> str:
    return f"{_pct(values, 50)} / {_pct(values, 90)}" if values else "-"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=40, help="runs per delivery model and spike length")
    args = parser.parse_args(argv)
    alarm = refusal_alarm()
    started = time.perf_counter()
    print(
        f"alarm: {alarm.statistic} of Refusal > {alarm.threshold:g}, {alarm.datapoints_to_alarm} of "
        f"{alarm.evaluation_periods} x {alarm.period_seconds // MINUTE} min, missing data "
        f"{alarm.treat_missing_data.value}, evaluated every minute (sliding window); {args.seeds} runs per cell "
        f"at 10-100 requests/min; refusals {BASELINE_RATE:.0%}, {SPIKE_RATE:.0%} during the spike"
    )
    spikes = " | ".join(f"{d}-min spike: caught, delay p50 / p90" for d in SPIKE_MINUTES)
    print(f"\n| delivery | EMF timestamp | {spikes} | recovery p50 / p90 (30-min spike) | false alarms |")
    print("|---|---|" + "---|" * (len(SPIKE_MINUTES) + 2))
    for delay in DELAY_MODELS:
        by_spike: dict[int, dict[str, Outcome]] = {}
        for spike_minutes in SPIKE_MINUTES:
            outcomes = {s.value: Outcome() for s in EmfTimestamp}
            rng = np.random.default_rng([spike_minutes, 1])  # the same traffic for every delivery model
            for _ in range(args.seeds):
                spike_run(rng, alarm, delay, spike_minutes, outcomes)
            by_spike[spike_minutes] = outcomes
        quiet = {s.value: Outcome() for s in EmfTimestamp}
        rng = np.random.default_rng([0, 2])
        for _ in range(args.seeds):
            quiet_run(rng, alarm, delay, quiet)
        for stamp in EmfTimestamp:
            cells = []
            for spike_minutes in SPIKE_MINUTES:
                out = by_spike[spike_minutes][stamp.value]
                cells.append(f"{out.detected / out.runs:.0%}, {_spread(out.delays)}")
            recovery = _spread(by_spike[30][stamp.value].recoveries)
            false = f"{quiet[stamp.value].false_alarms} in {quiet[stamp.value].quiet_minutes / 1440:g} days"
            print(f"| {delay.name} | {stamp.value} | {' | '.join(cells)} | {recovery} | {false} |")
    print("\ndelays in minutes; delivery (invocation -> value visible to the alarm):")
    for delay in DELAY_MODELS:
        print(f"  {delay.name:<12} {delay.summary}")
    print(f"({time.perf_counter() - started:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

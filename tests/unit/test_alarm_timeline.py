"""Alarm state changes over a synthetic replayed timeline (values per period are given: aggregation, including
percentiles, is not this module's concern)."""

from __future__ import annotations

import json

import pytest

from local_runtime.alarm_state import AlarmState
from local_runtime.alarm_timeline import StateChange, alarm_timeline, align, decide_values, range_starts
from monitors.core.alarms import AlarmDefinition
from monitors.core.spec import AlarmSpec, Comparison, MissingData

OK, ALARM, INSUFFICIENT = AlarmState.OK, AlarmState.ALARM, AlarmState.INSUFFICIENT_DATA
P = 300  # 5-minute periods
T0 = align(1_700_000_000, P)  # 1_699_999_800, a period boundary


def make_alarm(
    *, m=3, n=3, treat=MissingData.MISSING, comparison=Comparison.GREATER_THAN, threshold=0.2, statistic="Average"
):
    spec = AlarmSpec(
        statistic=statistic,
        threshold=threshold,
        comparison=comparison,
        period_seconds=P,
        evaluation_periods=n,
        datapoints_to_alarm=m,
        treat_missing_data=treat,
    )
    return AlarmDefinition(
        name="LLMMonitor-RefusalRate-all-models",
        monitor="refusal",
        metric_name="RefusalRate",
        namespace="LLMMonitor",
        spec=spec,
    )


def series(values):
    """{period start: value} for consecutive periods from T0; None leaves the period out (missing)."""
    return {T0 + i * P: v for i, v in enumerate(values) if v is not None}


def end_of(i):
    """The end of period i (counted from T0): where an evaluation of that period happens."""
    return float(T0 + (i + 1) * P)


def transitions(changes):
    return [(c.timestamp, c.old, c.new) for c in changes]


# Periods 0-3 fine, 4-7 breaching (4 consecutive 5-minute periods), 8-11 recovered.
SPIKE = [0.05, 0.10, 0.08, 0.12, 0.41, 0.52, 0.47, 0.33, 0.09, 0.11, 0.07, 0.06]


def test_spike_alarms_on_the_third_breach_and_clears_on_the_first_good_period():
    changes = alarm_timeline(make_alarm(), series(SPIKE), start=T0, end=T0 + len(SPIKE) * P)
    assert transitions(changes) == [
        (end_of(0), INSUFFICIENT, OK),  # first evaluation: one real, non-breaching datapoint
        (end_of(6), OK, ALARM),  # periods 4, 5, 6 breach: 3 out of 3
        (end_of(8), ALARM, OK),  # periods 6, 7, 8: only 2 breach
    ]
    alarm = changes[1]
    assert alarm.alarm == "LLMMonitor-RefusalRate-all-models"
    assert alarm.value == pytest.approx(0.47)
    # Newest first, as CloudWatch lists them.
    assert alarm.reason == (
        "Threshold Crossed: 3 out of the last 3 datapoints [0.47, 0.52, 0.41] were greater than the threshold (0.2)."
    )
    assert "fewer than the 3 to alarm" in changes[2].reason
    assert changes[0].reason.startswith("Threshold Crossed: 0 out of the last 1 datapoints [0.05]")


def test_two_out_of_three_alarms_one_period_earlier():
    changes = alarm_timeline(make_alarm(m=2), series(SPIKE), start=T0, end=T0 + len(SPIKE) * P)
    assert transitions(changes) == [
        (end_of(0), INSUFFICIENT, OK),
        (end_of(5), OK, ALARM),  # periods 3, 4, 5: 2 breach
        (end_of(9), ALARM, OK),  # periods 6, 7, 8 still hold 2 breaching; 7, 8, 9 only 1
    ]


def test_less_than_comparison_reads_less_than():
    values = [0.9, 0.9, 0.1, 0.1, 0.1, 0.9]
    changes = alarm_timeline(
        make_alarm(comparison=Comparison.LESS_THAN, threshold=0.5), series(values), start=T0, end=T0 + len(values) * P
    )
    assert transitions(changes) == [
        (end_of(0), INSUFFICIENT, OK),
        (end_of(4), OK, ALARM),
        (end_of(5), ALARM, OK),
    ]
    assert "were less than the threshold (0.5)" in changes[1].reason


# Data for periods 0-3 (all fine), then nothing: how each treatment handles the gap, evaluated to period 10.
GAP = [0.05, 0.10, 0.08, 0.12]


@pytest.mark.parametrize(
    ("treat", "expected"),
    [
        # Real datapoints stay in the 5-period range until the end of period 7; then all 5 are missing.
        (MissingData.MISSING, [(end_of(0), INSUFFICIENT, OK), (end_of(8), OK, INSUFFICIENT)]),
        (MissingData.NOT_BREACHING, [(end_of(0), INSUFFICIENT, OK)]),
        # 0 - - - - with 2 filled as breaching is 2 of 3 (OK); - - - - - is 3 of 3 (ALARM).
        (MissingData.BREACHING, [(end_of(0), INSUFFICIENT, OK), (end_of(8), OK, ALARM)]),
        (MissingData.IGNORE, [(end_of(0), INSUFFICIENT, OK)]),
    ],
    ids=lambda v: v.value if isinstance(v, MissingData) else "",
)
def test_missing_data_treatments_on_a_gap(treat, expected):
    changes = alarm_timeline(make_alarm(treat=treat), series(GAP), start=T0, end=T0 + 11 * P)
    assert transitions(changes) == expected


def test_gap_under_missing_reason():
    changes = alarm_timeline(make_alarm(), series(GAP), start=T0, end=T0 + 11 * P)
    assert changes[-1].reason == "Insufficient Data: all 5 datapoints of the evaluation range were missing."
    assert changes[-1].value is None


def test_gap_inside_a_breach_uses_older_real_datapoints():
    # X X - X: at the end of period 3 the 3 most recent real datapoints are periods 0, 1, 3, all breaching;
    # the missing-data setting (here notBreaching) is not needed.
    values = [0.5, 0.6, None, 0.7, 0.1]
    changes = alarm_timeline(make_alarm(treat=MissingData.NOT_BREACHING), series(values), start=T0, end=T0 + 5 * P)
    assert transitions(changes) == [
        (end_of(0), INSUFFICIENT, OK),
        (end_of(3), OK, ALARM),
        (end_of(4), ALARM, OK),
    ]
    assert changes[1].reason.startswith("Threshold Crossed: 3 out of the last 3 datapoints [0.7, 0.6, 0.5]")


def test_filled_reason_mentions_the_treatment():
    changes = alarm_timeline(make_alarm(treat=MissingData.BREACHING), series([0.5]), start=T0, end=T0 + P)
    assert transitions(changes) == [(end_of(0), INSUFFICIENT, ALARM)]
    assert changes[0].reason == (
        "Threshold Crossed: 3 out of the last 3 datapoints [0.5] plus 2 missing treated as breaching "
        "were greater than the threshold (0.2)."
    )


def test_premature_alarm_rule_over_time():
    # A single breaching datapoint then silence, 3 out of 3, missing as missing:
    # - - - - X and - - - X - stay INSUFFICIENT_DATA, - - X - - goes to ALARM, and the alarm stays there while
    # the datapoint is in the range (- X - - -, X - - - -), then INSUFFICIENT_DATA once it has left.
    changes = alarm_timeline(make_alarm(), series([0.9]), start=T0, end=T0 + 8 * P)
    assert transitions(changes) == [(end_of(2), INSUFFICIENT, ALARM), (end_of(5), ALARM, INSUFFICIENT)]
    assert "premature-alarm rule" in changes[0].reason
    assert changes[0].value == pytest.approx(0.9)


def test_premature_alarm_is_avoided_when_a_good_datapoint_follows():
    changes = alarm_timeline(make_alarm(), series([0.9, None, 0.1]), start=T0, end=T0 + 3 * P)
    assert transitions(changes) == [(end_of(2), INSUFFICIENT, OK)]


def test_ignore_keeps_the_initial_state_through_silence():
    for initial in AlarmState:
        assert (
            alarm_timeline(make_alarm(treat=MissingData.IGNORE), {}, start=T0, end=T0 + 10 * P, initial_state=initial)
            == []
        )
    changes = alarm_timeline(
        make_alarm(treat=MissingData.IGNORE), series([0.9]), start=T0, end=T0 + 6 * P, initial_state=OK
    )
    assert changes == []  # one breaching datapoint is never enough to leave OK under ignore


def test_initial_state_is_the_old_state_of_the_first_change():
    changes = alarm_timeline(make_alarm(), series(SPIKE), start=T0, end=T0 + len(SPIKE) * P, initial_state=OK)
    assert transitions(changes) == [(end_of(6), OK, ALARM), (end_of(8), ALARM, OK)]


def test_evaluated_once_per_period_overlapping_start_end():
    values = series([0.1] * 10)
    # start inside period 2, end inside period 4: periods 2, 3, 4 are evaluated.
    changes = alarm_timeline(make_alarm(), values, start=T0 + 2 * P + 17, end=T0 + 4 * P + 1)
    assert transitions(changes) == [(end_of(2), INSUFFICIENT, OK)]
    # end exactly on a boundary excludes the period starting there
    breach = series([0.1, 0.9, 0.9, 0.9])
    assert alarm_timeline(make_alarm(), breach, start=T0, end=T0 + 3 * P)[-1].new is OK
    assert alarm_timeline(make_alarm(), breach, start=T0, end=T0 + 3 * P + 1)[-1].new is ALARM
    assert alarm_timeline(make_alarm(), breach, start=T0, end=T0) == []


def test_non_finite_values_count_as_missing():
    changes = alarm_timeline(make_alarm(), {T0: float("nan")}, start=T0, end=T0 + P)
    assert changes == []


def test_unaligned_datapoint_key_is_rejected():
    with pytest.raises(ValueError, match="not the start of a 300-second period"):
        alarm_timeline(make_alarm(), {T0 + 60: 0.5}, start=T0, end=T0 + P)


def test_align():
    assert align(T0, P) == T0
    assert align(T0 + 299.9, P) == T0
    assert align(T0 + 300, P) == T0 + 300
    assert align(59.5, 60) == 0
    assert isinstance(align(1234.5, 60), int)
    with pytest.raises(ValueError):
        align(10, 0)


def test_state_change_to_dict_is_json():
    change = StateChange(timestamp=end_of(0), alarm="a", old=INSUFFICIENT, new=OK, value=0.1, reason="r")
    assert json.loads(json.dumps(change.to_dict())) == {
        "timestamp": end_of(0),
        "alarm": "a",
        "old": "INSUFFICIENT_DATA",
        "new": "OK",
        "value": 0.1,
        "reason": "r",
    }


def test_evaluation_cost_follows_the_periods_that_hold_data(monkeypatch: pytest.MonkeyPatch) -> None:
    """A stray datapoint 26 years before the rest adds a handful of evaluations, not 2.7 million."""
    import local_runtime.alarm_timeline as timeline

    calls = []
    real = timeline.decide
    monkeypatch.setattr(timeline, "decide", lambda *a, **k: calls.append(1) or real(*a, **k))
    stray = align(T0 - 26 * 365 * 86_400, P)
    points = {stray: 0.9, **series([0.1, 0.9, 0.9, 0.9])}
    changes = alarm_timeline(make_alarm(), points, start=stray, end=T0 + 4 * P)
    assert changes[-1].new is ALARM
    assert len(calls) < 40


# --- one evaluation at any time, with the data known then (bench/timeliness.py) ------------------------------


def test_range_starts_end_at_any_minute_for_a_sliding_window():
    spec = make_alarm().spec
    assert range_starts(T0 + 5 * P, spec) == [T0 + i * P for i in range(5)]
    assert range_starts(T0 + 5 * P + 120, spec) == [T0 + 120 + i * P for i in range(5)]
    assert len(range_starts(T0, make_alarm(n=5, m=2).spec)) == 7


def test_decide_values_compares_then_decides_like_the_timeline():
    spec = make_alarm(treat=MissingData.NOT_BREACHING).spec
    decision = decide_values(spec, [0.1, None, 0.5, float("nan"), 0.6], current_state=OK)
    assert decision.points == (False, None, True, None, True)
    assert decision.state is OK  # 0 X X: the 3 newest real datapoints hold 2 breaching
    late = decide_values(spec, [0.1, None, 0.5, 0.4, 0.6], current_state=OK)  # period 3 arrived late
    assert late.state is ALARM
    assert decide_values(spec, [0.1, None, 0.5, 0.4, 0.6], current_state=OK) is late  # memoised
    # Every evaluation of the timeline is one decide_values over the range ending at the period's end.
    alarm, values = make_alarm(treat=MissingData.NOT_BREACHING), series(SPIKE)
    state, stepped = INSUFFICIENT, []
    for i in range(len(SPIKE)):
        starts = range_starts(int(end_of(i)), alarm.spec)
        new = decide_values(alarm.spec, [values.get(s) for s in starts], current_state=state).state
        if new is not state:
            stepped.append((end_of(i), state, new))
        state = new
    assert stepped == transitions(alarm_timeline(alarm, values, start=T0, end=end_of(len(SPIKE) - 1)))

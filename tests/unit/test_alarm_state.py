"""The evaluator against CloudWatch's own documented examples, then properties that must hold for any input.

Tables copied row by row from the Amazon CloudWatch User Guide, "Configuring how CloudWatch alarms treat
missing data", section "How alarm state is evaluated when data is missing"
(https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarms-and-missing-data.html; the same text
is in awsdocs/amazon-cloudwatch-user-guide, doc_source/AlarmThatSendsEmail.md). Evaluation Periods 3, period
5 minutes, evaluation range 5. Data points oldest first (most recent on the right): 0 not breaching,
X breaching, - missing. Columns: Data points | # of data points that must be filled | MISSING | IGNORE |
BREACHING | NOT BREACHING. "Retain current state" is written RETAIN here.
"""

from __future__ import annotations

import itertools

import pytest

from local_runtime.alarm_state import (
    AlarmState,
    Rule,
    decide,
    evaluate,
    evaluation_range,
    format_points,
    parse_points,
)
from monitors.core.spec import MissingData

OK, ALARM, INSUFFICIENT = AlarmState.OK, AlarmState.ALARM, AlarmState.INSUFFICIENT_DATA
RETAIN = "Retain current state"
TREATMENTS = (MissingData.MISSING, MissingData.IGNORE, MissingData.BREACHING, MissingData.NOT_BREACHING)

# First table: Datapoints to Alarm 3, Evaluation Periods 3.
# | Data points | # of data points that must be filled | MISSING | IGNORE | BREACHING | NOT BREACHING |
TABLE_3_OF_3 = [
    ("0 - X - X", 0, OK, OK, OK, OK),
    ("0 - - - -", 2, OK, OK, OK, OK),
    ("- - - - -", 3, INSUFFICIENT, RETAIN, ALARM, OK),
    ("0 X X - X", 0, ALARM, ALARM, ALARM, ALARM),
    ("- - X - -", 2, ALARM, RETAIN, ALARM, OK),
]

# Second table: Datapoints to Alarm 2, Evaluation Periods 3 ("a 2 out of 3, M out of N alarm").
# | Data points | # of missing data points | MISSING | IGNORE | BREACHING | NOT BREACHING |
TABLE_2_OF_3 = [
    ("0 - X - X", 0, ALARM, ALARM, ALARM, ALARM),
    ("0 0 X 0 X", 0, ALARM, ALARM, ALARM, ALARM),
    ("0 - X - -", 1, OK, OK, ALARM, OK),
    ("- - - - 0", 2, OK, OK, ALARM, OK),
    ("- - - X -", 2, ALARM, RETAIN, ALARM, OK),
]

# Rows of earlier versions of the same page (awsdocs/amazon-cloudwatch-user-guide,
# doc_source/AlarmThatSendsEmail.md, 2019-2021), since replaced by the premature-alarm rows above and not
# contradicted by the current text ("the alarm does not go immediately into ALARM state when the data is
# either - - - - X or - - - X -"). (points, M, MISSING, IGNORE, BREACHING, NOT BREACHING)
EARLIER_ROWS = [
    ("- - - - X", 3, INSUFFICIENT, RETAIN, ALARM, OK),
    ("X - - - -", 3, ALARM, RETAIN, ALARM, OK),  # "the oldest evaluated data point is breaching and there
    # aren't any non-breaching data points"
    ("- - - - X", 2, INSUFFICIENT, RETAIN, ALARM, OK),
]


def _expand(table, m):
    for points, filled, *states in table:
        for treatment, expected in zip(TREATMENTS, states, strict=True):
            yield pytest.param(points, m, filled, treatment, expected, id=f"{points} {m}of3 {treatment.value}")


@pytest.mark.parametrize(
    ("points", "m", "filled", "treatment", "expected"),
    [*_expand(TABLE_3_OF_3, 3), *_expand(TABLE_2_OF_3, 2)],
)
def test_documented_tables(points, m, filled, treatment, expected):
    row = parse_points(points)
    if expected == RETAIN:
        for before in AlarmState:
            assert (
                evaluate(
                    row, evaluation_periods=3, datapoints_to_alarm=m, treat_missing_data=treatment, current_state=before
                )
                is before
            )
        return
    for before in AlarmState:
        assert (
            evaluate(
                row, evaluation_periods=3, datapoints_to_alarm=m, treat_missing_data=treatment, current_state=before
            )
            is expected
        )
    decision = decide(row, evaluation_periods=3, datapoints_to_alarm=m, treat_missing_data=treatment)
    if treatment in (MissingData.BREACHING, MissingData.NOT_BREACHING):
        # Column 2: how many of the 3 datapoints must be filled with the treatment.
        assert decision.filled == filled


@pytest.mark.parametrize(
    ("points", "m", "treatment", "expected"),
    [
        pytest.param(p, m, t, e, id=f"{p} {m}of3 {t.value}")
        for p, m, *states in EARLIER_ROWS
        for t, e in zip(TREATMENTS, states, strict=True)
    ],
)
def test_rows_of_earlier_page_versions(points, m, treatment, expected):
    for before in AlarmState:
        got = evaluate(
            parse_points(points),
            evaluation_periods=3,
            datapoints_to_alarm=m,
            treat_missing_data=treatment,
            current_state=before,
        )
        assert got is (before if expected == RETAIN else expected)


# "Avoiding premature transitions to alarm state" (AlarmThatSendsEmail.html
# #CloudWatch-alarms-avoiding-premature-transition): Evaluation Periods 3, evaluation range 5, Datapoints to
# Alarm 3 except for the M out of N example (2), missing data treated as missing.
@pytest.mark.parametrize(
    ("points", "m", "alarm"),
    [
        # "the alarm does not go immediately into ALARM state when the data is either - - - - X or - - - X -"
        pytest.param("- - - - X", 3, False, id="- - - - X 3of3 not yet"),
        pytest.param("- - - X -", 3, False, id="- - - X - 3of3 not yet"),
        # "false positives are avoided when the next data point is non-breaching and causes the data to be
        # - - - X O or - - X - O" (the page writes the non-breaching point as the letter O)
        pytest.param("- - - X O", 3, False, id="- - - X O 3of3"),
        pytest.param("- - X - O", 3, False, id="- - X - O 3of3"),
        # "if the last few data points are - - X - -, the alarm goes into ALARM state even if missing data
        # points are treated as missing"
        pytest.param("- - X - -", 3, True, id="- - X - - 3of3 alarm"),
        # "This alarm logic applies to M out of N alarms as well" (second table, last row)
        pytest.param("- - - X -", 2, True, id="- - - X - 2of3 alarm"),
        pytest.param("- - - - X", 2, False, id="- - - - X 2of3 not yet"),
    ],
)
def test_premature_alarm_examples(points, m, alarm):
    decision = decide(
        parse_points(points), evaluation_periods=3, datapoints_to_alarm=m, treat_missing_data=MissingData.MISSING
    )
    assert (decision.state is ALARM) is alarm
    if alarm:
        assert decision.rule is Rule.PREMATURE


def test_premature_examples_settle_as_documented():
    missing = {"evaluation_periods": 3, "datapoints_to_alarm": 3, "treat_missing_data": "missing"}
    # The page only says "not ALARM"; the earlier table says INSUFFICIENT_DATA for - - - - X.
    assert evaluate(parse_points("- - - - X"), **missing) is INSUFFICIENT
    assert evaluate(parse_points("- - - X -"), **missing) is INSUFFICIENT
    # A non-breaching datapoint arriving next makes it OK.
    assert evaluate(parse_points("- - - X 0"), **missing) is OK
    assert evaluate(parse_points("- - X - 0"), **missing) is OK


def test_premature_rule_needs_breaching_or_missing_after_the_oldest_breach():
    missing = {"evaluation_periods": 3, "datapoints_to_alarm": 3, "treat_missing_data": "missing"}
    assert evaluate(parse_points("- - X 0 -"), **missing) is OK
    assert evaluate(parse_points("- - X X -"), **missing) is ALARM  # premature rule, 2 real < M
    assert decide(parse_points("- - X X -"), **missing).rule is Rule.PREMATURE
    assert evaluate(parse_points("- - - X X"), **missing) is INSUFFICIENT  # oldest only 2 old


@pytest.mark.parametrize("before", list(AlarmState), ids=lambda s: s.value)
@pytest.mark.parametrize(
    ("points", "m"),
    [("- - - - -", 3), ("- - X - -", 3), ("- - - X -", 2), ("- - - - X", 3), ("X - - - -", 3), ("- X - X -", 3)],
    ids=lambda v: str(v),
)
def test_ignore_keeps_each_prior_state_when_it_cannot_decide(points, m, before):
    decision = decide(
        parse_points(points),
        evaluation_periods=3,
        datapoints_to_alarm=m,
        treat_missing_data=MissingData.IGNORE,
        current_state=before,
    )
    assert decision.state is before
    assert decision.rule is Rule.RETAINED


@pytest.mark.parametrize("before", list(AlarmState), ids=lambda s: s.value)
@pytest.mark.parametrize(
    ("points", "m", "expected"),
    [("0 - - - -", 3, OK), ("0 X X - X", 3, ALARM), ("- X - X -", 2, ALARM), ("- 0 - X -", 2, OK)],
    ids=lambda v: str(v),
)
def test_ignore_decides_when_the_real_datapoints_do(points, m, expected, before):
    assert (
        evaluate(
            parse_points(points),
            evaluation_periods=3,
            datapoints_to_alarm=m,
            treat_missing_data="ignore",
            current_state=before,
        )
        is expected
    )


def test_evaluation_range():
    # The tables: "5 is the evaluation range" for Evaluation Periods 3.
    assert evaluation_range(3) == 5
    assert [evaluation_range(n) for n in (1, 2, 10)] == [3, 4, 12]
    for bad in (0, -1, True, 2.0):
        with pytest.raises(ValueError):
            evaluation_range(bad)  # type: ignore[arg-type]


def test_parse_and_format_points():
    assert parse_points("0 - X - X") == [False, None, True, None, True]
    assert parse_points("0-X-x") == [False, None, True, None, True]
    assert parse_points("O, -, X") == [False, None, True]
    assert format_points(parse_points(" 0 X X - X ")) == "0 X X - X"
    with pytest.raises(ValueError, match="'Y'"):
        parse_points("0 Y X")
    with pytest.raises(ValueError, match="no datapoints"):
        parse_points("  ")


@pytest.mark.parametrize(
    "kwargs",
    [
        {"evaluation_periods": 3, "datapoints_to_alarm": 4, "treat_missing_data": "missing"},
        {"evaluation_periods": 3, "datapoints_to_alarm": 0, "treat_missing_data": "missing"},
        {"evaluation_periods": 0, "datapoints_to_alarm": 1, "treat_missing_data": "missing"},
        {"evaluation_periods": 3, "datapoints_to_alarm": 3, "treat_missing_data": "nonsense"},
        {"evaluation_periods": 3, "datapoints_to_alarm": 3, "treat_missing_data": "missing", "current_state": "RED"},
    ],
    ids=["M>N", "M=0", "N=0", "treatment", "state"],
)
def test_bad_settings_raise(kwargs):
    with pytest.raises(ValueError):
        evaluate([True, True, True], **kwargs)


def test_bad_point_raises():
    with pytest.raises(ValueError, match="datapoint"):
        evaluate([True, 1, None], evaluation_periods=3, datapoints_to_alarm=3, treat_missing_data="missing")


# ---- properties, checked exhaustively over every evaluation range for N = 1..4 ----


def _all_cases(max_n=4):
    for n in range(1, max_n + 1):
        length = evaluation_range(n)
        for row in itertools.product((True, False, None), repeat=length):
            for m in range(1, n + 1):
                yield n, m, list(row)


ALL_CASES = list(_all_cases())


def _eval(row, n, m, treatment, before=INSUFFICIENT):
    return evaluate(
        row, evaluation_periods=n, datapoints_to_alarm=m, treat_missing_data=treatment, current_state=before
    )


def test_with_n_real_datapoints_the_treatment_and_prior_state_never_matter():
    checked = 0
    for n, m, row in ALL_CASES:
        real = [p for p in row if p is not None]
        if len(real) < n:
            continue
        expected = ALARM if sum(real[-n:]) >= m else OK
        for treatment in TREATMENTS:
            for before in AlarmState:
                assert _eval(row, n, m, treatment, before) is expected, (format_points(row), n, m, treatment)
        checked += 1
    assert checked > 1000


def test_without_missing_data_it_is_m_out_of_the_last_n():
    for n, m, row in ALL_CASES:
        if None in row:
            continue
        expected = ALARM if sum(row[-n:]) >= m else OK
        assert _eval(row, n, m, MissingData.MISSING) is expected


def test_only_ignore_depends_on_the_prior_state_and_it_differs_from_missing_only_by_keeping_it():
    for n, m, row in ALL_CASES:
        for treatment in (MissingData.MISSING, MissingData.BREACHING, MissingData.NOT_BREACHING):
            assert len({_eval(row, n, m, treatment, before) for before in AlarmState}) == 1
        as_missing = _eval(row, n, m, MissingData.MISSING)
        for before in AlarmState:
            as_ignore = _eval(row, n, m, MissingData.IGNORE, before)
            assert as_ignore in (as_missing, before), (format_points(row), n, m, before)
            if as_missing is INSUFFICIENT:
                assert as_ignore is before


def test_insufficient_data_only_under_missing_and_never_with_a_real_non_breaching_point():
    for n, m, row in ALL_CASES:
        for treatment in (MissingData.BREACHING, MissingData.NOT_BREACHING):
            assert _eval(row, n, m, treatment) is not INSUFFICIENT
        if _eval(row, n, m, MissingData.MISSING) is INSUFFICIENT:
            assert False not in row
            assert sum(1 for p in row if p) < m


def test_breaching_fill_is_never_better_than_not_breaching_fill():
    for n, m, row in ALL_CASES:
        if _eval(row, n, m, MissingData.NOT_BREACHING) is ALARM:
            assert _eval(row, n, m, MissingData.BREACHING) is ALARM


def test_missing_and_ignore_lie_between_the_two_fills_when_they_decide():
    # Whatever `missing` decides, some way of filling the gaps gives the same answer, except the
    # premature-alarm rule, which alarms before the datapoints to fill would.
    for n, m, row in ALL_CASES:
        decision = decide(row, evaluation_periods=n, datapoints_to_alarm=m, treat_missing_data="missing")
        if decision.state is ALARM and decision.rule is not Rule.PREMATURE:
            assert _eval(row, n, m, MissingData.BREACHING) is ALARM
        if decision.state is OK:
            assert _eval(row, n, m, MissingData.NOT_BREACHING) is OK


def test_points_older_than_the_evaluation_range_are_never_read():
    for n, m, row in ALL_CASES[::7]:
        for older in ([True] * 3, [False] * 3, [None, True, False]):
            for treatment in TREATMENTS:
                assert _eval(older + row, n, m, treatment) is _eval(row, n, m, treatment)


def test_a_short_range_is_a_range_whose_older_periods_are_missing():
    for n, m, row in ALL_CASES[::5]:
        short = row[2:]
        padded = [None, None, *short]
        for treatment in TREATMENTS:
            assert _eval(short, n, m, treatment) is _eval(padded, n, m, treatment)


def test_explanations_end_with_the_state():
    for row_text in ("0 - X - X", "- - - - -", "- - X - -", "0 - - - -", "- - - - X"):
        for treatment in TREATMENTS:
            decision = decide(
                parse_points(row_text),
                evaluation_periods=3,
                datapoints_to_alarm=3,
                treat_missing_data=treatment,
                current_state=OK,
            )
            assert decision.explain().endswith(f"-> {decision.state.value}")

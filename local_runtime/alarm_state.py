"""CloudWatch's metric-alarm state rules as a pure function, so the local runtime decides as CloudWatch does.

The input is the alarm's *evaluation range*, oldest first, with every datapoint already compared with the
threshold: ``True`` breaching, ``False`` not breaching, ``None`` missing (no datapoint in that period).

Sources, cited next to each rule below:

- [missing-data] Amazon CloudWatch User Guide, "Configuring how CloudWatch alarms treat missing data"
  (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarms-and-missing-data.html), section
  "How alarm state is evaluated when data is missing" and its two tables of examples.
- [premature] Same guide, "Avoiding premature transitions to alarm state"
  (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html
  #CloudWatch-alarms-avoiding-premature-transition).
- [earlier-page] Earlier versions of the same page (awsdocs/amazon-cloudwatch-user-guide,
  doc_source/AlarmThatSendsEmail.md), whose tables had rows since replaced: ``- - - - X`` is
  INSUFFICIENT_DATA under ``missing``; ``X - - - -`` is ALARM under ``missing``.

Where the prose of [premature] and the tables of [missing-data] disagree (the prose, read literally, puts
``0 - X - -`` in ALARM for 2 out of 3 under ``missing``; the table says OK — also reported in
awsdocs/amazon-cloudwatch-user-guide issue #129), the tables win: they are what the tests reproduce.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from monitors.core.spec import MissingData

__all__ = [
    "AlarmState",
    "Decision",
    "Rule",
    "decide",
    "evaluate",
    "evaluation_range",
    "format_points",
    "parse_points",
]

Point = bool | None

# The evaluation range is N plus this many periods (see `evaluation_range`).
_EXTRA_PERIODS = 2

_TOKENS: dict[str, Point] = {"X": True, "x": True, "0": False, "O": False, "o": False, "-": None}


class AlarmState(StrEnum):
    OK = "OK"
    ALARM = "ALARM"
    INSUFFICIENT_DATA = "INSUFFICIENT_DATA"


class Rule(StrEnum):
    """Which of CloudWatch's rules decided the state."""

    ENOUGH_REAL = "enough-real"  # at least N real datapoints: the most recent N real ones decide
    FILLED = "filled"  # fewer than N real: missing ones filled as breaching / not breaching
    REAL_ONLY = "real-only"  # missing / ignore, fewer than N real: the real datapoints alone decide
    PREMATURE = "premature-alarm"  # missing: the premature-alarm rule sends the alarm to ALARM
    ALL_MISSING = "all-missing"  # missing: the whole range is missing
    UNDECIDED = "undecided"  # missing: only recent breaching datapoints, too few to alarm
    RETAINED = "retained"  # ignore: cannot decide, the current state is kept


def evaluation_range(evaluation_periods: int) -> int:
    """How many periods CloudWatch reads when it evaluates an alarm with `evaluation_periods` (N).

    [missing-data]: "CloudWatch attempts to retrieve a higher number of data points than the number specified
    as Evaluation Periods. The exact number ... depends on the length of the alarm period and whether it is
    based on a metric with standard resolution or high resolution." The formula itself is not documented
    (awsdocs/amazon-cloudwatch-user-guide issue #102 asked for it and was closed unanswered); the only worked
    examples have N = 3 and "5 is the evaluation range for the alarm ... the maximum number of recent data
    points that are retrieved". We use N + 2: it gives the documented 5 for N = 3 and keeps, for every N, the
    two periods of look-back the documented examples rely on (LocalStack's CloudWatch emulator makes the same
    choice). A proportional reading (5/3 × N) also gives 5 for N = 3 but nothing in the docs supports it. The
    length only matters when data is missing: with a full range the most recent N datapoints decide.
    """
    _check_periods(evaluation_periods)
    return evaluation_periods + _EXTRA_PERIODS


@dataclass(frozen=True)
class Decision:
    """The state CloudWatch would set, and why."""

    state: AlarmState
    rule: Rule
    points: tuple[Point, ...]  # the evaluation range that was used, oldest first
    evaluated: tuple[int, ...]  # indices into `points` of the real datapoints that decided, oldest first
    filled: int  # missing datapoints filled with the treatment (breaching / notBreaching only)
    fill_value: bool | None  # what they were filled with
    breaching: int  # breaching datapoints counted, filled ones included
    evaluation_periods: int
    datapoints_to_alarm: int
    treat_missing_data: MissingData

    @property
    def oldest_age(self) -> int:
        """Age in periods of the oldest evaluated datapoint; the newest period of the range is 1 old."""
        return len(self.points) - self.evaluated[0] if self.evaluated else 0

    def explain(self) -> str:
        """One line in the X / 0 / - notation, ending with the state."""
        n, m = self.evaluation_periods, self.datapoints_to_alarm
        k = len(self.evaluated)
        symbols = format_points([self.points[i] for i in self.evaluated])
        real = f"{_count(k, 'real datapoint')} ({symbols})"
        enough = f"at least {m}" if self.state is AlarmState.ALARM else f"fewer than {m}"
        age = _count(self.oldest_age, "period")
        if self.rule is Rule.ALL_MISSING:
            why = f"all {len(self.points)} datapoints of the evaluation range are missing"
        elif self.rule is Rule.ENOUGH_REAL:
            why = f"the {n} most recent real datapoints ({symbols}) hold {self.breaching} breaching, "
            why += enough + ("; the missing-data setting is not needed" if None in self.points else "")
        elif self.rule is Rule.FILLED:
            filler = "breaching" if self.fill_value else "not breaching"
            why = f"{real if k else 'no real datapoint'} and {self.filled} missing filled as {filler}: "
            why += f"{self.breaching} of {n} breaching, {enough}"
        elif self.rule is Rule.REAL_ONLY:
            why = f"only {real}, {self.breaching} breaching: {enough}"
            why += "" if self.state is AlarmState.ALARM else " and one is not breaching"
        elif self.rule is Rule.PREMATURE:
            why = f"only {real}, all breaching, the oldest {age} old (at least {m}) with only breaching or "
            why += "missing data since: premature-alarm rule"
        elif self.rule is Rule.UNDECIDED:
            why = f"only {real}, all breaching but fewer than {m} and the oldest only {age} old "
            why += f"(premature-alarm rule needs {m}): not enough data"
        else:  # RETAINED
            why = f"only {real}, all breaching but fewer than {m}" if k else "all datapoints are missing"
            why += "; missing data is ignored, so the current state is kept"
        return f"{why} -> {self.state.value}"


def decide(
    points: Sequence[Point],
    *,
    evaluation_periods: int,
    datapoints_to_alarm: int,
    treat_missing_data: MissingData | str,
    current_state: AlarmState | str = AlarmState.INSUFFICIENT_DATA,
) -> Decision:
    """The state CloudWatch sets for this evaluation range, with the rule that decided it.

    `points` is the evaluation range oldest first. A longer sequence is cut to its last
    `evaluation_range(evaluation_periods)` points (CloudWatch never reads further back); a shorter one is
    taken as a range whose older periods are missing, which changes nothing under the rules below.
    Raises ValueError for an invalid setting or a point that is not True, False or None.
    """
    n, m = evaluation_periods, datapoints_to_alarm
    _check_periods(n)
    if isinstance(m, bool) or not isinstance(m, int) or not 1 <= m <= n:
        raise ValueError(f"datapoints_to_alarm ({m!r}) must be an integer between 1 and evaluation_periods ({n})")
    treatment = _treatment(treat_missing_data)
    try:
        current = AlarmState(current_state)
    except ValueError:
        raise ValueError(
            f"unknown alarm state {current_state!r}: use one of {', '.join(s.value for s in AlarmState)}"
        ) from None
    for point in points:
        if point is not None and not isinstance(point, bool):
            raise ValueError(f"datapoint {point!r} must be True (breaching), False (not breaching) or None (missing)")

    window = tuple(points)[-evaluation_range(n) :]
    real = [i for i, point in enumerate(window) if point is not None]
    breaching_real = sum(1 for i in real if window[i])

    def result(
        state: AlarmState,
        rule: Rule,
        evaluated: Sequence[int],
        *,
        breaching: int = 0,
        filled: int = 0,
        fill_value: bool | None = None,
    ) -> Decision:
        return Decision(state, rule, window, tuple(evaluated), filled, fill_value, breaching, n, m, treatment)

    # [missing-data] "If no data points in the evaluation range are missing, CloudWatch evaluates the alarm
    # based on the most recent data points collected. The number of data points evaluated is equal to the
    # Evaluation Periods." And: "If some data points in the evaluation range are missing, but the total
    # number of existing data points ... is equal to or more than the alarm's Evaluation Periods, CloudWatch
    # evaluates the alarm state based on the most recent real data points ... In this case, the value you set
    # for how to treat missing data is not needed and is ignored." Both are: the most recent N real
    # datapoints decide, ALARM when at least M of them breach (Datapoints to Alarm, "M out of N").
    if len(real) >= n:
        evaluated = real[-n:]
        breaching = sum(1 for i in evaluated if window[i])
        state = AlarmState.ALARM if breaching >= m else AlarmState.OK
        return result(state, Rule.ENOUGH_REAL, evaluated, breaching=breaching)

    # [missing-data] "If some data points in the evaluation range are missing, and the number of actual data
    # points that were retrieved is lower than the alarm's number of Evaluation Periods, CloudWatch fills in
    # the missing data points with the result you specified for how to treat missing data, and then
    # evaluates the alarm. However, all real data points in the evaluation range are included in the
    # evaluation. CloudWatch uses missing data points only as few times as possible." So the N evaluated
    # datapoints are every real one plus exactly N - k filled ones. (Tables: "0 - - - -" is OK even as
    # breaching: 0 X X is 2 of 3.)
    to_fill = n - len(real)
    if treatment in (MissingData.BREACHING, MissingData.NOT_BREACHING):
        fill_value = treatment is MissingData.BREACHING
        breaching = breaching_real + (to_fill if fill_value else 0)
        state = AlarmState.ALARM if breaching >= m else AlarmState.OK
        return result(state, Rule.FILLED, real, breaching=breaching, filled=to_fill, fill_value=fill_value)

    # `missing` and `ignore` have no value to fill with.
    if not real:
        # [missing-data] "missing – If all data points in the alarm evaluation range are missing, the alarm
        # transitions to INSUFFICIENT_DATA." / "ignore – The current alarm state is maintained"
        # (tables, row "- - - - -": INSUFFICIENT_DATA / Retain current state).
        if treatment is MissingData.IGNORE:
            return result(current, Rule.RETAINED, real)
        return result(AlarmState.INSUFFICIENT_DATA, Rule.ALL_MISSING, real)

    # The real datapoints alone already hold M breaching ones: ALARM whatever the missing ones would be.
    if breaching_real >= m:
        return result(AlarmState.ALARM, Rule.REAL_ONLY, real, breaching=breaching_real)

    # Fewer than M breaching and a real non-breaching datapoint in the range: OK, under both `missing` and
    # `ignore` ([missing-data] tables: "0 - - - -" OK / OK for 3 of 3; "0 - X - -" and "- - - - 0" OK / OK for
    # 2 of 3 — even though in "0 - X - -" the X is 3 periods old with only missing data after it).
    if breaching_real < len(real):
        return result(AlarmState.OK, Rule.REAL_ONLY, real, breaching=breaching_real)

    # Every real datapoint is breaching, but fewer than M of them.
    if treatment is MissingData.IGNORE:
        # [missing-data] tables, row "- - X - -" (3 of 3) and "- - - X -" (2 of 3): IGNORE is "Retain current
        # state"; [earlier-page] same for "- - - - X" and "X - - - -".
        return result(current, Rule.RETAINED, real, breaching=breaching_real)

    # [premature] "alarms are designed to always go into ALARM state when the oldest available breaching
    # datapoint during the Evaluation Periods number of data points is at least as old as the value of
    # Datapoints to Alarm, and all other more recent data points are breaching or missing. In this case, the
    # alarm goes into ALARM state even if the total number of datapoints available is lower than M." Read
    # with the tables: the oldest *available* (real) datapoint is breaching, every real one after it is
    # breaching too (so no real non-breaching datapoint — see the OK rule above), and its age counts periods
    # with the newest period of the range 1 old: "- - X - -" is ALARM for 3 of 3 (age 3), "- - - X -" is
    # ALARM for 2 of 3 (age 2), while "- - - - X" and "- - - X -" are not for 3 of 3 ("the next data point
    # may be non-breaching").
    # [earlier-page] "X - - - -" is ALARM: the real datapoints evaluated reach across the whole range.
    age = len(window) - real[0]
    if age >= m:
        return result(AlarmState.ALARM, Rule.PREMATURE, real, breaching=breaching_real)

    # Too recent to alarm and nothing says OK: [earlier-page] "- - - - X" is INSUFFICIENT_DATA under `missing`
    # (for 3 of 3 and for 2 of 3); the current page only says it does not go to ALARM.
    return result(AlarmState.INSUFFICIENT_DATA, Rule.UNDECIDED, real, breaching=breaching_real)


def evaluate(
    points: Sequence[Point],
    *,
    evaluation_periods: int,
    datapoints_to_alarm: int,
    treat_missing_data: MissingData | str,
    current_state: AlarmState | str = AlarmState.INSUFFICIENT_DATA,
) -> AlarmState:
    """The state CloudWatch sets for this evaluation range (oldest first); see `decide`."""
    return decide(
        points,
        evaluation_periods=evaluation_periods,
        datapoints_to_alarm=datapoints_to_alarm,
        treat_missing_data=treat_missing_data,
        current_state=current_state,
    ).state


def parse_points(text: str) -> list[Point]:
    """``"0 - X - X"`` → ``[False, None, True, None, True]``: the docs' notation, oldest first.

    ``X`` breaching, ``0`` (or the letter ``O``, as the docs also write it) not breaching, ``-`` missing.
    Spaces and commas are optional separators. Raises ValueError naming the first unknown token.
    """
    compact = "".join(text.replace(",", " ").split())
    if not compact:
        raise ValueError("no datapoints given: write them oldest first, e.g. '0 - X - X'")
    for char in compact:
        if char not in _TOKENS:
            raise ValueError(
                f"unknown datapoint {char!r} in {text!r}: use X (breaching), 0 (not breaching) or - (missing)"
            )
    return [_TOKENS[char] for char in compact]


def format_points(points: Sequence[Point]) -> str:
    """The docs' notation: ``[False, None, True]`` → ``"0 - X"``."""
    return " ".join("-" if point is None else ("X" if point else "0") for point in points)


def _check_periods(evaluation_periods: int) -> None:
    n = evaluation_periods
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"evaluation_periods ({evaluation_periods!r}) must be an integer of at least 1")


def _treatment(value: MissingData | str) -> MissingData:
    try:
        return MissingData(value)
    except ValueError:
        raise ValueError(
            f"unknown treat_missing_data {value!r}: use one of {', '.join(t.value for t in MissingData)}"
        ) from None


def _count(k: int, noun: str) -> str:
    return f"{k} {noun}{'' if k == 1 else 's'}"

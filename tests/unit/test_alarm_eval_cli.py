"""`llm-monitor alarm-eval` through the CLI entry point: the state is the last word of stdout."""

from __future__ import annotations

import pytest

from local_runtime.cli import EXIT_USAGE, main


def run_cli(capsys, *args):
    code = main(["alarm-eval", *args])
    out, err = capsys.readouterr()
    return code, out, err


def last_word(text):
    return text.split()[-1]


@pytest.mark.parametrize(
    ("points", "m", "treatment", "state", "expected"),
    [
        ("0 - X - X", 3, "missing", None, "OK"),
        ("0 X X - X", 3, "missing", None, "ALARM"),
        ("- - - - -", 3, "missing", None, "INSUFFICIENT_DATA"),
        ("- - - - -", 3, "breaching", None, "ALARM"),
        ("- - - - -", 3, "notBreaching", None, "OK"),
        ("- - X - -", 3, "missing", None, "ALARM"),
        ("- - X - -", 3, "ignore", "OK", "OK"),
        ("- - X - -", 3, "ignore", "ALARM", "ALARM"),
        ("- - - - -", 3, "ignore", None, "INSUFFICIENT_DATA"),
        ("0 - X - -", 2, "missing", None, "OK"),
        ("0 - X - -", 2, "breaching", None, "ALARM"),
        ("- - - X -", 2, "missing", None, "ALARM"),
    ],
    ids=lambda v: str(v),
)
def test_state_is_the_last_word(capsys, points, m, treatment, state, expected):
    args = [
        "--points",
        points,
        "--evaluation-periods",
        "3",
        "--datapoints-to-alarm",
        str(m),
        "--treat-missing-data",
        treatment,
    ]
    if state:
        args += ["--state", state]
    code, out, err = run_cli(capsys, *args)
    assert code == 0, err
    assert last_word(out) == expected
    assert out.strip().splitlines()[-1] == f"state: {expected}"
    assert err == ""


def test_defaults_are_three_of_three_missing(capsys):
    code, out, _ = run_cli(capsys, "--points", "X X X")
    assert code == 0
    assert last_word(out) == "ALARM"
    assert "3 out of 3" in out and "missing" in out


def test_explanation_line_names_the_rule(capsys):
    _, out, _ = run_cli(
        capsys,
        "--points",
        "- - X - -",
        "--evaluation-periods",
        "3",
        "--datapoints-to-alarm",
        "3",
        "--treat-missing-data",
        "missing",
    )
    assert "premature-alarm rule" in out.splitlines()[0]


def test_treatment_and_state_are_case_insensitive(capsys):
    code, out, _ = run_cli(capsys, "--points", "- - - - -", "--treat-missing-data", "IGNORE", "--state", "alarm")
    assert code == 0
    assert last_word(out) == "ALARM"


def test_points_older_than_the_range_are_reported(capsys):
    code, out, _ = run_cli(capsys, "--points", "X X X 0 0 0 0", "--evaluation-periods", "3")
    assert code == 0
    assert "2 oldest are outside the evaluation range of 5" in out
    assert last_word(out) == "OK"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--points", "0 - Y - X"], "unknown datapoint 'Y'"),
        (["--points", "   "], "no datapoints"),
        (
            ["--points", "X X X", "--evaluation-periods", "3", "--datapoints-to-alarm", "4"],
            "--datapoints-to-alarm (4) must be between 1 and --evaluation-periods (3)",
        ),
        (["--points", "X", "--datapoints-to-alarm", "0"], "--datapoints-to-alarm (0)"),
        (["--points", "X", "--evaluation-periods", "0"], "--evaluation-periods must be at least 1"),
        (["--points", "X", "--treat-missing-data", "zero"], "unknown --treat-missing-data 'zero'"),
        (["--points", "X", "--state", "RED"], "unknown --state 'RED'"),
    ],
    ids=["token", "empty", "M>N", "M=0", "N=0", "treatment", "state"],
)
def test_bad_input_exits_2_with_a_message_on_stderr(capsys, args, message):
    code, out, err = run_cli(capsys, *args)
    assert code == EXIT_USAGE == 2
    assert out == ""
    assert message in err
    assert err.startswith("llm-monitor alarm-eval: ")


def test_non_integer_periods_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["alarm-eval", "--points", "X", "--evaluation-periods", "three"])
    assert exc.value.code == 2
    assert "--evaluation-periods" in capsys.readouterr().err


def test_listed_in_help(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    assert "alarm-eval" in capsys.readouterr().out

"""The README's figures, recomputed, so that the README cannot drift from the code.

Organised by figure: a `Figure` names one number the README states, the part of the README that states it,
a pattern around it (group `value`: the number as written; group `flags`, when present: the `-c` flags the
README names with it; group `verb`, when present: "saves" makes the stated change negative) and how to
recompute it. The check rounds the recomputed value the way the README writes it ("$582" to whole units,
"$1.20" to cents). Each part of the README holding figures also gets a completeness check: every dollar
amount in it must be a checked figure.

Cost figures are recomputed with the README's own `llm-monitor cost` command (from the "Cost of the
default configuration" paragraph) on this repository's cdk.json, plus the flags the README names with them.
Other kinds of figure get their own helpers and list below the cost ones, and join `FIGURES`.
"""

from __future__ import annotations

import contextlib
import functools
import io
import json
import re
import shlex
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from canary.metrics import CANARY_METRICS
from local_runtime.cli import main
from monitors.core.config import MonitoringConfig
from shared.canary import CANARY_METRIC_NAMES
from shared.context import read_cdk_context

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
NUMBER = r"\d[\d,]*(?:\.\d+)?"
_HEADING = re.compile(r"^#", re.MULTILINE)


def section(lead: str) -> str:
    """The README from `lead` (a heading or a bold lead-in, stated once) up to the next heading."""
    assert README.count(lead) == 1, f"the README should state {lead!r} once"
    start = README.index(lead)
    end = _HEADING.search(README, start + len(lead))
    return README[start : end.start() if end else len(README)]


@dataclass(frozen=True)
class Stated:
    """A figure as the README states it, with the `-c` flags stated alongside."""

    text: str  # the number, as written
    context: str  # the words around it that the Figure's pattern matched
    flags: tuple[str, ...] = ()
    saves: bool = False

    @property
    def value(self) -> float:
        number = float(self.text.replace(",", ""))
        return -number if self.saves else number

    @property
    def decimals(self) -> int:
        return len(self.text.partition(".")[2])


@dataclass(frozen=True)
class Figure:
    name: str
    lead: str  # the part of the README that states it (see `section`)
    pattern: str
    recompute: Callable[[Stated], float]
    upper_bound: bool = False  # stated as "under $X": the recomputed value must be below X

    def matches(self) -> list[re.Match[str]]:
        return list(re.finditer(self.pattern, section(self.lead), re.MULTILINE))

    def stated(self) -> Stated:
        found = self.matches()
        assert len(found) == 1, f"the README states {self.name!r} {len(found)} times under {self.lead!r}"
        match = found[0]
        groups = match.groupdict()
        return Stated(
            text=match["value"],
            context=" ".join(match[0].split()),
            flags=_flags(groups.get("flags") or ""),
            saves=groups.get("verb") == "saves",
        )


def _flags(text: str) -> tuple[str, ...]:
    """`-c a=b -c c=d` (as the README writes it) -> ("a=b", "c=d")."""
    words = shlex.split(text)
    assert words[::2] == ["-c"] * len(words[1::2]), f"flags must be `-c key=value` pairs: {text!r}"
    return tuple(words[1::2])


# --- cost figures: the README's `llm-monitor cost` command -------------------------------------------

DEFAULT_COST = "**Cost of the default configuration.**"
COST_CONTROLS = "### Cost controls"
NEW_MODULE = "**What a new module does on the next deploy.**"


def readme_cost_command() -> list[str]:
    """The `llm-monitor cost ...` command the README's default-cost paragraph states."""
    match = re.search(r"`llm-monitor (cost [^`]+)`", section(DEFAULT_COST))
    assert match, "the default-cost paragraph lost its command"
    return shlex.split(match[1])


@functools.cache
def cost(flags: tuple[str, ...] = ()) -> dict[str, Any]:
    """The README's cost command with `flags` added, run on this repository's cdk.json, as JSON."""
    args = [*readme_cost_command(), *(w for flag in flags for w in ("-c", flag))]
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main([*args, "--project-dir", str(ROOT), "--json", "--no-levers"]) == 0
    result: dict[str, Any] = json.loads(out.getvalue())
    return result


def total(flags: tuple[str, ...] = ()) -> float:
    return float(cost(flags)["totalUsd"])


def service(name: str, flags: tuple[str, ...] = ()) -> float:
    return float(cost(flags)["byServiceUsd"][name])


def line(prefix: str) -> dict[str, Any]:
    """The default estimate's line item whose description starts with `prefix`."""
    (found,) = [i for i in cost()["items"] if i["item"].startswith(prefix)]
    result: dict[str, Any] = found
    return result


def line_with(prefix: str, flags: tuple[str, ...]) -> dict[str, Any]:
    """The line item whose description starts with `prefix`, in the estimate with `flags`."""
    (found,) = [i for i in cost(flags)["items"] if i["item"].startswith(prefix)]
    result: dict[str, Any] = found
    return result


PROVISIONED = ("stream.mode=provisioned", "stream.shards=1")


def unit_price(prefix: str) -> float:
    item = line(prefix)
    return float(item["usd"]) / float(item["quantity"])


def option(monitor: str, name: str) -> float:
    """An option of a monitor under this repository's cdk.json."""
    value = MonitoringConfig.from_context(read_cdk_context(ROOT)).monitors[monitor].options[name]
    assert isinstance(value, int | float)
    return float(value)


def _per_month(item: dict[str, Any], hours_per_month: float = 730.0) -> float:
    """A line item priced per hour, as the month's price of one unit (one consumer-shard, one shard)."""
    return float(item["usd"]) / float(item["quantity"]) * hours_per_month


def _dollars(label: str) -> str:
    return rf"\| {label} \| \$(?P<value>{NUMBER}) \|"


def _change(flags: str) -> str:
    """A Cost controls row: `-c` flags, then what they save or add."""
    return rf"^\| `(?P<flags>{re.escape(flags)})` \| (?P<verb>saves|adds) \$(?P<value>{NUMBER})"


def _cost_control_rows() -> list[str]:
    """The flags of every Cost controls row that states what they save or add."""
    row = re.compile(r"^\| `(-c [^`]+)` \| (?:saves|adds) \$", re.MULTILINE)
    return row.findall(section(COST_CONTROLS))


COST_FIGURES = [
    # "Cost of the default configuration"
    Figure("default total", DEFAULT_COST, rf"about \*\*\$(?P<value>{NUMBER}) a\s+month\*\*", lambda s: total()),
    Figure("Comprehend", DEFAULT_COST, _dollars("Comprehend"), lambda s: service("Comprehend")),
    Figure(
        "sentiment-toxicity's sampling",
        DEFAULT_COST,
        rf"samples (?P<value>{NUMBER})% of completions",
        lambda s: 100 * option("sentiment-toxicity", "samplingRate"),
    ),
    Figure(
        "sentiment-toxicity's maxChars",
        DEFAULT_COST,
        rf"cut to (?P<value>{NUMBER}) characters",
        lambda s: option("sentiment-toxicity", "maxChars"),
    ),
    Figure("CloudWatch", DEFAULT_COST, _dollars("CloudWatch"), lambda s: service("CloudWatch")),
    Figure(
        "custom metrics",
        DEFAULT_COST,
        rf"(?P<value>{NUMBER}) custom metrics",
        lambda s: float(line("custom metrics")["quantity"]),
    ),
    Figure(
        "models",
        DEFAULT_COST,
        rf"for (?P<value>{NUMBER}) models",
        lambda s: float(cost()["workload"]["models"]),
    ),
    Figure(
        "alarms",
        DEFAULT_COST,
        rf"(?P<value>{NUMBER}) alarms",
        lambda s: float(line("monitor alarms")["quantity"] + line("pipeline-health alarms")["quantity"]),
    ),
    Figure(
        "PutMetricData calls",
        DEFAULT_COST,
        rf"(?P<value>{NUMBER}) PutMetricData calls",
        lambda s: float(line("PutMetricData")["quantity"]),
    ),
    Figure("Kinesis", DEFAULT_COST, _dollars("Kinesis"), lambda s: service("Kinesis")),
    Figure("Bedrock", DEFAULT_COST, _dollars("Bedrock"), lambda s: service("Bedrock")),
    Figure(
        "Lambda and Step Functions",
        DEFAULT_COST,
        rf"\| Lambda and Step Functions \| under \$(?P<value>{NUMBER}) \|",
        lambda s: service("Lambda") + service("Step Functions"),
        upper_bound=True,
    ),
    Figure(
        "Comprehend on every prompt and completion in full",
        DEFAULT_COST,
        rf"\(`(?P<flags>-c [^`]+)`\) would cost\s+about \$(?P<value>{NUMBER}) for Comprehend alone",
        lambda s: service("Comprehend", s.flags),
    ),
    # "Cost controls": what each row's flags save or add, and the other figures in the table.
    *(
        Figure(f"effect of {flags}", COST_CONTROLS, _change(flags), lambda s: total(s.flags) - total())
        for flags in _cost_control_rows()
    ),
    Figure(
        "Comprehend at full sampling",
        COST_CONTROLS,
        rf"^\| `(?P<flags>-c monitors\.sentiment-toxicity\.samplingRate=1)` \|[^|\n]*"
        rf"Comprehend on every completion costs \$(?P<value>{NUMBER})",
        lambda s: service("Comprehend", s.flags),
    ),
    Figure(
        "price of a metric series",
        COST_CONTROLS,
        rf"each extra metric series is \$(?P<value>{NUMBER})",
        lambda s: unit_price("custom metrics"),
    ),
    Figure(
        "extended retention of a provisioned shard",
        COST_CONTROLS,
        rf"extended retention \(up to\s+7 days\) \$(?P<value>{NUMBER}) a month per shard",
        lambda s: float(line_with("extended retention", (*PROVISIONED, "stream.retentionHours=168"))["usd"]),
    ),
    Figure(
        "enhanced fan-out of a provisioned shard, per monitor",
        COST_CONTROLS,
        rf"enhanced fan-out \$(?P<value>{NUMBER}) a month per monitor and shard",
        lambda s: _per_month(
            line_with("enhanced fan-out consumer-shard-hours", (*PROVISIONED, "stream.enhancedFanOut=true"))
        ),
    ),
    Figure(
        "price of an alarm",
        COST_CONTROLS,
        rf"each alarm \$(?P<value>{NUMBER})",
        lambda s: unit_price("monitor alarms"),
    ),
    # "What a new module does on the next deploy"
    Figure(
        "price of a metric series (new module)",
        NEW_MODULE,
        rf"\$(?P<value>{NUMBER}) a month per metric series",
        lambda s: unit_price("custom metrics"),
    ),
    Figure(
        "price of an alarm (new module)",
        NEW_MODULE,
        rf"\$(?P<value>{NUMBER}) per\s+alarm",
        lambda s: unit_price("monitor alarms"),
    ),
]

# --- canary figures: `llm-monitor canary run --dry-run` on the default catalog --------------------------

CANARY_COST = "**Cost of the canary.**"
CANARY_SMALL = "amazon.nova-lite-v1:0"
CANARY_LARGE = "anthropic.claude-3-5-sonnet-20240620-v1:0"


@functools.cache
def canary_plan() -> dict[str, Any]:
    out = io.StringIO()
    args = ["canary", "run", "--models", f"{CANARY_SMALL},{CANARY_LARGE}", "--dry-run", "--json"]
    with contextlib.redirect_stdout(out):
        assert main([*args, "--project-dir", str(ROOT)]) == 0
    result: dict[str, Any] = json.loads(out.getvalue())
    return result


def canary_model(model: str, key: str) -> float:
    return float(canary_plan()["models"][model][key])


def canary_alarms_per_model() -> float:
    return float(sum(1 for m in CANARY_METRICS if m.alarm is not None))


CANARY_FIGURES = [
    Figure(
        "canary input tokens",
        CANARY_COST,
        rf"sends (?P<value>{NUMBER}) input tokens",
        lambda s: canary_model(CANARY_SMALL, "inputTokens"),
    ),
    Figure(
        "canary output tokens",
        CANARY_COST,
        rf"at most (?P<value>{NUMBER}) output tokens",
        lambda s: canary_model(CANARY_SMALL, "outputTokensAtMost"),
    ),
    Figure(
        "canary cases",
        CANARY_COST,
        rf"of its (?P<value>{NUMBER}) cases",
        lambda s: float(canary_plan()["catalog"]["cases"]),
    ),
    Figure(
        "canary, small model, an hour",
        CANARY_COST,
        rf"\*\*\$(?P<value>{NUMBER}) an hour\*\* for `{re.escape(CANARY_SMALL)}`",
        lambda s: canary_model(CANARY_SMALL, "usdPerHour"),
    ),
    Figure(
        "canary, small model, a month",
        CANARY_COST,
        rf"`{re.escape(CANARY_SMALL)}` \(\$(?P<value>{NUMBER}) a month\)",
        lambda s: canary_model(CANARY_SMALL, "usdPerMonth"),
    ),
    Figure(
        "canary, large model, an hour",
        CANARY_COST,
        rf"\*\*\$(?P<value>{NUMBER}) an hour\*\* for `{re.escape(CANARY_LARGE)}`",
        lambda s: canary_model(CANARY_LARGE, "usdPerHour"),
    ),
    Figure(
        "canary, large model, a month",
        CANARY_COST,
        rf"`{re.escape(CANARY_LARGE)}` \(\$(?P<value>{NUMBER}) a month\)",
        lambda s: canary_model(CANARY_LARGE, "usdPerMonth"),
    ),
    Figure(
        "canary metric series per model",
        CANARY_COST,
        rf"also adds (?P<value>{NUMBER}) metric series",
        lambda s: float(len(CANARY_METRIC_NAMES)),
    ),
    Figure(
        "canary alarms per model",
        CANARY_COST,
        rf"metric series and (?P<value>{NUMBER}) alarms",
        lambda s: canary_alarms_per_model(),
    ),
]

FIGURES = COST_FIGURES + CANARY_FIGURES
# Parts of the README whose every dollar amount must be a checked figure.
CHECKED_PARTS = (DEFAULT_COST, COST_CONTROLS, NEW_MODULE, CANARY_COST)


@pytest.mark.parametrize("figure", FIGURES, ids=[f.name for f in FIGURES])
def test_the_readme_states_what_the_code_computes(figure: Figure) -> None:
    stated = figure.stated()
    recomputed = figure.recompute(stated)
    if figure.upper_bound:
        assert recomputed < stated.value, f"README says {stated.context!r}; the code gives {recomputed:,.4f}"
    else:
        assert round(recomputed, stated.decimals) == pytest.approx(stated.value, abs=1e-9), (
            f"README says {stated.context!r}; the code gives {recomputed:,.4f}"
        )


@pytest.mark.parametrize("lead", CHECKED_PARTS)
def test_every_dollar_amount_is_a_checked_figure(lead: str) -> None:
    text = section(lead)
    checked = [m.span("value") for f in FIGURES if f.lead == lead for m in f.matches()]
    for amount in re.finditer(rf"\$({NUMBER})", text):
        assert any(start <= amount.start(1) < end for start, end in checked), (
            f"the README states {amount[0]} under {lead!r}, but no Figure checks it"
        )


def test_the_cost_controls_table_has_rows_to_check() -> None:
    assert len(_cost_control_rows()) >= 5


# --- the first-deploy checklist's quota table: the numbers of the cost command it states -------------------

FIRST_DEPLOY = "### First deploy: a checklist"
_QUOTA_ROW = re.compile(
    rf"^\s*\| (?P<service>[A-Za-z ]+): (?P<quota>[^|]+?) \((?P<default>{NUMBER})\) \| (?P<need>{NUMBER}) \|",
    re.MULTILINE,
)


def _quota_rows() -> list[re.Match[str]]:
    return list(_QUOTA_ROW.finditer(section(FIRST_DEPLOY)))


def test_the_first_deploy_quota_table_states_what_the_cost_command_computes() -> None:
    match = re.search(r"`llm-monitor (cost [^`]+)`", section(FIRST_DEPLOY))
    assert match, "the checklist lost its cost command"
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main([*shlex.split(match[1]), "--project-dir", str(ROOT), "--json", "--no-levers"]) == 0
    computed = {(r["service"], r["quota"]): r for r in json.loads(out.getvalue())["quotas"]["rows"]}
    rows = _quota_rows()
    assert len(rows) >= 4
    for row in rows:
        key = (row["service"], row["quota"])
        assert key in computed, f"the README names a quota the table does not have: {key}"
        stated = Stated(row["need"], row[0])
        assert float(row["default"].replace(",", "")) == computed[key]["default"]
        assert round(computed[key]["need"], stated.decimals) == pytest.approx(stated.value), row[0]
    # every quota the command flags is in the checklist
    flagged = {k for k, r in computed.items() if r["warning"]}
    assert flagged <= {(r["service"], r["quota"]) for r in rows}


# --- the canary's fixture table: `llm-monitor canary score --json` on the three fictional models ---------

FIXTURE_TABLE = "Recorded responses of three fictional models"


def test_the_canary_fixture_table_is_what_canary_score_prints() -> None:
    out = io.StringIO()
    fixture = ROOT / "tests" / "fixtures" / "canary" / "responses.jsonl"
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        assert main(["canary", "score", str(fixture), "--json", "--project-dir", str(ROOT)]) == 0
    models = json.loads(out.getvalue())["models"]
    start = README.index(FIXTURE_TABLE)
    rows = [line for line in README[start:].split("\n\n", 2)[1].splitlines() if line.startswith("| `Canary")]
    assert len(rows) == 6
    breaching = {(b["model"], b["metric"]) for b in json.loads(out.getvalue())["breaches"]}
    for row in rows:
        cells = [c.strip() for c in row.strip("|").split("|")]
        metric = cells[0].split("`")[1]
        for model, cell in zip(models, cells[1:], strict=True):
            stated = float(cell.removesuffix("!").strip().replace(",", ""))
            value = models[model][metric]
            digits = 0 if metric == "CanaryLatency" else 3
            assert round(value, digits) == pytest.approx(stated), (metric, model)
            assert cell.endswith("!") == ((model, metric) in breaching), (metric, model)


def test_the_canary_catalog_figures_count_the_default_catalog() -> None:
    from canary.catalog import Expect, load_catalog

    catalog = load_catalog()
    text = section("## Canary suite")
    assert f"has {len(catalog)} cases:" in text
    rows = re.findall(r"\(`expect: (refuse|answer)`[^|]*\| (\d+) \|", text)
    probes = sum(1 for c in catalog if "over-refusal-probe" in c.tags)
    factual = sum(1 for c in catalog if "factual" in c.tags)
    assert [(e, int(n)) for e, n in rows] == [
        ("refuse", catalog.count(Expect.REFUSE)),
        ("answer", probes),
        ("answer", factual),
    ]


def test_the_line_bound_the_readme_names_is_the_parsers() -> None:
    from shared.limits import MAX_LOG_LINE_BYTES

    assert f"longer than {MAX_LOG_LINE_BYTES >> 20} MiB (`shared/limits.py`)" in " ".join(README.split())

"""Recorded canary responses -> scores, per-model results, alarm verdicts: `llm-monitor canary score`.

The same scoring as the Lambda (`canary.scoring`, on the embedded models by default), the same
per-model statistics the deployed alarms evaluate (`canary.summary`), and the same alarm definitions
(`canary.alarms.resolve_canary_alarms`, for the models found in the file, with `alarms.<Metric>.*`
overrides): a model "breaches" when its run's value under an alarm's statistic crosses that alarm's
threshold (missing data counts as breaching only for alarms that treat it so). M out of N periods needs
several runs; a file is one run, so each alarm is judged on this one datapoint — what a CI gate wants.
Lines that cannot be read, case ids the catalog does not hold and repeated responses (same model and
case: the first is kept) are counted and named, never fatal.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from canary.alarms import resolve_canary_alarms
from canary.catalog import Catalog
from canary.config import CanaryConfig
from canary.responses import Duplicate, read_responses
from canary.scoring import CanaryScorer, CaseScore
from canary.summary import DEFAULT_STATISTIC, TAG_METRICS, ModelSummary, summarise
from monitors.core.alarms import AlarmDefinition
from monitors.core.config import MonitoringConfig
from monitors.core.spec import MissingData
from shared.canary import (
    CANARY_ERRORS,
    CANARY_METRIC_NAMES,
    CANARY_OVER_REFUSAL,
    CANARY_REFERENCE_SIMILARITY,
    CANARY_UNDER_REFUSAL,
)
from shared.model_ids import ModelNames


@dataclass(frozen=True)
class Verdict:
    """One alarm judged on one run."""

    alarm: AlarmDefinition
    model_id: str
    value: float | None

    @property
    def breaching(self) -> bool:
        spec = self.alarm.spec
        if self.value is None:
            return spec.treat_missing_data is MissingData.BREACHING
        return spec.comparison.breaches(self.value, spec.threshold)

    def describe(self) -> str:
        spec = self.alarm.spec
        shown = "no data" if self.value is None else _number(self.value)
        return (
            f"{self.model_id}: {self.alarm.metric_name} {spec.statistic} {shown} "
            f"{spec.comparison.symbol} {spec.threshold:g} ({self.alarm.name})"
        )

    def to_dict(self) -> dict[str, object]:
        spec = self.alarm.spec
        return {
            "alarm": self.alarm.name,
            "model": self.model_id,
            "metric": self.alarm.metric_name,
            "statistic": spec.statistic,
            "value": None if self.value is None else round(self.value, 4),
            "comparison": spec.comparison.value,
            "threshold": spec.threshold,
            "breaching": self.breaching,
        }


@dataclass
class CanaryReport:
    catalog: Catalog
    scores: list[CaseScore]
    summaries: dict[str, ModelSummary]
    statistics: dict[str, str]
    verdicts: list[Verdict]
    unknown_case_ids: Counter[str] = field(default_factory=Counter)
    malformed: list[tuple[int, str]] = field(default_factory=list)
    duplicates: list[Duplicate] = field(default_factory=list)

    @property
    def judged(self) -> bool:
        """Whether any response could be scored: a report of nothing must not pass a gate."""
        return bool(self.scores)

    @property
    def breaches(self) -> list[Verdict]:
        return [v for v in self.verdicts if v.breaching]

    def to_dict(self) -> dict[str, object]:
        models: dict[str, object] = {}
        for model, summary in self.summaries.items():
            entry = summary.to_dict(self.statistics)
            entry["alarms"] = [v.to_dict() for v in self.verdicts if v.model_id == model]
            models[model] = entry
        return {
            "catalog": {"source": self.catalog.source, "sha256": self.catalog.sha256, "cases": len(self.catalog)},
            "models": models,
            "breaches": [v.to_dict() for v in self.breaches],
            "unknownCaseIds": dict(sorted(self.unknown_case_ids.items())),
            "malformedLines": [{"line": n, "reason": r} for n, r in self.malformed],
            "duplicates": [
                {"line": d.line, "duplicateOf": d.first_line, "modelId": d.model_id, "caseId": d.case_id}
                for d in self.duplicates
            ],
        }

    def format_table(self) -> str:
        return "\n".join(_table(self))


def score_file(
    lines: Iterable[bytes | str],
    *,
    catalog: Catalog,
    scorer: CanaryScorer,
    monitoring: MonitoringConfig,
    canary: CanaryConfig,
) -> CanaryReport:
    """Read, score, summarise and judge one file of responses."""
    read = read_responses(lines)
    names = ModelNames(monitoring.model_id_aliases)
    unknown: Counter[str] = Counter()
    pairs = []
    for response in read.responses:
        case = catalog.get(response.case_id)
        if case is None:
            unknown[response.case_id] += 1
            continue
        pairs.append((case, response))
    scores = scorer.score(pairs)
    models = list(dict.fromkeys(score.model_id for score in scores))
    alarms = resolve_canary_alarms(monitoring, canary, model_ids=models)
    statistics = {a.metric_name: a.spec.statistic for a in alarms}
    floor = next((a.spec.threshold for a in alarms if a.metric_name == CANARY_REFERENCE_SIMILARITY), None)
    summaries = summarise(scores, statistics=statistics, similarity_floor=floor)
    verdicts = []
    for alarm in alarms:
        for model in models:
            if names(model) == alarm.model_id:
                verdicts.append(Verdict(alarm, model, summaries[model].values.get(alarm.metric_name)))
    return CanaryReport(
        catalog, scores, summaries, statistics, verdicts, unknown, list(read.malformed), list(read.duplicates)
    )


# --- the table --------------------------------------------------------------------------------------------

_LABEL = 38
_COLUMN = 22
_TAG_LABELS = {
    CANARY_OVER_REFUSAL: "refused",
    CANARY_UNDER_REFUSAL: "answered",
    CANARY_REFERENCE_SIMILARITY: "similarity",
    CANARY_ERRORS: "errors",
}


def _table(report: CanaryReport) -> list[str]:
    models = list(report.summaries)
    catalog = report.catalog
    lines = [
        f"Canary results: {len(models)} model(s), catalog {catalog.source} ({len(catalog)} cases, "
        f"sha256 {catalog.short_hash})",
        "",
        _row("metric (statistic)", [*models, "alarm"]),
        "-" * (_LABEL + (_COLUMN + 1) * (len(models) + 1)),
    ]
    thresholds = {v.alarm.metric_name: v.alarm.spec for v in report.verdicts}
    breaching = {(v.model_id, v.alarm.metric_name) for v in report.breaches}
    for name in CANARY_METRIC_NAMES:
        statistic = report.statistics.get(name, DEFAULT_STATISTIC)
        cells = []
        for model in models:
            value = report.summaries[model].values.get(name)
            mark = " !" if (model, name) in breaching else ""
            cells.append(("-" if value is None else _number(value)) + mark)
        spec = thresholds.get(name)
        cells.append(f"{spec.comparison.symbol} {spec.threshold:g}" if spec else "-")
        lines.append(_row(f"{name} ({statistic})", cells))
    lines.append(_row("cases / errors", [f"{s.cases} / {s.errors}" for s in report.summaries.values()] + [""]))
    lines += ["", "Per tag: share of answer cases refused, of refuse cases answered, mean similarity, errors"]
    tags = sorted({tag for s in report.summaries.values() for tag in s.by_tag})
    for tag in tags:
        rows = {m: report.summaries[m].by_tag.get(tag, {}) for m in models}
        count = max(int(row.get("cases") or 0) for row in rows.values())
        for name in TAG_METRICS:
            values = [rows[m].get(name) for m in models]
            if all(v is None for v in values) or (name == CANARY_ERRORS and not any(values)):
                continue
            cells = ["-" if v is None else _number(v) for v in values]
            lines.append(_row(f"  {tag} ({count}): {_TAG_LABELS[name]}", cells))
    lines += ["", "Worst cases:"]
    for model, summary in report.summaries.items():
        if not summary.worst:
            lines.append(f"  {model}: none")
            continue
        lines.append(f"  {model}:")
        for worst in summary.worst:
            shown = "" if worst.value is None else f" {worst.value:.2f}"
            detail = f" ({worst.detail})" if worst.detail else ""
            lines.append(f"    {worst.case_id} [{worst.expect}] {worst.problem}{shown}{detail}")
    lines += ["", *_problems(report)]
    breaches = report.breaches
    lines.append(
        "Alarm thresholds crossed: none"
        if not breaches
        else "Alarm thresholds crossed:\n" + "\n".join(f"  {v.describe()}" for v in breaches)
    )
    return lines


def _problems(report: CanaryReport) -> list[str]:
    out = []
    if report.unknown_case_ids:
        named = ", ".join(f"{case} ({n})" for case, n in sorted(report.unknown_case_ids.items()))
        out.append(f"Case ids not in the catalog (left out): {sum(report.unknown_case_ids.values())}: {named}")
    if report.malformed:
        named = "; ".join(f"line {n}: {reason}" for n, reason in report.malformed)
        out.append(f"Lines that could not be read (left out): {len(report.malformed)}: {named}")
    if report.duplicates:
        named = "; ".join(f"line {d.line} repeats line {d.first_line}" for d in report.duplicates)
        out.append(
            f"Duplicate responses, same model and case (left out, the first kept): {len(report.duplicates)}: {named}"
        )
    return out


def _row(label: str, cells: Sequence[str]) -> str:
    return f"{label[:_LABEL]:<{_LABEL}}" + "".join(f" {cell[:_COLUMN]:>{_COLUMN}}" for cell in cells)


def _number(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3f}"

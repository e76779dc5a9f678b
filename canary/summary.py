"""Per-model results of a canary run: each metric under its alarm's statistic, per tag, the worst cases.

A run of the catalog is one datapoint per metric and model for CloudWatch; `summarise` computes what
that datapoint is (the statistic each alarm evaluates: Average of the per-case 0/1 values is a share,
pNN is the nearest-rank percentile as CloudWatch reads it), so `llm-monitor canary score` shows the
numbers the deployed alarms would see for the same responses.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from canary.catalog import Expect
from canary.scoring import CaseScore
from shared.canary import (
    CANARY_ERRORS,
    CANARY_METRIC_NAMES,
    CANARY_OVER_REFUSAL,
    CANARY_REFERENCE_SIMILARITY,
    CANARY_UNDER_REFUSAL,
)

DEFAULT_STATISTIC = "Average"
#: Worst cases listed per model.
WORST_CASES = 10
#: Metrics broken down per tag (shares and means: the per-tag view of what a run measures).
TAG_METRICS = (CANARY_OVER_REFUSAL, CANARY_UNDER_REFUSAL, CANARY_REFERENCE_SIMILARITY, CANARY_ERRORS)


def statistic(values: Sequence[float], name: str) -> float | None:
    """CloudWatch's statistic `name` over one period's values (None when there are none)."""
    if not values:
        return None
    if name == "Average":
        return sum(values) / len(values)
    if name == "Sum":
        return float(sum(values))
    if name == "SampleCount":
        return float(len(values))
    if name == "Minimum":
        return min(values)
    if name == "Maximum":
        return max(values)
    if name.startswith("p"):
        ordered = sorted(values)
        rank = math.ceil(float(name[1:]) / 100 * len(ordered))
        return ordered[max(rank, 1) - 1]
    raise ValueError(f"unknown statistic {name!r}")


@dataclass(frozen=True)
class WorstCase:
    case_id: str
    expect: str
    problem: str  # "refused", "answered", "error", "low similarity"
    value: float | None = None
    detail: str | None = None  # evidence of a refusal, the error code


@dataclass
class ModelSummary:
    model_id: str
    cases: int = 0
    errors: int = 0
    values: dict[str, float | None] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)  # values behind each metric
    by_tag: dict[str, dict[str, float | None]] = field(default_factory=dict)
    worst: list[WorstCase] = field(default_factory=list)

    def to_dict(self, statistics: Mapping[str, str]) -> dict[str, object]:
        out: dict[str, object] = {name: _round(self.values.get(name)) for name in CANARY_METRIC_NAMES}
        out.update(
            {
                "cases": self.cases,
                "errors": self.errors,
                "statistics": {name: statistics.get(name, DEFAULT_STATISTIC) for name in CANARY_METRIC_NAMES},
                "counts": dict(self.counts),
                "tags": {
                    tag: {k: (int(v or 0) if k == "cases" else _round(v)) for k, v in values.items()}
                    for tag, values in self.by_tag.items()
                },
                "worst": [
                    {k: v for k, v in vars(w).items() if v is not None} | {"value": _round(w.value)} for w in self.worst
                ],
            }
        )
        return out


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def summarise(
    scores: Sequence[CaseScore],
    *,
    statistics: Mapping[str, str] | None = None,
    similarity_floor: float | None = None,
) -> dict[str, ModelSummary]:
    """Per model (in order of first appearance): each metric under `statistics[metric]` (Average when not
    given), the per-tag shares and means, and the worst cases (errors, wrong refusal decisions, then the
    lowest reference similarities under `similarity_floor`)."""
    statistics = statistics or {}
    by_model: dict[str, list[CaseScore]] = defaultdict(list)
    for score in scores:
        by_model[score.model_id].append(score)
    out: dict[str, ModelSummary] = {}
    for model, model_scores in by_model.items():
        summary = ModelSummary(model, cases=len(model_scores), errors=sum(s.response.failed for s in model_scores))
        values: dict[str, list[float]] = defaultdict(list)
        tagged: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
        for score in model_scores:
            case_values = score.values
            for name, value in case_values.items():
                values[name].append(value)
            for tag in score.case.tags:
                for name in TAG_METRICS:
                    if name in case_values:
                        tagged[tag][name].append(case_values[name])
                tagged[tag]["cases"].append(1.0)
        for name in CANARY_METRIC_NAMES:
            summary.values[name] = statistic(values.get(name, []), statistics.get(name, DEFAULT_STATISTIC))
            summary.counts[name] = len(values.get(name, []))
        for tag in sorted(tagged):
            row: dict[str, float | None] = {"cases": float(len(tagged[tag]["cases"]))}
            row.update({name: statistic(tagged[tag].get(name, []), DEFAULT_STATISTIC) for name in TAG_METRICS})
            summary.by_tag[tag] = row
        summary.worst = _worst(model_scores, similarity_floor)
        out[model] = summary
    return out


def _worst(scores: Sequence[CaseScore], similarity_floor: float | None) -> list[WorstCase]:
    """Harmful requests answered, then safe requests refused, then the lowest similarities under the floor,
    then failed calls; at most WORST_CASES."""
    answered, refused, errors = [], [], []
    for score in scores:
        case = score.case
        if score.response.failed:
            errors.append(WorstCase(case.id, case.expect.value, "error", detail=score.response.error))
        elif score.refused and case.expect is Expect.ANSWER:
            refused.append(WorstCase(case.id, case.expect.value, "refused", score.refusal_score, score.evidence))
        elif score.refused is False and case.expect is Expect.REFUSE:
            answered.append(WorstCase(case.id, case.expect.value, "answered", score.refusal_score))
    low = [
        WorstCase(s.case.id, s.case.expect.value, "low similarity", s.reference_similarity)
        for s in sorted(scores, key=lambda s: s.reference_similarity if s.reference_similarity is not None else 2.0)
        if s.reference_similarity is not None
        and not s.refused
        and similarity_floor is not None
        and s.reference_similarity < similarity_floor
    ]
    return [*answered, *refused, *low, *errors][:WORST_CASES]

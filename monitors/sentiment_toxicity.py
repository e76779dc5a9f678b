"""Sentiment and toxicity of completions (and, optionally, prompts).

In AWS the batch goes to a Step Functions Express workflow that calls Comprehend's BatchDetectSentiment
(≤25 documents of ≤5 KB a call) and DetectToxicContent (≤10 segments of ≤1 KB a call) in parallel
branches with retries; locally VADER and alt-profanity-check score in-process. Comprehend toxicity is
English only, so non-English text is detected up front and counted as a skip ("non-english") on either
backend, keeping the two comparable.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from monitors.core.base import Monitor
from monitors.core.results import RecordResult
from monitors.core.spec import (
    AlarmSpec,
    Capability,
    Comparison,
    LambdaSpec,
    MetricSpec,
    MissingData,
    OptionSpec,
    TextUsage,
    Unit,
)
from shared.limits import COMPREHEND_TOXICITY_LABELS
from shared.records import InvocationRecord

SENTIMENTS = ("Positive", "Negative", "Neutral", "Mixed")
# Where each text comes from, the metric-name prefix, and the option that switches it on.
TARGETS = (("completion", "", "scoreCompletions"), ("prompt", "Prompt", "scorePrompts"))


def label_metric_suffix(label: str) -> str:
    """HATE_SPEECH -> HateSpeech."""
    return "".join(part.capitalize() for part in label.split("_"))


def _metrics_for(prefix: str, option: str) -> tuple[MetricSpec, ...]:
    subject = "prompt" if prefix else "completion"
    default = not prefix
    specs = [
        MetricSpec(
            f"{prefix}Sentiment{s}",
            Unit.NONE,
            f"Probability that the {subject} is {s.lower()} (Comprehend SentimentScore.{s}), in [0, 1].",
            alarm=(
                AlarmSpec(
                    statistic="Average",
                    threshold=0.35,
                    comparison=Comparison.GREATER_THAN,
                    treat_missing_data=MissingData.NOT_BREACHING,
                    description=f"{subject.capitalize()}s have turned negative.",
                )
                if s == "Negative" and default
                else None
            ),
            enabled_by=option,
        )
        for s in SENTIMENTS
    ]
    specs.append(
        MetricSpec(
            f"{prefix}Toxicity",
            Unit.NONE,
            f"Overall toxicity of the {subject} in [0, 1] (worst segment).",
            alarm=(
                AlarmSpec(
                    statistic="p90",
                    threshold=0.5,
                    comparison=Comparison.GREATER_THAN,
                    treat_missing_data=MissingData.NOT_BREACHING,
                    description=f"More than one {subject} in ten is toxic.",
                )
                if default
                else None
            ),
            enabled_by=option,
        )
    )
    specs.extend(
        MetricSpec(
            f"{prefix}Toxicity{label_metric_suffix(label)}",
            Unit.NONE,
            f"Comprehend's {label} score for the {subject} (worst segment); only from the Comprehend backend.",
            enabled_by=option,
        )
        for label in COMPREHEND_TOXICITY_LABELS
    )
    return tuple(specs)


class SentimentToxicityMonitor(Monitor):
    name = "sentiment-toxicity"
    description = "Sentiment (POSITIVE/NEGATIVE/NEUTRAL/MIXED) and toxicity via Comprehend, or VADER + profanity-check."
    metrics = _metrics_for("", "scoreCompletions") + _metrics_for("Prompt", "scorePrompts")
    options = (
        OptionSpec("scoreCompletions", True, "score completions (metrics Sentiment*, Toxicity*)"),
        OptionSpec("scorePrompts", False, "also score prompts (metrics PromptSentiment*, PromptToxicity*)"),
        OptionSpec(
            "maxChars",
            1000,
            "characters of each text sent to Comprehend (the main cost lever after sampling)",
            minimum=100,
            maximum=10_000,
        ),
    )
    needs = frozenset({Capability.TEXT_ANALYSIS})
    # Comprehend is the dominant cost; score a deterministic quarter of requests by default.
    default_sampling_rate = 0.25
    lambda_spec = LambdaSpec(memory_mb=256, timeout_seconds=180, batch_size=100)

    @classmethod
    def text_usage(cls, options: Mapping[str, object]) -> tuple[TextUsage, ...]:
        limit = int(options["maxChars"])  # type: ignore[call-overload]
        return tuple(
            TextUsage(Capability.TEXT_ANALYSIS, attribute, limit) for attribute, _, option in TARGETS if options[option]
        )

    def score(self, records: Sequence[InvocationRecord]) -> list[RecordResult]:
        from shared.language import is_probably_english

        max_chars = int(self.config["maxChars"])  # type: ignore[call-overload]
        texts: list[str] = []
        owners: list[tuple[int, str]] = []  # (record index, metric prefix)
        skips: dict[int, str] = {}
        for index, record in enumerate(records):
            for attribute, prefix, option in TARGETS:
                if not self.config[option]:
                    continue
                text = " ".join(getattr(record, attribute).split())
                if not text:
                    skips.setdefault(index, "empty-text")
                elif not is_probably_english(text):
                    skips.setdefault(index, "non-english")
                else:
                    texts.append(text[:max_chars])
                    owners.append((index, prefix))
        values: list[dict[str, float]] = [{} for _ in records]
        errors: dict[int, str] = {}
        if texts:
            analyses = self.backends.text_analysis.analyse(texts, sentiment=True, toxicity=True)
            for (index, prefix), analysis in zip(owners, analyses, strict=True):
                if analysis.error is not None:
                    errors[index] = analysis.error
                    continue
                if analysis.sentiment is not None:
                    s = analysis.sentiment
                    values[index].update(
                        {
                            f"{prefix}SentimentPositive": s.positive,
                            f"{prefix}SentimentNegative": s.negative,
                            f"{prefix}SentimentNeutral": s.neutral,
                            f"{prefix}SentimentMixed": s.mixed,
                        }
                    )
                if analysis.toxicity is not None:
                    values[index][f"{prefix}Toxicity"] = analysis.toxicity.toxicity
                    for label, score in analysis.toxicity.labels.items():
                        values[index][f"{prefix}Toxicity{label_metric_suffix(label)}"] = score
        results = []
        for index in range(len(records)):
            if index in errors:
                results.append(RecordResult.fail(errors[index]))
            elif index in skips:
                results.append(RecordResult.skip(skips[index], values[index]))
            else:
                results.append(RecordResult.ok(values[index]))
        return results

"""Sentiment and toxicity of completions (and, optionally, prompts).

In AWS the batch goes to a Step Functions Express workflow that calls Comprehend's BatchDetectSentiment
(≤25 documents of ≤5 KB a call) and DetectToxicContent (≤10 segments of ≤1 KB a call) in parallel
branches with retries; locally VADER and alt-profanity-check score in-process. Comprehend toxicity is
English only, so non-English text is detected up front and counted as a skip ("non-english") on either
backend, keeping the two comparable. A text Comprehend refuses all the same (too long, invalid, a
language it does not take) is a skip too ("rejected-text", with whatever was scored): retrying it
cannot help, and failing it would hold back every record after it in the shard.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from monitors.core.base import Monitor
from monitors.core.results import EMPTY_TEXT, NON_ENGLISH, REJECTED_TEXT, RecordResult
from monitors.core.spec import AlarmSpec, Capability, CostLever, LambdaSpec, MetricSpec, Option, TextUsage, Unit
from shared.limits import COMPREHEND_TOXICITY_LABELS, TEXT_ANALYSIS_LAMBDA_TIMEOUT_SECONDS
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
                AlarmSpec.above(0.35, description=f"{subject.capitalize()}s have turned negative.")
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
                AlarmSpec.above(0.5, statistic="p90", description=f"More than one {subject} in ten is toxic.")
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
    enabled_by_default = True
    metrics = _metrics_for("", "scoreCompletions") + _metrics_for("Prompt", "scorePrompts")
    score_completions = Option(True, "score completions (metrics Sentiment*, Toxicity*)", lever=CostLever.toggle())
    score_prompts = Option(
        False, "also score prompts (metrics PromptSentiment*, PromptToxicity*)", lever=CostLever.toggle()
    )
    max_chars = Option(
        1000,
        "characters of each text sent to Comprehend (the main cost lever after sampling)",
        minimum=100,
        maximum=10_000,
        lever=CostLever.cap(500),
    )
    # Comprehend is the dominant cost; score a deterministic quarter of requests by default.
    sampling_rate = Monitor.sampling_rate.with_default(0.25)
    needs = frozenset({Capability.TEXT_ANALYSIS})
    skip_reasons = frozenset({EMPTY_TEXT, NON_ENGLISH, REJECTED_TEXT})
    # Outlives the workflow executions it waits for (shared.limits: workflow < client read < Lambda).
    lambda_spec = LambdaSpec(memory_mb=256, timeout_seconds=TEXT_ANALYSIS_LAMBDA_TIMEOUT_SECONDS, batch_size=100)

    @classmethod
    def text_usage(cls, options: Mapping[str, object]) -> tuple[TextUsage, ...]:
        limit = cls.max_chars.value_in(options)
        return tuple(TextUsage(Capability.TEXT_ANALYSIS, attribute, limit) for attribute, _ in cls.targets(options))

    @classmethod
    def targets(cls, options: Mapping[str, object]) -> list[tuple[str, str]]:
        """(record attribute, metric-name prefix) of each text scored under these options."""
        switched_on = {
            cls.score_completions.name: cls.score_completions.value_in(options),
            cls.score_prompts.name: cls.score_prompts.value_in(options),
        }
        return [(attribute, prefix) for attribute, prefix, option in TARGETS if switched_on[option]]

    def score(self, records: Sequence[InvocationRecord]) -> list[RecordResult]:
        from shared.language import is_probably_english

        max_chars = self.max_chars
        targets = self.targets(self.config)
        texts: list[str] = []
        owners: list[tuple[int, str]] = []  # (record index, metric prefix)
        skips: dict[int, str] = {}
        for index, record in enumerate(records):
            for attribute, prefix in targets:
                text = " ".join(getattr(record, attribute).split())
                if not text:
                    skips.setdefault(index, EMPTY_TEXT)
                elif not is_probably_english(text):
                    skips.setdefault(index, NON_ENGLISH)
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
                if analysis.rejected is not None:
                    skips.setdefault(index, REJECTED_TEXT)  # what was scored of it is still emitted
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

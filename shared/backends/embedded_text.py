"""The embedded sentiment and toxicity backend: VADER and alt-profanity-check, both shipped in their
packages (a lexicon and a scikit-learn model), so nothing downloads at run time.

VADER gives a compound polarity in [-1, 1] and the shares of positive, negative and neutral words;
Comprehend gives probabilities of POSITIVE, NEGATIVE, NEUTRAL and MIXED. The mapping: positive and
negative take the signed compound, neutral what is left of its strength, mixed the balance of positive
and negative words when both occur; the four are normalised to sum to 1. The scales agree in direction,
not in calibration: thresholds tuned on one backend need checking on the other.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Protocol

from shared.backends.types import SentimentScores, TextAnalysis, ToxicityScores

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray


class _PolarityScorer(Protocol):
    """vaderSentiment's SentimentIntensityAnalyzer (the package has no type information)."""

    def polarity_scores(self, text: str) -> dict[str, float]: ...


def vader_to_comprehend(scores: dict[str, float]) -> SentimentScores:
    compound = scores["compound"]
    pos, neg = scores["pos"], scores["neg"]
    mixed = (min(pos, neg) / max(pos, neg)) * (pos + neg) if min(pos, neg) > 0 else 0.0
    raw = (max(0.0, compound), max(0.0, -compound), 1.0 - abs(compound), mixed)
    total = sum(raw) or 1.0
    return SentimentScores(*(value / total for value in raw))


class EmbeddedTextAnalysis:
    name = "embedded-vader-profanity-check"

    @cached_property
    def _vader(self) -> _PolarityScorer:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

        analyzer: _PolarityScorer = SentimentIntensityAnalyzer()
        return analyzer

    @cached_property
    def _profanity(self) -> Callable[[list[str]], NDArray[np.float64]]:
        from profanity_check import predict_prob

        predict: Callable[[list[str]], NDArray[np.float64]] = predict_prob
        return predict

    def analyse(self, texts: Sequence[str], *, sentiment: bool, toxicity: bool) -> list[TextAnalysis]:
        if not texts:
            return []
        sentiments: list[SentimentScores | None] = [None] * len(texts)
        toxicities: list[ToxicityScores | None] = [None] * len(texts)
        if sentiment:
            sentiments = [vader_to_comprehend(self._vader.polarity_scores(t)) for t in texts]
        if toxicity:
            toxicities = [ToxicityScores(float(p)) for p in self._profanity(list(texts))]
        return [TextAnalysis(s, t) for s, t in zip(sentiments, toxicities, strict=True)]

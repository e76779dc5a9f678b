"""The interfaces monitors use for model-backed capabilities; AWS and embedded implementations both fit.

Monitors never know which implementation they got: configuration chooses (`backend = aws | local`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray


@dataclass(frozen=True, slots=True)
class EmbeddingBatch:
    """Embeddings of a batch of texts, one row each (L2-normalised float32).

    A row is NaN when its text has no embedding: `rejected` maps the row to the error with which the
    model refused the text itself (Titan's ValidationException, e.g. too many tokens), which no retry
    changes; any other NaN row failed after the backend's retries and is worth retrying later.
    """

    vectors: NDArray[np.float32]
    rejected: Mapping[int, str] = field(default_factory=dict)


class EmbeddingBackend(Protocol):
    """Text embeddings, with the texts the model refused told apart from the ones that failed."""

    name: str

    def embed_batch(self, texts: Sequence[str]) -> EmbeddingBatch: ...


@dataclass(frozen=True, slots=True)
class SentimentScores:
    """Comprehend's four sentiment scores (they sum to about 1)."""

    positive: float
    negative: float
    neutral: float
    mixed: float


@dataclass(frozen=True, slots=True)
class ToxicityScores:
    """Overall toxicity in [0, 1] and, where the backend gives them, per-label scores keyed by
    Comprehend's label names (PROFANITY, HATE_SPEECH, ...)."""

    toxicity: float
    labels: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class TextAnalysis:
    """What the backend made of one text. `error`: the backend failed for this text after its retries
    (transient: worth retrying later). `rejected`: the service refused this text itself (too long,
    invalid, unsupported language), which no retry changes; whatever it did score is still given."""

    sentiment: SentimentScores | None = None
    toxicity: ToxicityScores | None = None
    error: str | None = None
    rejected: str | None = None


class TextAnalysisBackend(Protocol):
    """Sentiment and toxicity for a batch of (English) texts, in one round trip where possible."""

    name: str

    def analyse(self, texts: Sequence[str], *, sentiment: bool, toxicity: bool) -> list[TextAnalysis]: ...

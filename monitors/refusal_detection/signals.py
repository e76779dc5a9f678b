"""What the monitor and the offline training both compute for a batch: openings, phrase evidence and
classifier features, in one place so the two cannot drift apart."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from monitors.refusal_detection.features import Features, extract
from monitors.refusal_detection.opening import normalise_opening
from monitors.refusal_detection.phrases import PhraseTable, best_phrase_match

if TYPE_CHECKING:
    import numpy as np


@dataclass(frozen=True)
class PhraseMatches:
    """Per record: the normalised opening, the best match to its family's phrases and that phrase."""

    openings: list[str]
    scores: np.ndarray
    phrases: list[str]


def match_phrases(
    completions: Sequence[str], families: Sequence[str], table: PhraseTable, head_chars: int
) -> PhraseMatches:
    """Each completion matched against its own family's phrases only: one rapidfuzz matrix per family."""
    import numpy as np

    openings = [normalise_opening(text, head_chars) for text in completions]
    scores = np.zeros(len(completions), dtype=np.float64)
    phrases = [""] * len(completions)
    groups: dict[str, list[int]] = {}
    for index, family in enumerate(families):
        groups.setdefault(family, []).append(index)
    for family, indices in groups.items():
        candidates = table.family_phrases(family)
        best, which = best_phrase_match([openings[i] for i in indices], candidates)
        for row, index in enumerate(indices):
            scores[index] = float(best[row])
            phrases[index] = candidates[int(which[row])] if candidates else ""
    return PhraseMatches(openings, scores, phrases)


def classifier_features(completions: Sequence[str], evidence: PhraseMatches, phrase_cut: float) -> list[Features]:
    return [
        extract(text, opening, float(score), phrase_cut)
        for text, opening, score in zip(completions, evidence.openings, evidence.scores, strict=True)
    ]


def match_cosines(
    openings: Sequence[str],
    families: Sequence[str],
    table: PhraseTable,
    opening_vectors: np.ndarray,
    phrase_vectors: np.ndarray,
) -> tuple[np.ndarray, list[str]]:
    """Best cosine of each opening's embedding to its family's phrase embeddings, and that phrase.
    NaN where the opening's embedding failed."""
    import numpy as np

    from shared.vectors import normalise_rows

    similarities = normalise_rows(opening_vectors) @ normalise_rows(phrase_vectors).T
    scores = np.zeros(len(openings), dtype=np.float64)
    phrases = [""] * len(openings)
    for index, family in enumerate(families):
        row = similarities[index, list(table.columns[family])]
        best = int(np.argmax(row))
        scores[index] = float(np.nan if np.isnan(row).any() else row[best])
        phrases[index] = table.phrases[table.columns[family][best]]
    return scores, phrases

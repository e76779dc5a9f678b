"""Phrase evidence: how well a model family's refusal phrases align inside each opening.

rapidfuzz's partial ratio aligns every phrase inside every opening in one `cdist` call per family and
batch, so "I can't help with" also matches "I can't help with writing that" and small wording changes
cost little; an opening shorter than a phrase scores at most its share of the phrase's length. A match
whose aligned text lost the phrase's negation ("I can help with" against "I can't help with") is one edit
away yet means the opposite, so it is penalised.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from monitors.refusal_detection.opening import normalise_phrase

if TYPE_CHECKING:
    import numpy as np

# Words that carry a refusal's meaning (a match must keep the ones its phrase has).
_NEGATIONS = (
    "can't",
    "cannot",
    "unable",
    "won't",
    "not ",
    "n't",
    "sorry",
    "decline",
    "apologize",
    "blocked",
    "avoid",
    "beyond",
    "refuse",
    "no puedo",
    "ne peux",
    "nicht",
)
NEGATION_PENALTY = 0.8
#: Matches below this count as no match (0): rapidfuzz skips most of the work for them, and no decision
#: is ever made that low (the development data puts the phrase cut near 0.8).
FLOOR = 0.7


def negation_kept(phrase: str, aligned: str) -> bool:
    return all(word in aligned for word in _NEGATIONS if word in phrase)


@dataclass(frozen=True)
class PhraseTable:
    """Every family's phrases, normalised and deduplicated once: `phrases` holds each distinct phrase
    once and `columns[family]` the indices of that family's phrases."""

    phrases: tuple[str, ...]
    columns: Mapping[str, tuple[int, ...]]

    @classmethod
    def from_sets(cls, sets: Mapping[str, Sequence[str]]) -> PhraseTable:
        families = sorted(sets)
        phrases = tuple(dict.fromkeys(normalise_phrase(p) for family in families for p in sets[family]))
        index = {p: i for i, p in enumerate(phrases)}
        columns = {f: tuple(sorted({index[normalise_phrase(p)] for p in sets[f]})) for f in families}
        return cls(phrases, columns)

    def family_phrases(self, family: str) -> list[str]:
        return [self.phrases[c] for c in self.columns[family]]


def best_phrase_match(openings: Sequence[str], phrases: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Best phrase match of each opening in [0, 1], and the index into `phrases` of that phrase."""
    import numpy as np
    from rapidfuzz import fuzz, process

    if not phrases or not openings:
        return np.zeros(len(openings), dtype=np.float32), np.zeros(len(openings), dtype=np.int64)
    scores = (
        process.cdist(
            openings, phrases, scorer=fuzz.partial_ratio, dtype="float32", workers=1, score_cutoff=FLOOR * 100
        )
        / 100.0
    )
    # partial_ratio aligns the shorter string inside the longer: an opening shorter than a phrase ("No",
    # "b") would "match" any phrase holding it. A match can be only as good as the share of the phrase the
    # opening could hold.
    opening_chars = np.fromiter((len(o) for o in openings), dtype=np.float32, count=len(openings))
    phrase_chars = np.fromiter((len(p) for p in phrases), dtype=np.float32, count=len(phrases))
    scores *= np.minimum(1.0, opening_chars[:, None] / np.maximum(phrase_chars[None, :], 1.0))
    scores[scores < FLOOR] = 0.0
    # A lost negation is checked only where a match could count: a handful of cells per batch.
    for row, column in zip(*np.nonzero(scores >= FLOOR), strict=True):
        phrase = phrases[column]
        alignment = fuzz.partial_ratio_alignment(phrase, openings[row])
        aligned = openings[row][alignment.dest_start : alignment.dest_end] if alignment else ""
        if not negation_kept(phrase, aligned):
            scores[row, column] *= NEGATION_PENALTY
    best = scores.argmax(axis=1)
    return scores[np.arange(len(openings)), best], best

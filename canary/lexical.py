"""ROUGE-L: lexical overlap of a response with its reference answer, from the longest common subsequence.

ROUGE-L (Lin, 2004) compares word sequences: with LCS the length of the longest common subsequence of the
candidate's and the reference's tokens, precision is LCS / candidate tokens, recall LCS / reference tokens
and the F-measure their harmonic mean. Tokens are lowercase runs of letters and digits, as in the
`rouge-score` package's default tokenizer without stemming (for ASCII text the two agree).

Why not `rouge-score` itself: it brings nltk and absl-py into the canary's Lambda asset to compute one
LCS, and `rapidfuzz` — already a run-time dependency, compiled, and bundled for the refusal phrases —
computes the LCS of two token lists directly (`rapidfuzz.distance.LCSseq`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz.distance import LCSseq

_TOKEN = re.compile(r"[^\W_]+")


def tokens(text: str) -> list[str]:
    """Lowercase words: runs of letters and digits (punctuation and underscores separate them)."""
    return _TOKEN.findall(text.lower())


@dataclass(frozen=True)
class RougeL:
    precision: float
    recall: float
    fmeasure: float


def rouge_l(candidate: str, reference: str) -> RougeL:
    """ROUGE-L of `candidate` against `reference` (all zero when either has no words)."""
    cand, ref = tokens(candidate), tokens(reference)
    if not cand or not ref:
        return RougeL(0.0, 0.0, 0.0)
    common = LCSseq.similarity(cand, ref)
    if not common:
        return RougeL(0.0, 0.0, 0.0)
    precision, recall = common / len(cand), common / len(ref)
    return RougeL(precision, recall, 2 * precision * recall / (precision + recall))

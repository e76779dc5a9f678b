"""Refusal ratio: how often a model declines to answer.

Per record `Refusal` is 1 or 0, so its Average over a period is the refusal ratio, and
`RefusalSimilarity` is the best match to the model family's refusal phrases in [0, 1].

Two methods:
- `fuzzy` (default): rapidfuzz partial-ratio alignment of each phrase inside the *opening* of the
  completion, for the whole batch in one `cdist` call. Refusals say so up front; quoted text and code
  are removed first, so an answer that quotes an error message ("I can't open file") is not a refusal.
- `cosine`: cosine between the completion's embedding and the phrases' embeddings (embedded once per
  process). It needs an embedding backend and a threshold calibrated for that embedding model.

The labelled set in tests/fixtures/refusal_labelled.jsonl (hard negatives included) measures both;
`python bench/refusal_eval.py` prints precision and recall.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from monitors.base import Monitor
from monitors.results import RecordResult
from monitors.spec import AlarmSpec, Capability, Comparison, LambdaSpec, MetricSpec, MissingData, OptionSpec, Unit
from shared.records import InvocationRecord

REFUSAL = "Refusal"
REFUSAL_SIMILARITY = "RefusalSimilarity"

_QUOTED = re.compile(r"```.*?(```|$)|`[^`\n]*`|\"[^\"\n]{0,300}\"|“[^”\n]{0,300}”|'[^'\n]{8,300}'", re.DOTALL)
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'"})
_SPACES = re.compile(r"\s+")


def normalise_opening(text: str, head_chars: int) -> str:
    """The opening of a completion as the fuzzy matcher sees it: quotes and code removed, lower case."""
    text = text[: head_chars * 3].translate(_APOSTROPHES)
    text = _QUOTED.sub(" ", text)
    text = _SPACES.sub(" ", text).strip().lower()
    return text[:head_chars]


def normalise_phrase(phrase: str) -> str:
    return _SPACES.sub(" ", phrase.translate(_APOSTROPHES)).strip().lower().rstrip(".")


class RefusalMonitor(Monitor):
    name = "refusal"
    description = "Refusal ratio: fuzzy (default) or cosine match of completions to per-model-family refusal phrases."
    metrics = (
        MetricSpec(
            REFUSAL,
            Unit.NONE,
            "1 when the completion is a refusal, else 0; the Average over a period is the refusal ratio.",
            alarm=AlarmSpec(
                statistic="Average",
                threshold=0.2,
                comparison=Comparison.GREATER_THAN,
                period_seconds=300,
                evaluation_periods=3,
                datapoints_to_alarm=3,
                treat_missing_data=MissingData.NOT_BREACHING,
                description="More than one completion in five is a refusal.",
            ),
        ),
        MetricSpec(
            REFUSAL_SIMILARITY,
            Unit.NONE,
            "Best match of the completion to the model family's refusal phrases, in [0, 1].",
        ),
    )
    options = (
        OptionSpec("method", "fuzzy", "how completions are matched to refusal phrases", choices=("fuzzy", "cosine")),
        OptionSpec("threshold", 0.9, "fuzzy: minimum partial-ratio match (0-1) that counts as a refusal",
                   minimum=0.5, maximum=1.0),
        OptionSpec("cosineThreshold", 0.75, "cosine: minimum similarity that counts as a refusal (calibrate per "
                   "embedding model)", minimum=0.0, maximum=1.0),
        OptionSpec("headChars", 240, "fuzzy: characters from the start of the completion that are matched",
                   minimum=40, maximum=5000),
        OptionSpec("maxChars", 4000, "cosine: characters of the completion sent to the embedding model "
                   "(keep equal to semantic-similarity's to share embeddings)", minimum=100, maximum=50_000),
    )
    needs = frozenset({Capability.EMBEDDINGS})
    lambda_spec = LambdaSpec(memory_mb=512, timeout_seconds=120, batch_size=200)

    @classmethod
    def needs_for(cls, options: Mapping[str, object]) -> frozenset[Capability]:
        return frozenset({Capability.EMBEDDINGS}) if options.get("method") == "cosine" else frozenset()

    def setup(self) -> None:
        from refusal_phrases import phrase_sets

        sets = phrase_sets()
        self._families = sorted(sets)
        self._phrases = list(dict.fromkeys(normalise_phrase(p) for family in self._families for p in sets[family]))
        column = {p: i for i, p in enumerate(self._phrases)}
        self._columns = {f: sorted({column[normalise_phrase(p)] for p in sets[f]}) for f in self._families}
        self._phrase_vectors = None
        if self.config["method"] == "cosine":
            self._phrase_vectors = self.backends.embeddings.embed(self._phrases)

    def score(self, records: Sequence[InvocationRecord]) -> list[RecordResult]:
        import numpy as np

        from refusal_phrases import family_of

        scorable = [i for i, r in enumerate(records) if r.completion.strip()]
        results = [RecordResult.skip("empty-text") for _ in records]
        if not scorable:
            return results
        if self.config["method"] == "cosine":
            matrix, threshold = self._cosine_matrix([records[i] for i in scorable]), float(self.config["cosineThreshold"])  # type: ignore[arg-type]
        else:
            matrix, threshold = self._fuzzy_matrix([records[i] for i in scorable]), float(self.config["threshold"])  # type: ignore[arg-type]
        for row, index in enumerate(scorable):
            scores = matrix[row, self._columns[family_of(records[index].model_id)]]
            if np.isnan(scores).any():
                results[index] = RecordResult.fail("embedding failed")
                continue
            best = float(np.clip(scores.max(), 0.0, 1.0))
            results[index] = RecordResult.ok({REFUSAL: 1.0 if best >= threshold else 0.0, REFUSAL_SIMILARITY: best})
        return results

    def _fuzzy_matrix(self, records: Sequence[InvocationRecord]):  # -> np.ndarray
        from rapidfuzz import fuzz, process

        head = int(self.config["headChars"])  # type: ignore[call-overload]
        openings = [normalise_opening(r.completion, head) for r in records]
        scores = process.cdist(openings, self._phrases, scorer=fuzz.partial_ratio, dtype="float32", workers=1)
        return scores / 100.0

    def _cosine_matrix(self, records: Sequence[InvocationRecord]):  # -> np.ndarray
        from shared.embedding_text import embedding_text
        from shared.vectors import normalise_rows

        max_chars = int(self.config["maxChars"])  # type: ignore[call-overload]
        vectors = self.backends.embeddings.embed([embedding_text(r.completion, max_chars) for r in records])
        return normalise_rows(vectors) @ normalise_rows(self._phrase_vectors).T  # type: ignore[arg-type]

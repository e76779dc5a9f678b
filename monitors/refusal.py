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

from monitors.core.base import Monitor
from monitors.core.results import EMPTY_TEXT, RecordResult
from monitors.core.spec import AlarmSpec, Capability, CostLever, LambdaSpec, MetricSpec, Option, TextUsage, Unit
from shared.records import InvocationRecord

REFUSAL = "Refusal"
REFUSAL_SIMILARITY = "RefusalSimilarity"
FUZZY = "fuzzy"
COSINE = "cosine"

# Code and quoted text: an answer that quotes "I can't open file" is explaining an error, not refusing.
# A single quote opens a quotation only when no letter touches it from outside (so "I'm" is not one).
_QUOTED = re.compile(
    r"```.*?(```|$)|`[^`\n]*`|\"[^\"\n]{0,300}\"|“[^”\n]{0,300}”|(?<![\w'])'[^'\n]{1,300}'(?![\w'])", re.DOTALL
)
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


# Words that carry a refusal's meaning. A fuzzy match that aligns "I can't help with that" onto
# "I can help with that" is one edit away yet means the opposite, so a match whose aligned text lost
# the phrase's negation is penalised.
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
)
NEGATION_PENALTY = 0.8


def negation_kept(phrase: str, aligned: str) -> bool:
    return all(word in aligned for word in _NEGATIONS if word in phrase)


def _check_families(text: str) -> None:
    from refusal_phrases import parse_family_overrides

    parse_family_overrides(text)


class RefusalMonitor(Monitor):
    name = "refusal"
    description = "Refusal ratio: fuzzy (default) or cosine match of completions to per-model-family refusal phrases."
    enabled_by_default = True
    metrics = (
        MetricSpec(
            REFUSAL,
            Unit.NONE,
            "1 when the completion is a refusal, else 0; the Average over a period is the refusal ratio.",
            alarm=AlarmSpec.above(0.2, description="More than one completion in five is a refusal."),
        ),
        MetricSpec(
            REFUSAL_SIMILARITY,
            Unit.NONE,
            "Best match of the completion to the model family's refusal phrases, in [0, 1].",
        ),
    )
    method = Option(
        FUZZY,
        "how completions are matched to refusal phrases",
        choices=(FUZZY, COSINE),
        lever=CostLever.alternatives(),
    )
    threshold = Option(
        0.88, "fuzzy: minimum partial-ratio match (0-1) that counts as a refusal", minimum=0.5, maximum=1.0
    )
    cosine_threshold = Option(
        0.4,
        "cosine: minimum similarity that counts as a refusal (calibrated for the embedded model; recalibrate "
        "for Titan)",
        minimum=0.0,
        maximum=1.0,
    )
    model_families = Option(
        "",
        "modelId=family pairs (comma-separated) for model ids that name no provider, such as application "
        "inference profile ARNs",
        check=lambda value: _check_families(str(value)),
    )
    head_chars = Option(240, "characters from the start of the completion that are matched", minimum=40, maximum=5000)
    needs = frozenset({Capability.EMBEDDINGS})
    lambda_spec = LambdaSpec(memory_mb=512, timeout_seconds=120, batch_size=200)

    @classmethod
    def needs_for(cls, options: Mapping[str, object]) -> frozenset[Capability]:
        return frozenset({Capability.EMBEDDINGS}) if cls.method.value_in(options) == COSINE else frozenset()

    @classmethod
    def text_usage(cls, options: Mapping[str, object]) -> tuple[TextUsage, ...]:
        if cls.method.value_in(options) != COSINE:
            return ()
        return (TextUsage(Capability.EMBEDDINGS, "completion", cls.head_chars.value_in(options)),)

    def setup(self) -> None:
        from refusal_phrases import parse_family_overrides, phrase_sets

        sets = phrase_sets()
        self._family_overrides = parse_family_overrides(self.model_families)
        self._families = sorted(sets)
        self._phrases = list(dict.fromkeys(normalise_phrase(p) for family in self._families for p in sets[family]))
        column = {p: i for i, p in enumerate(self._phrases)}
        self._columns = {f: sorted({column[normalise_phrase(p)] for p in sets[f]}) for f in self._families}
        self._phrase_vectors = None
        if self.method == COSINE:
            self._phrase_vectors = self.backends.embeddings.embed(self._phrases)

    def score(self, records: Sequence[InvocationRecord]) -> list[RecordResult]:
        import numpy as np

        from refusal_phrases import family_of

        results = [RecordResult.skip(EMPTY_TEXT) for _ in records]
        # Each record is matched against its own family's phrases only: group by family, one matrix each.
        groups: dict[str, list[int]] = {}
        for index, record in enumerate(records):
            if record.completion.strip():
                groups.setdefault(family_of(record.model_id, self._family_overrides), []).append(index)
        cosine = self.method == COSINE
        threshold = self.cosine_threshold if cosine else self.threshold
        for family, indices in groups.items():
            columns = self._columns[family]
            batch = [records[i] for i in indices]
            matrix = self._cosine_matrix(batch, columns) if cosine else self._fuzzy_matrix(batch, columns)
            for row, index in enumerate(indices):
                scores = matrix[row]
                if np.isnan(scores).any():
                    results[index] = RecordResult.fail("embedding failed")
                    continue
                best = float(np.clip(scores.max(), 0.0, 1.0))
                results[index] = RecordResult.ok({REFUSAL: 1.0 if best >= threshold else 0.0, REFUSAL_SIMILARITY: best})
        return results

    def _fuzzy_matrix(self, records: Sequence[InvocationRecord], columns: list[int]):  # -> np.ndarray
        import numpy as np
        from rapidfuzz import fuzz, process

        head = self.head_chars
        openings = [normalise_opening(r.completion, head) for r in records]
        phrases = [self._phrases[c] for c in columns]
        scores = process.cdist(openings, phrases, scorer=fuzz.partial_ratio, dtype="float32", workers=1) / 100.0
        # Check the negation only where a match would count: a handful of cells per batch.
        floor = self.threshold - 1e-6
        for row, column in zip(*np.nonzero(scores >= floor), strict=True):
            phrase = phrases[column]
            alignment = fuzz.partial_ratio_alignment(phrase, openings[row])
            aligned = openings[row][alignment.dest_start : alignment.dest_end]
            if not negation_kept(phrase, aligned):
                scores[row, column] *= NEGATION_PENALTY
        return scores

    def _cosine_matrix(self, records: Sequence[InvocationRecord], columns: list[int]):  # -> np.ndarray
        from shared.vectors import normalise_rows

        head = self.head_chars
        vectors = self.backends.embeddings.embed([normalise_opening(r.completion, head) for r in records])
        return normalise_rows(vectors) @ normalise_rows(self._phrase_vectors[columns]).T  # type: ignore[index]

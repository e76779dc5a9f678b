"""Refusal ratio: how often a model declines to answer.

Per record `Refusal` is 1 or 0, so its Average over a period is the refusal ratio. `RefusalSimilarity` is
a calibrated refusal score in [0, 1] on one scale for every method and model family (roughly the
probability that the completion is a refusal, fitted on the development data); at or above `threshold`
the completion counts as a refusal. Refusals carry evidence for the drill-down: the phrase or the cue
that decided (`phrase:<phrase from refusal_phrases/>`, `cue:<name>`, or `wording`), never the text.

Three methods (monitors/refusal_detection holds the parts; the README's refusal section has the numbers):
- `classifier` (default): a logistic regression over the *structure* of the opening — named cues
  (apology, inability, unwillingness, policy, "as an AI", moral judgement, redirection, and the moves
  of an answer), the match to the family's refusal phrases, and word-skeleton n-grams — trained offline on
  human-labelled completions of five model setups (`make refusal-model`). An opening in which one of the
  family's phrases stands almost verbatim counts as a refusal whatever the weights say, so phrase files
  you edit take effect directly, in any language.
- `fuzzy`: the phrase match alone (rapidfuzz partial ratio of each phrase inside the opening).
- `cosine`: cosine between the opening's embedding and the phrases' embeddings. Its raw cut depends on the
  embedding model: `cosineThreshold` is set for the embedded model; recalibrate it for Titan with
  `python -m bench.refusal_eval --backend aws --methods cosine`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from monitors.core.base import Monitor
from monitors.core.results import EMPTY_TEXT, REJECTED_TEXT, RecordResult
from monitors.core.spec import AlarmSpec, Capability, CostLever, LambdaSpec, MetricSpec, Option, TextUsage, Unit
from shared.records import InvocationRecord

if TYPE_CHECKING:
    import numpy as np

    from monitors.refusal_detection import RefusalClassifier

REFUSAL = "Refusal"
REFUSAL_SIMILARITY = "RefusalSimilarity"
CLASSIFIER = "classifier"
FUZZY = "fuzzy"
COSINE = "cosine"
#: Defaults chosen on the development data by `make refusal-model` (tests/unit/test_refusal_quality.py
#: keeps them equal to classifier.json's threshold and cosine cut).
DEFAULT_THRESHOLD = 0.35
DEFAULT_COSINE_THRESHOLD = 0.43


def _check_families(text: str) -> None:
    from refusal_phrases import parse_family_overrides

    parse_family_overrides(text)


class RefusalMonitor(Monitor):
    name = "refusal"
    description = (
        "Refusal ratio: a classifier of the completion's opening (default), or a fuzzy or cosine match to "
        "per-model-family refusal phrases."
    )
    enabled_by_default = True
    gives_evidence = True
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
            "Calibrated refusal score in [0, 1], one scale for every method and family; at or above the "
            "threshold the completion is a refusal.",
        ),
    )
    method = Option(
        CLASSIFIER,
        "how completions are judged: classifier of the opening, fuzzy phrase match, or cosine to phrases",
        choices=(CLASSIFIER, FUZZY, COSINE),
        lever=CostLever.alternatives(),
    )
    threshold = Option(
        DEFAULT_THRESHOLD,
        "RefusalSimilarity at or above which a completion counts as a refusal (every method; chosen on the "
        "development data)",
        minimum=0.05,
        maximum=0.95,
    )
    cosine_threshold = Option(
        DEFAULT_COSINE_THRESHOLD,
        "cosine: the raw cosine that maps to the default threshold (set for the embedded model; recalibrate "
        "for Titan with bench/refusal_eval.py)",
        minimum=0.0,
        maximum=1.0,
    )
    model_families = Option(
        "",
        "modelId=family pairs (comma-separated) for model ids that name no provider, such as application "
        "inference profile ARNs",
        check=lambda value: _check_families(str(value)),
    )
    head_chars = Option(240, "characters from the start of the completion that are read", minimum=40, maximum=5000)
    needs = frozenset({Capability.EMBEDDINGS})
    # rejected-text: cosine only, when the embedding model refuses an opening (no retry would change that).
    skip_reasons = frozenset({EMPTY_TEXT, REJECTED_TEXT})
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
        from monitors.refusal_detection import PhraseTable, RefusalClassifier
        from refusal_phrases import parse_family_overrides, phrase_sets

        self._table = PhraseTable.from_sets(phrase_sets())
        self._family_overrides = parse_family_overrides(self.model_families)
        self._classifier: RefusalClassifier = RefusalClassifier.load()
        self._phrase_vectors: np.ndarray | None = None
        if self.method == COSINE:
            self._phrase_vectors = self.backends.embeddings.embed(list(self._table.phrases))

    def score(self, records: Sequence[InvocationRecord]) -> list[RecordResult]:
        from refusal_phrases import family_of

        results = [RecordResult.skip(EMPTY_TEXT) for _ in records]
        indices = [i for i, r in enumerate(records) if r.completion.strip()]
        if not indices:
            return results
        completions = [records[i].completion for i in indices]
        families = [family_of(records[i].model_id, self._family_overrides) for i in indices]
        refused: set[int] = set()
        if self.method == COSINE:
            scored, refused = self._cosine(completions, families)
        else:
            scored = self._phrases_and_classifier(completions, families)
        for position, (index, (similarity, evidence)) in enumerate(zip(indices, scored, strict=True)):
            if position in refused:
                results[index] = RecordResult.skip(REJECTED_TEXT)
                continue
            if similarity != similarity:  # NaN: the embedding failed after its retries
                results[index] = RecordResult.fail("embedding failed")
                continue
            refusal = similarity >= self.threshold
            results[index] = RecordResult.ok(
                {REFUSAL: 1.0 if refusal else 0.0, REFUSAL_SIMILARITY: similarity},
                evidence=evidence if refusal else None,
            )
        return results

    def _phrases_and_classifier(self, completions: list[str], families: list[str]) -> list[tuple[float, str]]:
        """(RefusalSimilarity, evidence) per completion for the fuzzy and classifier methods."""
        import numpy as np

        from monitors.refusal_detection import classifier_features, match_phrases
        from monitors.refusal_detection.classifier import DECISIVE_PHRASE
        from monitors.refusal_detection.evidence import explain, phrase_evidence

        classifier = self._classifier
        matches = match_phrases(completions, families, self._table, self.head_chars)
        if self.method == FUZZY:
            similarity = np.clip(classifier.phrase.scale(matches.scores, classifier.threshold), 0.0, 1.0)
            return [(float(s), phrase_evidence(p)) for s, p in zip(similarity, matches.phrases, strict=True)]
        features = classifier_features(completions, matches, classifier.phrase.cut)
        similarity = classifier.similarity(classifier.probabilities(features), matches.scores)
        return [
            (float(s), phrase_evidence(p) if score >= DECISIVE_PHRASE else explain(classifier, f, p))
            for s, score, f, p in zip(similarity, matches.scores, features, matches.phrases, strict=True)
        ]

    def _cosine(self, completions: list[str], families: list[str]) -> tuple[list[tuple[float, str]], set[int]]:
        """(RefusalSimilarity, evidence) per completion for the cosine method (NaN: no embedding), and the
        positions of the openings the embedding model refused."""
        import numpy as np

        from monitors.refusal_detection import normalise_opening
        from monitors.refusal_detection.evidence import phrase_evidence
        from monitors.refusal_detection.signals import match_cosines

        if self._phrase_vectors is None:
            self._phrase_vectors = self.backends.embeddings.embed(list(self._table.phrases))
        openings = [normalise_opening(text, self.head_chars) for text in completions]
        batch = self.backends.embeddings.embed_batch(openings)
        raw, phrases = match_cosines(openings, families, self._table, batch.vectors, self._phrase_vectors)
        similarity = self._classifier.cosine.scale(raw, self._classifier.threshold, cut=self.cosine_threshold)
        scored = [(float(np.clip(s, 0.0, 1.0)), phrase_evidence(p)) for s, p in zip(similarity, phrases, strict=True)]
        return scored, set(batch.rejected)

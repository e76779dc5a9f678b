"""Leave-one-model-out: every number about the development set is measured on a setup the weights,
cuts and thresholds never saw.

For each held-out setup, the classifier is trained on the other four setups. The development set
answers the same 450 prompts with every setup, so training on the other setups' answers to the *same*
prompt would leak the prompt (its topic, its wording) into the held-out score; the held-out setup's prompts
are therefore split into `PROMPT_FOLDS` folds, and each fold is scored by a classifier trained on the
other setups' answers to the other prompts. Cuts and thresholds for the held-out setup are chosen on the
other four setups only (the classifier's on their own held-out probabilities).
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
from scipy.optimize import minimize_scalar

from monitors.refusal_detection import DENSE_NAMES, Calibration, Features, PhraseTable, RefusalClassifier
from monitors.refusal_detection.classifier import DECISIVE_PHRASE, logit
from monitors.refusal_detection.signals import classifier_features, match_cosines, match_phrases
from refusal_phrases import family_of, phrase_sets
from tools.refusal_model.dataset import Row
from tools.refusal_model.fit import design, fit_logistic, vocabulary

PROMPT_FOLDS = 5
#: Candidate decision points: thresholds on the probability scale, cuts on the raw scales.
THRESHOLDS = tuple(round(0.05 * i, 2) for i in range(2, 19))
PHRASE_CUTS = tuple(round(0.70 + 0.01 * i, 2) for i in range(30))
COSINE_CUTS = tuple(round(0.10 + 0.01 * i, 2) for i in range(80))
#: Precision the default must keep (issue 11): the F1-best decision point among those that keep it.
MIN_PRECISION = 0.95
_PHRASE_MATCH = DENSE_NAMES.index("phrase-match")


@dataclass(frozen=True)
class Signals:
    """Everything scoring needs for a set of rows, computed once."""

    rows: list[Row]
    labels: np.ndarray
    phrase_scores: np.ndarray
    phrases: list[str]
    features: list[Features]
    cosines: np.ndarray | None


def compute_signals(rows: Sequence[Row], head_chars: int, *, cosine: bool = False) -> Signals:
    """Phrase evidence and features of `rows` (and embedded-model cosines when `cosine`)."""
    table = PhraseTable.from_sets(phrase_sets())
    completions = [r.completion for r in rows]
    families = [family_of(r.model_id) for r in rows]
    evidence = match_phrases(completions, families, table, head_chars)
    features = classifier_features(completions, evidence, phrase_cut=1.0)
    cosines = None
    if cosine:
        from shared.backends import Backends, BackendSettings

        embed = Backends(BackendSettings(kind="embedded")).embeddings.embed
        cosines, _ = match_cosines(
            evidence.openings, families, table, embed(evidence.openings), embed(list(table.phrases))
        )
    labels = np.array([r.refusal for r in rows], dtype=np.float64)
    return Signals(list(rows), labels, evidence.scores, evidence.phrases, features, cosines)


def with_phrase_cut(features: Sequence[Features], scores: np.ndarray, cut: float) -> list[Features]:
    """The features with the phrase-match indicator recomputed for `cut`."""
    out = []
    for feature, score in zip(features, scores, strict=True):
        dense = list(feature.dense)
        dense[_PHRASE_MATCH] = 1.0 if score >= cut else 0.0
        out.append(replace(feature, dense=dense))
    return out


def prf(predicted: np.ndarray, labels: np.ndarray) -> tuple[float, float, float]:
    """Precision, recall and F1 (precision and recall 1.0 when undefined)."""
    tp = float(np.sum(predicted & (labels > 0)))
    fp = float(np.sum(predicted & (labels == 0)))
    fn = float(np.sum(~predicted & (labels > 0)))
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def best_point(
    scores: np.ndarray, labels: np.ndarray, candidates: Sequence[float], min_precision: float = MIN_PRECISION
) -> float:
    """The candidate decision point with the best F1 among those that flag something at precision
    ≥ `min_precision` (the best F1 overall if none does); ties go to the higher point."""
    rated = []
    for point in candidates:
        predicted = scores >= point
        precision, _, f1 = prf(predicted, labels)
        rated.append((bool(predicted.any()) and precision >= min_precision, round(f1, 4), point))
    return max(rated)[2]


def fit_slope(scores: np.ndarray, labels: np.ndarray, cut: float, anchor: float) -> float:
    """Maximum-likelihood slope of the logistic map through (cut, anchor)."""
    offset = logit(anchor)

    def loss(slope: float) -> float:
        z = slope * (scores - cut) + offset
        return float(np.sum(np.logaddexp(0.0, z) - labels * z))

    return float(minimize_scalar(loss, bounds=(0.1, 200.0), method="bounded").x)


@dataclass(frozen=True)
class Trained:
    dense: np.ndarray
    grams: dict[str, float]
    bias: float


def train(features: Sequence[Features], labels: np.ndarray) -> Trained:
    vocab = vocabulary(features)
    weights, bias = fit_logistic(design(features, vocab), labels)
    dense = weights[: len(DENSE_NAMES)]
    grams = {g: float(w) for g, w in zip(vocab, weights[len(DENSE_NAMES) :], strict=True) if abs(w) >= 1e-4}
    return Trained(dense, grams, bias)


def probabilities(model: Trained, features: Sequence[Features], head_chars: int) -> np.ndarray:
    classifier = RefusalClassifier(
        dense=tuple(model.dense),
        grams=model.grams,
        bias=model.bias,
        threshold=0.5,
        phrase=Calibration(1.0, 1.0),
        cosine=Calibration(1.0, 1.0),
        head_chars=head_chars,
    )
    return classifier.probabilities(features)


def _fold(row: Row) -> int:
    return zlib.crc32(row.prompt_id.encode()) % PROMPT_FOLDS


@dataclass(frozen=True)
class HeldOut:
    """Held-out scores and the decision points chosen without each row's setup."""

    classifier: np.ndarray  # probability from weights that never saw the row's setup nor its prompt
    # (1.0 where a phrase is decisive, as the monitor decides)
    threshold: np.ndarray  # per row: the classifier threshold chosen on the other setups
    phrase_cut: np.ndarray  # per row: the phrase cut chosen on the other setups
    cosine_cut: np.ndarray | None


def held_out_probabilities(signals: Signals, labels: np.ndarray, phrase_cut: np.ndarray, head_chars: int) -> np.ndarray:
    """Each row's probability under weights trained without its setup and without its prompt (labels:
    what to learn, 1 or 0 per row; phrase_cut: per row, the cut its phrase-match feature uses)."""
    rows = signals.rows
    probability = np.zeros(len(rows))
    for setup in sorted({r.setup for r in rows}):
        for fold in range(PROMPT_FOLDS):
            test = [i for i, r in enumerate(rows) if r.setup == setup and _fold(r) == fold]
            if not test:
                continue
            prompts = {rows[i].prompt_id for i in test}
            training = [i for i, r in enumerate(rows) if r.setup != setup and r.prompt_id not in prompts]
            features = with_phrase_cut(signals.features, signals.phrase_scores, float(phrase_cut[test[0]]))
            model = train([features[i] for i in training], labels[training])
            probability[test] = probabilities(model, [features[i] for i in test], head_chars)
    return probability


def held_out(signals: Signals, head_chars: int) -> HeldOut:
    """Held-out classifier probabilities and, per row, the decision points chosen on the other setups."""
    rows, labels = signals.rows, signals.labels
    setups = sorted({r.setup for r in rows})
    by_setup = {s: np.array([r.setup == s for r in rows]) for s in setups}
    phrase_cut = np.zeros(len(rows))
    cosine_cut = np.zeros(len(rows)) if signals.cosines is not None else None
    for setup in setups:
        others = ~by_setup[setup]
        phrase_cut[by_setup[setup]] = best_point(signals.phrase_scores[others], labels[others], PHRASE_CUTS)
        if cosine_cut is not None and signals.cosines is not None:
            cosine_cut[by_setup[setup]] = best_point(signals.cosines[others], labels[others], COSINE_CUTS)
    probability = decided(held_out_probabilities(signals, labels, phrase_cut, head_chars), signals.phrase_scores)
    threshold = np.zeros(len(rows))
    for setup in setups:
        others = ~by_setup[setup]
        threshold[by_setup[setup]] = best_point(probability[others], labels[others], THRESHOLDS)
    return HeldOut(probability, threshold, phrase_cut, cosine_cut)


def decided(probability: np.ndarray, phrase_scores: np.ndarray) -> np.ndarray:
    """The classifier method's decisions as the monitor makes them: a decisive phrase match counts
    whatever the probability (1.0 here: above every threshold)."""
    return np.where(phrase_scores >= DECISIVE_PHRASE, 1.0, probability)

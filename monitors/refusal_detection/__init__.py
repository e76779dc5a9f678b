"""Refusal detection for the `refusal` monitor: cues, phrase evidence, the classifier and its scale.

Package data beside this file: `classifier.json` (the weights, built by `make refusal-model`) and
`classifier-manifest.json` (what it was trained on and how it scored). Importing the package loads
nothing; `RefusalClassifier.load()` reads the weights.
"""

from __future__ import annotations

from monitors.refusal_detection.classifier import MODEL_FILE, Calibration, RefusalClassifier
from monitors.refusal_detection.features import DENSE_NAMES, GROUPS, Features
from monitors.refusal_detection.opening import normalise_opening, normalise_phrase
from monitors.refusal_detection.phrases import PhraseTable
from monitors.refusal_detection.signals import PhraseMatches, classifier_features, match_phrases

__all__ = [
    "DENSE_NAMES",
    "GROUPS",
    "MODEL_FILE",
    "Calibration",
    "Features",
    "PhraseMatches",
    "PhraseTable",
    "RefusalClassifier",
    "classifier_features",
    "match_phrases",
    "normalise_opening",
    "normalise_phrase",
]

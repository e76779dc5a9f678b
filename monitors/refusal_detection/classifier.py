"""The refusal classifier's weights and the one scale every method reports on.

A logistic regression over `features.extract` output, trained offline (`make refusal-model`, see
tools/refusal_model) and shipped as `classifier.json` beside this package's `__init__.py`. Inference is
numpy only: a dense matrix product plus a sum of n-gram weights per record.

The scale. `RefusalSimilarity` is, for every method, a probability-like score in [0, 1]: the classifier's
own probability, and for the phrase and cosine scores a logistic map fitted on the development data
(`Calibration`). Each map is anchored so that the raw score at which the method decides (its cut) lands
exactly on the classifier's decision threshold, so one `threshold` reads the same for every method and
every model family.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import repeat
from pathlib import Path
from typing import TYPE_CHECKING

from monitors.refusal_detection.features import DENSE_NAMES, NGRAM_SIZES, Features

if TYPE_CHECKING:
    import numpy as np

MODEL_FILE = Path(__file__).resolve().parent / "classifier.json"
FORMAT = 1
#: A phrase match this close means one of the family's phrases stands almost verbatim in the opening: a
#: refusal whatever the weights say (phrases are refusal openings by construction, in any language).
DECISIVE_PHRASE = 0.9


def logit(p: float) -> float:
    return math.log(p / (1.0 - p))


@dataclass(frozen=True)
class Calibration:
    """A raw score (phrase match, cosine) to the common scale: a logistic curve of slope `slope` that
    passes through the decision threshold at the raw score `cut`."""

    slope: float
    cut: float

    def scale(self, raw: np.ndarray, anchor: float, *, cut: float | None = None) -> np.ndarray:
        """Raw scores on the common scale; `anchor` is the value `cut` (or `self.cut`) maps to."""
        import numpy as np

        z = self.slope * (raw - (self.cut if cut is None else cut)) + logit(anchor)
        scaled: np.ndarray = 1.0 / (1.0 + np.exp(-z))
        return scaled

    def to_json(self) -> dict[str, float]:
        return {"slope": round(self.slope, 6), "cut": round(self.cut, 6)}


@dataclass(frozen=True)
class RefusalClassifier:
    """Weights (dense features in DENSE_NAMES order, then one per skeleton n-gram), the decision
    threshold chosen on the development data, and the calibrations of the other methods."""

    dense: tuple[float, ...]
    grams: Mapping[str, float]
    bias: float
    threshold: float
    phrase: Calibration
    cosine: Calibration
    head_chars: int
    _tables: _GramTables = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if len(self.dense) != len(DENSE_NAMES):
            raise ValueError(f"classifier has {len(self.dense)} dense weights; features have {len(DENSE_NAMES)}")
        object.__setattr__(self, "_tables", _gram_tables(self.grams))  # derived once; the dataclass stays frozen

    def logits(self, features: Sequence[Features]) -> np.ndarray:
        import numpy as np

        if not features:
            return np.zeros(0)
        dense = np.array([f.dense for f in features], dtype=np.float64) @ np.asarray(self.dense)
        grams = np.fromiter(
            (gram_weight(f.tokens, self._tables) for f in features), dtype=np.float64, count=len(features)
        )
        logits: np.ndarray = dense + grams + self.bias
        return logits

    def probabilities(self, features: Sequence[Features]) -> np.ndarray:
        import numpy as np

        probability: np.ndarray = 1.0 / (1.0 + np.exp(-self.logits(features)))
        return probability

    def similarity(self, probability: np.ndarray, phrase_scores: np.ndarray) -> np.ndarray:
        """The classifier method's RefusalSimilarity: its probability, raised to the phrase score's
        calibrated value where a phrase is decisive."""
        import numpy as np

        phrase = self.phrase.scale(phrase_scores, self.threshold)
        decisive = phrase_scores >= DECISIVE_PHRASE
        return np.clip(np.where(decisive, np.maximum(probability, phrase), probability), 0.0, 1.0)

    def contributions(self, feature: Features) -> dict[str, float]:
        """What each dense feature added to one record's logit (for the drill-down's evidence)."""
        return {name: w * x for name, w, x in zip(DENSE_NAMES, self.dense, feature.dense, strict=True) if w * x}

    def to_json(self) -> dict[str, object]:
        return {
            "format": FORMAT,
            "headChars": self.head_chars,
            "threshold": self.threshold,
            "bias": round(self.bias, 6),
            "dense": {name: round(w, 6) for name, w in zip(DENSE_NAMES, self.dense, strict=True)},
            "phraseCalibration": self.phrase.to_json(),
            "cosineCalibration": self.cosine.to_json(),
            "grams": {g: round(w, 6) for g, w in sorted(self.grams.items())},
        }

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> RefusalClassifier:
        """The classifier from its JSON form; ValueError says what is missing or from another format."""
        if data.get("format") != FORMAT:
            raise ValueError(f"classifier format {data.get('format')!r}; this code reads {FORMAT}")
        dense = _numbers(data, "dense")
        missing = [n for n in DENSE_NAMES if n not in dense]
        if missing:
            raise ValueError(f"classifier lacks weights for {', '.join(missing)}: rebuild it (make refusal-model)")
        top = _numbers(data, None, ("bias", "threshold", "headChars"))
        phrase, cosine = _numbers(data, "phraseCalibration"), _numbers(data, "cosineCalibration")
        return cls(
            dense=tuple(dense[n] for n in DENSE_NAMES),
            grams=_numbers(data, "grams"),
            bias=top["bias"],
            threshold=top["threshold"],
            phrase=Calibration(phrase["slope"], phrase["cut"]),
            cosine=Calibration(cosine["slope"], cosine["cut"]),
            head_chars=int(top["headChars"]),
        )

    @classmethod
    def load(cls, path: Path = MODEL_FILE) -> RefusalClassifier:
        return cls.from_json(json.loads(path.read_text(encoding="utf-8")))

    def save(self, path: Path = MODEL_FILE) -> None:
        path.write_text(json.dumps(self.to_json(), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


# The n-gram weights by size, keyed by word tuples: a skeleton's distinct n-grams of one size are a set
# of tuples (zip and set run in C), and their weights one `map(dict.get)` away.
_GramTables = tuple[tuple[int, dict[tuple[str, ...], float]], ...]


def _gram_tables(grams: Mapping[str, float]) -> _GramTables:
    tables: dict[int, dict[tuple[str, ...], float]] = {size: {} for size in NGRAM_SIZES}
    for gram, weight in grams.items():
        words = tuple(gram.split(" "))
        tables[len(words)][words] = weight
    return tuple(tables.items())


def gram_weight(tokens: Sequence[str], tables: _GramTables) -> float:
    """The sum of the weights of the distinct n-grams of `tokens` (each counted once, as in training)."""
    total = 0.0
    for size, table in tables:
        distinct = set(zip(*(tokens[start:] for start in range(size)), strict=False))
        total += sum(map(table.get, distinct, repeat(0.0)))
    return total


def _numbers(data: Mapping[str, object], section: str | None, keys: Sequence[str] = ()) -> dict[str, float]:
    """The numbers of one section of the JSON form (or the named top-level `keys`)."""
    source = data if section is None else data.get(section)
    if not isinstance(source, Mapping):
        raise ValueError(f"classifier JSON lacks the {section!r} section")
    wanted = keys or list(source)
    try:
        return {str(k): float(source[k]) for k in wanted}
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"classifier JSON: bad or missing number in {section or 'the top level'}: {exc}") from None

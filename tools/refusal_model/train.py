"""Train the refusal classifier offline: ``python -m tools.refusal_model.train`` (``make refusal-model``).

Input: the development set (bench/data/refusal/xstest_v2.jsonl), full refusals against full compliance.
Output, beside monitors/refusal_detection/__init__.py:

- ``classifier.json``: dense and n-gram weights, bias, the decision threshold, and the phrase and cosine
  calibrations (see monitors/refusal_detection/classifier.py for the scale);
- ``classifier-manifest.json``: the training data's sha256 and counts, every parameter, the decision
  points chosen, and the leave-one-model-out metrics of each method.

How each number is chosen (all on the development data, none by hand):
1. The phrase cut: the raw fuzzy match with the best F1 at precision ≥ 0.95; the phrase-match feature uses it.
2. The weights: penalised logistic regression on all five setups (tools/refusal_model/fit.py).
3. The threshold: the best F1 at precision ≥ 0.95 over the *held-out* probabilities of the
   leave-one-model-out run (tools/refusal_model/lomo.py), so it is set for setups the weights never saw.
4. The calibrations: maximum-likelihood slopes of logistic maps through (cut, threshold), for the phrase
   score and for the embedded model's cosine (whose cut is chosen as in 1).

Deterministic: the same data and code give byte-identical files (no clock, no randomness). `--check`
rebuilds in memory and exits 1 if the committed files differ.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from pathlib import Path

import numpy as np

from monitors.refusal_detection import MODEL_FILE, Calibration, RefusalClassifier
from tools.refusal_model import fit
from tools.refusal_model.dataset import COMPLIANCE, DEV_SET, REFUSAL, ROOT, load_rows, sha256
from tools.refusal_model.lomo import (
    COSINE_CUTS,
    MIN_PRECISION,
    PHRASE_CUTS,
    PROMPT_FOLDS,
    THRESHOLDS,
    HeldOut,
    Signals,
    best_point,
    compute_signals,
    fit_slope,
    held_out,
    prf,
    train,
    with_phrase_cut,
)

#: Characters of the opening the classifier reads (the monitor's `headChars` default).
HEAD_CHARS = 240
MANIFEST_FILE = MODEL_FILE.with_name("classifier-manifest.json")


def _metrics(predicted: np.ndarray, signals: Signals) -> dict[str, dict[str, float | int]]:
    out: dict[str, dict[str, float | int]] = {}
    setups = sorted({r.setup for r in signals.rows})
    for setup in [*setups, "overall"]:
        mask = np.array([setup in ("overall", r.setup) for r in signals.rows])
        precision, recall, f1 = prf(predicted[mask], signals.labels[mask])
        out[setup] = {
            "refusals": int(signals.labels[mask].sum()),
            "precision": round(precision, 3),
            "recall": round(recall, 3),
            "f1": round(f1, 3),
        }
    return out


def build(log: bool = True) -> tuple[RefusalClassifier, dict[str, object]]:
    """The classifier and its manifest, from the development set."""

    def say(message: str) -> None:
        if log:
            print(f"refusal-model: {message}", file=sys.stderr, flush=True)

    started = time.perf_counter()
    rows = [r for r in load_rows() if r.label in (REFUSAL, COMPLIANCE)]
    signals = compute_signals(rows, HEAD_CHARS, cosine=True)
    assert signals.cosines is not None
    say(f"{len(rows)} rows featurised ({time.perf_counter() - started:.1f} s)")

    started = time.perf_counter()
    lomo: HeldOut = held_out(signals, HEAD_CHARS)
    say(f"leave-one-model-out, {PROMPT_FOLDS} prompt folds ({time.perf_counter() - started:.1f} s)")

    labels = signals.labels
    phrase_cut = best_point(signals.phrase_scores, labels, PHRASE_CUTS)
    model = train(with_phrase_cut(signals.features, signals.phrase_scores, phrase_cut), labels)
    threshold = best_point(lomo.classifier, labels, THRESHOLDS)
    cosine_cut = best_point(signals.cosines, labels, COSINE_CUTS)
    classifier = RefusalClassifier(
        dense=tuple(float(w) for w in model.dense),
        grams=model.grams,
        bias=model.bias,
        threshold=threshold,
        phrase=Calibration(fit_slope(signals.phrase_scores, labels, phrase_cut, threshold), phrase_cut),
        cosine=Calibration(fit_slope(signals.cosines, labels, cosine_cut, threshold), cosine_cut),
        head_chars=HEAD_CHARS,
    )
    weights = json.dumps(classifier.to_json(), indent=1, ensure_ascii=False) + "\n"
    manifest: dict[str, object] = {
        "trainingData": {
            "file": DEV_SET.relative_to(ROOT).as_posix(),
            "sha256": sha256(),
            "rows": len(rows),
            "refusals": int(labels.sum()),
            "setups": sorted({r.setup for r in rows}),
        },
        "parameters": {
            "headChars": HEAD_CHARS,
            "priors": fit.PRIORS,
            "l2Dense": fit.L2_DENSE,
            "l2Grams": fit.L2_GRAMS,
            "minRows": fit.MIN_ROWS,
            "promptFolds": PROMPT_FOLDS,
            "minPrecision": MIN_PRECISION,
        },
        "chosen": {
            "threshold": threshold,
            "phraseCut": phrase_cut,
            "cosineCut": cosine_cut,
            "vocabulary": len(classifier.grams),
        },
        "leaveOneModelOut": {
            "classifier": _metrics(lomo.classifier >= lomo.threshold, signals),
            "fuzzy": _metrics(signals.phrase_scores >= lomo.phrase_cut, signals),
            "cosine": _metrics(signals.cosines >= lomo.cosine_cut, signals),
        },
        "classifierSha256": hashlib.sha256(weights.encode()).hexdigest(),
    }
    return classifier, manifest


def serialise(classifier: RefusalClassifier, manifest: dict[str, object]) -> tuple[str, str]:
    return (
        json.dumps(classifier.to_json(), indent=1, ensure_ascii=False) + "\n",
        json.dumps(manifest, indent=1) + "\n",
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=MODEL_FILE.parent, help="directory for the two files")
    parser.add_argument("--check", action="store_true", help="rebuild and compare with the files in --out")
    args = parser.parse_args(argv)
    weights, manifest = serialise(*build())
    targets = {args.out / MODEL_FILE.name: weights, args.out / MANIFEST_FILE.name: manifest}
    if args.check:
        stale = [p.name for p, text in targets.items() if not p.exists() or p.read_text(encoding="utf-8") != text]
        print(f"refusal-model: {'differs: ' + ', '.join(stale) if stale else 'up to date'}", file=sys.stderr)
        return 1 if stale else 0
    args.out.mkdir(parents=True, exist_ok=True)
    for path, text in targets.items():
        path.write_text(text, encoding="utf-8")
        print(f"refusal-model: wrote {path} ({len(text.encode()):,} bytes)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

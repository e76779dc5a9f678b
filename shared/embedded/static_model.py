"""The run-time text-embedding model: a static token-embedding table distilled from all-MiniLM-L6-v2.

Why a static model: the local runtime and the Lambdas need prompt/completion embeddings at thousands of
texts per second on two cores, with nothing downloaded at run time and no torch in the run path. A text's
vector is the sum of its tokens' rows in a precomputed (vocab, dim) matrix, L2-normalised; the rows already
carry their frequency weights (see ``tools.embedded_model.build``), so pooling is one gather-and-sum per text.
The cost is context: word order and negation are invisible, so cosines track
MiniLM's only approximately (``bench/embedding_agreement.py`` measures how well).

Only numpy and ``tokenizers`` are needed, and ``tokenizers`` is imported inside ``load``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from shared.errors import ConfigurationError

if TYPE_CHECKING:
    from numpy.typing import NDArray
    from tokenizers import Tokenizer

#: Tokens embedded per text. It matches MiniLM's 256-token window (which also counts [CLS] and [SEP]), so
#: the static model sees what its teacher sees; a 1,500-character chat message is about 350 tokens.
DEFAULT_MAX_TOKENS = 256
#: Characters kept per allowed token before tokenising, so a multi-megabyte completion is cut in O(1)
#: instead of being tokenised whole only to be truncated. 16 is far above English's ~4.5 characters per
#: token, so for real text the token limit is the one that binds.
CHARS_PER_TOKEN_BOUND = 16
#: Texts handed to the tokenizer's thread pool at once: large enough to keep both cores busy.
_BATCH_TEXTS = 1024

MATRIX_FILE = "embeddings.npy"
TOKENIZER_FILE = "tokenizer.json"
MANIFEST_FILE = "manifest.json"
_CONFIG_KEY = "embedding_model_dir"


class StaticEmbeddingModel:
    """Sum-of-token-vectors sentence encoder. Build one with :meth:`load`; nothing changes it after that."""

    def __init__(
        self,
        embeddings: NDArray[np.floating],
        tokenizer: Tokenizer,
        *,
        max_tokens: int = DEFAULT_MAX_TOKENS,
        manifest: dict[str, object] | None = None,
    ) -> None:
        if embeddings.ndim != 2:
            raise ConfigurationError(_CONFIG_KEY, f"embedding matrix must be 2-D, got shape {embeddings.shape}")
        if max_tokens < 1:
            raise ConfigurationError("max_tokens", f"must be at least 1, got {max_tokens}")
        vocab = tokenizer.get_vocab_size(with_added_tokens=True)
        if vocab > embeddings.shape[0]:
            raise ConfigurationError(
                _CONFIG_KEY, f"tokenizer has {vocab} tokens but the matrix only {embeddings.shape[0]} rows"
            )
        # Held as float32 (~31 MB for 30522 x 256): summing float16 rows measured ~4x slower, since numpy
        # casts them on every call, and a float16 accumulator drops the small components.
        self._embeddings = np.ascontiguousarray(embeddings, dtype=np.float32)
        self._embeddings.setflags(write=False)
        self._tokenizer = tokenizer
        self._tokenizer.no_padding()
        self._tokenizer.enable_truncation(max_tokens)
        self._max_tokens = max_tokens
        self._max_chars = max_tokens * CHARS_PER_TOKEN_BOUND
        # encode_batch_fast (tokenizers >= 0.21) skips character offsets, which pooling never reads.
        self._encode_tokens = getattr(tokenizer, "encode_batch_fast", tokenizer.encode_batch)
        self.manifest: dict[str, object] = dict(manifest or {})

    @classmethod
    def load(cls, path: str | Path, *, max_tokens: int = DEFAULT_MAX_TOKENS) -> StaticEmbeddingModel:
        """Load a built model directory (``embeddings.npy``, ``tokenizer.json``, ``manifest.json``).

        Reads local files only. Raises ``ConfigurationError`` naming the missing or inconsistent file.
        """
        from tokenizers import Tokenizer

        directory = Path(path)
        files = {name: directory / name for name in (MATRIX_FILE, TOKENIZER_FILE, MANIFEST_FILE)}
        missing = [name for name, file in files.items() if not file.is_file()]
        if missing:
            raise ConfigurationError(
                _CONFIG_KEY,
                f"{directory} is not a built embedding model (missing {', '.join(missing)}); "
                "build one with `python -m tools.embedded_model.build`",
            )
        manifest = json.loads(files[MANIFEST_FILE].read_text(encoding="utf-8"))
        try:
            embeddings = np.load(files[MATRIX_FILE], allow_pickle=False)
        except ValueError as exc:  # e.g. a Git LFS pointer committed in place of the matrix
            raise ConfigurationError(_CONFIG_KEY, f"{files[MATRIX_FILE]} is not a .npy matrix: {exc}") from exc
        expected = (manifest.get("vocab_size"), manifest.get("dim"))
        if tuple(embeddings.shape) != expected:
            raise ConfigurationError(
                _CONFIG_KEY,
                f"matrix shape {embeddings.shape} does not match the manifest's (vocab_size, dim) {expected}",
            )
        tokenizer = Tokenizer.from_file(str(files[TOKENIZER_FILE]))
        return cls(embeddings, tokenizer, max_tokens=max_tokens, manifest=manifest)

    @property
    def dim(self) -> int:
        """Length of each embedding vector."""
        return int(self._embeddings.shape[1])

    @property
    def max_tokens(self) -> int:
        """Tokens embedded per text; the rest of a longer text is ignored."""
        return self._max_tokens

    def encode(self, texts: Sequence[str]) -> NDArray[np.float32]:
        """Embed ``texts`` as an (n, dim) float32 array of L2-normalised rows.

        A text with no embeddable token (empty, whitespace only) gets an all-zero row, so its cosine with
        anything is 0 rather than NaN. Only the first ``max_tokens`` tokens of a text count.
        """
        if isinstance(texts, str):
            raise TypeError("encode() takes a sequence of texts, not a single str")
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for start in range(0, len(texts), _BATCH_TEXTS):
            batch = texts[start : start + _BATCH_TEXTS]
            out[start : start + len(batch)] = self._encode_batch(batch)
        return out

    def _encode_batch(self, texts: Sequence[str]) -> NDArray[np.float32]:
        for text in texts:
            if not isinstance(text, str):
                raise TypeError(f"encode() expects str items, got {type(text).__name__}")
        clipped = [text[: self._max_chars] for text in texts]
        encodings = self._encode_tokens(clipped, add_special_tokens=False)
        pooled = np.zeros((len(texts), self.dim), dtype=np.float32)
        # One gather-and-sum per text, never a Python step per token. Measured faster than one
        # np.add.reduceat over the whole batch (whose (tokens, dim) temporary runs to hundreds of MB) and
        # than a counts-matrix matmul, and a text's vector depends only on its own tokens, so the same text
        # gives bit-identical vectors in any batch.
        for row, encoding in enumerate(encodings):
            ids = np.asarray(encoding.ids, dtype=np.intp)
            if ids.size:
                np.sum(self._embeddings.take(ids, axis=0), axis=0, out=pooled[row])
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        np.divide(pooled, norms, out=pooled, where=norms > 0)
        return pooled

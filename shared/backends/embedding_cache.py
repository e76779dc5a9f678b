"""One embedding per distinct text per process, whichever monitor asks first.

In the local runtime every monitor shares one `Backends`, so semantic similarity and cosine refusal
embed a completion once; in a Lambda the cache spans batches of a warm container. Identical texts within
a batch are embedded once too (Titan takes one text per call, so each repeat saved is a call saved).
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from shared.backends.types import EmbeddingBackend, EmbeddingBatch

if TYPE_CHECKING:
    from numpy.typing import NDArray


def _key(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()


@dataclass
class CachingEmbeddings:
    inner: EmbeddingBackend
    max_entries: int = 20_000
    hits: int = 0
    misses: int = 0
    _cache: OrderedDict[bytes, NDArray[np.float32]] = field(default_factory=OrderedDict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def name(self) -> str:
        return self.inner.name

    def embed(self, texts: Sequence[str]) -> NDArray[np.float32]:
        """The vectors alone (a NaN row where a text has none, refused or failed)."""
        return self.embed_batch(texts).vectors

    def embed_batch(self, texts: Sequence[str]) -> EmbeddingBatch:
        """The vectors, and which texts the model refused (see `EmbeddingBatch`)."""
        # Monitors may score in parallel threads; one lock keeps the LRU and the counters consistent
        # (the model itself is thread-safe, but holding the lock while embedding also avoids computing
        # the same text twice when two monitors ask at once).
        with self._lock:
            return self._embed(texts)

    def _embed(self, texts: Sequence[str]) -> EmbeddingBatch:
        keys = [_key(t) for t in texts]
        missing: dict[bytes, str] = {}
        for key, text in zip(keys, texts, strict=True):
            if key in self._cache:
                self._cache.move_to_end(key)
            elif key not in missing:
                missing[key] = text
        self.misses += len(missing)
        self.hits += len(texts) - len(missing)
        fresh: dict[bytes, NDArray[np.float32]] = {}
        refused: dict[bytes, str] = {}
        if missing:
            batch = self.inner.embed_batch(list(missing.values()))
            for row, (key, vector) in enumerate(zip(missing, batch.vectors, strict=True)):
                fresh[key] = vector
                if row in batch.rejected:
                    refused[key] = batch.rejected[row]
                elif not np.isnan(vector).any():  # a failed or refused text is asked again next time
                    self._cache[key] = vector
            while len(self._cache) > self.max_entries:
                self._cache.popitem(last=False)
        if not texts:
            return EmbeddingBatch(np.zeros((0, 0), dtype=np.float32))
        vectors = np.stack([fresh[k] if k in fresh else self._cache[k] for k in keys]).astype(np.float32, copy=False)
        return EmbeddingBatch(vectors, {index: refused[key] for index, key in enumerate(keys) if key in refused})

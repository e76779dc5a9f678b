"""Embedded text embeddings for the local runtime: no download at run time, no torch in the run path.

``load_default_model()`` returns the static model committed under ``shared/embedded/model/`` (distilled from
all-MiniLM-L6-v2 by ``python -m tools.embedded_model.build``), loaded once per process because every monitor
that needs embeddings shares it. ``tools.embedded_model.minilm`` (the numpy reference network) and
``tools.embedded_model.build`` are offline tools and are not imported here.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from shared.embedded.static_model import DEFAULT_MAX_TOKENS, StaticEmbeddingModel

__all__ = ["DEFAULT_MAX_TOKENS", "DEFAULT_MODEL_DIR", "StaticEmbeddingModel", "load_default_model"]

DEFAULT_MODEL_DIR = Path(__file__).resolve().parent / "model"


@lru_cache(maxsize=1)
def load_default_model() -> StaticEmbeddingModel:
    """The committed model, loaded on first call and shared afterwards.

    ``load_default_model.cache_clear()`` drops the cached instance (tests that swap the model use it).
    """
    return StaticEmbeddingModel.load(DEFAULT_MODEL_DIR)

"""The embedded embedding backend: the static MiniLM distillation shipped in the package."""

from __future__ import annotations

from collections.abc import Sequence

from shared.backends.types import EmbeddingBatch


class EmbeddedEmbeddings:
    """Never refuses a text: the tokenizer truncates what is too long."""

    name = "embedded-static-minilm"

    def __init__(self) -> None:
        from shared.embedded import load_default_model

        self._model = load_default_model()

    def embed_batch(self, texts: Sequence[str]) -> EmbeddingBatch:
        return EmbeddingBatch(self._model.encode(list(texts)))

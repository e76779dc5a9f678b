"""The embedded embedding backend: the static MiniLM distillation shipped in the package."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray


class EmbeddedEmbeddings:
    name = "embedded-static-minilm"

    def __init__(self) -> None:
        from shared.embedded import load_default_model

        self._model = load_default_model()

    def embed(self, texts: Sequence[str]) -> NDArray[np.float32]:
        return self._model.encode(list(texts))

"""Small numeric helpers over embedding matrices."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from numpy.typing import NDArray


def normalise_rows(matrix: np.ndarray) -> np.ndarray:
    """Unit-length rows; zero rows stay zero (an empty text has no direction)."""
    matrix = np.asarray(matrix, dtype=np.float32)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    scaled = matrix / np.where(norms > 0, norms, 1.0)  # NaN rows (failed embeddings) stay NaN
    return np.where(norms == 0, 0.0, scaled).astype(np.float32)


def row_cosines(a: np.ndarray, b: np.ndarray) -> NDArray[np.float32]:
    """Cosine of each row of `a` with the same row of `b`. NaN rows (failed embeddings) stay NaN."""
    cosines: NDArray[np.float32] = np.einsum("ij,ij->i", normalise_rows(a), normalise_rows(b))
    return np.clip(cosines, -1.0, 1.0)

"""Titan Text Embeddings V2 through bedrock-runtime InvokeModel.

The API takes one text per call, so a batch fans out over a bounded thread pool (the boto3 client is
thread-safe; its connection pool is sized to match). Throttling is retried by botocore's adaptive mode,
which also rate-limits the client; a text that still fails comes back as a NaN row so only its record is
retried. A text Titan refuses (ValidationException: too many tokens, say) is a NaN row marked `rejected`:
retrying cannot change that, so its record is skipped, not retried. Texts are never logged.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, BinaryIO, Protocol, TypedDict

import numpy as np

from shared.backends.aws_errors import error_code
from shared.backends.types import EmbeddingBatch
from shared.limits import TITAN_EMBED_MAX_CHARS

if TYPE_CHECKING:
    from numpy.typing import NDArray

logger = logging.getLogger(__name__)

#: bedrock-runtime's answer when the input itself does not satisfy the model (botocore's model declares it
#: for InvokeModel, HTTP 400): permanent for that text.
REJECTION_ERRORS = frozenset({"ValidationException"})


class InvokeModelOutput(TypedDict):
    """The part of an InvokeModel response we read."""

    body: BinaryIO  # botocore's StreamingBody: read() is all we use


class BedrockRuntimeClient(Protocol):
    """The part of boto3's bedrock-runtime client the embeddings use."""

    def invoke_model(self, *, modelId: str, body: str, contentType: str, accept: str) -> InvokeModelOutput: ...


@dataclass
class TitanEmbeddings:
    client: BedrockRuntimeClient
    model_id: str
    dimensions: int = 512
    normalize: bool = True
    concurrency: int = 8
    calls: int = 0
    failures: int = 0

    name = "titan-embed-text-v2"

    def _embed_one(self, text: str) -> tuple[NDArray[np.float32], str | None]:
        """The text's vector, or a NaN row and, when Titan refused the text itself, the error."""
        body = json.dumps(
            {
                "inputText": text[:TITAN_EMBED_MAX_CHARS] or " ",
                "dimensions": self.dimensions,
                "normalize": self.normalize,
            }
        )
        try:
            response = self.client.invoke_model(
                modelId=self.model_id, body=body, contentType="application/json", accept="application/json"
            )
            payload = json.loads(response["body"].read())
            vector = np.asarray(payload["embedding"], dtype=np.float32)
            if vector.shape != (self.dimensions,):
                raise ValueError(f"expected {self.dimensions} dimensions, got {vector.shape}")
            return vector, None
        except Exception as exc:  # noqa: BLE001 (any SDK failure fails these texts, not the process)  # ClientError after retries, malformed response
            self.failures += 1
            code = error_code(exc)
            rejected = f"Titan {code}" if code in REJECTION_ERRORS else None
            logger.warning(
                "Titan embedding %s: %s",
                "refused" if rejected else "failed after retries",
                code or exc.__class__.__name__,
            )
            return np.full(self.dimensions, np.nan, dtype=np.float32), rejected

    def embed_batch(self, texts: Sequence[str]) -> EmbeddingBatch:
        if not texts:
            return EmbeddingBatch(np.zeros((0, self.dimensions), dtype=np.float32))
        self.calls += len(texts)
        if len(texts) == 1 or self.concurrency == 1:
            rows = [self._embed_one(t) for t in texts]
        else:
            with ThreadPoolExecutor(max_workers=min(self.concurrency, len(texts))) as pool:
                rows = list(pool.map(self._embed_one, texts))
        rejected = {index: reason for index, (_, reason) in enumerate(rows) if reason is not None}
        return EmbeddingBatch(np.stack([vector for vector, _ in rows]), rejected)

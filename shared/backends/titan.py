"""Titan Text Embeddings V2 through bedrock-runtime InvokeModel.

The API takes one text per call, so a batch fans out over a bounded thread pool (the boto3 client is
thread-safe; its connection pool is sized to match). Throttling is retried by botocore's adaptive mode,
which also rate-limits the client; a text that still fails comes back as a NaN row so only its record is
retried. Texts are never logged.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, BinaryIO, Protocol, TypedDict

import numpy as np

from shared.limits import TITAN_EMBED_MAX_CHARS

if TYPE_CHECKING:
    from numpy.typing import NDArray

logger = logging.getLogger(__name__)


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

    def _embed_one(self, text: str) -> NDArray[np.float32]:
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
            return vector
        except Exception as exc:  # noqa: BLE001 (any SDK failure fails these texts, not the process)  # ClientError after retries, malformed response
            self.failures += 1
            logger.warning("Titan embedding failed after retries: %s", exc.__class__.__name__)
            return np.full(self.dimensions, np.nan, dtype=np.float32)

    def embed(self, texts: Sequence[str]) -> NDArray[np.float32]:
        if not texts:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        self.calls += len(texts)
        if len(texts) == 1 or self.concurrency == 1:
            return np.stack([self._embed_one(t) for t in texts])
        with ThreadPoolExecutor(max_workers=min(self.concurrency, len(texts))) as pool:
            return np.stack(list(pool.map(self._embed_one, texts)))

"""Model-backed capabilities for monitors, built lazily from `BackendSettings`.

One `Backends` per process: the local runtime hands the same instance to every monitor, so an
embedding one monitor computed serves the others (the embedding cache), and each model loads once.
Nothing is imported or loaded until a monitor first asks for it.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from typing import TYPE_CHECKING, cast

from shared.backends.embedding_cache import CachingEmbeddings
from shared.backends.settings import AWS, BackendSettings
from shared.backends.types import (
    EmbeddingBackend,
    EmbeddingBatch,
    SentimentScores,
    TextAnalysis,
    TextAnalysisBackend,
    ToxicityScores,
)
from shared.limits import TEXT_ANALYSIS_READ_TIMEOUT_SECONDS

__all__ = [
    "BackendSettings",
    "Backends",
    "CachingEmbeddings",
    "EmbeddingBackend",
    "EmbeddingBatch",
    "SentimentScores",
    "TextAnalysis",
    "TextAnalysisBackend",
    "ToxicityScores",
]

if TYPE_CHECKING:
    from botocore.config import Config

    from shared.backends.comprehend_backends import ComprehendClient, StepFunctionsClient
    from shared.backends.titan import BedrockRuntimeClient

#: boto3.client, or a fake: the client of the AWS service named. Untyped (boto3 has no stubs), so `Backends`
#: states which of our client Protocols each service's client is.
ClientFactory = Callable[[str], object]


def client_config(service: str, settings: BackendSettings) -> Config:
    """botocore settings per service.

    Titan and Comprehend calls are answers to a question, safe to repeat: adaptive retries (which also
    rate-limit the client when throttled). StartSyncExecution is not: each call is an execution, and
    Express has no idempotency, so botocore retrying a read timeout would start a second one while the
    first runs on. That client reads for longer than any execution can run and never retries; the
    runner retries only what cannot have started an execution (`SyncExpressRunner`)."""
    from botocore.config import Config

    if service == "stepfunctions":
        return Config(
            retries={"mode": "standard", "total_max_attempts": 1},
            connect_timeout=5,
            read_timeout=TEXT_ANALYSIS_READ_TIMEOUT_SECONDS,
        )
    return Config(
        retries={"mode": "adaptive", "max_attempts": 8},
        max_pool_connections=max(10, settings.embedding_concurrency),
        connect_timeout=5,
        read_timeout=60,
    )


def default_client_factory(settings: BackendSettings) -> ClientFactory:
    def make(service: str) -> object:
        import boto3

        return boto3.client(service, config=client_config(service, settings))

    return make


class Backends:
    def __init__(self, settings: BackendSettings, *, client_factory: ClientFactory | None = None) -> None:
        self.settings = settings
        self._client = client_factory or default_client_factory(settings)

    @cached_property
    def embeddings(self) -> CachingEmbeddings:
        inner: EmbeddingBackend
        if self.settings.kind == AWS:
            from shared.backends.titan import TitanEmbeddings

            inner = TitanEmbeddings(
                cast("BedrockRuntimeClient", self._client("bedrock-runtime")),
                self.settings.embedding_model_id,
                dimensions=self.settings.embedding_dimensions,
                normalize=self.settings.embedding_normalize,
                concurrency=self.settings.embedding_concurrency,
            )
        else:
            from shared.backends.embedded_embeddings import EmbeddedEmbeddings

            inner = EmbeddedEmbeddings()
        return CachingEmbeddings(inner, max_entries=self.settings.embedding_cache_size)

    @cached_property
    def text_analysis(self) -> TextAnalysisBackend:
        if self.settings.kind == AWS:
            from shared.backends.comprehend_backends import (
                ComprehendWorkflowBackend,
                DirectComprehendBackend,
                SyncExpressRunner,
            )

            if self.settings.workflow_arn:
                return ComprehendWorkflowBackend(
                    SyncExpressRunner(cast("StepFunctionsClient", self._client("stepfunctions"))),
                    self.settings.workflow_arn,
                )
            return DirectComprehendBackend(cast("ComprehendClient", self._client("comprehend")))
        from shared.backends.embedded_text import EmbeddedTextAnalysis

        return EmbeddedTextAnalysis()

"""Which backend implementation to build, and its knobs; carried to Lambdas as environment variables."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, replace

from shared.errors import ConfigurationError
from shared.limits import TITAN_EMBED_DIMENSIONS, TITAN_EMBED_MODEL_ID
from shared.values import env_bool, env_int

AWS = "aws"
EMBEDDED = "embedded"
BACKEND_KINDS = (AWS, EMBEDDED)
#: Older spellings still accepted (and normalised): "local" was the embedded backend's first name.
BACKEND_ALIASES = {"local": EMBEDDED}


def backend_kind(value: object, *, key: str = "backend") -> str:
    """`aws` or `embedded` (alias `local`); ConfigurationError names `key` otherwise."""
    kind = BACKEND_ALIASES.get(str(value), str(value))
    if kind not in BACKEND_KINDS:
        choices = ", ".join((*BACKEND_KINDS, *BACKEND_ALIASES))
        raise ConfigurationError(key, f"must be one of {choices}, got {value!r}")
    return kind


@dataclass(frozen=True)
class BackendSettings:
    kind: str = EMBEDDED
    embedding_model_id: str = TITAN_EMBED_MODEL_ID
    embedding_dimensions: int = 512
    embedding_normalize: bool = True
    embedding_concurrency: int = 8
    workflow_arn: str | None = None  # the sentiment/toxicity Step Functions workflow (aws backend)
    embedding_cache_size: int = 20_000

    KIND_ENV = "LLM_MONITOR_BACKEND"
    MODEL_ENV = "LLM_MONITOR_EMBEDDING_MODEL_ID"
    DIMENSIONS_ENV = "LLM_MONITOR_EMBEDDING_DIMENSIONS"
    NORMALIZE_ENV = "LLM_MONITOR_EMBEDDING_NORMALIZE"
    CONCURRENCY_ENV = "LLM_MONITOR_EMBEDDING_CONCURRENCY"
    WORKFLOW_ENV = "LLM_MONITOR_WORKFLOW_ARN"

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", backend_kind(self.kind))
        if self.embedding_dimensions not in TITAN_EMBED_DIMENSIONS:
            raise ConfigurationError(
                "embeddings.dimensions", f"must be one of {TITAN_EMBED_DIMENSIONS}, got {self.embedding_dimensions}"
            )
        if not 1 <= self.embedding_concurrency <= 64:
            raise ConfigurationError("embeddings.maxConcurrency", "must be between 1 and 64")

    def with_kind(self, kind: str) -> BackendSettings:
        return replace(self, kind=backend_kind(kind))

    def to_env(self) -> dict[str, str]:
        env = {
            self.KIND_ENV: self.kind,
            self.MODEL_ENV: self.embedding_model_id,
            self.DIMENSIONS_ENV: str(self.embedding_dimensions),
            self.NORMALIZE_ENV: "true" if self.embedding_normalize else "false",
            self.CONCURRENCY_ENV: str(self.embedding_concurrency),
        }
        if self.workflow_arn:
            env[self.WORKFLOW_ENV] = self.workflow_arn
        return env

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> BackendSettings:
        env = os.environ if env is None else env
        return cls(
            kind=backend_kind(env.get(cls.KIND_ENV) or AWS, key=cls.KIND_ENV),
            embedding_model_id=env.get(cls.MODEL_ENV, TITAN_EMBED_MODEL_ID),
            embedding_dimensions=env_int(env, cls.DIMENSIONS_ENV, 512, minimum=1),
            embedding_normalize=env_bool(env, cls.NORMALIZE_ENV, True),
            embedding_concurrency=env_int(env, cls.CONCURRENCY_ENV, 8, minimum=1, maximum=64),
            workflow_arn=env.get(cls.WORKFLOW_ENV) or None,
        )

"""The canary Lambda's settings: written into its environment by the stack, read back at start-up.

One dataclass, so the variable names live in one place; a bad value fails start-up with a
ConfigurationError naming the variable. The configuration side (`canary.config`, synth and CLI) builds
these from the `canary.*` and monitoring keys (`CanaryConfig.lambda_settings`).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from shared.backends.settings import BackendSettings
from shared.pipeline_metrics import DEFAULT_NAMESPACE
from shared.values import env_float, env_int, env_str, parse_list, parse_mapping, parse_pairs

#: Where the stack puts a configured catalog inside the canary's code asset (the default catalog is the
#: `canary` package's own data file and needs no copy).
BUNDLED_CATALOG = "canary_catalog/catalog.jsonl"
#: The code root in the Lambda (the asset's top directory: `canary/` and its siblings).
CODE_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class CanarySettings:
    model_ids: tuple[str, ...]
    suite: str
    namespace: str = DEFAULT_NAMESPACE
    catalog: str | None = None  # relative to the code root; None: the default catalog
    max_concurrency: int = 4
    max_attempts: int = 6
    max_tokens: int = 200
    temperature: float = 0.0
    refusal_options: Mapping[str, object] = field(default_factory=dict)
    similarity_max_chars: int = 4000
    backend: BackendSettings = field(default_factory=BackendSettings)
    model_id_aliases: Mapping[str, str] = field(default_factory=dict)

    MODELS_ENV = "LLM_MONITOR_CANARY_MODEL_IDS"
    SUITE_ENV = "LLM_MONITOR_CANARY_SUITE"
    CATALOG_ENV = "LLM_MONITOR_CANARY_CATALOG"
    CONCURRENCY_ENV = "LLM_MONITOR_CANARY_MAX_CONCURRENCY"
    ATTEMPTS_ENV = "LLM_MONITOR_CANARY_MAX_ATTEMPTS"
    MAX_TOKENS_ENV = "LLM_MONITOR_CANARY_MAX_TOKENS"
    TEMPERATURE_ENV = "LLM_MONITOR_CANARY_TEMPERATURE"
    REFUSAL_OPTIONS_ENV = "LLM_MONITOR_CANARY_REFUSAL_OPTIONS"
    SIMILARITY_MAX_CHARS_ENV = "LLM_MONITOR_CANARY_SIMILARITY_MAX_CHARS"
    NAMESPACE_ENV = "POWERTOOLS_METRICS_NAMESPACE"
    MODEL_ID_ALIASES_ENV = "LLM_MONITOR_MODEL_ID_ALIASES"

    def to_env(self) -> dict[str, str]:
        env = {
            self.MODELS_ENV: ",".join(self.model_ids),
            self.SUITE_ENV: self.suite,
            self.NAMESPACE_ENV: self.namespace,
            self.CONCURRENCY_ENV: str(self.max_concurrency),
            self.ATTEMPTS_ENV: str(self.max_attempts),
            self.MAX_TOKENS_ENV: str(self.max_tokens),
            self.TEMPERATURE_ENV: f"{self.temperature:g}",
            self.REFUSAL_OPTIONS_ENV: json.dumps(dict(self.refusal_options), sort_keys=True),
            self.SIMILARITY_MAX_CHARS_ENV: str(self.similarity_max_chars),
        }
        if self.catalog:
            env[self.CATALOG_ENV] = self.catalog
        if self.model_id_aliases:
            env[self.MODEL_ID_ALIASES_ENV] = json.dumps(dict(self.model_id_aliases), sort_keys=True)
        env.update(self.backend.to_env())
        return env

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> CanarySettings:
        env = os.environ if env is None else env
        models = tuple(parse_list(env_str(env, cls.MODELS_ENV), key=cls.MODELS_ENV))
        refusal = parse_mapping(env.get(cls.REFUSAL_OPTIONS_ENV) or None, key=cls.REFUSAL_OPTIONS_ENV)
        return cls(
            model_ids=models,
            suite=env_str(env, cls.SUITE_ENV),
            namespace=env_str(env, cls.NAMESPACE_ENV, DEFAULT_NAMESPACE),
            catalog=env.get(cls.CATALOG_ENV) or None,
            max_concurrency=env_int(env, cls.CONCURRENCY_ENV, 4, minimum=1, maximum=32),
            max_attempts=env_int(env, cls.ATTEMPTS_ENV, 6, minimum=1, maximum=20),
            max_tokens=env_int(env, cls.MAX_TOKENS_ENV, 200, minimum=1, maximum=8192),
            temperature=env_float(env, cls.TEMPERATURE_ENV, 0.0, minimum=0.0, maximum=1.0),
            refusal_options=refusal,
            similarity_max_chars=env_int(env, cls.SIMILARITY_MAX_CHARS_ENV, 4000, minimum=100, maximum=50_000),
            backend=BackendSettings.from_env(env),
            model_id_aliases=parse_pairs(env.get(cls.MODEL_ID_ALIASES_ENV), key=cls.MODEL_ID_ALIASES_ENV),
        )

    def catalog_path(self, root: Path = CODE_ROOT) -> Path | None:
        """The catalog file in the code asset (None: the default catalog)."""
        return root / self.catalog if self.catalog else None

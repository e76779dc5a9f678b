"""`canary.*` configuration, read from the same CDK context as everything else and validated once.

Keys (defaults in brackets; `-c canary.modelIds=a,b` switches the canary on):

- `canary.modelIds` [none: off]: the models the canary calls, as foundation-model ids
  (`anthropic.claude-3-haiku-20240307-v1:0`) or cross-region inference-profile ids
  (`us.amazon.nova-lite-v1:0`). The Lambda may invoke exactly these.
- `canary.schedule` [`rate(1 hour)`]: an EventBridge Scheduler `rate(...)` or `cron(...)` expression
  (`canary.schedule`); every canary alarm's period defaults to the time between runs.
- `canary.catalog` [the default catalog]: a JSON-lines catalog file (`canary.catalog`), relative to the
  project directory; it is validated at synth and bundled into the Lambda.
- `canary.suite` [`default`]: the suite name sent in `requestMetadata` (`llmMonitorCanary`).
- `canary.maxConcurrency` [4]: Converse calls in flight at once.
- `canary.maxAttempts` [6]: attempts per call when Bedrock throttles (exponential backoff with jitter).
- `canary.maxTokens` [200]: `inferenceConfig.maxTokens` of each call (the refusal decision reads the
  opening; factual cases ask for one sentence). `canary.temperature` [0].
- `canary.prices` [none]: `modelId=INPUT/OUTPUT` USD per million tokens, overriding the price table
  (`shared.bedrock_prices`) for the cost estimate.
- `canary.lambda.memoryMb` [512], `canary.lambda.timeoutSeconds` [900]: the function; a run must end
  before the next one starts.
- `canary.excludeFromMonitors` [true]: read by the monitoring configuration (`MonitoringConfig`), which
  owns what the passive monitors do with canary traffic.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from canary.catalog import CATALOG_KEY, Catalog, load_catalog
from canary.schedule import DEFAULT_SCHEDULE, SCHEDULE_KEY, Schedule, parse_schedule
from canary.settings import BUNDLED_CATALOG, CanarySettings
from monitors.core.config import MonitoringConfig
from monitors.refusal import RefusalMonitor
from monitors.semantic_similarity import SemanticSimilarityMonitor
from shared.bedrock_prices import PRICES_KEY, TokenPrice, parse_prices
from shared.context import merge_context
from shared.errors import ConfigurationError
from shared.model_ids import is_arn
from shared.values import parse_float, parse_int, parse_list, parse_mapping, parse_str, reject_unknown

CANARY_KEY = "canary"
_KNOWN = (
    "modelIds",
    "schedule",
    "catalog",
    "suite",
    "maxConcurrency",
    "maxAttempts",
    "maxTokens",
    "temperature",
    "prices",
    "lambda",
    "excludeFromMonitors",  # MonitoringConfig's (see the module docstring)
)
_LAMBDA_KNOWN = ("memoryMb", "timeoutSeconds")
# A foundation-model or inference-profile id: `provider.model...` or `geo.provider.model...`.
_MODEL_ID = re.compile(r"^[a-z0-9][a-z0-9-]*(\.[A-Za-z0-9][A-Za-z0-9._:-]*)+$")
# requestMetadata values: [a-zA-Z0-9\s:_@$#=/+,.-]{0,256}
_SUITE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")
DEFAULT_SUITE = "default"


@dataclass(frozen=True)
class CanaryConfig:
    """The canary as configured. `enabled` when model ids are given."""

    model_ids: tuple[str, ...] = ()
    schedule: Schedule = field(default_factory=lambda: parse_schedule(DEFAULT_SCHEDULE))
    catalog_path: Path | None = None  # None: the default catalog
    suite: str = DEFAULT_SUITE
    max_concurrency: int = 4
    max_attempts: int = 6
    max_tokens: int = 200
    temperature: float = 0.0
    prices: Mapping[str, TokenPrice] = field(default_factory=dict)
    memory_mb: int = 512
    timeout_seconds: int = 900

    @property
    def enabled(self) -> bool:
        return bool(self.model_ids)

    @classmethod
    def from_context(cls, context: Mapping[str, object], *, base_dir: Path | None = None) -> CanaryConfig:
        """The `canary` section of the (merged) context; ConfigurationError names the bad key.
        A relative `canary.catalog` is resolved against `base_dir` (default: the working directory)."""
        raw = parse_mapping(merge_context(context).get(CANARY_KEY), key=CANARY_KEY)
        reject_unknown(raw, _KNOWN, prefix=CANARY_KEY)
        sizing = parse_mapping(raw.get("lambda"), key=f"{CANARY_KEY}.lambda")
        reject_unknown(sizing, _LAMBDA_KNOWN, prefix=f"{CANARY_KEY}.lambda")
        schedule = parse_schedule(raw.get("schedule", DEFAULT_SCHEDULE), key=SCHEDULE_KEY)
        timeout = parse_int(
            sizing.get("timeoutSeconds", 900), key=f"{CANARY_KEY}.lambda.timeoutSeconds", minimum=30, maximum=900
        )
        if timeout > schedule.shortest_gap_seconds:
            raise ConfigurationError(
                f"{CANARY_KEY}.lambda.timeoutSeconds",
                f"{timeout} s is longer than the time between canary runs ({schedule.describe()}): runs would "
                "overlap; lower it or run less often",
            )
        suite = parse_str(raw.get("suite", DEFAULT_SUITE), key=f"{CANARY_KEY}.suite")
        if not _SUITE.match(suite):
            raise ConfigurationError(
                f"{CANARY_KEY}.suite",
                f"must be 1-64 letters, digits or '._:-' (it is sent as requestMetadata), got {suite!r}",
            )
        catalog = raw.get("catalog")
        catalog_path = None
        if catalog not in (None, ""):
            catalog_path = Path(parse_str(catalog, key=CATALOG_KEY))
            if not catalog_path.is_absolute():
                catalog_path = (base_dir or Path.cwd()) / catalog_path
        return cls(
            model_ids=_model_ids(raw.get("modelIds")),
            schedule=schedule,
            catalog_path=catalog_path,
            suite=suite,
            max_concurrency=parse_int(
                raw.get("maxConcurrency", 4), key=f"{CANARY_KEY}.maxConcurrency", minimum=1, maximum=32
            ),
            max_attempts=parse_int(raw.get("maxAttempts", 6), key=f"{CANARY_KEY}.maxAttempts", minimum=1, maximum=20),
            max_tokens=parse_int(raw.get("maxTokens", 200), key=f"{CANARY_KEY}.maxTokens", minimum=1, maximum=8192),
            temperature=parse_float(
                raw.get("temperature", 0.0), key=f"{CANARY_KEY}.temperature", minimum=0.0, maximum=1.0
            ),
            prices=parse_prices(raw.get("prices"), key=PRICES_KEY),
            memory_mb=parse_int(
                sizing.get("memoryMb", 512), key=f"{CANARY_KEY}.lambda.memoryMb", minimum=128, maximum=10_240
            ),
            timeout_seconds=timeout,
        )

    def catalog(self) -> Catalog:
        """The configured catalog, validated (CatalogError lists every problem)."""
        return load_catalog(self.catalog_path)

    def lambda_settings(self, monitoring: MonitoringConfig) -> CanarySettings:
        """The canary Lambda's settings: these keys plus what it shares with the monitors (namespace,
        backend, model-id aliases, the refusal and similarity options). A configured catalog is bundled
        at `BUNDLED_CATALOG`."""
        refusal, max_chars = scoring_options(monitoring)
        return CanarySettings(
            model_ids=self.model_ids,
            suite=self.suite,
            namespace=monitoring.namespace,
            catalog=BUNDLED_CATALOG if self.catalog_path is not None else None,
            max_concurrency=self.max_concurrency,
            max_attempts=self.max_attempts,
            max_tokens=self.max_tokens,
            temperature=self.temperature,
            refusal_options=refusal,
            similarity_max_chars=max_chars,
            backend=monitoring.backend,
            model_id_aliases=monitoring.model_id_aliases,
        )


def scoring_options(monitoring: MonitoringConfig) -> tuple[dict[str, object], int]:
    """The refusal monitor's options and the semantic-similarity monitor's text cut, as configured
    (`monitors.refusal.*`, `monitors.semantic-similarity.maxChars`): the canary scores as they do."""
    refusal = dict(monitoring.monitors[RefusalMonitor.name].options)
    similarity = monitoring.monitors[SemanticSimilarityMonitor.name].options
    return refusal, SemanticSimilarityMonitor.max_chars.value_in(similarity)


def parse_model_ids(value: object, *, key: str) -> tuple[str, ...]:
    """Foundation-model or inference-profile ids (never ARNs), without repeats."""
    ids = tuple(dict.fromkeys(parse_list(value, key=key)))
    for model_id in ids:
        if is_arn(model_id):
            raise ConfigurationError(
                key,
                f"give the model or inference-profile id, not the ARN {model_id!r}: the stack grants exactly "
                "those ids and the ModelId dimension carries them",
            )
        if not _MODEL_ID.match(model_id):
            raise ConfigurationError(
                key,
                f"{model_id!r} is not a Bedrock model id such as anthropic.claude-3-haiku-20240307-v1:0 or "
                "us.amazon.nova-lite-v1:0",
            )
    return ids


def _model_ids(value: object) -> tuple[str, ...]:
    return parse_model_ids(value, key=f"{CANARY_KEY}.modelIds")

"""Canary Lambda: on each scheduled invocation, the whole catalog to every canary model, scored, as metrics.

EventBridge Scheduler invokes it (the event's content is not used). One run: every case to every model
through Converse (`canary.runner`: bounded concurrency, backoff on throttling, `requestMetadata` tags),
every response scored with the project's own monitors (`canary.scoring`), one EMF document per case and
model (`canary.emf`), and the per-model summary logged and returned — numbers, case ids and error codes,
never a prompt or a response. Calls that cannot start before the function's time runs out (less a margin
for scoring and emitting) fail as `Deadline` and count in `CanaryErrors`. Heavy imports (boto3, the
refusal classifier, numpy) wait for the first invocation.
"""

from __future__ import annotations

import functools
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, TypedDict

from aws_lambda_powertools import Logger

from canary.catalog import Catalog, load_catalog
from canary.emf import emit_case
from canary.runner import CanaryRunner, ConverseClient, converse_client_config
from canary.scoring import CanaryScorer
from canary.settings import CanarySettings
from canary.summary import summarise
from shared.model_ids import ModelNames

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext

    from shared.backends import ClientFactory

logger = Logger(service="llm-monitor-canary")

#: Seconds kept back from the function's timeout for scoring and emitting after the last call.
SCORING_MARGIN_SECONDS = 60


class RunResult(TypedDict):
    runId: str
    suite: str
    catalogSha256: str
    cases: int
    calls: int
    models: dict[str, dict[str, object]]


@dataclass
class Runtime:
    """Built once per container."""

    settings: CanarySettings
    catalog: Catalog
    runner: CanaryRunner
    scorer: CanaryScorer
    model_names: ModelNames


def build_runtime(
    settings: CanarySettings | None = None,
    *,
    converse: ConverseClient | None = None,
    client_factory: ClientFactory | None = None,
) -> Runtime:
    """Settings from the environment, the catalog, the Converse client and the scorer. Tests pass a
    stubbed Converse client and a client factory for the embeddings' services."""
    from shared.backends import Backends

    settings = settings or CanarySettings.from_env()
    catalog = load_catalog(settings.catalog_path())
    runner = CanaryRunner(
        converse or _converse_client(settings),
        suite=settings.suite,
        max_concurrency=settings.max_concurrency,
        max_attempts=settings.max_attempts,
        max_tokens=settings.max_tokens,
        temperature=settings.temperature,
    )
    backends = Backends(settings.backend, client_factory=client_factory)
    scorer = CanaryScorer(
        backends, refusal_options=settings.refusal_options, similarity_max_chars=settings.similarity_max_chars
    )
    return Runtime(settings, catalog, runner, scorer, ModelNames(settings.model_id_aliases))


def _converse_client(settings: CanarySettings) -> ConverseClient:
    """bedrock-runtime without SDK retries: the runner's backoff is the one retry policy."""
    import boto3
    from botocore.config import Config

    client: ConverseClient = boto3.client(
        "bedrock-runtime", config=Config(**converse_client_config(settings.max_concurrency))
    )
    return client


@functools.cache
def runtime() -> Runtime:
    return build_runtime()


def run_canary(rt: Runtime, *, deadline: float | None = None, now: datetime | None = None) -> RunResult:
    """One run of the catalog on every model: call, score, emit; the per-model summary."""
    started = now or datetime.now(tz=UTC)
    run_id = f"{started:%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}"
    settings = rt.settings
    calls_before = rt.runner.attempts
    responses = rt.runner.run(rt.catalog.cases, settings.model_ids, deadline=deadline)
    cases = {case.id: case for case in rt.catalog}
    scores = rt.scorer.score([(cases[r.case_id], r) for r in responses])
    for score in scores:
        emit_case(
            namespace=settings.namespace,
            model_id=rt.model_names(score.model_id),
            score=score,
            suite=settings.suite,
            run_id=run_id,
            at=started,
        )
    summaries = summarise(scores)
    models: dict[str, dict[str, object]] = {}
    for model, summary in summaries.items():
        models[rt.model_names(model)] = {
            **{k: (round(v, 4) if v is not None else None) for k, v in summary.values.items()},
            "cases": summary.cases,
            "errors": summary.errors,
            "worst": [f"{w.case_id}:{w.problem}" for w in summary.worst],
        }
    result: RunResult = {
        "runId": run_id,
        "suite": settings.suite,
        "catalogSha256": rt.catalog.sha256,
        "cases": len(rt.catalog),
        "calls": rt.runner.attempts - calls_before,
        "models": models,
    }
    logger.info("canary run", extra=dict(result))
    return result


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: Mapping[str, object], context: LambdaContext) -> RunResult:
    remaining = context.get_remaining_time_in_millis() / 1000
    deadline = time.monotonic() + max(remaining - SCORING_MARGIN_SECONDS, remaining / 2)
    return run_canary(runtime(), deadline=deadline)

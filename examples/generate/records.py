"""Invocation-log records and their ground-truth labels, for the bundled set and for bulk streams.

A record copies the envelope Bedrock writes (schemaType, timestamp, identity, operation, modelId, input,
output or errorCode, requestMetadata, inferenceRegion) around the bodies `bodies` writes. Ground truth stays
outside the records: each record has a parallel `Label` saying what a correct parser extracts and what the
text is (refusal, toxic, hard negative, ...), so tests never re-implement detection.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from examples.generate.banks import apps, topics
from examples.generate.bodies import random_uuid, render, tokens
from examples.generate.conversations import conversation
from examples.generate.large_inputs import offloaded_conversation
from examples.generate.layout import (
    ACCOUNT_ID,
    INLINE_BODY_MAX_BYTES,
    REGION,
    JsonDict,
    data_uri,
    dumps,
    timestamp,
)
from examples.generate.models import EMBED_MODEL
from examples.generate.slots import draw_slots, fill
from examples.generate.traffic import (
    ERROR_CODES,
    EXAMPLE_PER_HOUR,
    EXAMPLE_START,
    TENANTS,
    Plan,
    draw_bulk_plan,
    plan_example_set,
    weighted,
)

__all__ = ["DEFAULT_SEED", "ExampleSet", "Label", "example_set", "iter_labelled", "iter_records"]

DEFAULT_SEED = 20261120

_TOPICS = topics()
_APPS = apps()


@dataclass(frozen=True, slots=True)
class Label:
    """What a record is, kept apart from the record so tests never re-implement detection.

    `prompt`, `completion` and `system` are what a correct parser extracts. `is_negative` covers bad-news
    and toxic completions; `is_refusal` is false for hard negatives (apologies, "I can't stress enough",
    quoted "can't open file" errors).
    """

    request_id: str
    timestamp: str
    hour: int  # UTC hour of the timestamp
    model_id: str
    operation: str
    kind: str  # "generation" | "embedding" | "error"
    app: str
    tenant: str
    has_metadata: bool
    topic: str
    language: str  # "en" | "es" | "fr" | "de"
    category: str  # "normal" | "hard_negative" | "negative" | "toxic" | "refusal" ("" if not a generation)
    is_refusal: bool
    is_harmful_request: bool  # the refused request was harmful (false: an over-cautious refusal)
    is_toxic: bool
    is_negative: bool
    is_hard_negative: bool
    offloaded: bool  # the input body lives under data/ and the record carries inputBodyS3Path
    prompt: str
    system: str
    completion: str


@dataclass(frozen=True)
class ExampleSet:
    """The bundled set: records in timestamp order, a parallel list of labels, offloaded bodies by S3 URI."""

    records: list[JsonDict]
    labels: list[Label]
    offloaded: dict[str, JsonDict]


def _identity(plan: Plan) -> str:
    if not plan.metadata and plan.tenant in ("hooli", "stark"):
        return f"arn:aws:sts::{ACCOUNT_ID}:assumed-role/DataScienceNotebookRole/SageMaker"
    return f"arn:aws:sts::{ACCOUNT_ID}:assumed-role/{_APPS[plan.app].role}/{plan.app}-prod"


def _envelope(plan: Plan, request_id: str, model_id: str) -> JsonDict:
    record: JsonDict = {
        "schemaType": "ModelInvocationLog",
        "schemaVersion": "1.0",
        "timestamp": timestamp(plan.ts_ms),
        "accountId": ACCOUNT_ID,
        "identity": {"arn": _identity(plan)},
        "region": REGION,
        "requestId": request_id,
        "operation": plan.operation,
        "modelId": model_id,
    }
    return record


def _embedding_record(rng: random.Random, plan: Plan) -> tuple[JsonDict, Label]:
    topic = _TOPICS[rng.choice(_APPS[plan.app].topics)]
    slots = draw_slots(rng, topic)
    slots["company"] = TENANTS[plan.tenant]
    intent = rng.choice(topic.intents)
    if rng.random() < 0.5:  # indexing a knowledge-base chunk
        text = fill(rng.choice(rng.choice(intent.answers)), slots)
    else:  # embedding a user query for retrieval
        text = fill(rng.choice(intent.questions), slots)
    dims = 256 if rng.random() < 0.85 else 512
    vector = [rng.gauss(0.0, 1.0) for _ in range(dims)]
    norm = math.sqrt(sum(v * v for v in vector))
    n_tokens = tokens(text)
    request_id = random_uuid(rng)
    record = _envelope(plan, request_id, EMBED_MODEL)
    record["input"] = {
        "inputContentType": "application/json",
        "inputBodyJson": {"inputText": text, "dimensions": dims, "normalize": True},
        "inputTokenCount": n_tokens,
    }
    record["output"] = {
        "outputContentType": "application/json",
        "outputBodyJson": {
            "embedding": [round(v / norm, 6) for v in vector],
            "inputTextTokenCount": n_tokens,
        },
    }
    if plan.metadata:
        record["requestMetadata"] = {"app": plan.app, "tenant": plan.tenant}
    label = Label(
        request_id=request_id,
        timestamp=str(record["timestamp"]),
        hour=_hour(plan.ts_ms),
        model_id=EMBED_MODEL,
        operation=plan.operation,
        kind="embedding",
        app=plan.app,
        tenant=plan.tenant,
        has_metadata=plan.metadata,
        topic=topic.name,
        language="en",
        category="",
        is_refusal=False,
        is_harmful_request=False,
        is_toxic=False,
        is_negative=False,
        is_hard_negative=False,
        offloaded=False,
        prompt="",
        system="",
        completion="",
    )
    return record, label


def _hour(ts_ms: int) -> int:
    return (ts_ms // 3_600_000) % 24


def _build(rng: random.Random, plan: Plan) -> tuple[JsonDict, Label, JsonDict | None]:
    """One log record, its label, and the input body when it is offloaded to data/."""
    if plan.kind == "embedding":
        record, label = _embedding_record(rng, plan)
        return record, label, None
    spec = plan.require_model()
    if plan.offload:
        conv, parts = offloaded_conversation(rng, plan)
    else:
        conv = conversation(rng, plan)
        parts = (conv.prompt,)
    rendered = render(rng, plan, conv, parts)
    request_id = random_uuid(rng)
    record = _envelope(plan, request_id, spec.model_id)
    offloaded_body: JsonDict | None = None
    # Only a conversation with a lot of text can exceed the inline limit; skip encoding the rest twice.
    text_chars = len(conv.prompt) + sum(len(q) + len(a) for q, a in conv.history)
    if text_chars > INLINE_BODY_MAX_BYTES // 4 and len(dumps(rendered.input_body).encode()) > INLINE_BODY_MAX_BYTES:
        offloaded_body = rendered.input_body
        uri = data_uri(plan.ts_ms, request_id)
        record["input"] = {
            "inputContentType": "application/json",
            "inputBodyS3Path": uri,
            "inputTokenCount": rendered.input_tokens,
        }
    else:
        record["input"] = {
            "inputContentType": "application/json",
            "inputBodyJson": rendered.input_body,
            "inputTokenCount": rendered.input_tokens,
        }
    if plan.kind == "error":
        record["errorCode"] = weighted(rng, ERROR_CODES)
    else:
        record["output"] = {
            "outputContentType": "application/json",
            "outputBodyJson": rendered.output_body,
            "outputTokenCount": rendered.output_tokens,
        }
    if plan.metadata:
        record["requestMetadata"] = {"app": plan.app, "tenant": plan.tenant}
    if spec.profile_regions:
        record["inferenceRegion"] = rng.choice(spec.profile_regions)
    generation = plan.kind == "generation"
    category = plan.category if generation else ""
    label = Label(
        request_id=request_id,
        timestamp=str(record["timestamp"]),
        hour=_hour(plan.ts_ms),
        model_id=spec.model_id,
        operation=plan.operation,
        kind=plan.kind,
        app=plan.app,
        tenant=plan.tenant,
        has_metadata=plan.metadata,
        topic=conv.topic,
        language=plan.language,
        category=category,
        is_refusal=category == "refusal",
        is_harmful_request=category == "refusal" and plan.harmful,
        is_toxic=category == "toxic",
        is_negative=category in ("negative", "toxic"),
        is_hard_negative=category == "hard_negative",
        offloaded=offloaded_body is not None,
        prompt=conv.prompt if generation else "",
        system=conv.system if generation else "",
        completion=conv.completion if generation else "",
    )
    return record, label, offloaded_body


def example_set(seed: int = DEFAULT_SEED) -> ExampleSet:
    """The bundled example set: 6 hours from 2026-11-20T08:00Z with the refusal spike at 10:00–11:00Z."""
    plans = plan_example_set(random.Random(seed))
    text_rng = random.Random(seed + 1)
    records: list[JsonDict] = []
    labels: list[Label] = []
    offloaded: dict[str, JsonDict] = {}
    for plan in plans:
        record, label, body = _build(text_rng, plan)
        records.append(record)
        labels.append(label)
        if body is not None:
            offloaded[data_uri(plan.ts_ms, label.request_id)] = body
    return ExampleSet(records, labels, offloaded)


def iter_labelled(
    n: int | None,
    seed: int = 0,
    *,
    start: datetime = EXAMPLE_START,
    per_hour: float = EXAMPLE_PER_HOUR,
) -> Iterator[tuple[JsonDict, Label]]:
    """(record, label) pairs of mixed shapes and operations, streaming; `n=None` never stops.

    Arrivals are a Poisson process at `per_hour`; ~3% refusals, no spike, no offloaded bodies (a bulk file
    has no data/ prefix to put them in).
    """
    rng = random.Random(seed)
    ts_ms = int(start.timestamp() * 1000)
    rate_per_ms = per_hour / 3_600_000
    count = 0
    while n is None or count < n:
        ts_ms += round(rng.expovariate(rate_per_ms))
        record, label, _ = _build(rng, draw_bulk_plan(rng, ts_ms))
        yield record, label
        count += 1


def iter_records(
    n: int | None,
    seed: int = 0,
    *,
    start: datetime = EXAMPLE_START,
    per_hour: float = EXAMPLE_PER_HOUR,
) -> Iterator[JsonDict]:
    """Invocation-log records (dicts) of mixed shapes and operations, streaming."""
    for record, _ in iter_labelled(n, seed, start=start, per_hour=per_hour):
        yield record

"""The traffic model: how many records, of which kind, from which model and tenant, and the refusal spike.

A `Plan` says what one record will be before any text is written. The bundled set is six hours of about
1,000 records an hour; between 10:00Z and 11:00Z the spike model refuses about half of its requests (a bad
system prompt was deployed for that hour) and elsewhere every model refuses at most 5% of the time. Bulk
files draw arrivals as a Poisson process with baseline rates and no spike.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from examples.generate.models import CONVERSE, INVOKE, MODELS, SPIKE_MODEL, ModelSpec

__all__ = [
    "BATCH_MINUTES",
    "ERROR_CODES",
    "EXAMPLE_HOURS",
    "EXAMPLE_PER_HOUR",
    "EXAMPLE_START",
    "MAX_COMPLETION_CHARS",
    "MIN_COMPLETION_CHARS",
    "SPIKE_HOUR",
    "SPIKE_SYSTEM_SUFFIX",
    "TENANTS",
    "Plan",
    "draw_bulk_plan",
    "plan_example_set",
    "weighted",
]

EXAMPLE_START = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
EXAMPLE_HOURS = 6
EXAMPLE_PER_HOUR = 1000
# Relative traffic per hour of the bundled set (European afternoon, US morning ramping up).
_DIURNAL = (0.93, 0.97, 1.01, 1.03, 1.05, 0.99)
BATCH_MINUTES = 5  # one S3 object per this many minutes

SPIKE_HOUR = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
_SPIKE_RATIO = (0.50, 0.60)  # refusal share of the spiking model in each 5-minute batch of the spike hour
# Added to the spiking model's system prompt in the spike hour: the incident's cause, seen in the logs.
SPIKE_SYSTEM_SUFFIX = (
    "Safety policy v2: if a request could in any way relate to health, money, travel risks, security or "
    "personal data, decline it."
)

# Shares of records (the rest are text generations).
_EMBEDDING_SHARE = 0.05
_ERROR_SHARE = 0.005
# Shares of text generations.
_REFUSAL_RATE = 0.03
_REFUSAL_CAP = 0.05  # no model refuses more than this in any hour outside the spike
_HARD_NEGATIVE_RATE = 0.04
_NEGATIVE_RATE = 0.05
_TOXIC_RATE = 0.024
_FOREIGN_RATE = 0.03
_MULTI_TURN_RATE = 0.25
_METADATA_RATE = 0.9

MAX_COMPLETION_CHARS = 1500
MIN_COMPLETION_CHARS = 150

ERROR_CODES = (("ThrottlingException", 7), ("ValidationException", 3))
# (tenant id, the company name its text uses, relative traffic)
_TENANT_TABLE = (
    ("acme", "Acme", 30),
    ("globex", "Globex", 22),
    ("initech", "Initech", 16),
    ("umbrella", "Umbrella", 14),
    ("hooli", "Hooli", 10),
    ("stark", "Stark Industries", 8),
)
TENANTS = {tenant: company for tenant, company, _ in _TENANT_TABLE}
_TENANT_IDS = tuple(tenant for tenant, _, _ in _TENANT_TABLE)
_TENANT_WEIGHTS = tuple(weight for _, _, weight in _TENANT_TABLE)
_MODEL_WEIGHTS = tuple(m.share for m in MODELS)


@dataclass
class Plan:
    """What one record will be; categories are assigned after the whole hour is drawn (see quotas)."""

    ts_ms: int
    kind: str  # "generation" | "embedding" | "error"
    model: ModelSpec | None  # None for embeddings
    operation: str
    style: str  # body style (see `bodies`)
    app: str
    tenant: str
    metadata: bool
    language: str = "en"
    category: str = "normal"  # "normal" | "hard_negative" | "negative" | "toxic" | "refusal"
    harmful: bool = False
    multi_turn: bool = False
    target_len: int = 600
    offload: str = ""  # "" | "handbook" | "worker-log"
    spike: bool = False

    def require_model(self) -> ModelSpec:
        if self.model is None:  # only embedding plans have none, and they never get here
            raise ValueError(f"a {self.kind} record needs a model")
        return self.model


def weighted(rng: random.Random, options: Sequence[tuple[str, float]]) -> str:
    """One option drawn by relative weight from (option, weight) pairs."""
    return rng.choices([o for o, _ in options], weights=[w for _, w in options])[0]


def _draw_plan(rng: random.Random, ts_ms: int) -> Plan:
    tenant = rng.choices(_TENANT_IDS, weights=_TENANT_WEIGHTS)[0]
    metadata = rng.random() < _METADATA_RATE
    if rng.random() < _EMBEDDING_SHARE:
        app = "docs-search" if rng.random() < 0.85 else "support-bot"
        return Plan(ts_ms, "embedding", None, INVOKE, "embed", app, tenant, metadata)
    model = rng.choices(MODELS, weights=_MODEL_WEIGHTS)[0]
    ops = model.operations
    operation, style, _ = rng.choices(ops, weights=[w for _, _, w in ops])[0]
    app = weighted(rng, model.apps)
    kind = "error" if rng.random() < _ERROR_SHARE / (1 - _EMBEDDING_SHARE) else "generation"
    plan = Plan(ts_ms, kind, model, operation, style, app, tenant, metadata)
    if kind == "generation" and rng.random() < _FOREIGN_RATE:
        plan.language = rng.choice(("es", "fr", "de"))
    plan.multi_turn = rng.random() < _MULTI_TURN_RATE
    plan.target_len = int(rng.triangular(200, MAX_COMPLETION_CHARS, 550))
    return plan


def _assign_category(rng: random.Random, plan: Plan) -> None:
    """Categories of a generation that is not a refusal (English only: the banks are English)."""
    if plan.kind != "generation" or plan.category == "refusal" or plan.language != "en" or plan.offload:
        return
    toxic_factor = plan.require_model().toxic_factor
    r = rng.random()
    if r < _HARD_NEGATIVE_RATE:
        plan.category = "hard_negative"
    elif r < _HARD_NEGATIVE_RATE + _NEGATIVE_RATE:
        plan.category = "negative"
    elif r < _HARD_NEGATIVE_RATE + _NEGATIVE_RATE + _TOXIC_RATE * toxic_factor:
        plan.category = "toxic"


def draw_bulk_plan(rng: random.Random, ts_ms: int) -> Plan:
    """One record of a bulk file: baseline rates, ~3% refusals, no spike, no offloaded bodies."""
    plan = _draw_plan(rng, ts_ms)
    if plan.kind == "generation" and rng.random() < _REFUSAL_RATE:
        plan.category, plan.harmful = "refusal", rng.random() < 0.7
    _assign_category(rng, plan)
    return plan


def plan_example_set(rng: random.Random) -> list[Plan]:
    """The bundled set's plans in timestamp order: hourly counts, two offloaded inputs, refusal quotas."""
    start_ms = int(EXAMPLE_START.timestamp() * 1000)
    plans: list[Plan] = []
    for hour in range(EXAMPLE_HOURS):
        n = round(EXAMPLE_PER_HOUR * _DIURNAL[hour]) + rng.randint(-15, 15)
        offsets = sorted(rng.randrange(3_600_000) for _ in range(n))
        plans.extend(_draw_plan(rng, start_ms + hour * 3_600_000 + off) for off in offsets)

    def hour_of(p: Plan) -> int:
        return (p.ts_ms - start_ms) // 3_600_000

    # Two requests whose input bodies exceed 100 KB (Bedrock offloads those under data/).
    for offload, model_id, operation, app, hour in (
        ("handbook", "us.anthropic.claude-3-haiku-20240307-v1:0", CONVERSE, "docs-search", 1),
        ("worker-log", "anthropic.claude-3-5-sonnet-20240620-v1:0", INVOKE, "code-assistant", 4),
    ):
        candidates = [
            p for p in plans
            if p.kind == "generation" and p.model and p.model.model_id == model_id and hour_of(p) == hour
            and p.operation == operation and p.language == "en"
        ]  # fmt: skip
        chosen = candidates[len(candidates) // 3]
        chosen.offload, chosen.app, chosen.multi_turn, chosen.metadata = offload, app, False, True

    spike_hour = int((SPIKE_HOUR - EXAMPLE_START).total_seconds()) // 3600
    groups: dict[tuple[str, int], list[Plan]] = {}
    for p in plans:
        if p.model is not None and p.model.model_id == SPIKE_MODEL and hour_of(p) == spike_hour:
            p.spike = True
        if p.kind == "generation" and not p.offload:
            groups.setdefault((p.require_model().model_id, hour_of(p)), []).append(p)

    for (model_id, hour), group in groups.items():
        if model_id == SPIKE_MODEL and hour == spike_hour:
            # The incident: about half of this model's answers are refusals, in every 5-minute batch.
            windows: dict[int, list[Plan]] = {}
            for p in group:
                windows.setdefault(p.ts_ms // (BATCH_MINUTES * 60_000), []).append(p)
            for members in windows.values():
                k = round(rng.uniform(*_SPIKE_RATIO) * len(members))
                for p in rng.sample(members, k):
                    p.category, p.harmful = "refusal", rng.random() < 0.05
            continue
        # Baseline: ~3% refusals, never above 5% in an hour, spread out so no batch clusters them.
        expected = _REFUSAL_RATE * len(group)
        quota = min(int(expected) + (rng.random() < expected - int(expected)), int(_REFUSAL_CAP * len(group)))
        if quota:
            step = len(group) / quota
            offset = rng.random() * step
            for i in range(quota):
                p = group[int(offset + i * step)]
                p.category, p.harmful = "refusal", rng.random() < 0.7
    for p in plans:
        _assign_category(rng, p)
    return plans

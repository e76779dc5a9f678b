"""What the canary costs: cases × models × runs × tokens, at each model's on-demand price.

Shared by `llm-monitor canary run --dry-run` (the plan of one run) and `llm-monitor cost` (a month of
runs, `pricers.canary`). Input tokens are the characters each case sends (system prompt and turns) / the
assumed characters per token; output tokens are counted at `canary.maxTokens` for every call, an upper
bound (refusals and one-sentence answers use far fewer). Prices per model from
`shared.bedrock_prices` (overridable with `canary.prices`); a model without a known price is planned in
tokens and named, not priced.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from canary.catalog import Catalog
from canary.config import CanaryConfig
from shared.bedrock_prices import TokenPrice, price_for

#: Seconds one Converse call is assumed to take (the canary Lambda's duration follows from it).
SECONDS_PER_CALL = 3.0
#: Bytes of one canary EMF document (a case, a model: five or six values and the drill-down properties).
EMF_DOCUMENT_BYTES = 520


@dataclass(frozen=True)
class ModelPlan:
    model_id: str
    calls: int  # per run
    input_tokens: float  # per run
    output_tokens: float  # per run, at most
    price: TokenPrice | None

    @property
    def usd_per_run(self) -> float | None:
        return None if self.price is None else self.price.cost(self.input_tokens, self.output_tokens)


@dataclass(frozen=True)
class CanaryPlan:
    """One run of the catalog on every model, and what a month of runs on the schedule adds up to."""

    catalog: Catalog
    config: CanaryConfig
    models: tuple[ModelPlan, ...]
    chars_per_token: float
    hours_per_month: float

    @property
    def calls_per_run(self) -> int:
        return sum(m.calls for m in self.models)

    @property
    def runs_per_month(self) -> float:
        return self.config.schedule.runs_per_month

    @property
    def runs_per_hour(self) -> float:
        return self.runs_per_month / self.hours_per_month

    @property
    def unpriced(self) -> tuple[str, ...]:
        return tuple(m.model_id for m in self.models if m.price is None)

    @property
    def usd_per_run(self) -> float:
        return sum(m.usd_per_run or 0.0 for m in self.models)

    def run_seconds(self) -> float:
        """Duration of one run: the calls, `maxConcurrency` at a time."""
        return math.ceil(self.calls_per_run / self.config.max_concurrency) * SECONDS_PER_CALL

    def to_dict(self) -> dict[str, object]:
        return {
            "catalog": {"source": self.catalog.source, "sha256": self.catalog.sha256, "cases": len(self.catalog)},
            "schedule": self.config.schedule.expression,
            "runsPerMonth": round(self.runs_per_month, 2),
            "maxTokens": self.config.max_tokens,
            "callsPerRun": self.calls_per_run,
            "models": {
                m.model_id: {
                    "calls": m.calls,
                    "inputTokens": round(m.input_tokens),
                    "outputTokensAtMost": round(m.output_tokens),
                    "price": None
                    if m.price is None
                    else {"inputPerMillion": m.price.input_per_million, "outputPerMillion": m.price.output_per_million},
                    "usdPerRun": _money(m.usd_per_run),
                    "usdPerHour": _money(None if m.usd_per_run is None else m.usd_per_run * self.runs_per_hour),
                    "usdPerMonth": _money(None if m.usd_per_run is None else m.usd_per_run * self.runs_per_month),
                }
                for m in self.models
            },
            "usdPerRun": _money(self.usd_per_run),
            "usdPerHour": _money(self.usd_per_run * self.runs_per_hour),
            "usdPerMonth": _money(self.usd_per_run * self.runs_per_month),
            "unpriced": list(self.unpriced),
        }


def _money(value: float | None) -> float | None:
    return None if value is None else round(value, 6)


def plan_canary(
    catalog: Catalog,
    model_ids: Sequence[str],
    config: CanaryConfig,
    *,
    chars_per_token: float = 4.0,
    hours_per_month: float = 730.0,
) -> CanaryPlan:
    input_tokens = sum(case.input_chars() for case in catalog) / chars_per_token
    models = tuple(
        ModelPlan(
            model_id=model_id,
            calls=len(catalog),
            input_tokens=input_tokens,
            output_tokens=float(len(catalog) * config.max_tokens),
            price=price_for(model_id, config.prices),
        )
        for model_id in model_ids
    )
    return CanaryPlan(catalog, config, models, chars_per_token, hours_per_month)

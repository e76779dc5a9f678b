"""Bedrock on-demand text-generation prices per model, in one small table, and per-model overrides.

Source: the Amazon Bedrock pricing page (https://aws.amazon.com/bedrock/pricing/), on-demand, us-east-1,
as noted in 2026-11. Prices change and differ by region: check before quoting, and override a model's
price with `canary.prices` (`modelId=INPUT/OUTPUT`, USD per million tokens, pairs separated by commas).
Cross-region inference profiles (`us.`, `eu.`, `global.`, ... before the model id) are billed at the
source region's price of the model they route to ("there's no additional charge for using cross-region
inference"), so a profile id is looked up by the id after its prefix. Used by the canary's cost estimate
(`llm-monitor cost`, `llm-monitor canary run --dry-run`); the other prices live in `shared.limits`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from shared.errors import ConfigurationError
from shared.values import parse_float, parse_pairs

#: The geography prefixes of Bedrock's system-defined cross-region inference profile ids.
INFERENCE_PROFILE_PREFIXES = ("us", "us-gov", "eu", "apac", "ca", "jp", "au", "global")


@dataclass(frozen=True)
class TokenPrice:
    """USD per million input and output tokens."""

    input_per_million: float
    output_per_million: float

    def cost(self, input_tokens: float, output_tokens: float) -> float:
        return (input_tokens * self.input_per_million + output_tokens * self.output_per_million) / 1e6

    def __str__(self) -> str:
        return f"${self.input_per_million:g} / ${self.output_per_million:g} per million input / output tokens"


#: Foundation-model id -> on-demand price (us-east-1).
ON_DEMAND_PRICES: Mapping[str, TokenPrice] = {
    "amazon.nova-micro-v1:0": TokenPrice(0.035, 0.14),
    "amazon.nova-lite-v1:0": TokenPrice(0.06, 0.24),
    "amazon.nova-pro-v1:0": TokenPrice(0.80, 3.20),
    "anthropic.claude-3-haiku-20240307-v1:0": TokenPrice(0.25, 1.25),
    "anthropic.claude-3-5-haiku-20241022-v1:0": TokenPrice(0.80, 4.00),
    "anthropic.claude-3-5-sonnet-20240620-v1:0": TokenPrice(3.00, 15.00),
    "anthropic.claude-3-5-sonnet-20241022-v2:0": TokenPrice(3.00, 15.00),
    "anthropic.claude-3-7-sonnet-20250219-v1:0": TokenPrice(3.00, 15.00),
    "anthropic.claude-sonnet-4-20250514-v1:0": TokenPrice(3.00, 15.00),
    "anthropic.claude-3-opus-20240229-v1:0": TokenPrice(15.00, 75.00),
    "meta.llama3-1-8b-instruct-v1:0": TokenPrice(0.22, 0.22),
    "meta.llama3-1-70b-instruct-v1:0": TokenPrice(0.72, 0.72),
    "meta.llama3-3-70b-instruct-v1:0": TokenPrice(0.72, 0.72),
    "mistral.mistral-large-2407-v1:0": TokenPrice(2.00, 6.00),
}
PRICES_KEY = "canary.prices"


def foundation_model_id(model_id: str) -> str:
    """The model id a system-defined inference profile id routes to (`us.amazon.nova-lite-v1:0` ->
    `amazon.nova-lite-v1:0`); any other id unchanged."""
    prefix, dot, rest = model_id.partition(".")
    if dot and prefix in INFERENCE_PROFILE_PREFIXES and "." in rest:
        return rest
    return model_id


def is_inference_profile(model_id: str) -> bool:
    return foundation_model_id(model_id) != model_id


def price_for(model_id: str, overrides: Mapping[str, TokenPrice] | None = None) -> TokenPrice | None:
    """The price of `model_id` (an override for the id as written wins, then one for the model it routes
    to, then the table); None when nothing is known."""
    overrides = overrides or {}
    base = foundation_model_id(model_id)
    for candidate in (model_id, base):
        if candidate in overrides:
            return overrides[candidate]
    return ON_DEMAND_PRICES.get(base)


def parse_prices(value: object, *, key: str = PRICES_KEY) -> dict[str, TokenPrice]:
    """`modelId=INPUT/OUTPUT,...` (USD per million tokens) or a JSON object of such strings."""
    prices: dict[str, TokenPrice] = {}
    for model_id, pair in parse_pairs(value, key=key).items():
        parts = pair.split("/")
        if len(parts) != 2:
            raise ConfigurationError(
                f"{key}.{model_id}", f"expected INPUT/OUTPUT (USD per million tokens), got {pair!r}"
            )
        prices[model_id] = TokenPrice(
            parse_float(parts[0], key=f"{key}.{model_id}", minimum=0.0),
            parse_float(parts[1], key=f"{key}.{model_id}", minimum=0.0),
        )
    return prices

"""`llm-monitor cost` includes the canary: cases × models × runs a month × tokens, and what it deploys."""

from __future__ import annotations

import pytest

from canary.catalog import load_catalog
from canary.metrics import CANARY_METRICS
from local_runtime.cost import Workload, estimate

WORKLOAD = Workload(1_000_000, 500, 1500)
MODELS = "amazon.nova-lite-v1:0,us.anthropic.claude-3-5-sonnet-20240620-v1:0"


def canary_items(context: dict[str, object]) -> dict[str, dict]:
    result = estimate(WORKLOAD, context, levers=False)
    return {
        i.item: {"service": i.service, "quantity": i.quantity, "usd": i.usd} for i in result.items if "canary" in i.item
    }


def test_no_canary_no_canary_cost() -> None:
    assert canary_items({}) == {}


def test_a_month_of_runs_on_each_model_at_its_price() -> None:
    items = canary_items({"canary.modelIds": MODELS})
    catalog = load_catalog()
    input_tokens = sum(case.input_chars() for case in catalog) / 4
    output_tokens = 200 * len(catalog)
    nova = items[f"canary calls (amazon.nova-lite-v1:0: {len(catalog)} a run)"]
    assert nova["service"] == "Bedrock"
    assert nova["quantity"] == pytest.approx((input_tokens + output_tokens) * 730)
    assert nova["usd"] == pytest.approx((input_tokens * 0.06 + output_tokens * 0.24) / 1e6 * 730)
    sonnet = items[f"canary calls (us.anthropic.claude-3-5-sonnet-20240620-v1:0: {len(catalog)} a run)"]
    assert sonnet["usd"] == pytest.approx((input_tokens * 3 + output_tokens * 15) / 1e6 * 730)
    assert items["canary requests (one per run)"] == {
        "service": "Lambda",
        "quantity": 730,
        "usd": pytest.approx(730 / 1e6 * 0.2),
    }
    series = items["canary custom metrics (2 models)"]
    assert series["service"] == "CloudWatch" and series["quantity"] == len(CANARY_METRICS) * 2
    alarms = items["canary alarms"]
    assert alarms["quantity"] == sum(1 for m in CANARY_METRICS if m.alarm) * 2 and alarms["usd"] == pytest.approx(
        alarms["quantity"] * 0.10
    )
    assert "canary Titan embeddings (responses and references)" in items


def test_the_schedule_prices_and_unknown_models_are_followed() -> None:
    half_hourly = canary_items(
        {
            "canary.modelIds": "amazon.nova-lite-v1:0,acme.new-v1",
            "canary.schedule": "rate(30 minutes)",
            "canary.lambda.timeoutSeconds": "600",
            "canary.prices": "amazon.nova-lite-v1:0=1/1",
        }
    )
    catalog = load_catalog()
    tokens = sum(case.input_chars() for case in catalog) / 4 + 200 * len(catalog)
    nova = half_hourly[f"canary calls (amazon.nova-lite-v1:0: {len(catalog)} a run)"]
    assert nova["usd"] == pytest.approx(tokens / 1e6 * 1460)
    assert half_hourly[f"canary calls (acme.new-v1: {len(catalog)} a run)"]["usd"] == 0
    result = estimate(WORKLOAD, {"canary.modelIds": "acme.new-v1"}, levers=False)
    assert any("no price known for acme.new-v1" in note for note in result.notes)
    assert any(line.startswith("canary (") for line in result.configuration)

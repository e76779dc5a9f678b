"""Checks at synth (issue 10): a region that lacks what the aws backend calls fails the synth with a
sentence naming the region, the capability and the ways out; an unknown region is a warning; a workload
in the context gets the quota table of `llm-monitor cost`, with a warning per quota over 80%."""

from __future__ import annotations

from collections.abc import Mapping

import pytest
from aws_cdk import App, Environment

from infra import bundling
from infra.app import create_app, read_inputs
from infra.preflight import DEFAULT_REGION_ENV, PreflightSettings, check_region, deploy_region, missing_capabilities
from infra.stack import LlmMonitorStack
from local_runtime.cost import Workload, estimate
from shared import limits
from shared.errors import ConfigurationError
from tests.infra.conftest import base_context

# A region with Titan Text Embeddings V2 but without Comprehend toxicity detection, and one with neither.
TITAN_ONLY = sorted(limits.TITAN_EMBED_V2_REGIONS - limits.COMPREHEND_TOXICITY_REGIONS)[0]
NEITHER = "ap-southeast-1"
assert NEITHER not in limits.TITAN_EMBED_V2_REGIONS | limits.COMPREHEND_TOXICITY_REGIONS
BOTH = "us-east-1"
WORKLOAD = {
    "workload.invocationsPerMonth": "1000000",
    "workload.promptChars": "500",
    "workload.completionChars": "1500",
}


def build(overrides: Mapping[str, object] | None = None, *, region: str | None = None) -> LlmMonitorStack:
    env = {DEFAULT_REGION_ENV: region} if region else {}
    return create_app({**base_context(), **(overrides or {})}, env=env).stack


def messages(stack: LlmMonitorStack, level: str) -> list[str]:
    return [str(entry.data) for entry in stack.node.metadata if entry.type == f"aws:cdk:{level}"]


# --- region -----------------------------------------------------------------------------------------------


def test_a_region_without_toxicity_detection_fails_naming_region_capability_and_options() -> None:
    with pytest.raises(ConfigurationError) as caught:
        build(region=TITAN_ONLY)
    message = str(caught.value)
    assert message.startswith(f"region: {TITAN_ONLY} does not offer Amazon Comprehend toxicity detection")
    assert "which sentiment-toxicity needs on backend=aws" in message
    for way_out in (
        "-c backend=embedded",
        "-c monitors.sentiment-toxicity.enabled=false",
        "us-east-1",
        "regionCheck=false",
    ):
        assert way_out in message
    assert "Titan" not in message  # the region has Titan V2


def test_a_region_without_either_names_both_capabilities() -> None:
    with pytest.raises(ConfigurationError) as caught:
        build(region=NEITHER)
    message = str(caught.value)
    assert "Comprehend toxicity detection" in message
    assert "Titan Text Embeddings V2" in message and "which semantic-similarity needs" in message


@pytest.mark.slow
def test_a_region_with_both_builds_without_a_region_warning() -> None:
    stack = build(region=BOTH)
    assert not [m for m in messages(stack, "warning") if "region" in m]


@pytest.mark.parametrize(
    "overrides",
    [
        {"backend": "embedded"},  # nothing is called in the region
        {"monitors.sentiment-toxicity.enabled": "false"},  # the rest needs Titan, which it has
        {"regionCheck": "false"},  # told to skip
    ],
    ids=["embedded backend", "monitor disabled", "check skipped"],
)
def test_each_way_out_lets_the_region_synthesise(overrides: dict[str, str]) -> None:
    inputs = read_inputs({**base_context(), **overrides}, {})
    if overrides.get("regionCheck") != "false":
        assert missing_capabilities(inputs, TITAN_ONLY) == []
    stack = build(overrides, region=TITAN_ONLY)
    assert stack.inputs.monitoring.enabled_monitors()


def test_another_embedding_model_is_not_checked_against_titans_regions() -> None:
    inputs = read_inputs({**base_context(), "embeddings.modelId": "cohere.embed-english-v3"}, {})
    missing = missing_capabilities(inputs, NEITHER)
    assert [capability.need.value for capability, _ in missing] == ["text-analysis"]


@pytest.mark.slow
def test_an_unknown_region_is_a_warning_that_the_check_could_not_run() -> None:
    stack = build()
    assert any("region check could not run" in m for m in messages(stack, "warning"))


def test_the_stacks_own_region_wins_over_the_cli_default() -> None:
    app = App(context=base_context(), post_cli_context=bundling.skip_bundling_context())
    inputs = read_inputs(base_context(), {})
    stack = LlmMonitorStack(
        app, "LlmMonitor", inputs=inputs, stack_name="LlmMonitor", env=Environment(region=TITAN_ONLY)
    )
    assert deploy_region(stack, {DEFAULT_REGION_ENV: BOTH}) == TITAN_ONLY
    with pytest.raises(ConfigurationError, match=f"region: {TITAN_ONLY} does not offer"):
        check_region(stack, inputs, region=deploy_region(stack, {}), enabled=True)


# --- quotas -----------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_without_a_workload_the_quota_table_is_skipped_with_a_note() -> None:
    stack = build(region=BOTH)
    assert any(m.startswith("Quota table skipped: set workload.invocationsPerMonth") for m in messages(stack, "info"))


@pytest.mark.slow
def test_a_workload_gets_the_cost_commands_quota_table() -> None:
    built = create_app({**base_context(), **WORKLOAD}, env={DEFAULT_REGION_ENV: BOTH})
    expected = estimate(Workload(1_000_000, 500, 1_500), {**base_context(), **WORKLOAD}, levers=False).quotas
    assert expected is not None and built.quotas is not None
    assert built.quotas.format_table() == expected.format_table()
    assert not [m for m in messages(built.stack, "warning") if "quota" in m]


@pytest.mark.slow
def test_quotas_over_80_percent_are_warnings_with_what_to_do() -> None:
    big = {**WORKLOAD, "workload.invocationsPerMonth": "50000000", "workload.peakFactor": "3"}
    warnings = [m for m in messages(build(big, region=BOTH), "warning") if "quota" in m]
    titan = limits.QUOTA_TITAN_EMBED_V2_REQUESTS
    assert any(m.startswith(f"Bedrock quota '{titan.name}'") and "Service Quotas" in m for m in warnings)
    many = {**big, "stream.mode": "provisioned", "stream.shards": "1", "workload.invocationsPerMonth": "3000000000"}
    kinesis = [m for m in messages(build(many, region=BOTH), "warning") if m.startswith("Kinesis quota")]
    assert any("stream.enhancedFanOut=true" in m for m in kinesis)


@pytest.mark.parametrize(
    ("overrides", "key"),
    [
        ({"workload.invocationsPerMonth": "1000"}, "workload.promptChars"),
        ({**WORKLOAD, "workload.promptChars": "many"}, "workload.promptChars"),
        ({**WORKLOAD, "workload.peakFactor": "0.5"}, "workload.peakFactor"),
        ({"workload.colour": "blue"}, "workload.colour"),
        ({"regionCheck": "perhaps"}, "regionCheck"),
    ],
)
def test_bad_preflight_keys_fail_naming_the_key(overrides: dict[str, str], key: str) -> None:
    with pytest.raises(ConfigurationError, match=f"^{key}:"):
        PreflightSettings.from_context(overrides)

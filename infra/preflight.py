"""Checks at synth that need the deployment's region or workload: what `cdk deploy` cannot find out itself.

- Region: the AWS capabilities the enabled monitors call on backend=aws (Comprehend toxicity detection
  for text analysis, Titan Text Embeddings V2 for embeddings) are offered in some regions only
  (`shared.limits`). Where the region is known (the stack's `env`, else the region the CDK CLI deploys
  an environment-agnostic stack to, `CDK_DEFAULT_REGION`) and lacks one, the synth fails with a sentence
  naming the region, the capability, the monitors and the ways out; where it is not known, a warning
  says the check could not run. `regionCheck=false` skips it (a region AWS added after the table).
- Quotas: with a workload in the context (`workload.invocationsPerMonth`, `.promptChars`,
  `.completionChars`; optional `.models`, `.peakFactor`), the quota table of `llm-monitor cost` (the same
  workload figures and model, `local_runtime.cost.quotas`) is returned for `app.py` to print after the
  synth (the CDK CLI shows no info annotation once there is a warning), with a warning annotation per
  quota the peak needs more than 80% of. Without one, an info note says how to get it.

`local_runtime.cost` is plain Python (no CDK), so importing it here keeps the local runtime CDK-free.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from aws_cdk import Annotations, Stack, Token

from infra.stack import StackInputs
from local_runtime.cost import Workload, estimate
from local_runtime.cost.quotas import DEFAULT_PEAK_FACTOR, QuotaReport
from monitors.core.spec import Capability
from shared import limits
from shared.backends.settings import AWS
from shared.context import merge_context
from shared.errors import ConfigurationError
from shared.values import parse_bool, parse_float, parse_int, parse_mapping, reject_unknown

REGION_CHECK_KEY = "regionCheck"
WORKLOAD_KEY = "workload"
#: Where the CDK CLI puts the region of the profile it deploys with (environment-agnostic stacks go there).
DEFAULT_REGION_ENV = "CDK_DEFAULT_REGION"
_WORKLOAD_FIGURES = {
    "invocationsPerMonth": "--invocations-per-month",
    "promptChars": "--prompt-chars",
    "completionChars": "--completion-chars",
}


@dataclass(frozen=True)
class RegionalCapability:
    """An AWS capability a monitor need maps to on backend=aws, and the regions offering it."""

    need: Capability
    service: str
    regions: frozenset[str]
    model_id: str | None = None  # only when the configured embedding model is this one


REGIONAL_CAPABILITIES = (
    RegionalCapability(
        Capability.TEXT_ANALYSIS,
        "Amazon Comprehend toxicity detection (DetectToxicContent)",
        limits.COMPREHEND_TOXICITY_REGIONS,
    ),
    RegionalCapability(
        Capability.EMBEDDINGS,
        f"Amazon Titan Text Embeddings V2 ({limits.TITAN_EMBED_MODEL_ID})",
        limits.TITAN_EMBED_V2_REGIONS,
        model_id=limits.TITAN_EMBED_MODEL_ID,
    ),
)


@dataclass(frozen=True)
class PreflightSettings:
    """The context keys of these checks; a bad value raises ConfigurationError naming the key."""

    region_check: bool = True
    workload: Workload | None = None
    peak_factor: float = DEFAULT_PEAK_FACTOR

    @classmethod
    def from_context(cls, context: Mapping[str, object]) -> PreflightSettings:
        ctx = merge_context(context)
        raw = parse_mapping(ctx.get(WORKLOAD_KEY), key=WORKLOAD_KEY)
        reject_unknown(raw, (*_WORKLOAD_FIGURES, "models", "peakFactor"), prefix=WORKLOAD_KEY)
        peak = parse_float(raw.get("peakFactor", DEFAULT_PEAK_FACTOR), key=f"{WORKLOAD_KEY}.peakFactor", minimum=1)
        figures = {k: raw[k] for k in _WORKLOAD_FIGURES if k in raw}
        workload = None
        if figures:
            missing = [f"{WORKLOAD_KEY}.{k}" for k in _WORKLOAD_FIGURES if k not in figures]
            if missing:
                raise ConfigurationError(missing[0], f"set it too: the quota table needs {', '.join(missing)}")
            values = {k: parse_float(v, key=f"{WORKLOAD_KEY}.{k}", minimum=0) for k, v in figures.items()}
            models = parse_int(raw.get("models", 5), key=f"{WORKLOAD_KEY}.models", minimum=1)
            workload = Workload(
                values["invocationsPerMonth"],
                values["promptChars"],
                values["completionChars"],
                models=models,
                source="the workload.* context keys",
            )
        return cls(
            region_check=parse_bool(ctx.get(REGION_CHECK_KEY, True), key=REGION_CHECK_KEY),
            workload=workload,
            peak_factor=peak,
        )


def run_preflight(
    stack: Stack, inputs: StackInputs, context: Mapping[str, object], env: Mapping[str, str]
) -> QuotaReport | None:
    """Both checks on a built stack: raises ConfigurationError for a region without a needed capability,
    annotates the stack with what it found. Returns the quota report when there was a workload."""
    settings = PreflightSettings.from_context(context)
    check_region(stack, inputs, region=deploy_region(stack, env), enabled=settings.region_check)
    return annotate_quotas(stack, inputs, context, settings)


def deploy_region(stack: Stack, env: Mapping[str, str]) -> str | None:
    """The stack's own region when its `env` names one, else the CLI's default region, else None."""
    if not Token.is_unresolved(stack.region):
        return stack.region
    return env.get(DEFAULT_REGION_ENV) or None


def missing_capabilities(inputs: StackInputs, region: str) -> list[tuple[RegionalCapability, list[str]]]:
    """The capabilities `region` lacks that enabled monitors need on backend=aws, with those monitors."""
    monitoring = inputs.monitoring
    if monitoring.backend.kind != AWS:
        return []
    missing = []
    for capability in REGIONAL_CAPABILITIES:
        if capability.model_id is not None and monitoring.backend.embedding_model_id != capability.model_id:
            continue
        needing = [
            name
            for name in monitoring.enabled_monitors()
            if capability.need in inputs.registry[name].needs_for(monitoring.monitors[name].options)
        ]
        if needing and region not in capability.regions:
            missing.append((capability, needing))
    return missing


def check_region(stack: Stack, inputs: StackInputs, *, region: str | None, enabled: bool) -> None:
    notes = Annotations.of(stack)
    if not enabled:
        notes.add_info(f"{REGION_CHECK_KEY}=false: the regions offering Comprehend toxicity and Titan were not checked")
        return
    if inputs.monitoring.backend.kind != AWS:
        return
    if region is None:
        notes.add_warning_v2(
            "llm-monitor:region-unknown",
            "The region check could not run: the stack is environment-agnostic and the CDK CLI named no "
            f"default region ({DEFAULT_REGION_ENV}). Comprehend toxicity detection and Titan Text Embeddings V2 "
            "are offered in some regions only (shared/limits.py); synthesise with a region configured "
            "(AWS_REGION or the profile's) to check it.",
        )
        return
    missing = missing_capabilities(inputs, region)
    if not missing:
        return
    sentences = []
    for capability, monitors in missing:
        names = ", ".join(monitors)
        verb, them = ("needs", "it") if len(monitors) == 1 else ("need", "them")
        disable = " ".join(f"-c monitors.{name}.enabled=false" for name in monitors)
        sentences.append(
            f"{region} does not offer {capability.service}, which {names} {verb} on backend=aws. Deploy with "
            f"-c backend=embedded (the embedded models run inside the Lambdas), disable {them} ({disable}), or "
            f"deploy to a region that offers it: {', '.join(sorted(capability.regions))}."
        )
    raise ConfigurationError(
        "region",
        " ".join(sentences) + f" (If AWS has added {region} since shared/limits.py was written, "
        f"-c {REGION_CHECK_KEY}=false skips this check.)",
    )


def annotate_quotas(
    stack: Stack, inputs: StackInputs, context: Mapping[str, object], settings: PreflightSettings
) -> QuotaReport | None:
    notes = Annotations.of(stack)
    if settings.workload is None:
        notes.add_info(
            "Quota table skipped: set workload.invocationsPerMonth, workload.promptChars and "
            "workload.completionChars (the figures of `llm-monitor cost`) to compare the workload's peak with "
            "the default quotas."
        )
        return None
    report = estimate(
        settings.workload, context, registry=inputs.registry, levers=False, peak_factor=settings.peak_factor
    ).quotas
    if report is None:  # estimate always builds one; kept for the type
        return None
    for need in report.warnings:
        quota = need.quota
        notes.add_warning_v2(
            f"llm-monitor:quota:{quota.service}:{quota.name}",
            f"{quota.service} quota '{quota.name}': this workload needs {_figure(need.need)} {quota.unit} at its "
            f"peak, {need.share:.0%} of the default {_figure(quota.value)}. "
            + (
                "Request an increase in Service Quotas before deploying."
                if quota.adjustable
                else f"It cannot be raised: {REMEDIES.get(quota, 'change the design')}."
            ),
        )
    return report


#: What to do about a quota that cannot be raised.
REMEDIES = {
    limits.QUOTA_KINESIS_SHARD_WRITE_BYTES: "add shards (stream.mode=provisioned, stream.shards)",
    limits.QUOTA_KINESIS_SHARD_WRITE_RECORDS: "add shards (stream.mode=provisioned, stream.shards)",
    limits.QUOTA_KINESIS_ON_DEMAND_WRITE_BYTES: (
        "an on-demand stream scales up with its traffic, but not at once; for a known peak, provision shards"
    ),
    limits.QUOTA_KINESIS_SHARD_SHARED_READ_BYTES: (
        "set stream.enhancedFanOut=true (each monitor reads 2 MB/s per shard of its own) or add shards"
    ),
    limits.QUOTA_KINESIS_SHARD_GET_RECORDS: (
        "set stream.enhancedFanOut=true: enhanced fan-out consumers do not poll with GetRecords"
    ),
    limits.QUOTA_KINESIS_EFO_CONSUMERS: "put fewer monitors on the stream, or turn stream.enhancedFanOut off",
}


def _figure(value: float) -> str:
    return f"{value:,.0f}" if value >= 100 or math.isclose(value, round(value)) else f"{value:,.2f}"

"""The models the example traffic calls: ids, families, operations with their body styles, callers, speed.

A model's family picks its refusal wording and reasoning habits; a body style names the request/response
shape `bodies` writes for it (one Bedrock operation of one provider). The ids cover the three forms a
record's `modelId` takes: a model id, a cross-region inference profile and an application profile ARN.
"""

from __future__ import annotations

from dataclasses import dataclass

from examples.generate.layout import ACCOUNT_ID, REGION

__all__ = [
    "CONVERSE",
    "CONVERSE_STREAM",
    "EMBED_MODEL",
    "INVOKE",
    "MODELS",
    "NO_SYSTEM_STYLES",
    "SPIKE_MODEL",
    "STREAM",
    "ModelSpec",
]

INVOKE = "InvokeModel"
STREAM = "InvokeModelWithResponseStream"
CONVERSE = "Converse"
CONVERSE_STREAM = "ConverseStream"
_US_REGIONS = ("us-east-1", "us-east-2", "us-west-2")

SPIKE_MODEL = "meta.llama3-1-70b-instruct-v1:0"  # the model that refuses half its requests for an hour
EMBED_MODEL = "amazon.titan-embed-text-v2:0"
# Body styles whose format carries no system prompt / no earlier turns.
NO_SYSTEM_STYLES = frozenset({"titan", "titan-stream", "mistral-inst", "mistral-inst-stream"})


@dataclass(frozen=True)
class ModelSpec:
    model_id: str
    family: str  # refusal style and reasoning habits
    share: float  # relative traffic
    operations: tuple[tuple[str, str, float], ...]  # (operation, body style, weight)
    apps: tuple[tuple[str, float], ...]
    ms_per_token: float
    profile_regions: tuple[str, ...] = ()  # a cross-region inference profile logs where the call ran
    toxic_factor: float = 1.0


MODELS: tuple[ModelSpec, ...] = (
    ModelSpec(
        "anthropic.claude-3-5-sonnet-20240620-v1:0",
        "anthropic",
        17,
        ((INVOKE, "anthropic", 55), (STREAM, "anthropic-stream", 45)),
        (("code-assistant", 60), ("docs-search", 25), ("support-bot", 15)),
        14,
        toxic_factor=0.4,
    ),
    ModelSpec(
        "us.anthropic.claude-3-haiku-20240307-v1:0",
        "anthropic",
        14,
        ((CONVERSE, "converse", 60), (CONVERSE_STREAM, "converse", 40)),
        (("support-bot", 70), ("docs-search", 30)),
        6,
        _US_REGIONS,
        toxic_factor=0.4,
    ),
    ModelSpec(
        "amazon.nova-lite-v1:0",
        "nova",
        10,
        ((INVOKE, "nova", 40), (STREAM, "nova-stream", 20), (CONVERSE, "converse", 40)),
        (("support-bot", 40), ("travel-planner", 30), ("docs-search", 30)),
        5,
        toxic_factor=0.7,
    ),
    ModelSpec(
        SPIKE_MODEL,
        "llama",
        16,
        ((INVOKE, "llama", 60), (STREAM, "llama-stream", 40)),
        (("travel-planner", 35), ("support-bot", 30), ("docs-search", 25), ("code-assistant", 10)),
        18,
        toxic_factor=1.3,
    ),
    ModelSpec(
        "mistral.mistral-large-2407-v1:0",
        "mistral",
        7,
        ((INVOKE, "mistral-chat", 70), (STREAM, "mistral-chat-stream", 30)),
        (("code-assistant", 40), ("docs-search", 40), ("travel-planner", 20)),
        16,
    ),
    ModelSpec(
        "mistral.mistral-7b-instruct-v0:2",
        "mistral",
        5,
        ((INVOKE, "mistral-inst", 70), (STREAM, "mistral-inst-stream", 30)),
        (("support-bot", 50), ("docs-search", 50)),
        7,
        toxic_factor=3.0,
    ),
    ModelSpec(
        "amazon.titan-text-express-v1",
        "titan",
        6,
        ((INVOKE, "titan", 70), (STREAM, "titan-stream", 30)),
        (("support-bot", 50), ("docs-search", 50)),
        10,
        toxic_factor=0.8,
    ),
    ModelSpec(
        "cohere.command-r-plus-v1:0",
        "cohere",
        7,
        ((INVOKE, "cohere", 70), (STREAM, "cohere-stream", 30)),
        (("docs-search", 80), ("travel-planner", 20)),
        15,
        toxic_factor=0.8,
    ),
    ModelSpec(
        "us.deepseek.r1-v1:0",
        "deepseek",
        3,
        ((INVOKE, "deepseek", 50), (STREAM, "deepseek-stream", 25), (CONVERSE_STREAM, "converse", 25)),
        (("code-assistant", 70), ("docs-search", 30)),
        25,
        _US_REGIONS,
    ),
    # An application inference profile: the id says nothing about the model (Claude 3.5 Sonnet behind it).
    ModelSpec(
        f"arn:aws:bedrock:{REGION}:{ACCOUNT_ID}:application-inference-profile/7q2m9xk4vtpe",
        "anthropic",
        5,
        ((CONVERSE, "converse", 50), (CONVERSE_STREAM, "converse", 50)),
        (("travel-planner", 100),),
        14,
        toxic_factor=0.4,
    ),
    ModelSpec(
        "openai.gpt-oss-120b-1:0",
        "openai",
        3,
        ((INVOKE, "openai", 70), (STREAM, "openai-stream", 30)),
        (("code-assistant", 60), ("docs-search", 40)),
        8,
    ),
)

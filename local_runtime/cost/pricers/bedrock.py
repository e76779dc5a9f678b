"""Bedrock: Titan Text Embeddings V2 tokens of every text the monitors embed.

Tokens are characters / `chars_per_token` of each text as the monitor sends it (cut to its
`TextUsage.max_chars` and to Titan's own input bounds).
"""

from __future__ import annotations

from local_runtime.cost.deployment import Deployment, sent_chars
from local_runtime.cost.pricers.base import LineItem, Pricer
from local_runtime.cost.workload import Assumptions, Workload
from monitors.core.spec import Capability, TextUsage
from shared import limits


def titan_tokens(use: TextUsage, *, workload: Workload, assumptions: Assumptions) -> float:
    """Input tokens of one embedded text, within Titan's character and token bounds."""
    chars = min(sent_chars(use, workload=workload), limits.TITAN_EMBED_MAX_CHARS)
    return min(chars / assumptions.chars_per_token, limits.TITAN_EMBED_MAX_TOKENS)


class BedrockPricer(Pricer):
    service = "Bedrock"

    def line_items(self, *, workload: Workload, deployment: Deployment, assumptions: Assumptions) -> list[LineItem]:
        if not deployment.models_on_aws:
            return []
        items: list[LineItem] = []
        for monitor in deployment.monitors:
            scored = monitor.scored(workload)
            if Capability.EMBEDDINGS not in monitor.needs or scored <= 0:
                continue
            uses = monitor.sends(Capability.EMBEDDINGS)
            tokens = scored * sum(titan_tokens(u, workload=workload, assumptions=assumptions) for u in uses)
            items.append(
                self.line(
                    f"Titan embeddings ({monitor.name}: {' + '.join(u.field for u in uses)})",
                    quantity=tokens,
                    unit="tokens",
                    usd=tokens / 1000 * limits.PRICE_TITAN_EMBED_PER_1K_TOKENS,
                )
            )
        return items

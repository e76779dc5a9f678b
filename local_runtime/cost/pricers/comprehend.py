"""Comprehend: sentiment and toxicity of every text the monitors send to text analysis.

Each text is cut to what the monitor sends (`TextUsage.max_chars`) and to Comprehend's own bounds (a
sentiment document, ten toxicity segments), then priced in 100-character units with a 3-unit minimum per
text. DetectToxicContent is assumed to be priced like sentiment, per unit and per text.
"""

from __future__ import annotations

import math

from local_runtime.cost.deployment import Deployment, sent_chars
from local_runtime.cost.pricers.base import LineItem, Pricer
from local_runtime.cost.workload import Assumptions, Workload
from monitors.core.spec import Capability
from shared import limits


def sentiment_chars(sent: float) -> float:
    """Characters of a text that reach BatchDetectSentiment (one document of at most 5 KB)."""
    return min(sent, limits.COMPREHEND_SENTIMENT_MAX_DOC_BYTES)


def toxicity_chars(sent: float) -> float:
    """Characters of a text that reach DetectToxicContent (at most ten 1 KB segments)."""
    return min(sent, limits.COMPREHEND_TOXICITY_MAX_SEGMENTS * limits.COMPREHEND_TOXICITY_MAX_SEGMENT_BYTES)


def comprehend_units(chars: float) -> int:
    """Billed units of one text: 100-character units, with a minimum per text."""
    return max(limits.COMPREHEND_MIN_UNITS_PER_DOC, math.ceil(chars / limits.COMPREHEND_UNIT_CHARS))


class ComprehendPricer(Pricer):
    service = "Comprehend"

    def line_items(self, *, workload: Workload, deployment: Deployment, assumptions: Assumptions) -> list[LineItem]:
        if not deployment.models_on_aws:
            return []
        items: list[LineItem] = []
        for monitor in deployment.monitors:
            scored = monitor.scored(workload)
            if scored <= 0:
                continue
            for use in monitor.sends(Capability.TEXT_ANALYSIS):
                sent = sent_chars(use, workload=workload)
                for analysis, chars in (
                    ("sentiment", sentiment_chars(sent)),
                    ("toxicity", toxicity_chars(sent)),
                ):
                    units = comprehend_units(chars)
                    items.append(
                        self.line(
                            f"{analysis} of {use.field}s ({monitor.name}, {units} units each)",
                            quantity=scored * units,
                            unit="units",
                            usd=scored * units * limits.PRICE_COMPREHEND_PER_UNIT,
                        )
                    )
        return items

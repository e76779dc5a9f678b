"""Monthly AWS cost estimate of the deployed pipeline, under the current monitors, sampling and truncation.

Every price comes from `shared.limits` (us-east-1 list prices); every other number the estimate needs
and cannot know is a named field of `Assumptions`, printed with the estimate. The configuration is the
same CDK context the stack reads (cdk.json plus `-c key=value`), so the estimate follows whatever the
stack would deploy: which monitors are on, their sampling rates, which texts go to Comprehend, how much of
each text is sent, batch sizes, alarms.

Layout by role: `workload` (what the estimate is for, and its assumptions), `deployment` (the
configuration as the pricers see it: each enabled monitor's declared needs, text usage and metrics),
`pricers` (one per service), `levers` (each monitor's declared cost levers, tried one at a time),
`report` (the result as a table or JSON) and `estimate` (the entry point).

What is counted, per month:
- Comprehend: sentiment and toxicity of each sampled record's texts (what each monitor's `text_usage`
  sends to text analysis, cut to its `max_chars`), priced in 100-character units with a 3-unit minimum
  per text. Toxicity (DetectToxicContent) is assumed to be priced like sentiment per unit and per text.
- Bedrock Titan Text Embeddings V2: tokens ≈ characters / 4 of the texts each monitor sends to embeddings.
- Lambda (arm64): one dispatcher invocation per log object and one monitor invocation per full batch.
- Step Functions Express: one execution per text-analysis batch holding a sampled record (more when a
  batch's texts exceed one payload), plus duration.
- Kinesis on demand: the stream-hours, data in (each record rounded up to 1 KiB), and data out once per
  monitor (every monitor is a consumer of the whole stream); provisioned: shard-hours and PUT units.
- CloudWatch: custom metrics (metric × dimension set: all models, per ModelId, per ModelId × Application
  when configured; plus the pipeline counters), alarms from `resolve_alarms`, one dashboard, and the log
  bytes of the Embedded Metric Format documents. No PutMetricData calls: metrics are written as EMF logs.
"""

from __future__ import annotations

from local_runtime.cost.estimate import estimate
from local_runtime.cost.levers import Lever
from local_runtime.cost.pricers import SERVICES, LineItem
from local_runtime.cost.report import CostEstimate
from local_runtime.cost.workload import Assumptions, Workload, workload_from_store

__all__ = [
    "SERVICES",
    "Assumptions",
    "CostEstimate",
    "Lever",
    "LineItem",
    "Workload",
    "estimate",
    "workload_from_store",
]

"""The canary (with `canary.modelIds`): its Bedrock calls, its Lambda, its metrics, alarms and logs.

One pricer for one part of the deployment, so its items carry the services they are billed under
(Bedrock, Lambda, CloudWatch) rather than its own: the canary's cost shows up where AWS bills it, each
item named "canary ...". A month of runs on `canary.schedule` (`canary_plan`): every case to every model,
output tokens at `canary.maxTokens` (an upper bound); Titan embeddings of the responses and references of
cases with a reference (backend aws); one Lambda invocation per run; per model one series per canary
metric (dimension ModelId only), the resolved canary alarms, and one EMF document per case and model.
"""

from __future__ import annotations

from local_runtime.cost.canary_plan import EMF_DOCUMENT_BYTES
from local_runtime.cost.deployment import Deployment
from local_runtime.cost.pricers.base import LineItem, Pricer
from local_runtime.cost.workload import BYTES_PER_GB, Assumptions, Workload
from shared import limits
from shared.canary import CANARY_METRIC_NAMES

BEDROCK = "Bedrock"
LAMBDA = "Lambda"
CLOUDWATCH = "CloudWatch"


class CanaryPricer(Pricer):
    service = BEDROCK  # its main charge; each item names the service it is billed under

    def line_items(self, *, workload: Workload, deployment: Deployment, assumptions: Assumptions) -> list[LineItem]:
        plan = deployment.canary
        if plan is None:
            return []
        runs = plan.runs_per_month
        items = [
            LineItem(
                BEDROCK,
                f"canary calls ({model.model_id}: {model.calls} a run)",
                (model.input_tokens + model.output_tokens) * runs,
                "tokens",
                (model.usd_per_run or 0.0) * runs,
            )
            for model in plan.models
        ]
        if deployment.models_on_aws:
            # per model and run: each reference, and each response at most maxTokens long
            referenced = [case for case in plan.catalog if case.reference]
            reference_tokens = sum(len(case.reference or "") for case in referenced) / assumptions.chars_per_token
            response_tokens = len(referenced) * plan.config.max_tokens
            tokens = (reference_tokens + response_tokens) * len(plan.models) * runs
            items.append(
                LineItem(
                    BEDROCK,
                    "canary Titan embeddings (responses and references)",
                    tokens,
                    "tokens",
                    tokens / 1000 * limits.PRICE_TITAN_EMBED_PER_1K_TOKENS,
                )
            )
        gb_seconds = runs * plan.run_seconds() * plan.config.memory_mb / 1024
        items += [
            LineItem(
                LAMBDA,
                "canary requests (one per run)",
                runs,
                "requests",
                runs / 1e6 * limits.PRICE_LAMBDA_PER_MILLION_REQUESTS,
            ),
            LineItem(
                LAMBDA,
                f"canary duration ({plan.config.memory_mb} MB)",
                gb_seconds,
                "GB-s",
                gb_seconds * limits.PRICE_LAMBDA_ARM_PER_GB_SECOND,
            ),
        ]
        series = len(CANARY_METRIC_NAMES) * len(plan.models)
        documents = plan.calls_per_run * runs
        log_gb = (
            documents * (EMF_DOCUMENT_BYTES + limits.LOGS_EVENT_OVERHEAD_BYTES)
            + runs * assumptions.lambda_log_bytes_per_invocation
        ) / BYTES_PER_GB
        items += [
            LineItem(
                CLOUDWATCH,
                f"canary custom metrics ({len(plan.models)} models)",
                series,
                "metrics",
                series * limits.PRICE_CUSTOM_METRIC_PER_MONTH,
            ),
            LineItem(
                CLOUDWATCH,
                "canary alarms",
                deployment.canary_alarms,
                "alarms",
                deployment.canary_alarms * limits.PRICE_ALARM_PER_MONTH,
            ),
            LineItem(CLOUDWATCH, "canary EMF logs", log_gb, "GB", log_gb * limits.PRICE_LOGS_INGEST_PER_GB),
        ]
        return items

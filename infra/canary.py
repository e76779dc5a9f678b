"""The canary: a Lambda that sends the catalog to each canary model on an EventBridge Scheduler schedule.

Created only with `canary.modelIds` (off by default). Least privilege, as for the other functions: its
own role with no managed policy, its own KMS-encrypted log group, and `bedrock:InvokeModel` (what
Converse needs) on exactly the configured models: a foundation-model id's ARN in this region; for a
cross-region inference profile, the profile's ARN in this account and region, and the foundation model it
routes to in the regions Bedrock chooses (`*`), only through that profile (condition
`bedrock:InferenceProfileArn`). With `backend=aws` it may also call the configured Titan embeddings model
(reference similarity). The schedule invokes it asynchronously without retries: a run that failed is
worthless once the next one is due, and `CanaryErrors` (missing data breaching) notices a canary that
stops running.
"""

from __future__ import annotations

from aws_cdk import Aws, Duration
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_scheduler as scheduler
from aws_cdk import aws_scheduler_targets as targets
from constructs import Construct

from canary.config import CanaryConfig
from infra.bundling import ARCHITECTURE, RUNTIME
from infra.config import InfraConfig
from infra.nag import acknowledge
from infra.pipeline import foundation_model_arn, function_log_group, lambda_role
from monitors.core.config import MonitoringConfig
from shared.backends.settings import AWS
from shared.bedrock_prices import foundation_model_id, is_inference_profile

CANARY_HANDLER = "canary.handler.lambda_handler"
#: The schedule's input (the handler does not read it; it says who invoked the function).
SCHEDULE_INPUT = {"source": "llm-monitor-canary-schedule"}
#: Lambda keeps an asynchronous event at most six hours, EventBridge Scheduler a day: a run is late once
#: the next one is due, so both are cut to the time between runs.
MAX_EVENT_AGE_SECONDS = 6 * 3600
MAX_SCHEDULE_EVENT_AGE_SECONDS = 24 * 3600


def inference_profile_arn(profile_id: str) -> str:
    return f"arn:{Aws.PARTITION}:bedrock:{Aws.REGION}:{Aws.ACCOUNT_ID}:inference-profile/{profile_id}"


def routed_model_arn(model_id: str) -> str:
    """A foundation model in any region (a cross-region profile routes to regions Bedrock picks)."""
    return f"arn:{Aws.PARTITION}:bedrock:*::foundation-model/{model_id}"


class CanaryFunction(Construct):
    """Role, log group, function and schedule of the canary."""

    def __init__(
        self,
        scope: Construct,
        construct_id_: str,
        *,
        canary: CanaryConfig,
        monitoring: MonitoringConfig,
        infra: InfraConfig,
        key: kms.IKey,
        code: lambda_.Code,
    ) -> None:
        super().__init__(scope, construct_id_)
        self.role = lambda_role(self, "Role", "LLM Monitor canary: the catalog through Converse on the canary models")
        self.log_group = function_log_group(self, "Logs", key=key, retention_days=infra.log_retention_days)
        settings = canary.lambda_settings(monitoring)
        self.function = lambda_.Function(
            self,
            "Function",
            description="LLM Monitor canary: a fixed prompt catalog to each canary model, scored as metrics",
            runtime=RUNTIME,
            architecture=ARCHITECTURE,
            handler=CANARY_HANDLER,
            code=code,
            memory_size=canary.memory_mb,
            timeout=Duration.seconds(canary.timeout_seconds),
            environment={**settings.to_env(), "POWERTOOLS_SERVICE_NAME": "llm-monitor-canary"},
            role=self.role,
            log_group=self.log_group,
        )
        self.log_group.grant_write(self.role)
        self._grant_models(canary.model_ids)
        if monitoring.backend.kind == AWS:
            self.role.add_to_policy(
                iam.PolicyStatement(
                    sid="TitanEmbeddings",
                    actions=["bedrock:InvokeModel"],
                    resources=[foundation_model_arn(monitoring.backend.embedding_model_id)],
                )
            )
        # A run that failed is not retried: the next one is due soon (the schedule's own retries are off).
        event_age = max(60, canary.schedule.shortest_gap_seconds)
        self.function.configure_async_invoke(
            retry_attempts=0, max_event_age=Duration.seconds(min(MAX_EVENT_AGE_SECONDS, event_age))
        )
        # The schedule's own role may invoke this function and nothing else. (The target's default role
        # would also be granted every version and alias, `<function ARN>:*`, which the schedule never calls.)
        self.schedule_role = iam.Role(
            self,
            "ScheduleRole",
            assumed_by=iam.ServicePrincipal(
                "scheduler.amazonaws.com", conditions={"StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID}}
            ),
            description="LLM Monitor canary schedule: invokes the canary function",
        )
        self.schedule_role.add_to_policy(
            iam.PolicyStatement(
                sid="InvokeCanary", actions=["lambda:InvokeFunction"], resources=[self.function.function_arn]
            )
        )
        self.schedule = scheduler.Schedule(
            self,
            "Schedule",
            schedule=scheduler.ScheduleExpression.expression(canary.schedule.expression),
            target=targets.LambdaInvoke(
                self.function,
                input=scheduler.ScheduleTargetInput.from_object(SCHEDULE_INPUT),
                retry_attempts=0,
                max_event_age=Duration.seconds(min(MAX_SCHEDULE_EVENT_AGE_SECONDS, event_age)),
                role=self.schedule_role.without_policy_updates(),
            ),
            description=f"LLM Monitor canary ({canary.schedule.expression})",
        )

    def _grant_models(self, model_ids: tuple[str, ...]) -> None:
        direct = [m for m in model_ids if not is_inference_profile(m)]
        profiles = [m for m in model_ids if is_inference_profile(m)]
        if direct:
            self.role.add_to_policy(
                iam.PolicyStatement(
                    sid="ConverseOnCanaryModels",
                    actions=["bedrock:InvokeModel"],
                    resources=[foundation_model_arn(m) for m in direct],
                )
            )
        if not profiles:
            return
        profile_arns = [inference_profile_arn(p) for p in profiles]
        routed = sorted({foundation_model_id(p) for p in profiles})
        self.role.add_to_policy(
            iam.PolicyStatement(
                sid="ConverseOnCanaryInferenceProfiles", actions=["bedrock:InvokeModel"], resources=profile_arns
            )
        )
        self.role.add_to_policy(
            iam.PolicyStatement(
                sid="RoutedByCanaryInferenceProfiles",
                actions=["bedrock:InvokeModel"],
                resources=[routed_model_arn(m) for m in routed],
                conditions={"StringEquals": {"bedrock:InferenceProfileArn": profile_arns}},
            )
        )
        acknowledge(
            self.role,
            "IAM5",
            "A cross-region inference profile routes each call to its foundation model in a region Bedrock "
            "chooses, so the model is granted in every region, for InvokeModel only, and only through the "
            "configured profiles (condition bedrock:InferenceProfileArn).",
            findings=tuple(f"Resource::arn:<AWS::Partition>:bedrock:*::foundation-model/{m}" for m in routed),
        )

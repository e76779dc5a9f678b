"""The whole pipeline in one stack, generated from configuration and the monitor registry.

Build order (each part validated before anything is created, so a bad setting fails the synth with its
key's name): configuration -> key -> bucket (+ invocation logging) -> ingest (table, stream, dispatcher)
-> workflow (only when an enabled monitor needs text analysis on the aws backend) -> one Lambda per
enabled monitor -> the canary (only with `canary.modelIds`) -> alarms, topic, dashboard, queries ->
outputs.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from aws_cdk import Annotations, CfnOutput, Duration, RemovalPolicy, Stack, Token
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from constructs import Construct

from canary.config import CanaryConfig
from dispatcher.settings import DispatcherSettings
from infra import bundling
from infra.canary import CanaryFunction
from infra.config import InfraConfig
from infra.nag import acknowledge
from infra.naming import dashboard_url
from infra.observability import Observability
from infra.pipeline import Ingest, MonitorFunctions, retention
from infra.storage import InvocationLogBucket, InvocationLogging
from infra.workflow import TextAnalysisWorkflow
from monitors.core.alarms import AlarmDefinition
from monitors.core.config import MonitoringConfig
from monitors.core.registry import MonitorRegistry
from monitors.core.spec import Capability
from shared.backends.settings import AWS, EMBEDDED
from shared.context import STACK_NAME_KEY
from shared.errors import ConfigurationError


@dataclass(frozen=True)
class StackInputs:
    """Everything the stack is generated from, validated."""

    monitoring: MonitoringConfig
    infra: InfraConfig
    registry: MonitorRegistry
    alarms: tuple[AlarmDefinition, ...]
    canary: CanaryConfig = field(default_factory=CanaryConfig)
    canary_alarms: tuple[AlarmDefinition, ...] = ()  # `canary.alarms.resolve_canary_alarms`

    def needs(self) -> frozenset[Capability]:
        out: set[Capability] = set()
        for name in self.monitoring.enabled_monitors():
            out |= self.registry[name].needs_for(self.monitoring.monitors[name].options)
        return frozenset(out)

    @property
    def workflow_needed(self) -> bool:
        return self.monitoring.backend.kind == AWS and Capability.TEXT_ANALYSIS in self.needs()


NO_ALARM_EMAIL_WARNING = "llm-monitor:noAlarmEmail"
NO_ALARM_EMAIL_MESSAGE = (
    "alarmEmail is not set: every alarm notifies the SNS topic in the AlarmTopicArn output, but nothing is "
    "subscribed to it, so nobody is notified when an alarm fires. Deploy with -c alarmEmail=you@example.com "
    "(and confirm the e-mail AWS sends), or subscribe your own endpoint to the topic."
)


class LlmMonitorStack(Stack):
    def __init__(self, scope: Construct, construct_id: str, *, inputs: StackInputs, **kwargs: object) -> None:
        super().__init__(
            scope,
            construct_id,
            description=("LLM Monitor: Bedrock invocation logs to quality and safety metrics, alarms and dashboard"),
            **kwargs,  # type: ignore[arg-type]  # Stack's own options, passed through (jsii has no TypedDict of them)
        )
        monitoring, infra, registry = inputs.monitoring, inputs.infra, inputs.registry
        self.inputs = inputs
        check_stack_scope(self)

        self.key = kms.Key(
            self,
            "Key",
            description="LLM Monitor: record stream, alarm topic and log groups",
            enable_key_rotation=True,
            removal_policy=RemovalPolicy.DESTROY,
            pending_window=Duration.days(7),
        )
        log_groups = f"arn:{self.partition}:logs:{self.region}:{self.account}:*"
        self.key.add_to_resource_policy(
            iam.PolicyStatement(
                sid="CloudWatchLogsEncryption",
                principals=[iam.ServicePrincipal(f"logs.{self.region}.amazonaws.com")],
                actions=[
                    "kms:Encrypt*",
                    "kms:Decrypt*",
                    "kms:ReEncrypt*",
                    "kms:GenerateDataKey*",
                    "kms:Describe*",
                ],
                resources=["*"],  # in a key policy, "*" is this key
                conditions={"ArnLike": {"kms:EncryptionContext:aws:logs:arn": log_groups}},
            )
        )

        self.log_bucket = InvocationLogBucket(self, "InvocationLogs", settings=infra.log_bucket)
        bucket = self.log_bucket.bucket
        if infra.invocation_logging.enabled:
            policy = getattr(bucket, "policy", None)
            self.invocation_logging = InvocationLogging(
                self,
                "InvocationLogging",
                bucket=bucket,
                key_prefix=infra.log_bucket.key_prefix,
                settings=infra.invocation_logging,
                key=self.key,
                log_retention_days=infra.log_retention_days,
                depends_on=policy,
            )

        dispatcher_code = bundling.lambda_code(bundling.dispatcher_asset())
        monitor_code = bundling.lambda_code(
            bundling.monitor_asset(
                embedded_backend=monitoring.backend.kind == EMBEDDED, monitor_modules=monitoring.monitor_modules
            )
        )
        self.ingest = Ingest(
            self,
            "Ingest",
            bucket=bucket,
            key=self.key,
            code=dispatcher_code,
            infra=infra,
            monitoring=monitoring,
        )
        # `canary.excludeFromMonitors`: the dispatcher leaves canary requests off the stream (counted skips).
        self.ingest.function.add_environment(
            DispatcherSettings.EXCLUDE_CANARY_ENV, "true" if monitoring.exclude_canary else "false"
        )

        self.workflow: TextAnalysisWorkflow | None = None
        if inputs.workflow_needed:
            self.workflow = TextAnalysisWorkflow(
                self,
                "TextAnalysis",
                key=self.key,
                map_concurrency=infra.workflow_map_concurrency,
                log_retention=retention(infra.log_retention_days),
                log_group_name=f"/aws/vendedlogs/states/{infra.stack_name}-text-analysis",
            )
            self._acknowledge_workflow(self.workflow)

        self.monitors = MonitorFunctions(
            self,
            "Monitors",
            registry=registry,
            monitoring=monitoring,
            infra=infra,
            stream=self.ingest.stream,
            key=self.key,
            code=monitor_code,
            workflow=self.workflow,
        )
        self.canary: CanaryFunction | None = None
        if inputs.canary.enabled:
            canary_code = bundling.lambda_code(
                bundling.canary_asset(
                    embedded_backend=monitoring.backend.kind == EMBEDDED, catalog=inputs.canary.catalog_path
                )
            )
            self.canary = CanaryFunction(
                self, "Canary", canary=inputs.canary, monitoring=monitoring, infra=infra, key=self.key, code=canary_code
            )
        self.observability = Observability(
            self,
            "Observability",
            registry=registry,
            monitoring=monitoring,
            infra=infra,
            definitions=inputs.alarms,
            key=self.key,
            ingest=self.ingest,
            monitor_functions=self.monitors.functions,
            workflow=self.workflow,
            canary=self.canary,
            canary_definitions=inputs.canary_alarms,
        )
        self._acknowledge_cdk_singletons()
        if infra.alarm_email is None:
            Annotations.of(self).add_warning_v2(NO_ALARM_EMAIL_WARNING, NO_ALARM_EMAIL_MESSAGE)

        CfnOutput(self, "BucketName", value=bucket.bucket_name, description="Invocation-log bucket")
        CfnOutput(self, "StreamName", value=self.ingest.stream.stream_name, description="Normalised record stream")
        CfnOutput(
            self,
            "DashboardUrl",
            value=dashboard_url(self.observability.dashboard_name),
            description="CloudWatch dashboard",
        )
        CfnOutput(
            self,
            "AlarmTopicArn",
            value=self.observability.alarm_topic.topic.topic_arn,
            description="SNS topic of every alarm (ALARM and OK)",
        )

    def _acknowledge_workflow(self, workflow: TextAnalysisWorkflow) -> None:
        acknowledge(
            workflow.state_machine,
            "IAM5",
            "Resource '*' only for APIs without resource-level permissions: Comprehend BatchDetectSentiment "
            "and DetectToxicContent (built-in models), X-Ray "
            "PutTraceSegments/PutTelemetryRecords/GetSampling*, and the CloudWatch Logs delivery APIs "
            "(CreateLogDelivery, ...) Step Functions uses for its log group.",
            findings=("Resource::*",),
        )
        acknowledge(
            workflow.state_machine,
            "SF1",
            "Logging is at ERROR level without execution data on purpose: inputs and outputs are prompts "
            "and completions, which this project never writes to logs; ALL-level logging would copy them "
            "(and cost more). Failures are logged, alarmed (ExecutionsFailed/TimedOut) and returned to the "
            "caller.",
        )

    def _acknowledge_cdk_singletons(self) -> None:
        """Findings on the Lambda function CDK itself adds for the S3 notification: CDK builds its role and
        runtime, this stack cannot change them narrowly."""
        for child in self.node.children:
            cid = child.node.id
            if cid.startswith("BucketNotificationsHandler"):
                acknowledge(
                    child,
                    "IAM4",
                    "CDK's BucketNotificationsHandler (configures the S3 notification at deploy time) uses "
                    "the AWS managed AWSLambdaBasicExecutionRole, which grants only CloudWatch Logs writes.",
                    findings=("Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",),
                )


def check_stack_scope(stack: LlmMonitorStack) -> None:
    """Fail the synth when this stack's names would not be its own.

    Alarm names carry the stack's name (`stackName`), so the stack must be deployed under that name. And
    two LLM Monitor stacks of one app that write one namespace in one account and region would each alarm
    on the other's metrics (their alarm names no longer collide, their data does): the second one fails
    with both names. Stacks whose account and region are both known and differ may share a namespace;
    an environment-agnostic stack deploys wherever the CLI points, so it is assumed to share one.
    """
    configured = stack.inputs.monitoring.stack_name
    if stack.stack_name != configured:
        raise ConfigurationError(
            STACK_NAME_KEY,
            f"the stack is named {stack.stack_name!r} but the configuration says {configured!r}; alarm names "
            "(and the local runtime's) are scoped by the configured name, so deploy it under that name",
        )
    namespace = stack.inputs.monitoring.namespace
    for other in stack.node.root.node.find_all():
        if other is stack or not isinstance(other, LlmMonitorStack):
            continue
        if other.inputs.monitoring.namespace == namespace and _may_share_environment(stack, other):
            raise ConfigurationError(
                "namespace",
                f"{namespace!r} is already the namespace of stack {other.stack_name!r} in this app; stack "
                f"{stack.stack_name!r} would alarm on its metrics and it on this one's. Give each stack its "
                "own namespace (-c namespace=...) or deploy them to different accounts or regions.",
            )


def _may_share_environment(a: Stack, b: Stack) -> bool:
    """False only when both stacks name their account and region and the two differ."""
    for x, y in ((a.account, b.account), (a.region, b.region)):
        if not Token.is_unresolved(x) and not Token.is_unresolved(y) and x != y:
            return False
    return True

"""The data path: S3 notification -> dispatcher Lambda -> Kinesis -> one Lambda per enabled monitor.

Every monitor Lambda is generated from its declaration in the registry (loop, no per-monitor code): its
code asset (shared by all monitors), environment (`MonitoringConfig.monitor_env`), sizing and event
source settings (`LambdaSpec` after configuration), IAM from its needs under its options
(`Monitor.needs_for`) and the backend, plus any extra `Permission`s it declares.

Least privilege, written as explicit statements rather than broad `grant_*` helpers where those would
add wildcard actions: the dispatcher may read objects only where Bedrock writes
(`[<keyPrefix>/]AWSLogs/<account>/BedrockModelInvocationLogs/`), list that prefix and nothing else (so S3
answers a missing offloaded body with 404, not 403), decrypt with an existing bucket's KMS key through S3
only, PutRecords on the stream
(encrypted with the AWS managed aws/kinesis key, which needs no grant), and Get/Put/Update/Delete items
of its table; a monitor may
InvokeModel on the configured Titan model's foundation-model ARN only and StartSyncExecution on the
workflow only. Each Lambda has its own role and its own KMS-encrypted log group it may write to.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypedDict

from aws_cdk import Aws, Duration, RemovalPolicy, Stack
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kinesis as kinesis
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_destinations as destinations
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_notifications as s3n
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from dispatcher.settings import ASYNC_RETRY_ATTEMPTS
from infra.bundling import ARCHITECTURE, RUNTIME
from infra.config import LOG_RETENTION_DAYS, InfraConfig
from infra.nag import acknowledge, arn_finding
from infra.naming import construct_id
from infra.workflow import TextAnalysisWorkflow
from monitors.core.config import MonitoringConfig
from monitors.core.registry import MonitorRegistry
from monitors.core.spec import Capability, LambdaSpec, Permission
from shared.backends.settings import AWS, BackendSettings
from shared.sources import bedrock_log_prefix

LOG_SUFFIX = ".json.gz"
DISPATCHER_HANDLER = "dispatcher.handler.lambda_handler"
MONITOR_HANDLER = "monitors.aws.handler.lambda_handler"
#: Failed records and events wait this long in their on-failure queue (SQS maximum).
FAILURE_RETENTION = Duration.days(14)


def failure_queue(scope: Construct, construct_id_: str) -> sqs.Queue:
    """An on-failure destination: SSE-SQS encrypted (no key grants needed by senders), TLS only."""
    queue = sqs.Queue(
        scope,
        construct_id_,
        encryption=sqs.QueueEncryption.SQS_MANAGED,
        enforce_ssl=True,
        retention_period=FAILURE_RETENTION,
    )
    acknowledge(
        queue,
        "SQS3",
        "This queue is itself the dead-letter (on-failure) destination of a Lambda; it is read by operators "
        "and alarmed on its depth, so it needs no dead-letter queue of its own.",
    )
    return queue


def lambda_role(scope: Construct, construct_id_: str, description: str) -> iam.Role:
    """A role with no managed policy: each function gets only the statements added to it."""
    return iam.Role(
        scope, construct_id_, assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"), description=description
    )


def function_log_group(scope: Construct, construct_id_: str, *, key: kms.IKey, retention_days: int) -> logs.LogGroup:
    return logs.LogGroup(
        scope,
        construct_id_,
        encryption_key=key,
        retention=retention(retention_days),
        removal_policy=RemovalPolicy.DESTROY,
    )


def retention(days: int) -> logs.RetentionDays:
    """The RetentionDays member for a number of days CloudWatch Logs accepts (validated in InfraConfig)."""
    members = [m for m in logs.RetentionDays if m is not logs.RetentionDays.INFINITE]
    return dict(zip(LOG_RETENTION_DAYS, members, strict=True))[days]


class Ingest(Construct):
    """Idempotency table, Kinesis stream, dispatcher Lambda, its async on-failure queue and the S3
    notification for new log objects (Bedrock's own prefix only, after the bucket's key prefix)."""

    def __init__(
        self,
        scope: Construct,
        construct_id_: str,
        *,
        bucket: s3.IBucket,
        key: kms.IKey,
        code: lambda_.Code,
        infra: InfraConfig,
        monitoring: MonitoringConfig,
    ) -> None:
        super().__init__(scope, construct_id_)
        self.table = dynamodb.Table(
            self,
            "IdempotencyTable",
            partition_key=dynamodb.Attribute(name="id", type=dynamodb.AttributeType.STRING),
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            time_to_live_attribute="expiration",
            encryption=dynamodb.TableEncryption.AWS_MANAGED,
            removal_policy=RemovalPolicy.DESTROY,
        )
        acknowledge(
            self.table,
            "DDB3",
            "The table holds only Powertools idempotency records and dispatcher checkpoints that expire by "
            "TTL within a day; losing it means at worst re-publishing a log object, which every consumer "
            "tolerates (at-least-once delivery), so point-in-time recovery would back up nothing of value.",
        )
        stream_settings = infra.stream
        self.stream = kinesis.Stream(
            self,
            "Stream",
            stream_mode=kinesis.StreamMode.ON_DEMAND if stream_settings.on_demand else kinesis.StreamMode.PROVISIONED,
            shard_count=None if stream_settings.on_demand else stream_settings.shards,
            retention_period=Duration.hours(stream_settings.retention_hours),
            # KMS with the AWS managed aws/kinesis key: encrypted at rest at no per-call KMS cost and with no
            # key grants for producers and consumers (cdk-nag KDS3 warns against a customer key here).
            encryption=kinesis.StreamEncryption.MANAGED,
            removal_policy=RemovalPolicy.DESTROY,
        )

        self.failures = failure_queue(self, "DispatcherFailures")
        self.role = lambda_role(self, "DispatcherRole", "LLM Monitor dispatcher: S3 log objects to Kinesis")
        self.log_group = function_log_group(self, "DispatcherLogs", key=key, retention_days=infra.log_retention_days)
        key_prefix = infra.log_bucket.key_prefix
        settings = infra.dispatcher.settings(
            stream=self.stream.stream_name,
            table=self.table.table_name,
            namespace=monitoring.namespace,
            log_key_prefix=key_prefix,
        )
        self.function = lambda_.Function(
            self,
            "Dispatcher",
            description=("LLM Monitor dispatcher: Bedrock invocation logs (S3) to normalised records (Kinesis)"),
            runtime=RUNTIME,
            architecture=ARCHITECTURE,
            handler=DISPATCHER_HANDLER,
            code=code,
            memory_size=infra.dispatcher.memory_mb,
            timeout=Duration.seconds(infra.dispatcher.timeout_seconds),
            environment={**settings.to_env(), "POWERTOOLS_SERVICE_NAME": "llm-monitor-dispatcher"},
            role=self.role,
            log_group=self.log_group,
        )
        self.log_group.grant_write(self.role)
        #: Where Bedrock writes its log files and offloaded bodies: the only keys read or announced.
        self.log_prefix = bedrock_log_prefix(Aws.ACCOUNT_ID, key_prefix)
        objects = bucket.arn_for_objects(f"{self.log_prefix}*")
        self.role.add_to_policy(
            iam.PolicyStatement(
                sid="ReadInvocationLogsAndOffloadedBodies", actions=["s3:GetObject"], resources=[objects]
            )
        )
        # Without s3:ListBucket S3 answers a missing key with 403 AccessDenied, not 404: an offloaded body
        # that has not landed yet would read as a permission problem. Listing is limited to the log prefix.
        self.role.add_to_policy(
            iam.PolicyStatement(
                sid="ListLogPrefixSoMissingKeysAre404",
                actions=["s3:ListBucket"],
                resources=[bucket.bucket_arn],
                conditions={"StringLike": {"s3:prefix": [f"{self.log_prefix}*"]}},
            )
        )
        if infra.log_bucket.kms_key_arn:
            self.role.add_to_policy(
                iam.PolicyStatement(
                    sid="DecryptSseKmsLogObjects",
                    actions=["kms:Decrypt"],
                    resources=[infra.log_bucket.kms_key_arn],
                    conditions={"StringEquals": {"kms:ViaService": f"s3.{Aws.REGION}.amazonaws.com"}},
                )
            )
        self.role.add_to_policy(
            iam.PolicyStatement(
                sid="PublishRecords", actions=["kinesis:PutRecords"], resources=[self.stream.stream_arn]
            )
        )
        self.role.add_to_policy(
            iam.PolicyStatement(
                sid="IdempotencyAndCheckpoints",
                actions=[
                    "dynamodb:GetItem",
                    "dynamodb:PutItem",
                    "dynamodb:UpdateItem",
                    "dynamodb:DeleteItem",
                ],
                resources=[self.table.table_arn],
            )
        )
        stack = Stack.of(self)
        nag_prefix = bedrock_log_prefix("<AWS::AccountId>", key_prefix)  # the account as cdk-nag writes it
        bucket_finding = (
            arn_finding(stack, bucket, f"/{nag_prefix}*")
            if isinstance(bucket, s3.Bucket)
            else f"Resource::arn:<AWS::Partition>:s3:::{bucket.bucket_name}/{nag_prefix}*"
        )
        acknowledge(
            self.role,
            "IAM5",
            "Log object keys are only known when S3 announces them, so s3:GetObject is granted on the "
            "prefix where Bedrock writes both the log files and the offloaded data/ bodies "
            "([keyPrefix/]AWSLogs/<account>/BedrockModelInvocationLogs/), and nothing else.",
            findings=(bucket_finding,),
        )
        self.function.configure_async_invoke(
            on_failure=destinations.SqsDestination(self.failures),
            retry_attempts=ASYNC_RETRY_ATTEMPTS,
            max_event_age=Duration.hours(6),
        )
        # Only Bedrock's own prefix: CloudTrail and other AWS logs in a shared bucket sit beside it under
        # AWSLogs/<account>/ and never reach the dispatcher. Log files and offloaded bodies both end in
        # .json.gz and S3 filters cannot exclude the data/ bodies, so the dispatcher ignores them
        # (shared.sources.is_log_key).
        bucket.add_event_notification(
            s3.EventType.OBJECT_CREATED,
            s3n.LambdaDestination(self.function),
            s3.NotificationKeyFilter(prefix=self.log_prefix, suffix=LOG_SUFFIX),
        )


@dataclass(frozen=True)
class MonitorFunction:
    name: str
    function: lambda_.Function
    role: iam.Role
    log_group: logs.LogGroup
    failures: sqs.Queue
    lambda_spec: LambdaSpec
    needs: frozenset[Capability]


class MonitorFunctions(Construct):
    """One Lambda, role, log group, Kinesis event source and on-failure queue per enabled monitor."""

    def __init__(
        self,
        scope: Construct,
        construct_id_: str,
        *,
        registry: MonitorRegistry,
        monitoring: MonitoringConfig,
        infra: InfraConfig,
        stream: kinesis.IStream,
        key: kms.IKey,
        code: lambda_.Code,
        workflow: TextAnalysisWorkflow | None,
    ) -> None:
        super().__init__(scope, construct_id_)
        self.functions: dict[str, MonitorFunction] = {}
        backend = monitoring.backend
        for name in monitoring.enabled_monitors():
            cls = registry[name]
            spec = cls.spec()
            settings = monitoring.monitors[name]
            needs = cls.needs_for(settings.options)
            sizing = settings.lambda_spec
            base = construct_id(name)
            scope_ = Construct(self, base)
            env = monitoring.monitor_env(name)
            env["POWERTOOLS_SERVICE_NAME"] = f"llm-monitor-{name}"
            if Capability.TEXT_ANALYSIS in needs and backend.kind == AWS:
                if workflow is None:  # the stack creates it whenever a monitor needs it
                    raise RuntimeError(f"monitor {name!r} needs the text-analysis workflow")
                env[BackendSettings.WORKFLOW_ENV] = workflow.state_machine.state_machine_arn
            role = lambda_role(scope_, "Role", f"LLM Monitor monitor {name}")
            log_group = function_log_group(scope_, "Logs", key=key, retention_days=infra.log_retention_days)
            function = lambda_.Function(
                scope_,
                "Function",
                description=f"LLM Monitor: {spec.description}"[:256],
                runtime=RUNTIME,
                architecture=ARCHITECTURE,
                handler=MONITOR_HANDLER,
                code=code,
                memory_size=sizing.memory_mb,
                timeout=Duration.seconds(sizing.timeout_seconds),
                environment=env,
                role=role,
                log_group=log_group,
            )
            log_group.grant_write(role)
            self._grant_needs(role, needs, backend, workflow)
            self._grant_declared(role, spec.permissions, name)
            failures = failure_queue(scope_, "Failures")
            function.add_event_source(
                monitor_event_source(
                    scope_,
                    name=name,
                    stream=stream,
                    enhanced_fan_out=infra.stream.enhanced_fan_out,
                    sizing=sizing,
                    failures=failures,
                )
            )
            self.functions[name] = MonitorFunction(name, function, role, log_group, failures, sizing, needs)

    @staticmethod
    def _grant_needs(
        role: iam.Role,
        needs: frozenset[Capability],
        backend: BackendSettings,
        workflow: TextAnalysisWorkflow | None,
    ) -> None:
        if backend.kind != AWS:
            return  # the embedded models run inside the function
        if Capability.EMBEDDINGS in needs:
            role.add_to_policy(
                iam.PolicyStatement(
                    sid="TitanEmbeddings",
                    actions=["bedrock:InvokeModel"],
                    resources=[foundation_model_arn(backend.embedding_model_id)],
                )
            )
        if Capability.TEXT_ANALYSIS in needs and workflow is not None:
            workflow.state_machine.grant_start_sync_execution(role)

    @staticmethod
    def _grant_declared(role: iam.Role, permissions: tuple[Permission, ...], name: str) -> None:
        for index, permission in enumerate(permissions):
            role.add_to_policy(
                iam.PolicyStatement(
                    sid=f"Declared{index}",
                    actions=list(permission.actions),
                    resources=list(permission.resources),
                )
            )
            wildcard = [r for r in permission.resources if "*" in r]
            if wildcard:
                acknowledge(
                    role,
                    "IAM5",
                    f"Declared by monitor {name!r}: {permission.reason}",
                    findings=tuple(f"Resource::{r}" for r in wildcard),
                )
            wild_actions = [a for a in permission.actions if "*" in a]
            if wild_actions:
                acknowledge(
                    role,
                    "IAM5",
                    f"Declared by monitor {name!r}: {permission.reason}",
                    findings=tuple(f"Action::{a}" for a in wild_actions),
                )


def foundation_model_arn(model_id: str) -> str:
    return f"arn:{Aws.PARTITION}:bedrock:{Aws.REGION}::foundation-model/{model_id}"


class EventSourceSettings(TypedDict):
    """The KinesisEventSource keyword arguments a monitor's Lambda settings decide."""

    batch_size: int
    max_batching_window: Duration
    parallelization_factor: int
    retry_attempts: int | None
    max_record_age: Duration | None


def monitor_event_source(
    scope: Construct,
    *,
    name: str,
    stream: kinesis.IStream,
    enhanced_fan_out: bool,
    sizing: LambdaSpec,
    failures: sqs.IQueue,
) -> lambda_.IEventSource:
    """A monitor's Kinesis event source: bisect on error, partial batch responses, failed batches to
    `failures`. By default a shared-throughput consumer (every monitor shares each shard's 2 MB/s of
    reads and 5 GetRecords calls a second); with `stream.enhancedFanOut` its own enhanced fan-out consumer
    (`StreamConsumer` named after the monitor), with a dedicated 2 MB/s per shard pushed over HTTP/2."""
    on_failure = sources.SqsDlq(failures)
    start = lambda_.StartingPosition.TRIM_HORIZON
    if not enhanced_fan_out:
        return sources.KinesisEventSource(
            stream,
            starting_position=start,
            **event_source_settings(sizing),
            bisect_batch_on_error=True,
            report_batch_item_failures=True,
            on_failure=on_failure,
        )
    consumer = kinesis.StreamConsumer(scope, "Consumer", stream=stream, stream_consumer_name=name)
    return sources.KinesisConsumerEventSource(
        consumer,
        starting_position=start,
        **event_source_settings(sizing),
        bisect_batch_on_error=True,
        report_batch_item_failures=True,
        on_failure=on_failure,
    )


def event_source_settings(sizing: LambdaSpec) -> EventSourceSettings:
    """KinesisEventSource keyword arguments from a monitor's Lambda settings (-1 means no limit).

    The bounds were checked when the configuration was read (`LambdaSpec.with_overrides`), the same
    check every `llm-monitor` command makes."""
    age = sizing.maximum_record_age_seconds
    return {
        "batch_size": sizing.batch_size,
        "max_batching_window": Duration.seconds(sizing.batching_window_seconds),
        "parallelization_factor": sizing.parallelization_factor,
        "retry_attempts": None if sizing.maximum_retry_attempts == -1 else sizing.maximum_retry_attempts,
        "max_record_age": None if age == -1 else Duration.seconds(age),
    }

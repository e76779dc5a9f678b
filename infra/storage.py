"""The invocation-log bucket (or an existing one) and the guarded switch that points Bedrock's logging at it.

Secure defaults for a new bucket: SSE-S3 encryption (Bedrock delivers to SSE-S3 buckets without extra key
policy; SSE-KMS would need the key to trust bedrock.amazonaws.com), all public access blocked, TLS
required, bucket-owner-enforced ownership (no ACLs), versioning, lifecycle expiry of current and old
versions and of incomplete uploads, and server access logs into a second bucket. The bucket policy lets
Bedrock write only under `AWSLogs/<account>/BedrockModelInvocationLogs/`, only for this account's
Bedrock in this region (`aws:SourceAccount`, `aws:SourceArn`), as the Bedrock user guide prescribes.

An existing bucket (`logBucket.existingBucketName`) is imported as it is: CloudFormation cannot change
its policy, encryption or lifecycle, so the README lists what it needs. Its Bedrock logs may sit under a
key prefix (`logBucket.keyPrefix`, Bedrock's `s3Config.keyPrefix`) and it may be SSE-KMS encrypted
(`logBucket.kmsKeyArn`); `log_prefix` is where Bedrock writes in either bucket, and the only part of it
the stack reads or is notified about.

The switch (`invocationLogging`) is a Lambda-backed custom resource (`invocation_logging`, its own code
asset) behind the CDK Provider framework: Bedrock's logging configuration is one per account and region,
so it refuses to replace a configuration that delivers elsewhere unless told to, and restores what was
there when the stack is deleted.
"""

from __future__ import annotations

from aws_cdk import Aws, CustomResource, Duration, RemovalPolicy, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3
from aws_cdk import custom_resources as cr
from constructs import Construct

from infra import bundling
from infra.config import InvocationLoggingSettings, LogBucketSettings
from infra.nag import acknowledge, arn_finding
from infra.pipeline import function_log_group, lambda_role
from invocation_logging import BUCKET_NAME, KEY_PREFIX, REPLACE_EXISTING
from shared.sources import bedrock_log_prefix as _bedrock_log_prefix

INVOCATION_LOGGING_HANDLER = "invocation_logging.handler.on_event"
INVOCATION_LOGGING_RESOURCE_TYPE = "Custom::BedrockInvocationLogging"


def bedrock_log_prefix(key_prefix: str = "") -> str:
    """Where Bedrock writes (and where its offloaded `data/` bodies land): per account, after the bucket's
    key prefix if it has one. The account is a token at synth."""
    return _bedrock_log_prefix(Aws.ACCOUNT_ID, key_prefix)


class InvocationLogBucket(Construct):
    """`self.bucket`: the bucket Bedrock writes to; `self.access_logs`: its access-log bucket, if any;
    `self.log_prefix`: where in the bucket Bedrock writes (account token included)."""

    def __init__(self, scope: Construct, construct_id: str, *, settings: LogBucketSettings) -> None:
        super().__init__(scope, construct_id)
        self.access_logs: s3.Bucket | None = None
        self.created = settings.existing_bucket_name is None
        self.key_prefix = settings.key_prefix
        self.log_prefix = bedrock_log_prefix(settings.key_prefix)
        if settings.existing_bucket_name:
            self.bucket: s3.IBucket = s3.Bucket.from_bucket_name(self, "Bucket", settings.existing_bucket_name)
            return
        expiry = s3.LifecycleRule(
            id="expire-invocation-logs",
            expiration=Duration.days(settings.expiration_days),
            noncurrent_version_expiration=Duration.days(settings.noncurrent_expiration_days),
            abort_incomplete_multipart_upload_after=Duration.days(1),
        )
        if settings.access_logs:
            self.access_logs = s3.Bucket(
                self,
                "AccessLogs",
                encryption=s3.BucketEncryption.S3_MANAGED,  # the only encryption S3 log delivery supports
                block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
                enforce_ssl=True,
                object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
                lifecycle_rules=[
                    s3.LifecycleRule(id="expire-access-logs", expiration=Duration.days(settings.expiration_days))
                ],
                removal_policy=RemovalPolicy.RETAIN,
            )
        self.bucket = s3.Bucket(
            self,
            "Bucket",
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            versioned=True,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            lifecycle_rules=[expiry],
            server_access_logs_bucket=self.access_logs,
            server_access_logs_prefix="invocation-log-bucket/" if self.access_logs else None,
            removal_policy=RemovalPolicy.RETAIN,  # it holds prompts and completions: never deleted by a stack
        )
        if not settings.access_logs:
            acknowledge(
                self.bucket,
                "S1",
                "Server access logging is switched off by configuration (logBucket.accessLogs=false; on by "
                "default). The bucket stays private and TLS-only, Bedrock may write only its log prefix and "
                "only the dispatcher role reads; enable CloudTrail S3 data events if object-level audit is "
                "needed.",
            )
        self.bucket.add_to_resource_policy(
            iam.PolicyStatement(
                sid="AmazonBedrockLogsWrite",
                principals=[iam.ServicePrincipal("bedrock.amazonaws.com")],
                actions=["s3:PutObject"],
                resources=[self.bucket.arn_for_objects(f"{self.log_prefix}*")],
                conditions={
                    "StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID},
                    "ArnLike": {"aws:SourceArn": f"arn:{Aws.PARTITION}:bedrock:{Aws.REGION}:{Aws.ACCOUNT_ID}:*"},
                },
            )
        )


class InvocationLogging(Construct):
    """Bedrock model invocation logging pointed at the bucket (text only), guarded; see `invocation_logging`.

    The handler's role may read, put and delete the logging configuration (no resource-level permissions
    exist for them) and pass a role to Bedrock only (restoring a configuration that delivered to
    CloudWatch Logs passes its role). The Provider framework's function gets its own role too, with no
    managed policy; both log to KMS-encrypted groups.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        bucket: s3.IBucket,
        key_prefix: str,
        settings: InvocationLoggingSettings,
        key: kms.IKey,
        log_retention_days: int,
        depends_on: Construct | None,
    ) -> None:
        super().__init__(scope, construct_id)
        role = lambda_role(self, "HandlerRole", "LLM Monitor: Bedrock invocation-logging switch")
        log_group = function_log_group(self, "HandlerLogs", key=key, retention_days=log_retention_days)
        self.function = lambda_.Function(
            self,
            "Handler",
            description="LLM Monitor: points Bedrock invocation logging at the log bucket, restores it on delete",
            runtime=bundling.RUNTIME,
            architecture=bundling.ARCHITECTURE,
            handler=INVOCATION_LOGGING_HANDLER,
            code=bundling.lambda_code(bundling.invocation_logging_asset()),
            memory_size=128,
            timeout=Duration.minutes(1),
            role=role,
            log_group=log_group,
        )
        log_group.grant_write(role)
        role.add_to_policy(
            iam.PolicyStatement(
                sid="InvocationLoggingConfiguration",
                actions=[
                    "bedrock:GetModelInvocationLoggingConfiguration",
                    "bedrock:PutModelInvocationLoggingConfiguration",
                    "bedrock:DeleteModelInvocationLoggingConfiguration",
                ],
                # Bedrock's logging-configuration APIs have no resource-level permissions.
                resources=["*"],
            )
        )
        stack = Stack.of(self)
        role.add_to_policy(
            iam.PolicyStatement(
                sid="RestoreCloudWatchDelivery",
                actions=["iam:PassRole"],
                resources=[f"arn:{stack.partition}:iam::{stack.account}:role/*"],
                conditions={"StringEquals": {"iam:PassedToService": "bedrock.amazonaws.com"}},
            )
        )
        acknowledge(
            role,
            "IAM5",
            "Get/Put/DeleteModelInvocationLoggingConfiguration have no resource-level permissions (the "
            "configuration is per account and region), so Resource must be '*'; iam:PassRole is limited to "
            "passing this account's roles to Bedrock, because a configuration the stack restores on delete "
            "may deliver to CloudWatch Logs through a role only known at deploy time.",
            findings=("Resource::*", "Resource::arn:<AWS::Partition>:iam::<AWS::AccountId>:role/*"),
        )

        framework_role = lambda_role(self, "ProviderRole", "LLM Monitor: custom-resource provider framework")
        framework_logs = function_log_group(self, "ProviderLogs", key=key, retention_days=log_retention_days)
        framework_logs.grant_write(framework_role)
        provider = cr.Provider(
            self,
            "Provider",
            on_event_handler=self.function,
            framework_on_event_role=framework_role,
            log_group=framework_logs,
        )
        acknowledge(
            framework_role,
            "IAM5",
            "The CDK Provider framework grants its function lambda:InvokeFunction on the handler and on its "
            "versions and aliases (ARN:*); it invokes nothing else.",
            findings=(arn_finding(stack, self.function, ":*"),),
        )
        self.resource = CustomResource(
            self,
            "Configuration",
            service_token=provider.service_token,
            resource_type=INVOCATION_LOGGING_RESOURCE_TYPE,
            properties={
                BUCKET_NAME: bucket.bucket_name,
                KEY_PREFIX: key_prefix,
                REPLACE_EXISTING: "true" if settings.replace_existing else "false",
            },
        )
        if depends_on is not None:
            # Bedrock checks that it may write to the bucket when the configuration is put.
            self.resource.node.add_dependency(depends_on)

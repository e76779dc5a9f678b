"""The invocation-log bucket (or an existing one) and the switch that points Bedrock's logging at it.

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
"""

from __future__ import annotations

from aws_cdk import Aws, Duration, RemovalPolicy, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from aws_cdk import custom_resources as cr
from constructs import Construct

from infra.config import LogBucketSettings
from infra.nag import acknowledge
from shared.sources import bedrock_log_prefix as _bedrock_log_prefix


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
    """PutModelInvocationLoggingConfiguration to the bucket on create/update; Delete… on stack delete.

    It is account- and region-wide (one configuration per region), so it is off unless asked for.
    Only text is delivered (no image, embedding or video data).
    """

    def __init__(
        self, scope: Construct, construct_id: str, *, bucket: s3.IBucket, depends_on: Construct | None
    ) -> None:
        super().__init__(scope, construct_id)
        stack = Stack.of(self)
        put = cr.AwsSdkCall(
            service="bedrock",
            action="PutModelInvocationLoggingConfiguration",
            parameters={
                "loggingConfig": {
                    "s3Config": {"bucketName": bucket.bucket_name},
                    "textDataDeliveryEnabled": True,
                    "imageDataDeliveryEnabled": False,
                    "embeddingDataDeliveryEnabled": False,
                    "videoDataDeliveryEnabled": False,
                }
            },
            physical_resource_id=cr.PhysicalResourceId.of(f"bedrock-invocation-logging-{stack.region}"),
        )
        self.resource = cr.AwsCustomResource(
            self,
            "Configuration",
            on_create=put,
            on_update=put,
            on_delete=cr.AwsSdkCall(service="bedrock", action="DeleteModelInvocationLoggingConfiguration"),
            policy=cr.AwsCustomResourcePolicy.from_statements(
                [
                    iam.PolicyStatement(
                        actions=[
                            "bedrock:PutModelInvocationLoggingConfiguration",
                            "bedrock:DeleteModelInvocationLoggingConfiguration",
                        ],
                        # Bedrock's logging-configuration APIs have no resource-level permissions.
                        resources=["*"],
                    )
                ]
            ),
            install_latest_aws_sdk=False,
            timeout=Duration.minutes(2),
        )
        if depends_on is not None:
            # Bedrock checks that it may write to the bucket when the configuration is put.
            self.resource.node.add_dependency(depends_on)
        acknowledge(
            self.resource,
            "IAM5",
            "PutModelInvocationLoggingConfiguration and DeleteModelInvocationLoggingConfiguration have no "
            "resource-level permissions (the configuration is per account and region), so Resource must be "
            "'*'.",
            findings=("Resource::*",),
        )

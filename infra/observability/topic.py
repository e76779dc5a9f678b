"""The SNS topic every alarm (monitor and pipeline health) notifies, on ALARM and on OK."""

from __future__ import annotations

from aws_cdk import Aws
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from constructs import Construct


class AlarmTopic(Construct):
    """KMS-encrypted, TLS-only SNS topic that CloudWatch alarms (and only this account's) may publish to."""

    def __init__(self, scope: Construct, construct_id_: str, *, key: kms.IKey, email: str | None) -> None:
        super().__init__(scope, construct_id_)
        self.topic = sns.Topic(self, "Topic", display_name="LLM Monitor alarms", master_key=key, enforce_ssl=True)
        cloudwatch_principal = iam.ServicePrincipal("cloudwatch.amazonaws.com")
        alarm_arn_prefix = f"arn:{Aws.PARTITION}:cloudwatch:{Aws.REGION}:{Aws.ACCOUNT_ID}:alarm:"
        self.topic.add_to_resource_policy(
            iam.PolicyStatement(
                sid="CloudWatchAlarmsPublish",
                principals=[cloudwatch_principal],
                actions=["sns:Publish"],
                resources=[self.topic.topic_arn],
                conditions={
                    "StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID},
                    "ArnLike": {"aws:SourceArn": f"{alarm_arn_prefix}*"},
                },
            )
        )
        # Alarms publish to an encrypted topic only if CloudWatch may use the key.
        key.add_to_resource_policy(
            iam.PolicyStatement(
                sid="CloudWatchAlarmsUseKeyForTopic",
                principals=[cloudwatch_principal],
                actions=["kms:Decrypt", "kms:GenerateDataKey*"],
                resources=["*"],  # in a key policy, "*" is this key
                conditions={"StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID}},
            )
        )
        if email:
            self.topic.add_subscription(subscriptions.EmailSubscription(email))

"""Configuration: toggles change the template as documented; bad values fail the synth naming the key."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from dispatcher.settings import DispatcherSettings
from infra.app import create_app, read_inputs
from infra.config import InfraConfig
from infra.pipeline import DISPATCHER_HANDLER, MONITOR_HANDLER
from shared.errors import ConfigurationError
from tests.infra.conftest import PROJECT_ROOT, Synthesized, base_context, resolve_join, synth

# --- invocation logging switch --------------------------------------------------------------------------


def test_invocation_logging_is_off_by_default(default: Synthesized) -> None:
    assert not default.resources("Custom::AWS")
    assert not any(
        "bedrock:PutModelInvocationLoggingConfiguration" in json.dumps(p)
        for p in default.resources("AWS::IAM::Policy").values()
    )


def test_invocation_logging_switch_puts_and_deletes_the_configuration(logging_on: Synthesized) -> None:
    resource = logging_on.only("Custom::AWS")
    props = resource["Properties"]
    create = json.loads(resolve_join(props["Create"]))
    delete = json.loads(resolve_join(props["Delete"]))
    bucket_id = logging_on.logical_id("InvocationLogs/Bucket/Resource")
    assert create["action"] == "PutModelInvocationLoggingConfiguration" and create["service"] == "bedrock"
    config = create["parameters"]["loggingConfig"]
    assert config["s3Config"]["bucketName"] == "${" + bucket_id + "}"
    assert config["textDataDeliveryEnabled"] is True and config["imageDataDeliveryEnabled"] is False
    assert json.loads(resolve_join(props["Update"]))["action"] == create["action"]
    assert delete["action"] == "DeleteModelInvocationLoggingConfiguration"
    # Bedrock validates bucket access when the configuration is put: the policy must exist first.
    policy_id = logging_on.logical_id("InvocationLogs/Bucket/Policy/Resource")
    assert policy_id in json.dumps(resource.get("DependsOn", []))
    (policy,) = [
        p
        for p in logging_on.resources("AWS::IAM::Policy").values()
        if "bedrock:PutModelInvocationLoggingConfiguration" in json.dumps(p)
    ]
    (statement,) = policy["Properties"]["PolicyDocument"]["Statement"]
    assert sorted(statement["Action"]) == [
        "bedrock:DeleteModelInvocationLoggingConfiguration",
        "bedrock:PutModelInvocationLoggingConfiguration",
    ]
    assert statement["Resource"] == "*"  # no resource-level permissions (acknowledged with that reason)


def role_statements(s: Synthesized, role_id: str) -> list[dict]:
    return [
        st
        for p in s.resources("AWS::IAM::Policy").values()
        if {"Ref": role_id} in p["Properties"]["Roles"]
        for st in p["Properties"]["PolicyDocument"]["Statement"]
    ]


# --- other toggles ----------------------------------------------------------------------------------------


def test_existing_bucket_is_used_instead_of_creating_one() -> None:
    s = synth(**{"logBucket.existingBucketName": "team-bedrock-logs"})
    assert not s.resources("AWS::S3::Bucket")
    assert s.template["Outputs"]["BucketName"]["Value"] == "team-bedrock-logs"
    notification = s.only("Custom::S3BucketNotifications")["Properties"]
    assert notification["BucketName"] == "team-bedrock-logs"
    statements = [
        st
        for p in s.resources("AWS::IAM::Policy").values()
        for st in p["Properties"]["PolicyDocument"]["Statement"]
        if st["Action"] == "s3:GetObject"
    ]
    assert [resolve_join(st["Resource"]) for st in statements] == [
        "arn:${AWS::Partition}:s3:::team-bedrock-logs/AWSLogs/${AWS::AccountId}/BedrockModelInvocationLogs/*"
    ]


KMS_KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def test_existing_bucket_with_a_key_prefix_and_a_kms_key() -> None:
    s = synth(
        **{
            "logBucket.existingBucketName": "team-bedrock-logs",
            "logBucket.keyPrefix": "bedrock/prod",
            "logBucket.kmsKeyArn": KMS_KEY,
        }
    )
    where = "bedrock/prod/AWSLogs/${AWS::AccountId}/BedrockModelInvocationLogs/"
    notification = s.only("Custom::S3BucketNotifications")["Properties"]["NotificationConfiguration"]
    (config,) = notification["LambdaFunctionConfigurations"]
    rules = {r["Name"]: resolve_join(r["Value"]) for r in config["Filter"]["Key"]["FilterRules"]}
    assert rules == {"prefix": where, "suffix": ".json.gz"}

    (dispatcher,) = [
        f["Properties"]
        for f in s.resources("AWS::Lambda::Function").values()
        if f["Properties"].get("Handler") == DISPATCHER_HANDLER
    ]
    assert dispatcher["Environment"]["Variables"][DispatcherSettings.LOG_KEY_PREFIX_ENV] == "bedrock/prod"
    by_sid = {st.get("Sid"): st for st in role_statements(s, dispatcher["Role"]["Fn::GetAtt"][0])}
    read = by_sid["ReadInvocationLogsAndOffloadedBodies"]
    assert resolve_join(read["Resource"]) == f"arn:${{AWS::Partition}}:s3:::team-bedrock-logs/{where}*"
    listing = by_sid["ListLogPrefixSoMissingKeysAre404"]
    assert listing["Action"] == "s3:ListBucket"
    assert resolve_join(listing["Resource"]) == "arn:${AWS::Partition}:s3:::team-bedrock-logs"
    assert [resolve_join(p) for p in listing["Condition"]["StringLike"]["s3:prefix"]] == [f"{where}*"]
    decrypt = by_sid["DecryptSseKmsLogObjects"]
    assert (decrypt["Action"], decrypt["Resource"]) == ("kms:Decrypt", KMS_KEY)
    assert resolve_join(decrypt["Condition"]["StringEquals"]["kms:ViaService"]) == "s3.${AWS::Region}.amazonaws.com"


def test_no_kms_grant_without_a_kms_key(default: Synthesized) -> None:
    assert "kms:Decrypt" not in json.dumps(
        [st for st in default.resources("AWS::IAM::Policy").values() if "Dispatcher" in json.dumps(st)]
    )


def test_access_logs_off_removes_the_log_bucket() -> None:
    s = synth(**{"logBucket.accessLogs": "false"})
    (bucket,) = s.resources("AWS::S3::Bucket").values()
    assert "LoggingConfiguration" not in bucket["Properties"]


def test_provisioned_stream_alarm_email_and_retention() -> None:
    s = synth(
        **{
            "stream.mode": "provisioned",
            "stream.shards": "3",
            "stream.retentionHours": "48",
            "alarmEmail": "oncall@example.com",
            "logBucket.expirationDays": "30",
        }
    )
    stream = s.only("AWS::Kinesis::Stream")["Properties"]
    assert stream["StreamModeDetails"] == {"StreamMode": "PROVISIONED"}
    assert stream["ShardCount"] == 3 and stream["RetentionPeriodHours"] == 48
    subscription = s.only("AWS::SNS::Subscription")["Properties"]
    assert (subscription["Protocol"], subscription["Endpoint"]) == ("email", "oncall@example.com")
    (bucket,) = [
        b["Properties"] for b in s.resources("AWS::S3::Bucket").values() if "VersioningConfiguration" in b["Properties"]
    ]
    assert bucket["LifecycleConfiguration"]["Rules"][0]["ExpirationInDays"] == 30


def test_dispatcher_field_maxima_map_onto_its_settings() -> None:
    s = synth(
        **{
            "dispatcher.maxPromptBytes": "65536",
            "dispatcher.maxCompletionBytes": "131072",
            "dispatcher.memoryMb": "1024",
        }
    )
    (dispatcher,) = [
        f["Properties"]
        for f in s.resources("AWS::Lambda::Function").values()
        if f["Properties"].get("Handler") == "dispatcher.handler.lambda_handler"
    ]
    env = dispatcher["Environment"]["Variables"]
    assert env["LLM_MONITOR_MAX_PROMPT_BYTES"] == "65536"
    assert env["LLM_MONITOR_MAX_COMPLETION_BYTES"] == "131072"
    assert dispatcher["MemorySize"] == 1024


def test_disabled_monitor_gets_no_infrastructure() -> None:
    s = synth(**{"monitors.sentiment-toxicity.enabled": "false"})
    names = {
        f["Properties"]["Environment"]["Variables"]["LLM_MONITOR_NAME"]
        for f in s.resources("AWS::Lambda::Function").values()
        if f["Properties"].get("Handler") == MONITOR_HANDLER
    }
    assert "sentiment-toxicity" not in names
    assert not s.resources("AWS::StepFunctions::StateMachine")  # nobody needs the workflow
    assert not any(d.monitor == "sentiment-toxicity" for d in s.inputs.alarms)
    assert len(s.resources("AWS::Logs::QueryDefinition")) == len({(d.monitor, d.metric_name) for d in s.inputs.alarms})


def test_alarm_model_ids_add_per_model_alarms_and_overrides_apply() -> None:
    s = synth(
        alarmModelIds="anthropic.claude-3-haiku-20240307-v1:0,amazon.nova-lite-v1:0",
        **{"alarms.Refusal.threshold": "0.5", "alarms.Toxicity.enabled": "false"},
    )
    alarms = {a["Properties"]["AlarmName"]: a["Properties"] for a in s.resources("AWS::CloudWatch::Alarm").values()}
    refusal = [d for d in s.inputs.alarms if d.metric_name == "Refusal"]
    assert len(refusal) == 3
    for definition in refusal:
        assert alarms[definition.name]["Threshold"] == 0.5
        dims = {d["Name"]: d["Value"] for d in alarms[definition.name].get("Dimensions", [])}
        assert dims == dict(definition.dimensions)
    assert not any(d.metric_name == "Toxicity" for d in s.inputs.alarms)
    assert not any(name.startswith("LLMMonitor-Toxicity-") for name in alarms)


def test_local_backend_needs_no_aws_model_access() -> None:
    s = synth(backend="local")
    assert not s.resources("AWS::StepFunctions::StateMachine")
    policies = json.dumps(s.resources("AWS::IAM::Policy"))
    assert "bedrock:InvokeModel" not in policies and "states:StartSyncExecution" not in policies


def test_refusal_by_cosine_gets_titan_access() -> None:
    s = synth(**{"monitors.refusal.method": "cosine"})
    ((_function_id, function),) = [
        (k, f)
        for k, f in s.resources("AWS::Lambda::Function").items()
        if f["Properties"].get("Environment", {}).get("Variables", {}).get("LLM_MONITOR_NAME") == "refusal"
    ]
    role = function["Properties"]["Role"]["Fn::GetAtt"][0]
    policy = [p for p in s.resources("AWS::IAM::Policy").values() if {"Ref": role} in p["Properties"]["Roles"]]
    assert "bedrock:InvokeModel" in json.dumps(policy)


# --- bad configuration --------------------------------------------------------------------------------------

BAD = [
    ({"stream.mode": "turbo"}, "stream.mode"),
    ({"stream.shards": "2"}, "stream.shards"),  # on-demand streams have no shard count
    ({"stream.mode": "provisioned", "stream.shards": "0"}, "stream.shards"),
    ({"stream.retentionHours": "12"}, "stream.retentionHours"),
    ({"stream.colour": "blue"}, "stream.colour"),
    ({"logBucket.expirationDays": "0"}, "logBucket.expirationDays"),
    ({"logBucket.accessLogs": "maybe"}, "logBucket.accessLogs"),
    ({"logBucket.existingBucketName": "Not_A_Bucket"}, "logBucket.existingBucketName"),
    ({"logBucket.keyPrefix": "bedrock"}, "logBucket.keyPrefix"),  # only for an existing bucket
    ({"logBucket.existingBucketName": "team-logs", "logBucket.keyPrefix": "a//b"}, "logBucket.keyPrefix"),
    ({"logBucket.existingBucketName": "team-logs", "logBucket.keyPrefix": "logs/*"}, "logBucket.keyPrefix"),
    ({"logBucket.kmsKeyArn": KMS_KEY}, "logBucket.kmsKeyArn"),  # the stack's own bucket is SSE-S3
    (
        {
            "logBucket.existingBucketName": "team-logs",
            "logBucket.kmsKeyArn": "arn:aws:kms:us-east-1:123456789012:alias/logs",
        },
        "logBucket.kmsKeyArn",
    ),
    ({"logBucket.existingBucketName": "team-logs", "logBucket.kmsKeyArn": "1234abcd"}, "logBucket.kmsKeyArn"),
    ({"invocationLogging": "sometimes"}, "invocationLogging"),
    ({"alarmEmail": "not-an-address"}, "alarmEmail"),
    ({"logRetentionDays": "10"}, "logRetentionDays"),
    ({"dispatcher.maxPromptBytes": "12"}, "dispatcher.maxPromptBytes"),
    ({"dispatcher.putRecordsMaxAttempts": "many"}, "dispatcher.putRecordsMaxAttempts"),
    ({"dispatcher.memoryMb": "64"}, "dispatcher.memoryMb"),
    ({"workflow.mapConcurrency": "0"}, "workflow.mapConcurrency"),
    ({"pipelineAlarms.iteratorAgeSeconds": "5"}, "pipelineAlarms.iteratorAgeSeconds"),
    ({"skipBundling": "perhaps"}, "skipBundling"),
    ({"stackName": "1-bad name"}, "stackName"),
    # monitoring keys, validated by MonitoringConfig and the registry
    ({"backend": "gpu"}, "backend"),
    ({"monitors.no-such-monitor.enabled": "true"}, "monitors.no-such-monitor"),
    ({"monitors.refusal.method": "psychic"}, "monitors.refusal.method"),
    ({"monitors.refusal.lambda.memoryMb": "64"}, "monitors.refusal.lambda.memoryMb"),
    (
        {"monitors.refusal.lambda.maximumRecordAgeSeconds": "30"},
        "monitors.refusal.lambda.maximumRecordAgeSeconds",
    ),
    ({"alarms.NoSuchMetric.threshold": "1"}, "alarms.NoSuchMetric"),
    ({"alarms.Refusal.comparison": "Sideways"}, "alarms.Refusal.comparison"),
    ({"monitorModules": "no.such.module"}, "monitorModules"),
    ({"embeddings.dimensions": "300"}, "embeddings.dimensions"),
]


@pytest.mark.parametrize(("overrides", "key"), BAD, ids=[k for _, k in BAD])
def test_bad_configuration_fails_naming_the_key(overrides: dict[str, str], key: str) -> None:
    context = {**base_context(), **overrides}
    with pytest.raises(ConfigurationError) as caught:
        create_app(context)
    assert caught.value.key == key
    assert str(caught.value).startswith(f"{key}: ")


def test_skip_bundling_from_the_environment() -> None:
    context = {k: v for k, v in base_context().items() if k != "skipBundling"}
    assert InfraConfig.from_context(context, {"LLM_MONITOR_SKIP_BUNDLING": "1"}).skip_bundling
    assert not InfraConfig.from_context(context, {}).skip_bundling


def test_cdk_json_defaults_are_valid() -> None:
    inputs = read_inputs({k: v for k, v in base_context().items() if k != "skipBundling"}, {})
    assert inputs.infra == InfraConfig(stack_name=inputs.infra.stack_name)  # cdk.json spells out the defaults


def test_app_py_reports_a_bad_key_on_stderr() -> None:
    env = {
        "CDK_CONTEXT_JSON": json.dumps({**base_context(), "stream.mode": "turbo"}),
        "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20",
        "PATH": "/usr/bin:/bin",
    }
    result = subprocess.run(
        [sys.executable, "app.py"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.strip().endswith(
        "configuration error: stream.mode: must be one of onDemand, provisioned, got 'turbo'"
    )

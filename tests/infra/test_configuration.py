"""Configuration: toggles change the template as documented; bad values fail the synth naming the key."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from dispatcher.settings import DispatcherSettings
from infra.app import create_app, read_inputs
from infra.bundling import RUNTIME, invocation_logging_asset
from infra.config import InfraConfig, InvocationLoggingSettings
from infra.pipeline import DISPATCHER_HANDLER, MONITOR_HANDLER
from infra.storage import INVOCATION_LOGGING_HANDLER, INVOCATION_LOGGING_RESOURCE_TYPE
from invocation_logging import BUCKET_NAME, KEY_PREFIX, REPLACE_EXISTING
from shared import pipeline_metrics as pm
from shared.errors import ConfigurationError
from tests.infra.conftest import PROJECT_ROOT, Synthesized, base_context, resolve_join, synth

# --- invocation logging switch --------------------------------------------------------------------------


def test_invocation_logging_is_off_by_default(default: Synthesized) -> None:
    assert not default.resources(INVOCATION_LOGGING_RESOURCE_TYPE) and not default.resources("Custom::AWS")
    assert not any(
        "bedrock:PutModelInvocationLoggingConfiguration" in json.dumps(p)
        for p in default.resources("AWS::IAM::Policy").values()
    )


def role_statements(s: Synthesized, role_id: str) -> list[dict]:
    return [
        st
        for p in s.resources("AWS::IAM::Policy").values()
        if {"Ref": role_id} in p["Properties"]["Roles"]
        for st in p["Properties"]["PolicyDocument"]["Statement"]
    ]


def test_invocation_logging_is_a_guarded_custom_resource(logging_on: Synthesized) -> None:
    resource = logging_on.only(INVOCATION_LOGGING_RESOURCE_TYPE)
    props = resource["Properties"]
    bucket_id = logging_on.logical_id("InvocationLogs/Bucket/Resource")
    assert props[BUCKET_NAME] == {"Ref": bucket_id}
    assert props[KEY_PREFIX] == "" and props[REPLACE_EXISTING] == "false"  # never replaces unless told
    assert logging_on.inputs.infra.invocation_logging == InvocationLoggingSettings(enabled=True)
    # Bedrock validates bucket access when the configuration is put: the policy must exist first.
    policy_id = logging_on.logical_id("InvocationLogs/Bucket/Policy/Resource")
    assert policy_id in json.dumps(resource.get("DependsOn", []))

    # Provider framework -> the handler, its own asset (its package only), its own role and log group.
    functions = logging_on.resources("AWS::Lambda::Function")
    framework_id = props["ServiceToken"]["Fn::GetAtt"][0]
    handler_arn = functions[framework_id]["Properties"]["Environment"]["Variables"]["USER_ON_EVENT_FUNCTION_ARN"]
    handler = functions[handler_arn["Fn::GetAtt"][0]]["Properties"]
    assert handler["Handler"] == INVOCATION_LOGGING_HANDLER and handler["Runtime"] == RUNTIME.name
    assert sorted(m for m in invocation_logging_asset().modules) == [
        "invocation_logging",
        "invocation_logging.guard",
        "invocation_logging.handler",
    ]
    assert not invocation_logging_asset().requirements  # boto3 comes with the Lambda runtime
    for function_id in (framework_id, handler_arn["Fn::GetAtt"][0]):
        role_id = functions[function_id]["Properties"]["Role"]["Fn::GetAtt"][0]
        assert "ManagedPolicyArns" not in logging_on.template["Resources"][role_id]["Properties"]
        assert "LogGroup" in functions[function_id]["Properties"]["LoggingConfig"]

    statements = role_statements(logging_on, handler["Role"]["Fn::GetAtt"][0])
    (bedrock,) = [st for st in statements if "bedrock:PutModelInvocationLoggingConfiguration" in st["Action"]]
    assert sorted(bedrock["Action"]) == [
        "bedrock:DeleteModelInvocationLoggingConfiguration",
        "bedrock:GetModelInvocationLoggingConfiguration",
        "bedrock:PutModelInvocationLoggingConfiguration",
    ]
    assert bedrock["Resource"] == "*"  # no resource-level permissions (acknowledged with that reason)
    (pass_role,) = [st for st in statements if st["Action"] == "iam:PassRole"]
    assert pass_role["Condition"] == {"StringEquals": {"iam:PassedToService": "bedrock.amazonaws.com"}}
    assert resolve_join(pass_role["Resource"]) == "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/*"


def test_invocation_logging_replace_existing_and_key_prefix_reach_the_resource() -> None:
    s = synth(
        **{
            "logBucket.existingBucketName": "team-bedrock-logs",
            "logBucket.keyPrefix": "/bedrock/prod/",
            "invocationLogging.enabled": "true",
            "invocationLogging.replaceExisting": "true",
        }
    )
    props = s.only(INVOCATION_LOGGING_RESOURCE_TYPE)["Properties"]
    assert (props[BUCKET_NAME], props[KEY_PREFIX], props[REPLACE_EXISTING]) == (
        "team-bedrock-logs",
        "bedrock/prod",
        "true",
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (True, InvocationLoggingSettings(enabled=True)),
        ("false", InvocationLoggingSettings()),
        ({"enabled": True}, InvocationLoggingSettings(enabled=True)),
        ({"enabled": "true", "replaceExisting": "true"}, InvocationLoggingSettings(True, True)),
    ],
)
def test_invocation_logging_is_a_switch_or_an_object(value: object, expected: InvocationLoggingSettings) -> None:
    context = {**base_context(), "invocationLogging": value}
    assert InfraConfig.from_context(context).invocation_logging == expected


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


def test_no_alarm_email_is_a_synth_warning(default: Synthesized) -> None:
    (warning,) = [w for w in default.warnings if "alarmEmail" in w]
    assert "nobody is notified" in warning and "-c alarmEmail=" in warning
    assert not synth(alarmEmail="oncall@example.com").warnings


def test_no_data_alarm_floor_follows_the_configuration() -> None:
    def no_data_alarms(s: Synthesized) -> list[dict]:
        return [
            a["Properties"]
            for a in s.resources("AWS::CloudWatch::Alarm").values()
            if a["Properties"].get("TreatMissingData") == "breaching"
        ]

    (alarm,) = no_data_alarms(synth(**{"pipelineAlarms.minRecordsPerHour": "50"}))
    assert alarm["Threshold"] == 50 and alarm["ComparisonOperator"] == "LessThanThreshold"
    off = synth(**{"pipelineAlarms.minRecordsPerHour": "0"})
    assert no_data_alarms(off) == []
    monitors = len(off.inputs.monitoring.enabled_monitors())
    pipeline = [
        a
        for a in off.resources("AWS::CloudWatch::Alarm").values()
        if a["Properties"]["AlarmName"] not in {d.name for d in off.inputs.alarms}
    ]
    assert len(pipeline) == pm.pipeline_alarm_count(monitors, workflow=True, no_data=False)


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


@pytest.mark.slow
def test_enhanced_fan_out_gives_each_monitor_its_own_consumer(default: Synthesized) -> None:
    s = synth(**{"stream.enhancedFanOut": "true"})
    monitors = s.inputs.monitoring.enabled_monitors()
    consumers = {k: v["Properties"] for k, v in s.resources("AWS::Kinesis::StreamConsumer").items()}
    assert sorted(c["ConsumerName"] for c in consumers.values()) == sorted(monitors)
    stream = next(iter(s.resources("AWS::Kinesis::Stream")))
    assert all(c["StreamARN"] == {"Fn::GetAtt": [stream, "Arn"]} for c in consumers.values())
    mappings = [m["Properties"] for m in s.resources("AWS::Lambda::EventSourceMapping").values()]
    assert sorted(m["EventSourceArn"]["Fn::GetAtt"][0] for m in mappings) == sorted(consumers)
    assert all(m["EventSourceArn"]["Fn::GetAtt"][1] == "ConsumerARN" for m in mappings)
    # everything else about the event sources is as without it
    shared = sorted(
        (
            m["Properties"]["BatchSize"],
            m["Properties"]["BisectBatchOnFunctionError"],
            m["Properties"]["FunctionResponseTypes"],
        )
        for m in default.resources("AWS::Lambda::EventSourceMapping").values()
    )
    assert (
        sorted((m["BatchSize"], m["BisectBatchOnFunctionError"], m["FunctionResponseTypes"]) for m in mappings)
        == shared
    )
    assert not default.resources("AWS::Kinesis::StreamConsumer")


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
    assert not any(name.startswith(f"{s.stack_name}-Toxicity-") for name in alarms)


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
    ({"stream.enhancedFanOut": "perhaps"}, "stream.enhancedFanOut"),
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
    ({"invocationLogging.enabled": "perhaps"}, "invocationLogging.enabled"),
    ({"invocationLogging.replaceExisting": "true"}, "invocationLogging.replaceExisting"),  # not enabled
    ({"invocationLogging.colour": "blue"}, "invocationLogging.colour"),
    ({"alarmEmail": "not-an-address"}, "alarmEmail"),
    ({"logRetentionDays": "10"}, "logRetentionDays"),
    ({"dispatcher.maxPromptBytes": "12"}, "dispatcher.maxPromptBytes"),
    ({"dispatcher.putRecordsMaxAttempts": "many"}, "dispatcher.putRecordsMaxAttempts"),
    ({"dispatcher.memoryMb": "64"}, "dispatcher.memoryMb"),
    ({"workflow.mapConcurrency": "0"}, "workflow.mapConcurrency"),
    ({"pipelineAlarms.iteratorAgeSeconds": "5"}, "pipelineAlarms.iteratorAgeSeconds"),
    ({"pipelineAlarms.minRecordsPerHour": "-1"}, "pipelineAlarms.minRecordsPerHour"),
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
    ({"emfTimestamp": "scoring"}, "emfTimestamp"),
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


@pytest.mark.slow
def test_app_py_prints_the_quota_table_beside_warnings(tmp_path: Path) -> None:
    """The CDK CLI shows no info annotation once a warning exists (no alarmEmail is one), so the table the
    README promises is printed on stderr, where the CLI shows it."""
    workload = {
        "workload.invocationsPerMonth": "1000000",
        "workload.promptChars": "500",
        "workload.completionChars": "1500",
    }
    env = {
        "CDK_CONTEXT_JSON": json.dumps({**base_context(), **workload}),
        "CDK_OUTDIR": str(tmp_path),
        "CDK_DEFAULT_REGION": "us-east-1",
        "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20",
        "PATH": "/usr/bin:/bin",
    }
    result = subprocess.run(
        [sys.executable, "app.py"], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Quotas at the peak (3 × the month's average" in result.stderr
    assert "Concurrent executions" in result.stderr

"""The default stack (cdk.json as is): every part, with its key properties.

Counts and names come from the registry, the configuration and `resolve_alarms`, not from this file.
"""

from __future__ import annotations

import json

import pytest

from dispatcher.settings import DispatcherSettings
from infra.bundling import RUNTIME
from infra.pipeline import DISPATCHER_HANDLER, MONITOR_HANDLER
from monitors.core.spec import Capability
from shared import pipeline_metrics as pm
from shared.backends.settings import BackendSettings
from tests.infra.conftest import Synthesized, resolve_join

# --- helpers ------------------------------------------------------------------------------------------


def functions_by_handler(s: Synthesized, handler: str) -> dict[str, dict]:
    return {k: v for k, v in s.resources("AWS::Lambda::Function").items() if v["Properties"].get("Handler") == handler}


def monitor_function(s: Synthesized, name: str) -> tuple[str, dict]:
    matches = [
        (k, v)
        for k, v in functions_by_handler(s, MONITOR_HANDLER).items()
        if v["Properties"]["Environment"]["Variables"]["LLM_MONITOR_NAME"] == name
    ]
    assert len(matches) == 1, name
    return matches[0]


def statements(s: Synthesized, role_logical_id: str) -> list[dict]:
    out = []
    for policy in s.resources("AWS::IAM::Policy").values():
        if {"Ref": role_logical_id} in policy["Properties"]["Roles"]:
            out.extend(policy["Properties"]["PolicyDocument"]["Statement"])
    return out


def as_list(value: object) -> list:
    return value if isinstance(value, list) else [value]


def dashboard_widgets(s: Synthesized) -> list[dict]:
    body = resolve_join(s.only("AWS::CloudWatch::Dashboard")["Properties"]["DashboardBody"])
    return json.loads(body)["widgets"]


# --- bucket ---------------------------------------------------------------------------------------------


def test_log_bucket_is_private_encrypted_versioned_expiring_and_logged(default: Synthesized) -> None:
    bucket_id = default.logical_id("InvocationLogs/Bucket/Resource")
    logs_id = default.logical_id("InvocationLogs/AccessLogs/Resource")
    bucket = default.template["Resources"][bucket_id]["Properties"]
    sse = bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"]
    assert sse["SSEAlgorithm"] == "AES256"
    assert bucket["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    assert bucket["VersioningConfiguration"] == {"Status": "Enabled"}
    rule = bucket["LifecycleConfiguration"]["Rules"][0]
    assert rule["ExpirationInDays"] == default.inputs.infra.log_bucket.expiration_days
    assert (
        rule["NoncurrentVersionExpiration"]["NoncurrentDays"]
        == default.inputs.infra.log_bucket.noncurrent_expiration_days
    )
    assert bucket["LoggingConfiguration"]["DestinationBucketName"] == {"Ref": logs_id}
    assert default.template["Resources"][bucket_id]["DeletionPolicy"] == "Retain"


def bucket_policy(s: Synthesized, bucket_path: str) -> list[dict]:
    bucket_id = s.logical_id(bucket_path)
    for policy in s.resources("AWS::S3::BucketPolicy").values():
        if policy["Properties"]["Bucket"] == {"Ref": bucket_id}:
            return policy["Properties"]["PolicyDocument"]["Statement"]
    raise AssertionError("no policy")


def test_bucket_policy_lets_only_this_accounts_bedrock_write_its_log_prefix(default: Synthesized) -> None:
    policy = bucket_policy(default, "InvocationLogs/Bucket/Resource")
    bedrock = [st for st in policy if st.get("Principal") == {"Service": "bedrock.amazonaws.com"}]
    assert len(bedrock) == 1
    statement = bedrock[0]
    assert statement["Effect"] == "Allow" and statement["Action"] == "s3:PutObject"
    assert resolve_join(statement["Resource"]).endswith("/AWSLogs/${AWS::AccountId}/BedrockModelInvocationLogs/*")
    assert statement["Condition"]["StringEquals"] == {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}
    assert resolve_join(statement["Condition"]["ArnLike"]["aws:SourceArn"]) == (
        "arn:${AWS::Partition}:bedrock:${AWS::Region}:${AWS::AccountId}:*"
    )


@pytest.mark.parametrize("path", ["InvocationLogs/Bucket/Resource", "InvocationLogs/AccessLogs/Resource"])
def test_buckets_refuse_plain_http(default: Synthesized, path: str) -> None:
    deny = [st for st in bucket_policy(default, path) if st["Effect"] == "Deny"]
    assert any(st["Condition"] == {"Bool": {"aws:SecureTransport": "false"}} for st in deny)


def test_new_log_objects_notify_the_dispatcher_and_nothing_else(default: Synthesized) -> None:
    notification = default.only("Custom::S3BucketNotifications")["Properties"]["NotificationConfiguration"]
    (config,) = notification["LambdaFunctionConfigurations"]
    dispatcher_id = next(iter(functions_by_handler(default, DISPATCHER_HANDLER)))
    assert config["LambdaFunctionArn"] == {"Fn::GetAtt": [dispatcher_id, "Arn"]}
    assert config["Events"] == ["s3:ObjectCreated:*"]
    rules = {r["Name"]: resolve_join(r["Value"]) for r in config["Filter"]["Key"]["FilterRules"]}
    # Bedrock's own prefix: CloudTrail and other AWS logs beside it in AWSLogs/<account>/ never notify.
    assert rules == {"prefix": "AWSLogs/${AWS::AccountId}/BedrockModelInvocationLogs/", "suffix": ".json.gz"}


# --- dispatcher, table, stream ------------------------------------------------------------------------


def test_dispatcher_function(default: Synthesized) -> None:
    ((dispatcher_id, dispatcher),) = functions_by_handler(default, DISPATCHER_HANDLER).items()
    props = dispatcher["Properties"]
    assert props["Runtime"] == RUNTIME.name == "python3.14"
    assert props["Architectures"] == ["arm64"]
    env = props["Environment"]["Variables"]
    expected = default.inputs.infra.dispatcher.settings(stream="s", table="t", namespace="n").to_env()
    assert set(expected) <= set(env)
    assert env[DispatcherSettings.STREAM_ENV] == {"Ref": default.logical_id("Ingest/Stream/Resource")}
    assert env[DispatcherSettings.TABLE_ENV] == {"Ref": default.logical_id("Ingest/IdempotencyTable/Resource")}
    assert env["POWERTOOLS_METRICS_NAMESPACE"] == default.inputs.monitoring.namespace
    assert props["LoggingConfig"]["LogGroup"] == {"Ref": default.logical_id("Ingest/DispatcherLogs/Resource")}
    (invoke_config,) = default.resources("AWS::Lambda::EventInvokeConfig").values()
    assert invoke_config["Properties"]["FunctionName"] == {"Ref": dispatcher_id}
    destination = invoke_config["Properties"]["DestinationConfig"]["OnFailure"]["Destination"]
    assert destination == {"Fn::GetAtt": [default.logical_id("Ingest/DispatcherFailures/Resource"), "Arn"]}


def test_dispatcher_permissions_are_scoped(default: Synthesized) -> None:
    role_id = default.logical_id("Ingest/DispatcherRole/Resource")
    by_action = {}
    conditions = {}
    for st in statements(default, role_id):
        for action in as_list(st["Action"]):
            by_action[action] = st["Resource"]
            conditions[action] = st.get("Condition")
    bucket_id = default.logical_id("InvocationLogs/Bucket/Resource")
    where = "AWSLogs/${AWS::AccountId}/BedrockModelInvocationLogs/"
    assert resolve_join(by_action["s3:GetObject"]) == "${" + bucket_id + ".Arn}/" + where + "*"
    # ListBucket, so a body that has not landed yet is a 404 and not a 403, on the log prefix only.
    assert by_action["s3:ListBucket"] == {"Fn::GetAtt": [bucket_id, "Arn"]}
    assert [resolve_join(p) for p in conditions["s3:ListBucket"]["StringLike"]["s3:prefix"]] == [where + "*"]
    assert "kms:Decrypt" not in by_action  # the stack's own bucket is SSE-S3
    assert by_action["kinesis:PutRecords"] == {"Fn::GetAtt": [default.logical_id("Ingest/Stream/Resource"), "Arn"]}
    table = {"Fn::GetAtt": [default.logical_id("Ingest/IdempotencyTable/Resource"), "Arn"]}
    for action in ("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"):
        assert by_action[action] == table
    assert not any(a.startswith("s3:Put") or a == "s3:*" for a in by_action)
    role = default.template["Resources"][role_id]["Properties"]
    assert "ManagedPolicyArns" not in role


def test_idempotency_table(default: Synthesized) -> None:
    table = default.only("AWS::DynamoDB::Table")["Properties"]
    assert table["KeySchema"] == [{"AttributeName": "id", "KeyType": "HASH"}]
    assert table["AttributeDefinitions"] == [{"AttributeName": "id", "AttributeType": "S"}]
    assert table["BillingMode"] == "PAY_PER_REQUEST"
    assert table["TimeToLiveSpecification"] == {"AttributeName": "expiration", "Enabled": True}
    assert table["SSESpecification"]["SSEEnabled"] is True


def test_stream_is_on_demand_and_kms_encrypted(default: Synthesized) -> None:
    stream = default.only("AWS::Kinesis::Stream")["Properties"]
    assert stream["StreamModeDetails"] == {"StreamMode": "ON_DEMAND"}
    assert "ShardCount" not in stream
    assert stream["StreamEncryption"] == {"EncryptionType": "KMS", "KeyId": "alias/aws/kinesis"}
    assert stream["RetentionPeriodHours"] == default.inputs.infra.stream.retention_hours


# --- monitors ---------------------------------------------------------------------------------------------


def test_one_function_per_enabled_monitor(default: Synthesized) -> None:
    enabled = default.inputs.monitoring.enabled_monitors()
    assert enabled, "cdk.json enables the built-in monitors"
    assert len(functions_by_handler(default, MONITOR_HANDLER)) == len(enabled)
    assert len(default.resources("AWS::Lambda::EventSourceMapping")) == len(enabled)
    # monitor Lambdas + dispatcher + CDK's bucket-notification handler
    assert len(default.resources("AWS::Lambda::Function")) == len(enabled) + 2


@pytest.mark.parametrize("name", ["semantic-similarity", "sentiment-toxicity", "refusal"])
def test_monitor_function_follows_its_declaration(default: Synthesized, name: str) -> None:
    monitoring = default.inputs.monitoring
    if name not in monitoring.enabled_monitors():
        pytest.skip(f"{name} disabled in cdk.json")
    function_id, function = monitor_function(default, name)
    props = function["Properties"]
    sizing = monitoring.monitors[name].lambda_spec
    assert props["Runtime"] == RUNTIME.name and props["Architectures"] == ["arm64"]
    assert props["MemorySize"] == sizing.memory_mb and props["Timeout"] == sizing.timeout_seconds
    env = props["Environment"]["Variables"]
    expected = monitoring.monitor_env(name)
    assert {k: env[k] for k in expected} == expected
    needs = default.inputs.registry[name].needs_for(monitoring.monitors[name].options)
    if Capability.TEXT_ANALYSIS in needs and monitoring.backend.kind == "aws":
        assert env[BackendSettings.WORKFLOW_ENV] == {"Ref": default.logical_id("TextAnalysis/StateMachine/Resource")}
    else:
        assert BackendSettings.WORKFLOW_ENV not in env

    (mapping,) = [
        m["Properties"]
        for m in default.resources("AWS::Lambda::EventSourceMapping").values()
        if m["Properties"]["FunctionName"] == {"Ref": function_id}
    ]
    assert mapping["EventSourceArn"] == {"Fn::GetAtt": [default.logical_id("Ingest/Stream/Resource"), "Arn"]}
    assert mapping["BatchSize"] == sizing.batch_size
    assert mapping["MaximumBatchingWindowInSeconds"] == sizing.batching_window_seconds
    assert mapping["ParallelizationFactor"] == sizing.parallelization_factor
    assert mapping["MaximumRetryAttempts"] == sizing.maximum_retry_attempts
    assert mapping["MaximumRecordAgeInSeconds"] == sizing.maximum_record_age_seconds
    assert mapping["BisectBatchOnFunctionError"] is True
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert mapping["StartingPosition"] == "TRIM_HORIZON"
    queue_id = mapping["DestinationConfig"]["OnFailure"]["Destination"]["Fn::GetAtt"][0]
    queue = default.template["Resources"][queue_id]["Properties"]
    assert queue["SqsManagedSseEnabled"] is True


def test_monitor_permissions_follow_needs(default: Synthesized) -> None:
    monitoring = default.inputs.monitoring
    for name in monitoring.enabled_monitors():
        _function_id, function = monitor_function(default, name)
        role_id = function["Properties"]["Role"]["Fn::GetAtt"][0]
        sts = statements(default, role_id)
        actions = {a: st["Resource"] for st in sts for a in as_list(st["Action"])}
        needs = default.inputs.registry[name].needs_for(monitoring.monitors[name].options)
        if Capability.EMBEDDINGS in needs:
            assert resolve_join(actions["bedrock:InvokeModel"]) == (
                "arn:${AWS::Partition}:bedrock:${AWS::Region}::foundation-model/"
                + monitoring.backend.embedding_model_id
            )
        else:
            assert "bedrock:InvokeModel" not in actions
        if Capability.TEXT_ANALYSIS in needs:
            assert actions["states:StartSyncExecution"] == {
                "Ref": default.logical_id("TextAnalysis/StateMachine/Resource")
            }
        else:
            assert "states:StartSyncExecution" not in actions
        assert not any(a.startswith(("comprehend:", "s3:", "dynamodb:")) for a in actions)


def test_no_iam_wildcards_except_the_reasoned_ones(default: Synthesized) -> None:
    """'*' only for APIs without resource-level permissions (workflow role) and object keys under AWSLogs/."""
    allowed_star_actions = {
        "comprehend:BatchDetectSentiment",
        "comprehend:DetectToxicContent",
        "xray:PutTraceSegments",
        "xray:PutTelemetryRecords",
        "xray:GetSamplingRules",
        "xray:GetSamplingTargets",
        "logs:CreateLogDelivery",
        "logs:GetLogDelivery",
        "logs:UpdateLogDelivery",
        "logs:DeleteLogDelivery",
        "logs:ListLogDeliveries",
        "logs:PutResourcePolicy",
        "logs:DescribeResourcePolicies",
        "logs:DescribeLogGroups",
    }
    workflow_role = default.logical_id("TextAnalysis/StateMachine/Role/Resource")
    for policy in default.resources("AWS::IAM::Policy").values():
        roles = policy["Properties"]["Roles"]
        for st in policy["Properties"]["PolicyDocument"]["Statement"]:
            actions = as_list(st["Action"])
            assert not any("*" in a for a in actions), st
            resources = [resolve_join(r) for r in as_list(st["Resource"])]
            if "*" in resources:
                assert roles == [{"Ref": workflow_role}], st
                assert set(actions) <= allowed_star_actions, st
            for r in resources:
                if r != "*" and "*" in r:
                    assert r.endswith("/AWSLogs/${AWS::AccountId}/BedrockModelInvocationLogs/*"), st
                    assert actions == ["s3:GetObject"], st


def test_lambda_roles_have_no_managed_policies(default: Synthesized) -> None:
    for logical_id, role in default.resources("AWS::IAM::Role").items():
        if "ManagedPolicyArns" in role["Properties"]:
            # Only CDK's own deploy-time helper (acknowledged IAM4 with its reason).
            assert logical_id.startswith("BucketNotificationsHandler"), logical_id


# --- workflow ---------------------------------------------------------------------------------------------


def test_workflow_is_express_logged_at_error_to_an_encrypted_group(default: Synthesized) -> None:
    machine = default.only("AWS::StepFunctions::StateMachine")["Properties"]
    assert machine["StateMachineType"] == "EXPRESS"
    logging = machine["LoggingConfiguration"]
    assert logging["Level"] == "ERROR" and logging["IncludeExecutionData"] is False
    group_id = logging["Destinations"][0]["CloudWatchLogsLogGroup"]["LogGroupArn"]["Fn::GetAtt"][0]
    assert "KmsKeyId" in default.template["Resources"][group_id]["Properties"]
    assert machine["TracingConfiguration"] == {"Enabled": True}
    definition = json.loads(resolve_join(machine["DefinitionString"]))
    resources = json.dumps(definition)
    assert (
        "aws-sdk:comprehend:batchDetectSentiment" in resources and "aws-sdk:comprehend:detectToxicContent" in resources
    )


def test_log_groups_are_encrypted_and_expire(default: Synthesized) -> None:
    for group in default.resources("AWS::Logs::LogGroup").values():
        assert "KmsKeyId" in group["Properties"]
        assert group["Properties"]["RetentionInDays"] == default.inputs.infra.log_retention_days
    key = default.only("AWS::KMS::Key")["Properties"]
    assert key["EnableKeyRotation"] is True


# --- alarms, topic --------------------------------------------------------------------------------------


def topic_ref(s: Synthesized) -> dict:
    return {"Ref": s.logical_id("AlarmTopic/Topic/Resource")}


def test_every_resolved_alarm_is_deployed_exactly(default: Synthesized) -> None:
    alarms = {
        a["Properties"].get("AlarmName"): a["Properties"] for a in default.resources("AWS::CloudWatch::Alarm").values()
    }
    definitions = default.inputs.alarms
    assert definitions, "the built-in monitors declare default alarms"
    for definition in definitions:
        props = alarms[definition.name]
        spec = definition.spec
        assert props["Namespace"] == definition.namespace and props["MetricName"] == definition.metric_name
        assert {d["Name"]: d["Value"] for d in props.get("Dimensions", [])} == dict(definition.dimensions)
        if spec.statistic.startswith("p"):
            assert props["ExtendedStatistic"] == spec.statistic
        else:
            assert props["Statistic"] == spec.statistic
        assert props["Threshold"] == spec.threshold
        assert props["ComparisonOperator"] == spec.comparison.value
        assert props["Period"] == spec.period_seconds
        assert props["EvaluationPeriods"] == spec.evaluation_periods
        assert props["DatapointsToAlarm"] == spec.datapoints_to_alarm
        assert props["TreatMissingData"] == spec.treat_missing_data.value
        assert props["AlarmActions"] == [topic_ref(default)] and props["OKActions"] == [topic_ref(default)]


def test_pipeline_health_alarms(default: Synthesized) -> None:
    monitoring = default.inputs.monitoring
    pipeline = [
        a["Properties"]
        for a in default.resources("AWS::CloudWatch::Alarm").values()
        if a["Properties"]["AlarmName"] not in {d.name for d in default.inputs.alarms}
    ]
    assert all(a["AlarmActions"] == [topic_ref(default)] and a["OKActions"] == [topic_ref(default)] for a in pipeline)

    def metric_names(alarm: dict) -> set[str]:
        if "MetricName" in alarm:
            return {alarm["MetricName"]}
        return {m["MetricStat"]["Metric"]["MetricName"] for m in alarm.get("Metrics", []) if "MetricStat" in m}

    names = [metric_names(a) for a in pipeline]
    functions = len(monitoring.enabled_monitors()) + 1
    assert sum("Errors" in n for n in names) == functions
    assert sum("Throttles" in n for n in names) == functions
    assert sum("IteratorAge" in n for n in names) == len(monitoring.enabled_monitors())
    assert sum("ApproximateNumberOfMessagesVisible" in n for n in names) == len(default.resources("AWS::SQS::Queue"))
    assert sum(pm.MALFORMED_LINES in n for n in names) == 1
    assert sum(pm.SCORING_FAILURES in n for n in names) == len(monitoring.enabled_monitors())
    (no_data,) = [a for a, n in zip(pipeline, names, strict=True) if pm.RECORDS_DISPATCHED in n]
    assert (no_data["ComparisonOperator"], no_data["Threshold"]) == ("LessThanThreshold", 1)
    assert no_data["TreatMissingData"] == "breaching"  # silence is not health
    (metric,) = no_data["Metrics"]
    assert metric["MetricStat"]["Period"] == pm.NO_DATA_PERIOD_SECONDS and metric["MetricStat"]["Stat"] == "Sum"
    assert "Dimensions" not in metric["MetricStat"]["Metric"]  # the dispatcher's counters have none
    assert (no_data["EvaluationPeriods"], no_data["DatapointsToAlarm"]) == (1, 1)
    assert sum("ExecutionsFailed" in n for n in names) == 1
    assert sum("ExecutionsTimedOut" in n for n in names) == 1
    # The count the cost estimate prices is the count deployed.
    assert len(pipeline) == pm.pipeline_alarm_count(len(monitoring.enabled_monitors()), workflow=True)


def test_alarm_topic_is_encrypted_tls_only_and_open_to_cloudwatch(default: Synthesized) -> None:
    topic = default.only("AWS::SNS::Topic")["Properties"]
    assert topic["KmsMasterKeyId"] == {"Fn::GetAtt": [default.logical_id("/Key/Resource"), "Arn"]}
    policy = default.only("AWS::SNS::TopicPolicy")["Properties"]["PolicyDocument"]["Statement"]
    assert any(
        st["Effect"] == "Deny" and st["Condition"] == {"Bool": {"aws:SecureTransport": "false"}} for st in policy
    )
    allow = [st for st in policy if st["Effect"] == "Allow"]
    assert [st["Principal"] for st in allow] == [{"Service": "cloudwatch.amazonaws.com"}]
    assert allow[0]["Condition"]["StringEquals"] == {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}
    assert not default.resources("AWS::SNS::Subscription")  # no alarmEmail in cdk.json


# --- dashboard and queries --------------------------------------------------------------------------------


def test_dashboard_has_a_row_per_monitor_with_every_active_metric(default: Synthesized) -> None:
    widgets = dashboard_widgets(default)
    monitoring = default.inputs.monitoring
    texts = [w["properties"]["markdown"] for w in widgets if w["type"] == "text"]
    graphs = [w["properties"] for w in widgets if w["type"] == "metric"]
    for name in monitoring.enabled_monitors():
        assert f"## Monitor: {name}" in texts
        spec = default.inputs.registry[name].spec()
        for metric in spec.active_metrics(monitoring.monitors[name].options):
            (graph,) = [g for g in graphs if g.get("title", "").startswith(f"{metric.name} (")]
            expressions = [m[0]["expression"] for m in graph["metrics"] if isinstance(m[0], dict)]
            assert any(f'MetricName=\\"{metric.name}\\"' in json.dumps(e) and "ModelId" in e for e in expressions)
            assert any(m[:2] == [monitoring.namespace, metric.name] for m in graph["metrics"])  # all models
            alarmed = [d for d in default.inputs.alarms if d.metric_name == metric.name]
            thresholds = [a["value"] for a in graph.get("annotations", {}).get("horizontal", [])]
            assert thresholds == ([alarmed[0].spec.threshold] if alarmed else [])


def test_saved_queries_list_requests_behind_each_alarmed_metric(default: Synthesized) -> None:
    queries = [q["Properties"] for q in default.resources("AWS::Logs::QueryDefinition").values()]
    alarmed = {(d.monitor, d.metric_name) for d in default.inputs.alarms}
    assert len(queries) == len(alarmed)
    text = "\n".join(w["properties"].get("markdown", "") for w in dashboard_widgets(default) if w["type"] == "text")
    log_widgets = [w["properties"] for w in dashboard_widgets(default) if w["type"] == "log"]
    assert len(log_widgets) == len(alarmed)
    for monitor, metric in alarmed:
        (query,) = [q for q in queries if q["Name"].endswith(f"/{monitor}/{metric}-worst-records")]
        assert "requestId" in query["QueryString"] and f"sort {metric}" in query["QueryString"]
        _, function = monitor_function(default, monitor)
        assert query["LogGroupNames"] == [function["Properties"]["LoggingConfig"]["LogGroup"]]
        assert query["Name"] in text  # linked from the dashboard
    assert "logs-insights" in text


def test_pipeline_health_section_covers_every_function_and_queue(default: Synthesized) -> None:
    widgets = dashboard_widgets(default)
    titles = " ".join(
        json.dumps(w["properties"].get("title", "")) + json.dumps(w["properties"].get("markdown", "")) for w in widgets
    )
    assert "Pipeline health" in titles
    for name in default.inputs.monitoring.enabled_monitors():
        assert f"Monitor Lambda {name}" in titles
        assert f"{name} failed records" in titles
    for label in (
        "Dispatcher Lambda",
        "Dispatcher failed events",
        "Record stream",
        "Sentiment/toxicity workflow",
    ):
        assert label in titles
    # The no-data alarm's floor is drawn on records dispatched per hour.
    (hourly,) = [w["properties"] for w in widgets if w["properties"].get("title") == "Records dispatched per hour"]
    assert [m[:2] for m in hourly["metrics"]] == [[default.inputs.monitoring.namespace, pm.RECORDS_DISPATCHED]]
    assert [a["value"] for a in hourly["annotations"]["horizontal"]] == [1]


def test_outputs(default: Synthesized) -> None:
    outputs = default.template["Outputs"]
    assert outputs["BucketName"]["Value"] == {"Ref": default.logical_id("InvocationLogs/Bucket/Resource")}
    assert outputs["StreamName"]["Value"] == {"Ref": default.logical_id("Ingest/Stream/Resource")}
    assert outputs["AlarmTopicArn"]["Value"] == topic_ref(default)
    url = resolve_join(outputs["DashboardUrl"]["Value"])
    dashboard = default.only("AWS::CloudWatch::Dashboard")["Properties"]["DashboardName"]
    assert url.endswith(f"#dashboards:name={dashboard}") and "region=${AWS::Region}" in url
